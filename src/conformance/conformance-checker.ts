import * as fs from 'fs';
import type { App, Chart } from 'cdk8s';
import { CelValueConverter } from './cel-values';
import type { ConformanceFinding, FindingSource } from './finding';
import { FindingCollector } from './finding-collector';
import { validateMetadata } from './metadata-validator';
import { SchemaStore, shippedBundleDir, splitApiVersion } from './schema-store';
import { SchemaValidator } from './schema-validator';
import { isPlainJson, pruneNullsAndApplyDefaults, withNullsPrunedAndDefaults } from './structural-defaulting';
import { collectTransitionRules, type TransitionRule } from './transition-rule';
import { findManifestFiles, parseYamlDocuments } from './yaml-documents';

/**
 * Options of a `ConformanceChecker`.
 */
export interface ConformanceCheckerProps {
  /**
   * A folder of schema bundle files (`<group>.json`, as written by the import task).
   *
   * @default - the bundle shipped with this package (`imports/schemas`)
   */
  readonly bundleDir?: string;

  /**
   * The namespace namespaced objects without `metadata.namespace` are applied to (e.g. by
   * `kubectl apply -n`, or a Flux `Kustomization`'s `targetNamespace`). When set, such objects pass.
   *
   * @default - none: a namespaced object without a namespace is an error
   */
  readonly defaultNamespace?: string;
}

/** Findings of one validation call, plus which kinds were already noted as not schema-checked. */
interface ValidationRun {
  readonly findings: ConformanceFinding[];
  readonly notedWithoutSchema: Set<string>;
}

function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

let shipped: ConformanceChecker | undefined;

/**
 * Checks Kubernetes objects the way a strict API server would before admitting them: apiVersion and
 * kind are known and served, metadata is valid for the kind's scope, and custom objects, after the
 * server's null pruning and defaulting, conform to their pinned CRD's schema, including its CEL rules.
 *
 * Built-in Kubernetes kinds (Namespace, Secret, Deployment, ...) get the metadata checks only.
 */
export class ConformanceChecker {
  /**
   * A checker over the schema bundle shipped with this package, with no default namespace, shared
   * across calls (what it has read and compiled is kept).
   */
  public static default(): ConformanceChecker {
    shipped ??= new ConformanceChecker();
    return shipped;
  }

  private readonly store: SchemaStore;
  private readonly defaultNamespace?: string;

  /**
   * Creates a checker; the bundle is read one API group at a time, when first needed.
   *
   * @param props where the bundle is and which namespace applies to objects without one
   * @throws when the bundle folder does not exist
   */
  constructor(props: ConformanceCheckerProps = {}) {
    this.store = new SchemaStore(props.bundleDir ?? shippedBundleDir());
    this.defaultNamespace = props.defaultNamespace;
  }

  /**
   * Validates one object (a plain JSON value: what `ApiObject.toJson()` returns, or a parsed YAML document).
   *
   * @returns the findings, empty when the object conforms
   */
  public validateObject(obj: any): ConformanceFinding[] {
    return this.validateObjects([obj]);
  }

  /**
   * Validates objects; `v1` `List`s are validated item by item. Kinds without a schema are noted once.
   */
  public validateObjects(objs: any[]): ConformanceFinding[] {
    const run = this.newRun();
    for (const obj of objs) this.checkObject(obj, undefined, run);
    return run.findings;
  }

  /**
   * Validates every document of a YAML stream.
   *
   * @param text the YAML text
   * @param source a file name recorded on the findings
   */
  public validateYaml(text: string, source?: string): ConformanceFinding[] {
    const run = this.newRun();
    this.checkYaml(text, source, run);
    return run.findings;
  }

  /**
   * Validates every `*.yaml`/`*.yml` file under a folder, recursively (kustomize's `kustomization.yaml`
   * files, hidden folders and `node_modules` are skipped).
   */
  public validateDirectory(dir: string): ConformanceFinding[] {
    const run = this.newRun();
    for (const file of findManifestFiles(dir)) this.checkYaml(fs.readFileSync(file, 'utf8'), file, run);
    return run.findings;
  }

