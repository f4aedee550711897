import * as fs from 'fs';
import { IConstruct } from 'constructs';
import { Policy } from './policy';
import type { PolicyContext } from './policy-context';
import { PolicyPack } from './policy-pack';
import { PolicyRule, PolicySeverity, PolicyViolation } from './policy-rule';
import { destructiveRemoval, groupKind, identityOf, ImmutableFields, parseChangeId } from './private/destructive-change';
import { KeyedViolation } from './private/engine';
import { readPreviousOutput } from './private/previous-output';
import { PRUNE_ANNOTATION, PRUNE_DISABLED, StatefulKind, StatefulObjects } from './stateful-objects';
import { FastYamlWriter } from '../gitops/private/yaml-document';
import { KmetalValidationError } from '../util/errors';

/** Props of `DestructiveChangeGuard`. */
export interface DestructiveChangeGuardProps {
  /**
   * The previous output to compare with: a folder of YAML manifests, usually the committed
   * `dist/<app>` (read before the new output is written). A missing folder is a first synthesis:
   * nothing to compare.
   */
  readonly previousOutput: string;
  /** Kinds watched for removal besides `StatefulObjects.DEFAULT_KINDS`. @default - none */
  readonly additionalKinds?: StatefulKind[];
  /** Check the CRDs' transition rules (immutable fields) on every object kept. @default true */
  readonly checkImmutableFields?: boolean;
}

const REMOVED = 'KM-DATA-002';
const IMMUTABLE = 'KM-DATA-003';

