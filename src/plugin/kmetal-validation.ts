import * as fs from 'fs';
import * as path from 'path';
import type { Validation, ValidationContext, ValidationViolatingResource } from 'cdk8s-cli/plugins';
import { ConformanceChecker } from '../conformance/conformance-checker';
import type { ConformanceFinding } from '../conformance/finding';
import { parseYamlDocuments } from '../conformance/yaml-documents';
import { DiskTreeFiles, MemoryTreeFiles } from '../gitops/private/tree-files';
import { MANIFEST_FILE as TREE_MANIFEST } from '../gitops/private/tree-manifest';
import { PlatformPolicyPack, PlatformPolicyPackProps } from '../policy/platform-policy-pack';
import { Policy } from '../policy/policy';
import { PolicyReport } from '../policy/policy-report';
import { checkTreeFiles } from '../reconcile/reconcile-checker';
import type { ReconcileFinding } from '../reconcile/reconcile-finding';
import { buildManifestApp, findConstruct, ManifestApp, ManifestObject } from './private/manifest-app';

/** The packs the plugin can run. */
export const PACKS = {
  /** The shipped conformance checks: schemas and CEL rules of the pinned CRDs, object metadata. */
  conformance: 'kmetal-conformance',
  /** The built-in policy rules (`PlatformPolicyPack`). */
  platform: 'kmetal-platform',
  /**
   * The reconcile check (`ReconcileChecker`) over all manifests as one cluster: references resolve,
   * namespaces exist, selectors select, ClusterClass patches render.
   */
  reconcile: 'kmetal-reconcile',
};

const SEVERITIES = ['error', 'warning', 'info'];

/** A finding to accept, with the reason (shown in the plugin's log). */
export interface KmetalSuppression {
  /** Rule id (`KM-TEN-002`) or conformance check (`conformance/unknown-field`). */
  readonly ruleId: string;
  /** Why the finding is acceptable here (at least 10 characters). */
  readonly reason: string;
  /** Construct path: the construct and everything below it. @default - any construct */
  readonly path?: string;
  /** Object name (`metadata.name`). @default - any object */
  readonly resource?: string;
  /** Object kind, with `resource`. @default - any kind */
  readonly kind?: string;
}

/** `properties` of the plugin in `cdk8s.yaml`. */
export interface KmetalValidationProps {
  /**
   * Packs to run. Add `kmetal-reconcile` when the app declares the whole platform (its components,
   * pools and tenants): over an app that declares only tenants, everything installed elsewhere would
   * be reported as missing.
   * @default ['kmetal-conformance', 'kmetal-platform']
   */
  readonly packs?: string[];
  /** Severities reported as violations. @default ['error', 'warning'] */
  readonly severities?: string[];
  /** Lowest severity that fails the report (and `cdk8s synth`, exit code 2). @default 'error' */
  readonly failOn?: string;
  /** Findings to accept. @default - none */
  readonly suppressions?: KmetalSuppression[];
  /**
   * Settings of the `kmetal-platform` pack (the JSON-able part of `PlatformPolicyPackProps`:
   * capacity, excludeRules, requiredAddonProfiles, vipPoolWarnAtUsage, additionalManagementCidrs,
   * additionalStatefulKinds).
   * @default - the pack's defaults
   */
  readonly platform?: PlatformPolicyPackProps;
  /**
   * Namespace the manifests are applied to (`kubectl apply -n`): namespaced objects without one
   * then pass the conformance checks.
   * @default - namespaced objects must name their namespace
   */
  readonly defaultNamespace?: string;
}

const KNOWN_PROPS = ['packs', 'severities', 'failOn', 'suppressions', 'platform', 'defaultNamespace'];

/** One finding of either pack, before it becomes a violation. */
interface Finding {
  readonly ruleName: string;
  readonly severity: string;
  readonly recommendation: string;
  readonly fix: string;
  readonly resourceName: string;
  readonly manifestPath: string;
  readonly location: string;
  /** Construct path (the plugin's, see manifest-app.ts); undefined for manifests without metadata. */
  readonly constructPath?: string;
  readonly kind: string;
}

