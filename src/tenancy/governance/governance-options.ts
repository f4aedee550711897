// Input checks of TenantGovernanceOptions (thrown in the constructor, with the construct path). Internal.
import { IConstruct } from 'constructs';
import { KmetalValidationError, showValue } from '../../util/errors';
import type { TenantGovernanceOptions } from '../tenant-governance';
import { isQuantity } from './quantities';
import { isLabel } from '../../util/names';
import { checkProps } from '../../util/props';

// Enum values, repeated here to keep this module free of a runtime import of tenant-governance.
const OWNER_KINDS = ['User', 'Group', 'ServiceAccount'];
const LIMIT_RANGE_TYPES = ['Container', 'Pod', 'PersistentVolumeClaim'];
const OWNER_SA = /^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Throws a KmetalValidationError for the first bad option. */
export function checkGovernanceOptions(scope: IConstruct, o: TenantGovernanceOptions): void {
  // A misspelt quota field (`gpu` for `gpus`) would leave that quota derived instead of the one meant.
  checkProps(scope, 'quota', o.quota, 'TenantQuota');
  for (const [i, w] of (o.owners ?? []).entries()) {
    if (!OWNER_KINDS.includes(w?.kind)) {
      throw new KmetalValidationError(scope, `owners[${i}].kind`, `${showValue(w?.kind)} is not an owner kind`, 'use TenantOwnerKind.USER, GROUP or SERVICE_ACCOUNT');
    }
    if (typeof w.name !== 'string' || w.name.length === 0) {
      throw new KmetalValidationError(scope, `owners[${i}].name`, `${showValue(w.name)} is not a subject name`, 'give the user, group or service account name');
    }
    if (w.kind === 'ServiceAccount' && !OWNER_SA.test(w.name)) {
      throw new KmetalValidationError(scope, `owners[${i}].name`, `${showValue(w.name)} is not a service account user name`, 'write it as "system:serviceaccount:<namespace>:<name>"');
    }
    for (const r of w.clusterRoles ?? []) {
      if (typeof r !== 'string' || !/^[A-Za-z0-9][-A-Za-z0-9_.:]*$/.test(r)) {
        throw new KmetalValidationError(scope, `owners[${i}].clusterRoles`, `${showValue(r)} is not a ClusterRole name`, 'name existing ClusterRoles, e.g. "view"');
      }
    }
  }
  if (o.namespaceQuota !== undefined && (!Number.isInteger(o.namespaceQuota) || o.namespaceQuota < 1)) {
    throw new KmetalValidationError(scope, 'namespaceQuota', `${showValue(o.namespaceQuota)} is not a number of namespaces`, 'give a whole number of at least 1');
  }
  const q = o.quota ?? {};
  const numbers = { cpuCores: q.cpuCores, memoryGiB: q.memoryGiB, storageGiB: q.storageGiB, virtualMachines: q.virtualMachines };
  for (const [field, v] of Object.entries(numbers)) {
    if (v !== undefined && (!Number.isFinite(v) || v < 0)) {
      throw new KmetalValidationError(scope, `quota.${field}`, `${showValue(v)} is not a quota`, 'give a non-negative number, or leave it out to derive it');
    }
  }
  for (const [d, n] of Object.entries(q.gpus ?? {})) {
    if (!d.includes('/') || !Number.isInteger(n) || n < 0) {
      throw new KmetalValidationError(scope, `quota.gpus.${d}`, `${showValue(d)}: ${showValue(n)} is not a device quota`, 'key by the device resource name (e.g. "nvidia.com/GA102GL_A10") and give a whole number');
    }
  }
  for (const [k, v] of Object.entries(q.additional ?? {})) {
    if (!/^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/.test(k) || typeof v !== 'string' || !isQuantity(v)) {
      throw new KmetalValidationError(scope, `quota.additional.${k}`, `${showValue(k)}: ${showValue(v)} is not a quota entry`, 'write the resource name and a quantity string, e.g. pods: "200"');
    }
  }
  for (const [i, sc] of (o.allowedStorageClasses ?? []).entries()) {
    if (typeof sc !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(sc)) {
      throw new KmetalValidationError(scope, `allowedStorageClasses[${i}]`, `${showValue(sc)} is not a storage class name`, 'name StorageClasses of the under cluster');
    }
  }
  if (o.defaultStorageClass !== undefined && o.allowedStorageClasses?.length && !o.allowedStorageClasses.includes(o.defaultStorageClass)) {
    throw new KmetalValidationError(scope, 'defaultStorageClass', `${showValue(o.defaultStorageClass)} is not among allowedStorageClasses`, 'add it to allowedStorageClasses');
  }
  for (const [i, l] of (o.limitRanges ?? []).entries()) {
    if (!LIMIT_RANGE_TYPES.includes(l?.type)) {
      throw new KmetalValidationError(scope, `limitRanges[${i}].type`, `${showValue(l?.type)} is not a limit range type`, 'use LimitRangeType.CONTAINER, POD or PERSISTENT_VOLUME_CLAIM');
    }
    for (const part of ['min', 'max', 'defaultLimit', 'defaultRequest', 'maxLimitRequestRatio'] as const) {
      for (const [r, v] of Object.entries(l[part] ?? {})) {
        if (typeof v !== 'string' || !isQuantity(v)) {
          throw new KmetalValidationError(scope, `limitRanges[${i}].${part}.${r}`, `${showValue(v)} is not a quantity`, 'write e.g. "500m" or "2Gi"');
        }
      }
    }
  }
  for (const [k, v] of Object.entries(o.nodeSelector ?? {})) {
    if (!isLabel(k, v)) {
      throw new KmetalValidationError(scope, `nodeSelector.${k}`, `${showValue(k)}=${showValue(v)} is not a node label`, 'use label keys and values, e.g. "kmetal.io/host-pool": "gpu"');
    }
  }
  for (const [i, p] of (o.networkPolicies ?? []).entries()) {
    if (!p || typeof p !== 'object' || Array.isArray(p)) {
      throw new KmetalValidationError(scope, `networkPolicies[${i}]`, `${showValue(p)} is not a NetworkPolicySpec`, 'give the spec object, e.g. { podSelector: {}, policyTypes: ["Ingress"] }');
    }
  }
}

