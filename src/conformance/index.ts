export * from './finding';
export * from './transition-rule';
export * from './conformance-checker';
export * from './format-findings';
export * from './expect-conformant';