const CONFORMANCE_CHECKS: { [code: string]: string } = {
  'unknown-field': 'Objects carry only fields their CRD schema declares (a strict API server rejects the others; a lax one drops them silently)',
  'type': 'Field values have the type the schema declares',
  'enum': 'Field values are among those the schema allows',
  'required': 'Fields the schema requires are set',
  'pattern': 'Strings match the schema\'s pattern',
  'format': 'Strings have the schema\'s format',
  'cel': 'Objects satisfy the CRD\'s CEL validation rules',
  'scope': 'Namespaced kinds have a namespace, cluster-scoped kinds none',
  'namespace': 'Namespaces are valid names',
  'name': 'Object names are valid for their kind',
  'label': 'Labels are valid Kubernetes labels',
  'annotation': 'Annotations are valid',
  'unknown-kind': 'Every kind is known (built in, or one of the pinned CRDs)',
  'version-not-served': 'Every apiVersion is served by the pinned CRDs',
  'deprecated-version': 'No deprecated API versions',
  'malformed': 'Every document is a Kubernetes object',
  'yaml': 'Every manifest is valid YAML',
};

const RECONCILE_CHECKS: { [code: string]: string } = {
  'dangling-reference': 'Every reference names an object that exists or that a controller creates',
  'missing-namespace': 'Namespaces exist before the objects in them are applied',
  'empty-selection': 'Selectors select something',
  'admission-precondition': 'Admission webhooks see the requests they must act on',
  'template-render': 'ClusterClass patch templates render for every cluster of the class',
  'applied-twice': 'No object has two owners',
  'out-of-band': 'Objects made outside the output are declared',
};

/**
 * Finds the app folder of a Flux tree written by `FluxTree.synth` (the nearest folder above a file
 * holding the writer's manifest `.kmetal-tree.json`), remembering the answer per folder.
 */
function fluxTreeRootFinder(): (dir: string) => string | undefined {
  const memo = new Map<string, string | undefined>();
  const find = (dir: string): string | undefined => {
    if (memo.has(dir)) return memo.get(dir);
    const parent = path.dirname(dir);
    const root = fs.existsSync(path.join(dir, TREE_MANIFEST)) ? dir : parent === dir ? undefined : find(parent);
    memo.set(dir, root);
    return root;
  };
  return find;
}

/** Whether every document of a file is a kustomize configuration (`kustomize.config.k8s.io`). */
function isKustomizeConfiguration(text: string): boolean {
  const docs = parseYamlDocuments(text).map((d) => d.value).filter((v) => v !== null && v !== undefined);
  return docs.length > 0 && docs.every((v: any) => typeof v?.apiVersion === 'string' && v.apiVersion.startsWith('kustomize.config.k8s.io/'));
}

function rank(severity: string): number {
  return SEVERITIES.indexOf(severity);
}

function checkProps(props: KmetalValidationProps): void {
  const fail = (what: string) => {
    throw new Error(`KmetalValidation (cdk8s.yaml validations[].properties): ${what}`);
  };
  if (typeof props !== 'object' || props === null || Array.isArray(props)) fail('properties must be a mapping');
  for (const k of Object.keys(props)) {
    if (!KNOWN_PROPS.includes(k)) fail(`unknown property "${k}" (known: ${KNOWN_PROPS.join(', ')})`);
  }
  const known = Object.values(PACKS);
  if (props.packs !== undefined && (!Array.isArray(props.packs) || props.packs.length === 0 || props.packs.some((p) => !known.includes(p)))) {
    fail(`packs ${JSON.stringify(props.packs)}: give a non-empty list of ${known.join(', ')}`);
  }
  const severities = props.severities;
  if (severities !== undefined && (!Array.isArray(severities) || severities.length === 0 || severities.some((s) => !SEVERITIES.includes(s)))) {
    fail(`severities ${JSON.stringify(props.severities)}: give a non-empty list of ${SEVERITIES.join(', ')}`);
  }
  if (props.failOn !== undefined && !SEVERITIES.includes(props.failOn)) fail(`failOn ${JSON.stringify(props.failOn)}: give one of ${SEVERITIES.join(', ')}`);
  for (const [i, s] of (props.suppressions ?? []).entries()) {
    if (typeof s?.ruleId !== 'string' || !s.ruleId) fail(`suppressions[${i}]: ruleId is required`);
    if (typeof s.reason !== 'string' || s.reason.trim().length < 10) fail(`suppressions[${i}] (${s.ruleId}): a reason of at least 10 characters is required; say why the finding is acceptable here`);
    if (s.kind !== undefined && s.resource === undefined) fail(`suppressions[${i}] (${s.ruleId}): kind needs resource`);
  }
}