  /**
   * Validates what a chart synthesizes (`chart.toJson()`). The chart's own objects only, as cdk8s
   * writes them: objects of nested charts belong to those charts.
   */
  public validateChart(chart: Chart): ConformanceFinding[] {
    const run = this.newRun();
    this.checkChart(chart, run);
    return run.findings;
  }

  /**
   * Validates what every chart of an app synthesizes, chart by chart, without writing anything
   * (`app.synth()` is not called).
   */
  public validateApp(app: App): ConformanceFinding[] {
    const run = this.newRun();
    for (const chart of app.charts) this.checkChart(chart, run);
    return run.findings;
  }

  /**
   * Whether objects of a kind are namespaced (`Namespaced`) or cluster-scoped (`Cluster`), as the
   * pinned CRD or the built-in API says.
   *
   * @returns `Namespaced`, `Cluster`, or undefined for a kind the checker does not know
   */
  public scopeOf(apiVersion: string, kind: string): string | undefined {
    const resolved = this.store.resolve(apiVersion, kind);
    if (resolved.status === 'custom') return resolved.kind.scope;
    if (resolved.status === 'builtin') return resolved.builtin.scope;
    return undefined;
  }

  /**
   * The CEL rules of a kind that compare with the previous object (`oldSelf`), which a check of new
   * objects cannot evaluate: typically immutable fields. Empty for unknown or built-in kinds.
   */
  public listTransitionRules(apiVersion: string, kind: string): TransitionRule[] {
    const resolved = this.store.resolve(apiVersion, kind);
    return resolved.status === 'custom' ? collectTransitionRules(resolved.version.schema) : [];
  }

  private newRun(): ValidationRun {
    return { findings: [], notedWithoutSchema: new Set() };
  }

  private checkChart(chart: Chart, run: ValidationRun): void {
    chart.toJson().forEach((obj, documentIndex) => this.checkObject(obj, { file: chart.node.path, documentIndex }, run));
  }

  private checkYaml(text: string, file: string | undefined, run: ValidationRun): void {
    for (const doc of parseYamlDocuments(text)) {
      const source: FindingSource = { ...(file !== undefined ? { file } : {}), documentIndex: doc.documentIndex };
      if (doc.error !== undefined) {
        run.findings.push(...this.yamlError(doc.error, source));
        continue;
      }
      if (doc.value === undefined || doc.value === null) continue; // an empty document (e.g. a trailing `---`)
      this.checkObject(doc.value, source, run);
    }
  }

  private yamlError(error: string, source: FindingSource): ConformanceFinding[] {
    const out = new FindingCollector({ apiVersion: '', kind: '', name: '', source });
    out.error('yaml', '', `not valid YAML: ${error}`);
    return out.findings;
  }

  private checkObject(obj: unknown, source: FindingSource | undefined, run: ValidationRun): void {
    if (isPlainObject(obj) && obj.apiVersion === 'v1' && obj.kind === 'List' && Array.isArray(obj.items)) {
      for (const item of obj.items) this.checkObject(item, source, run);
      return;
    }
    try {
      run.findings.push(...this.validateOne(obj, source, run));
    } catch (e) {
      // One object the checker cannot handle must not hide the findings of all the others.
      const identity = isPlainObject(obj) ? { apiVersion: String(obj.apiVersion ?? ''), kind: String(obj.kind ?? ''), name: String(obj.metadata?.name ?? '') } : { apiVersion: '', kind: '', name: '' };
      const out = new FindingCollector({ ...identity, source });
      out.error('checker-error', '', `the checker failed on this object (a bug: please report it): ${e instanceof Error ? e.message : String(e)}`);
      run.findings.push(...out.findings);
    }
  }

