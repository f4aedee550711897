import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeSchemaBundle } from '../../build-tools/schema-bundle';
import { sharedDir } from '../support/upstream';

/** The repository root. */
export const repoRoot = path.resolve(__dirname, '..', '..');

let bundle: string | undefined;

/**
 * The committed bundle (`imports/schemas`, written by `npx projen import`); when it is missing, one
 * generated from `../shared/crds` into a temporary folder, so the tests never write into the repository.
 */
export function bundleDir(): string {
  if (bundle) return bundle;
  const committed = path.join(repoRoot, 'imports', 'schemas');
  if (fs.existsSync(committed) && fs.readdirSync(committed).some((f) => f.endsWith('.json'))) {
    bundle = committed;
  } else {
    const crds = path.join(sharedDir, 'crds');
    if (!fs.existsSync(crds)) throw new Error(`${committed} holds no bundle and ${crds} is absent: run \`npx projen import\` with ../shared beside the repository`);
    bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-bundle-'));
    writeSchemaBundle(crds, bundle);
  }
  return bundle;
}

/** A minimal valid CAPI v1beta2 Cluster, to break one field at a time. */
export function capiCluster(spec: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'Cluster',
    metadata: { name: 'demo', namespace: 'tenants' },
    spec: { clusterNetwork: { pods: { cidrBlocks: ['10.244.0.0/16'] } }, ...spec },
  };
}

/** A minimal valid Kamaji TenantControlPlane. */
export function tenantControlPlane(networkProfile: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'kamaji.clastix.io/v1alpha1',
    kind: 'TenantControlPlane',
    metadata: { name: 'tenant-a', namespace: 'tenants' },
    spec: {
      controlPlane: { service: { serviceType: 'ClusterIP' } },
      kubernetes: { version: 'v1.33.0', kubelet: {} },
      networkProfile,
    },
  };
}

/**
 * A bundle folder holding one made-up kind, `example.kmetal.dev/v1 Widget`, whose `spec` has the given
 * schema: for checks no pinned CRD exercises. Remove the folder when done.
 */
export function widgetBundle(spec: Record<string, unknown>, scope: 'Namespaced' | 'Cluster' = 'Namespaced'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-widget-'));
  const schema = { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec } };
  const group = {
    group: 'example.kmetal.dev',
    kinds: [{
      group: 'example.kmetal.dev',
      kind: 'Widget',
      plural: 'widgets',
      scope,
      source: 'test',
      versions: [{ name: 'v1', served: true, storage: true, deprecated: false, statusSubresource: false, schema }],
    }],
  };
  fs.writeFileSync(path.join(dir, 'example.kmetal.dev.json'), JSON.stringify(group));
  return dir;
}

/** A Widget object with the given spec. */
export function widget(spec: unknown): any {
  return { apiVersion: 'example.kmetal.dev/v1', kind: 'Widget', metadata: { name: 'w' }, spec };
}
