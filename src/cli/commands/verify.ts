import * as path from 'path';
import { FindingSeverity } from '../../conformance/finding';
import { ExitCode } from '../errors';
import type { CliIo } from '../io';
import { failureLine, type ApiStatus } from '../kube/api-status';
import { openClusterSession, type ClusterOptions, type ClusterSession } from '../kube/cluster-session';
import { rbacResource, resourcePath, type ServedResource } from '../kube/discovery';
import { Progress } from '../progress';
import type { SecretScrubber } from '../redact';
import { countSeverities, newFinding, objectLabel, plural, subjectOf, treeProblemFindings, writeFindings, writeJson, type CliFinding } from '../report';
import { TreeOnCluster } from './tree-objects';
import { readFluxTree, type FluxTreeModel, type TreeLayer, type TreeObject } from '../tree/flux-tree-reader';

/** Options of `kmetal verify`. */
export interface VerifyOptions extends ClusterOptions {
  readonly dir: string;
  /** Which cluster of the tree (`clusters/<name>`). */
  readonly cluster?: string;
  readonly json: boolean;
  readonly quiet: boolean;
  /**
   * An existing namespace in which objects are dry-run when their own namespace is created by the
   * tree but does not exist yet (a dry run persists nothing, so the tree's Namespace is never there).
   * Undefined: such objects are reported as arriving with their namespace's layer.
   */
  readonly fallbackNamespace?: string;
}

/** The field manager of every dry-run apply. */
export const FIELD_MANAGER = 'cdk8s-kmetal';
/** Server-side apply's content type. */
export const APPLY_PATCH_CONTENT_TYPE = 'application/apply-patch+yaml';
/**
 * Query of every dry-run apply. `force=true` because Flux's kustomize-controller applies with
 * forced ownership: fields another manager holds (Flux itself, on a cluster it already manages)
 * would otherwise be conflicts the real apply never has. `fieldValidation=Strict` turns fields the
 * schema does not know into rejections with their path, where the default would silently drop them.
 */
export const DRY_RUN_QUERY = { dryRun: 'All', fieldManager: FIELD_MANAGER, force: 'true', fieldValidation: 'Strict' } as const;

type Outcome = 'accepted' | 'pending' | 'rejected' | 'failed';

/** An object dry-run in another namespace than its own, which does not exist yet. */
interface FallbackCheck {
  /** The namespace it was sent to. */
  readonly sentTo: string;
  /** Says so, for the report. */
  readonly note: string;
}

/** What the server said to one dry-run apply. */
interface DryRunAnswer {
  readonly status: number;
  readonly failure?: ApiStatus;
  readonly warnings: string[];
}

interface ObjectResult {
  readonly object: TreeObject;
  readonly namespace?: string;
  readonly outcome: Outcome;
  readonly note?: string;
}

/**
 * `kmetal verify <dist-dir>`: server-side dry-run apply of every object of the tree, layer by layer
 * in the order Flux applies them. Objects whose kind or namespace only an earlier layer of the tree
 * brings are reported as arriving with that layer, not as failures. Nothing is persisted.
 *
 * @returns 1 when an object was rejected or could not be checked, else 0
 */
export async function runVerify(options: VerifyOptions, io: CliIo, scrubber: SecretScrubber): Promise<number> {
  const tree = readFluxTree(path.resolve(io.cwd, options.dir), options.cluster);
  const session = await openClusterSession(options, io, scrubber);
  try {
    const run = new VerifyRun(tree, session, options);
    const progress = new Progress(io, 'verify', tree.objects.length, options.quiet);
    for (const layer of tree.layers) {
      for (const object of layer.objects) {
        await run.verify(object);
        progress.tick(`${layer.name}: ${objectLabel(object)}`);
      }
    }
    progress.finish();
    run.report(io, options);
    return countSeverities(run.findings).errors > 0 ? ExitCode.FINDINGS : ExitCode.OK;
  } finally {
    session.close();
  }
}

class VerifyRun {
  public readonly findings: CliFinding[];
  public readonly results: ObjectResult[] = [];
  private readonly onCluster: TreeOnCluster;

  constructor(private readonly tree: FluxTreeModel, private readonly session: ClusterSession, private readonly options: VerifyOptions) {
    this.onCluster = new TreeOnCluster(tree, session.discovery);
    // A broken tree is verified as far as it can be read, and says where it is broken.
    this.findings = treeProblemFindings(tree);
  }

