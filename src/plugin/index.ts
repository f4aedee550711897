// The cdk8s CLI validation plugin (`cdk8s-kmetal/plugin`). Not part of the jsii API: the CLI loads it
// in Node, and its types come from cdk8s-cli.
export { KmetalValidation, PACKS } from './kmetal-validation';
export type { KmetalValidationProps, KmetalSuppression } from './kmetal-validation';