  private validateOne(obj: unknown, source: FindingSource | undefined, run: ValidationRun): ConformanceFinding[] {
    if (!isPlainObject(obj)) {
      const out = new FindingCollector({ apiVersion: '', kind: '', name: '', source });
      out.error('malformed', '', `a Kubernetes object must be a mapping, got ${Array.isArray(obj) ? 'a list' : obj === null ? 'null' : typeof obj}`);
      return out.findings;
    }
    const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
    const kind = typeof obj.kind === 'string' ? obj.kind : '';
    const metadata = obj.metadata;
    const name = isPlainObject(metadata) && typeof metadata.name === 'string' ? metadata.name : '';
    const declaredNamespace = isPlainObject(metadata) && typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : undefined;

    if (apiVersion === '' || kind === '') {
      const out = new FindingCollector({ apiVersion, kind, name, source });
      if (apiVersion === '') out.error('malformed', 'apiVersion', 'apiVersion is required (a string such as "cluster.x-k8s.io/v1beta2")');
      if (kind === '') out.error('malformed', 'kind', 'kind is required (a string such as "Cluster")');
      return out.findings;
    }

    const resolved = this.store.resolve(apiVersion, kind);
    if (resolved.status === 'unknown-kind' || resolved.status === 'version-not-served') {
      const out = new FindingCollector({ apiVersion, kind, name, namespace: declaredNamespace, source });
      out.error(resolved.status, resolved.status === 'unknown-kind' ? 'kind' : 'apiVersion', resolved.message);
      return out.findings;
    }

    const scope = resolved.status === 'custom' ? resolved.kind.scope : resolved.builtin.scope;
    const namespace = scope === 'Cluster' ? declaredNamespace : declaredNamespace ?? this.defaultNamespace;
    const out = new FindingCollector({ apiVersion, kind, name, namespace, source });
    const nameRule = resolved.status === 'custom' ? 'dns1123-subdomain' : resolved.builtin.nameRule;
    validateMetadata(metadata, { scope, nameRule, defaultNamespace: this.defaultNamespace }, out);

    const schema = resolved.status === 'custom' ? resolved.version.schema : undefined;
    if (resolved.status === 'builtin' || !schema) {
      const key = `${apiVersion}/${kind}`;
      if (!run.notedWithoutSchema.has(key)) {
        run.notedWithoutSchema.add(key);
        out.info('no-schema', '', `${kind} (${apiVersion}) has no schema in the bundle: only its apiVersion, kind and metadata were checked`);
      }
      return out.findings;
    }

    const { version, kind: custom } = resolved;
    if (version.deprecated) {
      out.warning('deprecated-version', 'apiVersion', version.deprecationWarning
        ?? `${apiVersion} ${kind} is deprecated; use ${splitApiVersion(apiVersion).group}/${custom.versions.find((v) => v.storage)?.name ?? 'the storage version'}`);
    }

    const skip = new Set<string>();
    if (version.statusSubresource && obj.status !== undefined) {
      skip.add('status');
      out.warning('status-ignored', 'status', `${kind} has the status subresource: a server drops status on create, so it is not validated`);
    }
    // Validate what the server would validate: a pruned, defaulted copy, never the caller's object.
    let copy: any;
    if (isPlainJson(obj)) {
      // Already what the JSON round trip below would return (every rendered object is): only what
      // the defaulting changes is copied, instead of the whole object.
      copy = obj;
      if (skip.has('status')) {
        copy = { ...obj };
        delete copy.status;
      }
      copy = withNullsPrunedAndDefaults(copy, schema);
    } else {
      try {
        copy = JSON.parse(JSON.stringify(obj));
      } catch (e) {
        out.error('malformed', '', `the object is not plain JSON (${e instanceof Error ? e.message : String(e)})`);
        return out.findings;
      }
      if (skip.has('status')) delete copy.status;
      pruneNullsAndApplyDefaults(copy, schema);
    }
    new SchemaValidator(out, { celValues: new CelValueConverter(), unknownFields: true }).validate(copy, schema, '', true, skip);
    return out.findings;
  }
}