/**
 * The cdk8s CLI validation plugin of cdk8s-kmetal: runs the shipped conformance checks (pinned CRD
 * schemas, CEL rules, object metadata) and the policy packs over the manifests `cdk8s synth`
 * wrote, and reports every finding as a violation with its rule, recommendation, fix, manifest,
 * object and construct path. Errors (or what `failOn` says) fail the report, and `cdk8s synth`
 * exits with code 2.
 *
 * ```yaml
 * # cdk8s.yaml
 * validations:
 *   - package: ./node_modules/cdk8s-kmetal/lib/plugin
 *     class: KmetalValidation
 *     version: 0.0.0
 *     properties:
 *       packs: [kmetal-conformance, kmetal-platform]
 *       failOn: error
 *       suppressions:
 *         - { ruleId: KM-TEN-002, path: lab, reason: "lab cluster: one API server is enough" }
 * ```
 *
 * The policy packs read a construct tree; the plugin rebuilds one from the manifests at the paths
 * the CLI recorded (see `private/manifest-app.ts`), so rules over objects run as at synth, and rules
 * over the library's L3 constructs (bare-metal capacity, VIP pool sizes) need the app itself:
 * attach `PlatformPolicyPack` in the app for those.
 */
export class KmetalValidation implements Validation {
  private readonly packs: string[];
  private readonly severities: string[];
  private readonly failOn: string;
  private readonly suppressions: KmetalSuppression[];
  private readonly platform: PlatformPolicyPackProps;
  private readonly defaultNamespace?: string;

  constructor(props: KmetalValidationProps = {}) {
    checkProps(props ?? {});
    this.packs = [...(props.packs ?? [PACKS.conformance, PACKS.platform])];
    this.severities = [...(props.severities ?? ['error', 'warning'])];
    this.failOn = props.failOn ?? 'error';
    this.suppressions = [...(props.suppressions ?? [])];
    // Prune protection would add the annotation its own rule checks: the written manifests are
    // what must carry it.
    this.platform = { ...(props.platform ?? {}), pruneProtection: false };
    this.defaultNamespace = props.defaultNamespace;
  }

  public async validate(context: ValidationContext): Promise<void> {
    // kustomization.yaml files (FluxTree writes one per folder) configure kustomize-controller; they
    // are never applied to a cluster, so no CRD describes them and no pack applies to them.
    const files = context.manifests
      .map((file) => ({ file, text: fs.readFileSync(file, 'utf8'), label: path.basename(file) }))
      .filter((f) => !isKustomizeConfiguration(f.text));
    const tree = buildManifestApp(files, context.metadata ?? {});
    const findings: Finding[] = [];
    const suppressed: string[] = [];

    if (this.packs.includes(PACKS.conformance)) {
      const checker = this.defaultNamespace ? new ConformanceChecker({ defaultNamespace: this.defaultNamespace }) : ConformanceChecker.default();
      for (const f of files) {
        for (const c of checker.validateYaml(f.text, f.file)) {
          const finding = this.conformanceFinding(c, f.file, tree);
          const s = this.conformanceSuppression(finding);
          if (s) suppressed.push(`${finding.ruleName} ${finding.location} (suppressed: ${s.reason})`);
          else findings.push(finding);
        }
      }
    }

    if (this.packs.includes(PACKS.platform)) {
      findings.push(...this.policyFindings(tree, suppressed));
    }

    if (this.packs.includes(PACKS.reconcile)) {
      for (const finding of this.reconcileFindings(files, tree)) {
        const s = this.conformanceSuppression(finding);
        if (s) suppressed.push(`${finding.ruleName} ${finding.location} (suppressed: ${s.reason})`);
        else findings.push(finding);
      }
    }

    const reported = findings.filter((f) => this.severities.includes(f.severity));
    const byRule = new Map<string, Finding[]>();
    for (const f of reported) byRule.set(f.ruleName, [...(byRule.get(f.ruleName) ?? []), f]);
    const order = (a: string, b: string) => rank(byRule.get(a)![0].severity) - rank(byRule.get(b)![0].severity) || (a < b ? -1 : 1);
    for (const ruleName of [...byRule.keys()].sort(order)) {
      const list = byRule.get(ruleName)!;
      // One violating resource per object, with every location of the rule in it.
      const resources = new Map<string, { resourceName: string; manifestPath: string; locations: string[] }>();
      for (const f of list) {
        const key = `${f.manifestPath}\u0000${f.kind}\u0000${f.resourceName}`;
        const r = resources.get(key) ?? { resourceName: f.resourceName, manifestPath: f.manifestPath, locations: [] };
        r.locations.push(f.location);
        resources.set(key, r);
      }
      const first = list[0];
      context.report.addViolation({
        ruleName: `${ruleName} (${first.severity})`,
        recommendation: first.recommendation,
        fix: first.fix,
        violatingResources: [...resources.values()] as ValidationViolatingResource[],
      });
    }

    const failing = findings.filter((f) => rank(f.severity) <= rank(this.failOn));
    const count = (s: string) => findings.filter((f) => f.severity === s).length;
    for (const s of suppressed) context.logger.log(`[kmetal] ${s}`);
    context.report.submit(failing.length ? 'failure' : 'success', {
      'packs': this.packs.join(', '),
      'errors': String(count('error')),
      'warnings': String(count('warning')),
      'suppressed': String(suppressed.length),
      'fails on': this.failOn,
    });
  }