  public async verify(object: TreeObject): Promise<void> {
    const served = await this.onCluster.served(object);
    if (served.status !== 'served') {
      const severity = served.status === 'arrives' ? FindingSeverity.INFO : served.status === 'arrives-unordered' ? FindingSeverity.WARNING : FindingSeverity.ERROR;
      this.add(object, object.namespace, severity === FindingSeverity.ERROR ? 'failed' : 'pending', severity, served.code, '', served.message);
      return;
    }
    const resource = served.resource;
    const ns = this.onCluster.namespaceFor(object, resource.namespaced);
    if (resource.namespaced && ns === undefined) {
      this.add(object, undefined, 'failed', FindingSeverity.ERROR, 'namespace', 'metadata.namespace', `${object.kind} is namespaced, but the object has no namespace and layer ${object.layer.name} sets no targetNamespace`);
      return;
    }
    const answer = await this.dryRun(object, resource, ns);
    if (answer.failure?.code === 404 && answer.failure.details?.kind === 'namespaces' && ns !== undefined) {
      await this.namespaceMissing(object, resource, ns);
      return;
    }
    this.judge(object, resource, ns, answer);
  }

  /** The object's namespace does not exist: does the tree bring it, and can the object be checked elsewhere meanwhile? */
  private async namespaceMissing(object: TreeObject, resource: ServedResource, ns: string): Promise<void> {
    const creators = this.onCluster.creatorsOf(ns);
    if (creators.length === 0) {
      this.add(object, ns, 'failed', FindingSeverity.ERROR, 'namespace-missing', 'metadata.namespace', `namespace ${ns} does not exist and no layer of this tree creates it`);
      return;
    }
    const creator = creators.find((c) => this.tree.isReadyBefore(c.layer, object.layer));
    if (!creator) {
      const c = creators[0];
      this.add(object, ns, 'pending', FindingSeverity.WARNING, 'namespace-unordered', 'metadata.namespace', `namespace ${ns} arrives with layer ${c.layer.name} (${c.how}), but layer ${object.layer.name} does not depend on it: Flux may apply this object first and fail until it exists (add a dependsOn)`);
      return;
    }
    const where = `${creator.layer === object.layer ? `this layer (${object.layer.name})` : `layer ${creator.layer.name}`}${creator.object.kind === 'Namespace' ? '' : ` (${creator.how})`}`;
    const fallback = this.options.fallbackNamespace;
    if (fallback === undefined || fallback === ns) {
      this.add(object, ns, 'pending', FindingSeverity.INFO, 'namespace-arrives-with-layer', '', `not verified: namespace ${ns} arrives with ${where}`);
      return;
    }
    // Dry-run in an existing namespace, unless an object of that name already lives there: the apply
    // would then be an update of that object, judged against its fields, not a creation.
    const existing = await this.session.conn.request({ method: 'GET', path: resourcePath(resource, fallback, object.name), describe: { verb: 'get', resource: rbacResource(resource), namespace: fallback, name: object.name } });
    if (existing.status !== 404) {
      this.add(object, ns, 'pending', FindingSeverity.INFO, 'namespace-arrives-with-layer', '', `not verified: namespace ${ns} arrives with ${where} (namespace ${fallback}, where it would be checked meanwhile, ${existing.failure ? `answered ${existing.failure.code}` : 'has an object of that name'})`);
      return;
    }
    const answer = await this.dryRun(object, resource, fallback);
    this.judge(object, resource, ns, answer, { sentTo: fallback, note: `checked in namespace ${fallback}: ${ns} arrives with ${where}` });
  }

  private async dryRun(object: TreeObject, resource: ServedResource, ns: string | undefined) {
    const manifest = ns !== undefined && object.manifest.metadata?.namespace !== ns
      ? { ...object.manifest, metadata: { ...object.manifest.metadata, namespace: ns } }
      : object.manifest;
    return this.session.conn.request({
      method: 'PATCH',
      path: resourcePath(resource, ns, object.name),
      query: DRY_RUN_QUERY,
      contentType: APPLY_PATCH_CONTENT_TYPE,
      body: JSON.stringify(manifest),
      describe: { verb: 'patch', resource: rbacResource(resource), namespace: resource.namespaced ? ns : undefined, name: object.name },
    });
  }

