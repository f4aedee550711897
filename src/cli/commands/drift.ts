import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { TreeOnCluster } from './tree-objects';
import { FindingSeverity } from '../../conformance/finding';
import { diffDesiredFields } from '../drift/field-diff';
import { CliFatalError, ExitCode } from '../errors';
import type { CliIo } from '../io';
import { failureLine } from '../kube/api-status';
import { openClusterSession, type ClusterOptions, type ClusterSession } from '../kube/cluster-session';
import { rbacResource, resourcePath, type ServedResource } from '../kube/discovery';
import { listObjects } from '../kube/list-objects';
import { APP_LABEL, FLUX_NAME_LABEL, FLUX_NAMESPACE_LABEL, groupOf, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../ownership';
import { Progress } from '../progress';
import type { SecretScrubber } from '../redact';
import { countSeverities, newFinding, objectLabel, plural, subjectOf, treeProblemFindings, writeFindings, writeJson, type CliFinding } from '../report';
import { readFluxTree, type FluxTreeModel, type TreeObject } from '../tree/flux-tree-reader';

/** Options of `kmetal drift`. */
export interface DriftOptions extends ClusterOptions {
  readonly dir: string;
  readonly cluster?: string;
  readonly json: boolean;
  readonly quiet: boolean;
  /**
   * A folder to write the orphans into, one manifest each (server fields and Secret values left
   * out): the `previousOutput` a `DestructiveChangeGuard` compares the new output with.
   */
  readonly orphansDir?: string;
}

const DRIFT_CODES = new Set(['missing', 'changed', 'orphan']);

/**
 * `kmetal drift <dist-dir>`: reads every object of the tree from the cluster and reports what is
 * missing, what differs in the fields the tree sets, and orphans: objects labelled as this app's
 * (the library's ownership labels, or Flux's labels naming one of the tree's Kustomizations) that
 * the tree no longer contains. Reads only.
 *
 * @returns 1 when there is drift or an object could not be read, else 0
 */
export async function runDrift(options: DriftOptions, io: CliIo, scrubber: SecretScrubber): Promise<number> {
  const tree = readFluxTree(path.resolve(io.cwd, options.dir), options.cluster);
  const session = await openClusterSession(options, io, scrubber);
  try {
    const onCluster = new TreeOnCluster(tree, session.discovery);
    const findings: CliFinding[] = treeProblemFindings(tree);
    const checked: Array<{ object: TreeObject; namespace?: string; state: 'in-sync' | 'changed' | 'missing' | 'error' }> = [];
    const served = new Map<string, ServedResource>();
    const progress = new Progress(io, 'drift', tree.objects.length, options.quiet);
    for (const object of tree.objects) {
      const result = await readOne(session, onCluster, object, served);
      findings.push(...result.findings);
      checked.push({ object, namespace: result.namespace, state: result.state });
      progress.tick(`${object.layer.name}: ${objectLabel(object)}`);
    }
    progress.finish();
    const inTree = new Set(checked.map((c) => identity(groupOf(c.object.apiVersion), c.object.kind, c.namespace, c.object.name)));
    const orphans = await findOrphans(session, tree, [...served.values()], inTree);
    findings.push(...orphans.findings);
    if (options.orphansDir !== undefined) writeOrphans(path.resolve(io.cwd, options.orphansDir), orphans.objects);

    const counts = countSeverities(findings);
    const drift = {
      objects: tree.objects.length,
      inSync: checked.filter((c) => c.state === 'in-sync').length,
      changed: checked.filter((c) => c.state === 'changed').length,
      missing: checked.filter((c) => c.state === 'missing').length,
      orphans: findings.filter((f) => f.code === 'orphan').length,
      errors: counts.errors,
    };
    if (options.json) {
      writeJson(io, {
        command: 'drift',
        tree: options.dir,
        cluster: tree.cluster,
        server: session.target.server,
        context: session.target.contextName,
        ownershipLabels: ownershipSelector(tree),
        objects: checked.map((c) => ({
          apiVersion: c.object.apiVersion,
          kind: c.object.kind,
          ...(c.namespace !== undefined ? { namespace: c.namespace } : {}),
          name: c.object.name,
          layer: c.object.layer.name,
          file: c.object.file,
          state: c.state,
        })),
        findings,
        summary: drift,
      });
    } else {
      io.stdout(`drift ${options.dir} (cluster ${tree.cluster}) against ${session.target.server}, context ${session.target.contextName}: read only\n`);
      writeFindings(io, findings);
      io.stdout(`${plural(drift.objects, 'object')}: ${drift.inSync} in sync, ${drift.changed} changed, ${drift.missing} missing; ${plural(drift.orphans, 'orphan')}${drift.errors > 0 ? `; ${plural(drift.errors, 'error')}` : ''}\n`);
    }
    return findings.some((f) => DRIFT_CODES.has(f.code) || f.severity === FindingSeverity.ERROR) ? ExitCode.FINDINGS : ExitCode.OK;
  } finally {
    session.close();
  }
}

async function readOne(session: ClusterSession, onCluster: TreeOnCluster, object: TreeObject, served: Map<string, ServedResource>) {
  const found = await onCluster.served(object);
  if (found.status !== 'served') {
    const subject = subjectOf(object);
    if (found.code === 'api-unavailable') return { namespace: undefined, state: 'error' as const, findings: [newFinding(FindingSeverity.ERROR, 'api-unavailable', subject, '', found.message)] };
    return { namespace: undefined, state: 'missing' as const, findings: [newFinding(FindingSeverity.WARNING, 'missing', subject, '', `not in the cluster: ${found.message.replace(/^not verified: /, '')}`)] };
  }
  const r = found.resource;
  served.set(`${r.group}/${r.version}/${r.kind}`, r);
  const ns = onCluster.namespaceFor(object, r.namespaced);
  const subject = subjectOf(object, ns);
  const describe = { verb: 'get', resource: rbacResource(r), namespace: ns, name: object.name };
  const res = await session.conn.request({ method: 'GET', path: resourcePath(r, ns, object.name), describe });
  if (res.failure?.code === 404) {
    return { namespace: ns, state: 'missing' as const, findings: [newFinding(FindingSeverity.WARNING, 'missing', subject, '', 'not in the cluster')] };
  }
  if (res.failure) {
    return { namespace: ns, state: 'error' as const, findings: [newFinding(FindingSeverity.ERROR, res.failure.code === 403 ? 'forbidden' : 'server-error', subject, '', failureLine(res.failure, describe))] };
  }
  const isSecret = object.apiVersion === 'v1' && object.kind === 'Secret';
  const differences = diffDesiredFields(isSecret ? secretAsStored(object.manifest) : object.manifest, res.body, { hideValues: isSecret });
  return {
    namespace: ns,
    state: differences.length > 0 ? 'changed' as const : 'in-sync' as const,
    findings: differences.map((d) => newFinding(FindingSeverity.WARNING, 'changed', subject, d.path, `tree sets ${d.desired}, cluster has ${d.live}`)),
  };
}

/** A Secret as the server stores it: `stringData` is write-only, merged into `data` base64-encoded. */
function secretAsStored(manifest: any): any {
  if (typeof manifest.stringData !== 'object' || manifest.stringData === null) return manifest;
  const { stringData, ...rest } = manifest;
  const encoded = Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')]));
  return { ...rest, data: { ...rest.data, ...encoded } };
}

/** The label selectors that find this app's objects: the library's ownership labels, and Flux's. */
function ownershipSelector(tree: FluxTreeModel): { library: string; flux: string } {
  const app = tree.appName !== undefined ? `,${APP_LABEL}=${tree.appName}` : '';
  const fluxNamespace = tree.layers.find((l) => !l.bootstrap)?.key.split('/')[0] ?? 'flux-system';
  return { library: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}${app}`, flux: `${FLUX_NAME_LABEL},${FLUX_NAMESPACE_LABEL}=${fluxNamespace}` };
}

/** Orphans found: the findings, and the live objects. */
interface OrphanSearch {
  readonly findings: CliFinding[];
  readonly objects: any[];
}

/**
 * Objects of the tree's kinds that carry this app's labels but are not in the tree. Flux's labels
 * are matched against the tree's Kustomization names on this side: a set selector of every name
 * would make the URL grow with the number of tenants.
 */
async function findOrphans(session: ClusterSession, tree: FluxTreeModel, kinds: ServedResource[], inTree: Set<string>): Promise<OrphanSearch> {
  const layerNames = new Set(tree.layers.map((l) => l.name));
  const selectors = ownershipSelector(tree);
  const findings: CliFinding[] = [];
  const objects: any[] = [];
  const reported = new Set<string>();
  for (const r of kinds.sort((a, b) => rbacResource(a).localeCompare(rbacResource(b)))) {
    const searches = [
      [selectors.library, () => true],
      [selectors.flux, (o: any) => layerNames.has(o?.metadata?.labels?.[FLUX_NAME_LABEL])],
    ] as const;
    for (const [selector, owns] of searches) {
      const listed = await listObjects(session.conn, r, { labelSelector: selector });
      if ('failure' in listed) {
        const subject = { apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind, name: '' };
        findings.push(newFinding(FindingSeverity.WARNING, 'orphans-not-checked', subject, '', `orphans of this kind were not looked for: ${failureLine(listed.failure, listed.describe)}`));
        break;
      }
      for (const o of listed.items) {
        const key = identity(r.group, r.kind, r.namespaced ? o?.metadata?.namespace : undefined, o?.metadata?.name);
        if (inTree.has(key) || reported.has(key) || !owns(o)) continue;
        reported.add(key);
        objects.push(o);
        const labels = o?.metadata?.labels ?? {};
        const why = labels[FLUX_NAME_LABEL] !== undefined && layerNames.has(labels[FLUX_NAME_LABEL])
          ? `applied by Flux Kustomization ${labels[FLUX_NAME_LABEL]} of this tree`
          : `labelled ${selectors.library}`;
        findings.push(newFinding(FindingSeverity.WARNING, 'orphan', {
          apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
          kind: r.kind,
          name: String(o?.metadata?.name ?? ''),
          namespace: r.namespaced ? o?.metadata?.namespace : undefined,
        }, '', `${why}, but the tree no longer contains it`));
      }
    }
  }
  return { findings, objects };
}

// Written by the server, not by whoever declared the object.
const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** Writes orphans as manifests (what a tree that still had them would hold), never a Secret's values. */
function writeOrphans(dir: string, objects: any[]): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const o of objects) {
      const { status: _status, ...manifest } = o;
      const metadata = { ...manifest.metadata };
      for (const k of SERVER_METADATA) delete metadata[k];
      if (manifest.apiVersion === 'v1' && manifest.kind === 'Secret') {
        delete manifest.data;
        delete manifest.stringData;
      }
      const name = `${manifest.kind}-${metadata.namespace ? `${metadata.namespace}-` : ''}${metadata.name}`.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
      fs.writeFileSync(path.join(dir, `${name}.yaml`), YAML.stringify({ ...manifest, metadata }));
    }
  } catch (e) {
    throw new CliFatalError(`cannot write the orphans to ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

function identity(group: string, kind: string, namespace: string | undefined, name: string): string {
  return `${group}\u0000${kind}\u0000${namespace ?? ''}\u0000${name}`;
}