  private conformanceFinding(c: ConformanceFinding, file: string, tree: ManifestApp): Finding {
    const o = tree.objects.find((x) => x.file === file && x.documentIndex === c.source?.documentIndex);
    const object = `${c.kind || '<no kind>'} ${c.namespace ? `${c.namespace}/` : ''}${c.name || '<no name>'}`;
    return {
      ruleName: `conformance/${c.code}`,
      severity: String(c.severity),
      recommendation: CONFORMANCE_CHECKS[c.code] ?? `Objects pass the conformance check "${c.code}"`,
      fix: 'correct the object as the location says (the schema is the pinned CRD the platform installs); for objects of this library, set the field through its construct props, or fix the escape-hatch patch that wrote it',
      resourceName: c.name || '<no name>',
      manifestPath: file,
      location: `${object}${c.path ? ` ${c.path}` : ''}: ${c.message}${o ? ` [construct ${o.path}${o.exactPath ? '' : ' (approximate)'}]` : ''}`,
      constructPath: o?.path,
      kind: c.kind,
    };
  }

  private conformanceSuppression(f: Finding): KmetalSuppression | undefined {
    return this.suppressions.find((s) => s.ruleId === f.ruleName
      && (s.resource === undefined || (s.resource === f.resourceName && (s.kind === undefined || s.kind === f.kind)))
      && (s.path === undefined || (f.constructPath !== undefined && (f.constructPath === s.path || f.constructPath.startsWith(`${s.path.replace(/\/+$/, '')}/`)))));
  }

  private policyFindings(tree: ManifestApp, suppressedLog: string[]): Finding[] {
    const pack = new PlatformPolicyPack(this.platform);
    const policy = Policy.of(tree.app).addPack(pack);
    const out: Finding[] = [];
    const policyIds = new Set(pack.rules.map((r) => r.id));
    for (const s of this.suppressions) {
      if (s.ruleId.startsWith('conformance/')) continue;
      const targets: Array<import('constructs').IConstruct> = [];
      if (s.resource !== undefined) {
        for (const o of tree.objects) {
          if (o.apiObject && o.json?.metadata?.name === s.resource && (s.kind === undefined || o.json?.kind === s.kind)
            && (s.path === undefined || o.path === s.path || o.path.startsWith(`${s.path}/`))) targets.push(o.apiObject);
        }
      } else {
        const c = findConstruct(tree.app, s.path ?? '');
        if (c) targets.push(c);
      }
      if (targets.length === 0) {
        out.push({
          ruleName: 'KM-PLUGIN-001',
          severity: 'warning',
          kind: '',
          resourceName: s.resource ?? s.path ?? '<app>',
          manifestPath: '-',
          recommendation: 'Every suppression matches an object or construct of the output',
          fix: 'correct the path or resource of the suppression, or remove it',
          location: `suppression of ${s.ruleId} (${s.path ? `path ${s.path}` : ''}${s.resource ? ` resource ${s.kind ? `${s.kind} ` : ''}${s.resource}` : ''}) matches nothing`,
        });
        continue;
      }
      for (const t of targets) Policy.suppress(t, s.ruleId, s.reason);
    }
    const report = policy.check();
    const rules = new Map(report.rules.map((r) => [r.ruleId, r]));
    for (const f of report.allFindings) {
      const o = this.objectAt(tree, f.constructPath);
      if (f.suppressed) {
        suppressedLog.push(`${f.ruleId} [${f.constructPath}] ${f.message} (suppressed: ${f.suppressionReason})`);
        continue;
      }
      const rule = rules.get(f.ruleId);
      const object = f.object ? PolicyReport.formatObject(f.object) : undefined;
      out.push({
        ruleName: f.ruleId,
        severity: String(f.severity),
        recommendation: rule ? rule.description : policyIds.has(f.ruleId) ? f.ruleId : 'The policy engine can evaluate the packs and their suppressions',
        fix: rule ? rule.remediation : f.fix,
        resourceName: f.object?.name ?? o?.json?.metadata?.name ?? f.constructPath,
        manifestPath: o?.file ?? '-',
        location: `${object ? `${object}: ` : ''}${f.message}. Fix: ${f.fix} [construct ${f.constructPath}${o && !o.exactPath ? ' (approximate)' : ''}]`,
        constructPath: f.constructPath,
        kind: f.object?.kind ?? o?.json?.kind ?? '',
      });
    }
    return out;
  }