  /** Records the server's verdict; `fallback` when the object was sent to another namespace than its own. */
  private judge(object: TreeObject, resource: ServedResource, ns: string | undefined, answer: DryRunAnswer, fallback?: FallbackCheck): void {
    const note = fallback?.note;
    for (const w of answer.warnings) this.findings.push(newFinding(FindingSeverity.WARNING, 'server-warning', subjectOf(object, ns), '', w));
    const f = answer.failure;
    if (!f) {
      if (note !== undefined) this.findings.push(newFinding(FindingSeverity.INFO, 'checked-in-fallback-namespace', subjectOf(object, ns), '', note));
      this.results.push({ object, namespace: ns, outcome: 'accepted', note });
      return;
    }
    const describe = { verb: 'patch', resource: rbacResource(resource), namespace: resource.namespaced ? fallback?.sentTo ?? ns : undefined, name: object.name };
    if ((f.code === 422 || f.code === 400) && (f.causes.length > 0 || f.reason === 'Invalid' || f.reason === 'BadRequest')) {
      const suffix = note !== undefined ? ` (${note})` : '';
      const causes = f.causes.length > 0 ? f.causes : [{ field: fieldInMessage(f.message), message: f.message, reason: f.reason }];
      for (const c of causes) {
        this.findings.push(newFinding(FindingSeverity.ERROR, 'rejected', subjectOf(object, ns), cleanField(c.field), `${c.message || f.message}${c.reason ? ` [${c.reason}]` : ''}${suffix}`));
      }
      this.results.push({ object, namespace: ns, outcome: 'rejected', note: f.message });
      return;
    }
    const code = f.code === 403 ? 'forbidden' : f.code === 404 ? 'not-found' : f.code === 409 ? 'conflict' : 'server-error';
    this.add(object, ns, 'failed', FindingSeverity.ERROR, code, '', failureLine(f, describe));
  }

  private add(object: TreeObject, ns: string | undefined, outcome: Outcome, severity: FindingSeverity, code: string, field: string, text: string) {
    this.findings.push(newFinding(severity, code, subjectOf(object, ns), field, text));
    this.results.push({ object, namespace: ns, outcome, note: text });
  }

  public report(io: CliIo, options: VerifyOptions): void {
    const { target } = this.session;
    const byLayer = (layer: TreeLayer) => this.results.filter((r) => r.object.layer === layer);
    const count = (rs: ObjectResult[], o: Outcome) => rs.filter((r) => r.outcome === o).length;
    const summary = {
      objects: this.results.length,
      accepted: count(this.results, 'accepted'),
      pending: count(this.results, 'pending'),
      rejected: count(this.results, 'rejected'),
      failed: count(this.results, 'failed'),
    };
    if (options.json) {
      writeJson(io, {
        command: 'verify',
        tree: options.dir,
        cluster: this.tree.cluster,
        server: target.server,
        context: target.contextName,
        dryRun: DRY_RUN_QUERY.dryRun,
        fieldManager: FIELD_MANAGER,
        layers: this.tree.layers.map((l) => ({
          position: l.position,
          name: l.name,
          ...(l.path !== undefined ? { path: l.path } : {}),
          dependsOn: l.dependsOn,
          objects: byLayer(l).map((r) => ({
            apiVersion: r.object.apiVersion,
            kind: r.object.kind,
            ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
            name: r.object.name,
            file: r.object.file,
            outcome: r.outcome,
            ...(r.note !== undefined ? { note: r.note } : {}),
          })),
        })),
        findings: this.findings,
        summary,
      });
      return;
    }
    io.stdout(`verify ${options.dir} (cluster ${this.tree.cluster}) against ${target.server}, context ${target.contextName}: server-side dry run, nothing is created, changed or deleted\n`);
    for (const layer of this.tree.layers) {
      const rs = byLayer(layer);
      const parts = ([['accepted', count(rs, 'accepted')], ['not verified yet', count(rs, 'pending')], ['rejected', count(rs, 'rejected')], ['failed', count(rs, 'failed')]] as Array<[string, number]>)
        .filter(([, n]) => n > 0).map(([what, n]) => `${n} ${what}`);
      io.stdout(`layer ${layer.position} ${layer.name}${layer.bootstrap ? ' (bootstrap)' : ''}: ${parts.join(', ') || 'no objects'}\n`);
    }
    writeFindings(io, this.findings);
    io.stdout(`${plural(summary.objects, 'object')} in ${plural(this.tree.layers.length, 'layer')}: ${summary.accepted} accepted, ${summary.pending} not verified yet (arrive with a layer), ${summary.rejected} rejected, ${summary.failed} failed\n`);
  }
}

/** `metadata.name` from a cause; the server writes `<nil>` for causes about no field. */
function cleanField(field: string | undefined): string {
  if (field === undefined || field === '<nil>') return '';
  return field.replace(/^\./, '');
}

/** Server-side apply reports schema errors in the message: `... Kind=X): .spec.foo: field not declared in schema`. */
function fieldInMessage(message: string): string | undefined {
  return /\): (\.[^\s:]+): /.exec(message)?.[1];
}
