// Public API of cdk8s-kmetal: the L3 constructs and the types they expose. The generated L1
// classes (src/imports) are deliberately not re-exported wholesale (see README, "Contributing").
// KmetalValidationError extends Error, which jsii cannot model: TypeScript users import it from
// 'cdk8s-kmetal/lib/util/errors'; every language can use isKmetalValidationError().
export { isKmetalValidationError } from './util/errors';
export * from './platform/version-matrix';
export * from './os/machine-image';
export * from './network/node-network';
export * from './tenancy/kubernetes-version';
export * from './tenancy/control-plane';
export * from './tenancy/datastore';
export * from './tenancy/node-pool';
export * from './tenancy/tenant-cluster';
export * from './tenancy/tenant-cluster-class';
export * from './platform/helm-chart-repository';
export * from './gitops';
export * from './network/control-plane-vip';
export * from './conformance';
export * from './platform/platform-under-cluster';
export * from './platform/component-install';