function show(v: unknown): string {
  const text = v === undefined ? 'unset' : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function isObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `from "a" to "b"`, or for objects the fields that differ: `(driver: "etcd" → "PostgreSQL")`. */
function describeChange(before: unknown, after: unknown): string {
  if (!isObject(before) || !isObject(after)) return `from ${show(before)} to ${show(after)}`;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  const shown = keys.slice(0, 3).map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`).join(', ');
  return `(${shown}${keys.length > 3 ? `, and ${keys.length - 3} more` : ''})`;
}

/** Shared state of the guard's two rules for one run. */
class Comparison {
  private cache?: { context: PolicyContext; removed: KeyedViolation[]; changed: KeyedViolation[] };

  constructor(private readonly props: DestructiveChangeGuardProps) {}

  public of(context: PolicyContext): { removed: KeyedViolation[]; changed: KeyedViolation[] } {
    if (this.cache?.context !== context) this.cache = { context, ...this.compare(context) };
    return this.cache;
  }

  private compare(context: PolicyContext): { removed: KeyedViolation[]; changed: KeyedViolation[] } {
    // A first synthesis: nothing to compare with.
    if (!fs.existsSync(this.props.previousOutput)) return { removed: [], changed: [] };
    const kinds = [...StatefulObjects.DEFAULT_KINDS, ...(this.props.additionalKinds ?? [])];
    const immutable = new ImmutableFields();
    const checkImmutable = this.props.checkImmutableFields ?? true;
    const current = new Map<string, PolicyContext['objects'][number]>();
    const watched = new Set<string>(kinds.map((k) => k.kind));
    for (const o of context.objects) {
      const id = identityOf(o.json);
      if (!current.has(id)) current.set(id, o);
      if (!checkImmutable) continue;
      if (immutable.rules(o.apiVersion, o.kind).length) watched.add(o.kind);
    }
    // The files FluxTree writes are these renderings: identical files need no parsing.
    const writer = new FastYamlWriter();
    const texts = new Map<string, string>();
    for (const [id, o] of current) if (watched.has(o.kind)) texts.set(writer.document(o.json), id);
    const otherKinds = new Set(context.objects.map((o) => o.kind));
    const { objects: previous, unchanged } = readPreviousOutput(this.props.previousOutput, watched, texts, otherKinds);

    const removed: KeyedViolation[] = [];
    const changed: KeyedViolation[] = [];
    const previousIds = new Set([...unchanged, ...previous.map((p) => identityOf(p.json))]);
    const newOfGroupKind = new Map<string, string[]>();
    for (const [id, o] of current) {
      if (previousIds.has(id)) continue;
      const gk = groupKind(o.json);
      const list = newOfGroupKind.get(gk) ?? [];
      list.push(id.slice(gk.length + 1));
      newOfGroupKind.set(gk, list);
    }
    for (const p of previous) {
      const id = identityOf(p.json);
      const now = current.get(id);
      if (!now) {
        const removal = destructiveRemoval(p.json, this.props.additionalKinds);
        if (!removal) continue;
        const candidates = newOfGroupKind.get(groupKind(p.json)) ?? [];
        const rename = candidates.length ? ` It may have been renamed: new ${p.json.kind} in this output: ${candidates.slice(0, 3).join(', ')}${candidates.length > 3 ? ', ...' : ''}.` : '';
        const orphan = p.json?.metadata?.annotations?.[PRUNE_ANNOTATION] === PRUNE_DISABLED
          ? ' (It carries prune: disabled, so Flux leaves it orphaned instead of deleting it; a rename then runs two copies.)'
          : '';
        const change = removal.change;
        removed.push({
          message: `${p.json.kind} ${id.slice(groupKind(p.json).length + 1)} (in ${p.file}) is gone from the output: ${removal.consequence}.${rename}${orphan}`,
          object: {
            apiVersion: p.json.apiVersion,
            kind: p.json.kind,
            name: p.json.metadata?.name,
            ...(p.json.metadata?.namespace ? { namespace: p.json.metadata.namespace } : {}),
          },
          fix: `restore it (a rename of a construct id or name recreates the object), or acknowledge the exact change: guard.acknowledge('${change}', '<why>')`,
          occurrence: change,
        });
        continue;
      }
      if (!checkImmutable) continue;
      for (const t of immutable.violations(p.json, now.json)) {
        const change = t.change;
        changed.push({
          message: `${now.displayName}: ${t.path} would change ${describeChange(t.before, t.after)}, which its CRD forbids (${t.message ?? t.rule}); the API server refuses the update and Flux stops applying the unit`,
          construct: now.apiObject,
          object: now.reference,
          fix: `keep the previous value; to replace the object, delete and recreate it deliberately and acknowledge it: guard.acknowledge('${change}', '<why>')`,
          occurrence: change,
        });
      }
    }
    return { removed, changed };
  }
}

class RemovedStatefulObjectRule extends PolicyRule {
  constructor(private readonly comparison: Comparison) {
    super({
      id: REMOVED,
      severity: PolicySeverity.ERROR,
      description: 'No tenant cluster, datastore, etcd, volume, host, tenant namespace or Capsule tenant disappears or is renamed without an acknowledgement',
      remediation: 'restore the object, or acknowledge the exact change with DestructiveChangeGuard.acknowledge()',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    return this.comparison.of(context).removed;
  }
}

class ImmutableFieldRule extends PolicyRule {
  constructor(private readonly comparison: Comparison) {
    super({
      id: IMMUTABLE,
      severity: PolicySeverity.ERROR,
      description: 'No field a CRD declares immutable (CEL transition rules on oldSelf) changes without an acknowledgement',
      remediation: 'keep the previous value, or acknowledge the exact change with DestructiveChangeGuard.acknowledge()',
    });
  }

  public evaluate(context: PolicyContext): PolicyViolation[] {
    return this.comparison.of(context).changed;
  }
}

/**
 * Compares the synthesis with the previous output (the committed `dist/<app>`) and fails it
 * when data would be lost or the cluster would refuse the change:
 *
 * - KM-DATA-002: a stateful object (tenant `Cluster`, Kamaji `DataStore`, etcd `HelmRelease`,
 *   volumes, `BareMetalHost`, tenant `Namespace`, Capsule `Tenant`) disappears or is renamed (a
 *   renamed construct id or name is a delete plus a create);
 * - KM-DATA-003: a field its CRD declares immutable (CEL transition rules such as
 *   `self == oldSelf`, read from the pinned CRDs) would change.
 *
 * Each such change passes only when acknowledged in code, exactly (the finding shows the line to
 * add), so the acknowledgement goes through review like the change itself:
 *
 * ```ts
 * const guard = new DestructiveChangeGuard({ previousOutput: 'dist/kmetal' });
 * guard.acknowledge('delete cluster.x-k8s.io/Cluster tenant-old/old', 'tenant offboarded, CHG-4711');
 * Policy.of(app).addPack(guard);
 * ```
 *
 * An acknowledgement that no longer matches a change is reported (KM-POL-002) so it can be removed.
 */
export class DestructiveChangeGuard extends PolicyPack {
  private readonly acknowledgements: Array<{ ruleId: string; change: string; reason: string }> = [];
  private readonly scopes: IConstruct[] = [];

  constructor(props: DestructiveChangeGuardProps) {
    super({ name: 'kmetal-destructive-changes', description: 'Guards stateful objects and immutable fields against changes that lose data' });
    if (typeof props?.previousOutput !== 'string' || props.previousOutput.trim() === '') {
      throw new KmetalValidationError('DestructiveChangeGuard', 'previousOutput', `${JSON.stringify(props?.previousOutput)} is not a folder`, 'name the folder of the previous output, e.g. "dist/kmetal"');
    }
    const comparison = new Comparison(props);
    this.addRule(new RemovedStatefulObjectRule(comparison));
    this.addRule(new ImmutableFieldRule(comparison));
  }

  /**
   * Accepts one destructive change, named exactly as the finding and `kmetal plan` name it.
   *
   * The id is `delete <group>/<Kind> <namespace>/<name>` or
   * `change <group>/<Kind> <namespace>/<name> <field>`, with `core` for the core group
   * (`delete core/Namespace tenant-x`). Other spellings of the core group (`/Namespace`,
   * `v1/Namespace`) are refused with the id to write, so that one change has one id.
   *
   * @param change the change
   * @param reason why it is intended (at least 10 characters; shown in the report)
   */
  public acknowledge(change: string, reason: string): void {
    const parsed = parseChangeId(change);
    if ('problem' in parsed) {
      throw new KmetalValidationError('DestructiveChangeGuard', 'acknowledge change', parsed.problem, 'copy the change from the finding or from kmetal plan: "delete <group>/<Kind> <ns>/<name>" or "change <group>/<Kind> <ns>/<name> <field>" (core for the core group: "delete core/Namespace tenant-x")');
    }
    const ruleId = parsed.action === 'delete' ? REMOVED : IMMUTABLE;
    if (typeof reason !== 'string' || reason.trim().length < 10) {
      throw new KmetalValidationError('DestructiveChangeGuard', `acknowledge(${JSON.stringify(change)}) reason`, `a reason of at least 10 characters is required, got ${JSON.stringify(reason)}`, 'say why losing this is acceptable; the report shows it to reviewers');
    }
    const ack = { ruleId, change: change.trim(), reason };
    this.acknowledgements.push(ack);
    for (const scope of this.scopes) Policy._acknowledge(scope, ack.ruleId, ack.change, ack.reason);
  }

  /** Registers the acknowledgements on the scope the guard is attached to. */
  public onAttach(scope: IConstruct): void {
    this.scopes.push(scope);
    for (const a of this.acknowledgements) Policy._acknowledge(scope, a.ruleId, a.change, a.reason);
  }
}
