import { App } from 'cdk8s';
import { selfServicePlatform } from '../../examples/self-service/platform';
import { ExternalDataStore, PlatformUnderCluster, TenantRequests, TenantRequestsOptions } from '../../src';
import { TenantRequestError } from '../../src/selfservice/tenant-request-error';

/** The example platform, with a shared datastore granted to team shop. */
export function platformWithGrants(): { app: App; platform: PlatformUnderCluster; options: TenantRequestsOptions } {
  const app = new App();
  const { platform, options } = selfServicePlatform(app);
  return {
    app,
    platform,
    options: {
      ...options,
      sharedDataStores: [ExternalDataStore.fromName('shared-etcd'), ExternalDataStore.fromName('finance-etcd')],
      teams: options.teams!.map((t) => (t.name === 'shop' ? { ...t, dataStores: ['shared-etcd'] } : t)),
    },
  };
}

/** Loads files (`<team>/<name>.yaml` → text) into a fresh example platform. */
export function loadFiles(files: { [file: string]: string }) {
  const { app, platform, options } = platformWithGrants();
  const requests = TenantRequests.fromFiles(platform, 'tenants', Object.entries(files).map(([file, text]) => ({ file, text })), options);
  return { app, platform, requests, objects: () => app.charts.flatMap((c) => c.toJson()) };
}

/** The problems `fromFiles` reports, as `file:line:column: field` → message. */
export function problemsOf(files: { [file: string]: string }): { lines: string[]; error: TenantRequestError } {
  try {
    loadFiles(files);
  } catch (e) {
    if (!(e instanceof TenantRequestError)) throw e;
    return { lines: e.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.field}`.trimEnd()), error: e };
  }
  throw new Error('expected a TenantRequestError');
}

/** A valid request (line 1 is apiVersion), with extra lines appended. */
export function request(name: string, extra = '', pools = '  - name: general\n    nodeClass: standard\n    replicas: 2\n'): string {
  return `apiVersion: kmetal.io/v1alpha1
kind: TenantClusterRequest
name: ${name}
size: small
kubernetesVersion: v1.34
owners:
  - kind: Group
    name: devs
nodePools:
${pools}${extra}`;
}
