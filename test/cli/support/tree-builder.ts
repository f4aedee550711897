import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import { FluxTree, GitOpsUnit } from '../../../src/gitops';

/** A unit of a small test tree: its path, the units it depends on, and its objects. */
export interface TestUnit {
  readonly path: string;
  readonly dependsOn?: string[];
  readonly targetNamespace?: string;
  readonly objects: any[];
}

/**
 * Writes a small Flux tree with the library's own writer (FluxTree), so the tests read exactly the
 * layout the library produces; returns the tree folder.
 */
export function writeTestTree(outdir: string, appName: string, units: TestUnit[]): string {
  const app = new App({ outdir });
  const byPath = new Map<string, GitOpsUnit>();
  for (const u of units) {
    const unit = new GitOpsUnit(app, u.path.replace(/\//g, '-'), {
      path: u.path,
      dependsOn: (u.dependsOn ?? []).map((p) => byPath.get(p)!),
      ...(u.targetNamespace ? { targetNamespace: u.targetNamespace } : {}),
    });
    byPath.set(u.path, unit);
    u.objects.forEach((o, i) => new ApiObject(unit, `o${i}`, o));
  }
  // Trees for the CLI's own checks, some broken on purpose: the synth-time reconcile check would refuse them.
  FluxTree.synth(app, { outdir, appName, reconcile: false });
  return path.join(outdir, appName);
}

/** A CRD of group `example.com` (kind Widget unless given), namespaced, served as v1. */
export function widgetCrd(kind = 'Widget'): any {
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.example.com` },
    spec: {
      group: 'example.com',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
}

/** Removes a folder made by a test. */
export function removeFolder(dir: string): void {
  if (fs.existsSync(dir)) fs.rmSync(dir, { recursive: true, force: true });
}
