import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { GitOpsUnit } from '../../src/gitops';

/** A temp folder, removed by `cleanupTempDirs()`. */
const tempDirs: string[] = [];
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmetal-gitops-'));
  tempDirs.push(dir);
  return dir;
}
export function cleanupTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The three-layer platform most tests use: crds → controllers → tenant, plus a plain chart. */
export interface PlatformFixture {
  readonly app: App;
  readonly crds: GitOpsUnit;
  readonly controllers: GitOpsUnit;
  readonly tenant: GitOpsUnit;
  readonly crd: ApiObject;
  readonly controller: ApiObject;
  readonly widget: ApiObject;
}

export function platformApp(options: { withPlainChart?: boolean } = {}): PlatformFixture {
  const app = new App({ outdir: tempDir() });
  const crds = new GitOpsUnit(app, 'crds', { path: 'infrastructure/crds' });
  const controllers = new GitOpsUnit(app, 'controllers', { path: 'infrastructure/controllers', dependsOn: [crds], wait: true });
  const tenant = new GitOpsUnit(app, 'acme', { path: 'tenants/acme', namespace: 'acme', timeout: '10m' });
  tenant.addDependency(controllers);

  const crd = new ApiObject(crds, 'widget-crd', {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  } as any);
  new ApiObject(controllers, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'widgets' } });
  // The tenant chart sets namespace 'acme' on all its objects, so its Namespace is created here.
  new ApiObject(controllers, 'tenant-ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'acme' } });
  const controller = new ApiObject(controllers, 'controller', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'widget-controller', namespace: 'widgets' },
    spec: {
      selector: { matchLabels: { app: 'widget-controller' } },
      template: { metadata: { labels: { app: 'widget-controller' } }, spec: { containers: [{ name: 'manager', image: 'ghcr.io/example/widget-controller:v1.2.3' }] } },
    },
  } as any);
  new ApiObject(tenant, 'settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { 'enabled': 'yes', 'mode': '0755', 'config.yaml': 'a: 1\nb:\n  - c\n' } } as any);
  const widget = new ApiObject(tenant, 'widget', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'main' }, spec: { size: 3 } } as any);

  if (options.withPlainChart) {
    const web = new Chart(app, 'Web_Frontend', { namespace: 'web' });
    new ApiObject(web, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'frontend' }, data: { a: 'b' } } as any);
  }
  return { app, crds, controllers, tenant, crd, controller, widget };
}

/** All files under `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) visit(r);
      else out.push(r);
    }
  };
  if (fs.existsSync(dir)) visit('');
  return out.sort();
}

/** Parses one YAML file of the tree (as kubectl would: YAML 1.1). */
export function readYaml(file: string): any {
  return YAML.parse(fs.readFileSync(file, 'utf8'), { version: '1.1' });
}
