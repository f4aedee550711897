// Public API of cdk8s-kmetal. Generated L1 classes (src/imports) are deliberately not re-exported
// wholesale: only the L3 constructs and the types they expose are (see ../CDK8S-NOTES in README).
export * from './util/errors';
