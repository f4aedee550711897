export * from './reconcile-finding';
export * from './reconcile-checker';
export * from './annotations';