  /**
   * The reconcile check over the manifests `cdk8s synth` wrote. A Flux tree that `FluxTree.synth`
   * wrote into the output (an app folder with its `.kmetal-tree.json`) is checked as that tree, with
   * its layers and clusters, as `kmetal check` does. Other manifests carry no Flux layers, so they are
   * checked as one cluster applied in one step (a Namespace anywhere in them counts for every object).
   */
  private reconcileFindings(files: Array<{ file: string; text: string; label: string }>, tree: ManifestApp): Finding[] {
    const out: Finding[] = [];
    const byTree = new Map<string, number>();
    const loose: Array<{ file: string; text: string; label: string }> = [];
    const rootOf = fluxTreeRootFinder();
    for (const f of files) {
      const root = rootOf(path.dirname(path.resolve(f.file)));
      if (root) byTree.set(root, (byTree.get(root) ?? 0) + 1);
      else loose.push(f);
    }
    for (const root of [...byTree.keys()].sort()) {
      for (const f of checkTreeFiles(new DiskTreeFiles(root), root)) {
        out.push(this.reconcileFinding(f, f.file !== undefined ? path.join(root, f.file) : '-', tree));
      }
    }
    if (loose.length === 0) return out;
    const docs = new Map<string, unknown[]>();
    const original = new Map<string, string>();
    const names: string[] = [];
    loose.forEach((f, i) => {
      const name = `${String(i).padStart(4, '0')}-${f.label}`;
      const values = parseYamlDocuments(f.text).map((d) => d.value).filter((v: any) => v && typeof v === 'object' && typeof v.kind === 'string' && typeof v.metadata?.name === 'string');
      docs.set(`clusters/cdk8s/${name}`, values);
      original.set(`clusters/cdk8s/${name}`, f.file);
      names.push(name);
    });
    docs.set('clusters/cdk8s/kustomization.yaml', [{ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: names }]);
    for (const f of checkTreeFiles(new MemoryTreeFiles(docs), 'cdk8s synth')) {
      out.push(this.reconcileFinding(f, f.file !== undefined ? original.get(f.file) ?? f.file : '-', tree));
    }
    return out;
  }

  private reconcileFinding(f: ReconcileFinding, file: string, tree: ManifestApp): Finding {
    const o = tree.objects.find((x) => x.file === file && x.json?.kind === f.kind && x.json?.metadata?.name === f.name);
    const object = f.kind ? `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name ?? ''}` : file;
    return {
      ruleName: `reconcile/${f.code}`,
      severity: f.severity,
      recommendation: RECONCILE_CHECKS[f.code] ?? 'What the objects declare is what the platform\'s controllers will do',
      fix: f.fix,
      resourceName: f.name ?? '<tree>',
      manifestPath: file,
      location: `${object}${f.field ? ` ${f.field}` : ''}: ${f.message}${o ? ` [construct ${o.path}${o.exactPath ? '' : ' (approximate)'}]` : ''}`,
      constructPath: o?.path,
      kind: f.kind ?? '',
    };
  }

  /** The object at a construct path, or the nearest one above it. */
  private objectAt(tree: ManifestApp, constructPath: string): ManifestObject | undefined {
    for (let c = findConstruct(tree.app, constructPath); c; c = c.node.scope) {
      const o = tree.byApiObject.get(c);
      if (o) return o;
    }
    return undefined;
  }
}
