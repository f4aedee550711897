import { transitionViolations, type TransitionViolation } from './transition';
import { ConformanceChecker } from '../../conformance/conformance-checker';
import type { TransitionRule } from '../../conformance/transition-rule';
import { StatefulObjects, type StatefulKind } from '../stateful-objects';

// The one classification of what is destructive: the DestructiveChangeGuard (at synth) and
// `kmetal plan` (over two trees) both decide with these functions, and both name a change with
// `changeId`, the text `guard.acknowledge()` accepts. Two copies would drift: a change plan calls
// harmless could then fail the synthesis, or the reverse.

/** `group/Kind` of a manifest: `core` for the core group (`v1`), as acknowledgements name it. */
export function groupKind(json: any): string {
  const apiVersion = String(json?.apiVersion ?? '');
  return `${apiVersion.includes('/') ? apiVersion.split('/')[0] : 'core'}/${json?.kind ?? ''}`;
}

/** `group/Kind ns/name` (or `group/Kind name` when cluster-scoped): how objects are compared and named. */
export function identityOf(json: any): string {
  const ns = json?.metadata?.namespace;
  return `${groupKind(json)} ${ns ? `${ns}/` : ''}${json?.metadata?.name ?? ''}`;
}

/**
 * The id of a destructive change, exactly as findings and `kmetal plan` print it and
 * `DestructiveChangeGuard.acknowledge()` accepts it:
 * `delete <group>/<Kind> [<ns>/]<name>` or `change <group>/<Kind> [<ns>/]<name> <field>`.
 */
export function changeId(action: 'delete', json: any): string;
export function changeId(action: 'change', json: any, field: string): string;
export function changeId(action: 'delete' | 'change', json: any, field?: string): string {
  return action === 'delete' ? `delete ${identityOf(json)}` : `change ${identityOf(json)} ${field}`;
}

const CHANGE_ID = /^(delete|change) ([^\s/]+)\/([A-Za-z0-9]+) (\S+)(?: (\S+))?$/;
const CORE_MISSPELT = /^(delete|change) (\/|v1\/|core\/v1\/)([A-Za-z0-9]+ .*)$/;

/**
 * Reads an acknowledgement as the user typed it. Only the printed form is accepted: a second
 * spelling (`/Namespace`, `v1/Namespace` for the core group) would make the same change two ids.
 *
 * @returns the action, or a one-line reason the text is not a change id (with the id to write when
 * it is only spelled differently)
 */
export function parseChangeId(text: unknown): { action: 'delete' | 'change' } | { problem: string } {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  const misspelt = CORE_MISSPELT.exec(trimmed);
  if (misspelt) {
    return { problem: `${JSON.stringify(text)} names the core group "${misspelt[2]}": findings and kmetal plan print it "core/", so write "${misspelt[1]} core/${misspelt[3]}"` };
  }
  const m = CHANGE_ID.exec(trimmed);
  if (!m || (m[1] === 'delete') !== (m[5] === undefined)) return { problem: `${JSON.stringify(text)} is not a change as findings name them` };
  if (/^v\d/.test(m[2])) return { problem: `${JSON.stringify(text)} names a version ("${m[2]}") where the API group belongs, e.g. "cluster.x-k8s.io/Cluster"` };
  return { action: m[1] as 'delete' | 'change' };
}

/** Why removing an object destroys something, when it does. */
export interface DestructiveRemoval {
  /** The id to acknowledge (`delete <group>/<Kind> <ns>/<name>`). */
  readonly change: string;
  /** What deleting it destroys. */
  readonly consequence: string;
  readonly kind: StatefulKind;
}

/**
 * Whether an object leaving the tree destroys state (Flux prunes it, its controller deletes what it
 * stands for): a stateful kind (`StatefulObjects`, plus `additionalKinds`).
 */
export function destructiveRemoval(json: any, additionalKinds: readonly StatefulKind[] = []): DestructiveRemoval | undefined {
  const kind = StatefulObjects.kindOf(json, [...StatefulObjects.DEFAULT_KINDS, ...additionalKinds]);
  return kind ? { change: changeId('delete', json), consequence: kind.consequence, kind } : undefined;
}

/** A change of a field its CRD forbids (a transition rule on `oldSelf` fails): the server refuses it. */
export interface ImmutableFieldChange extends TransitionViolation {
  /** The id to acknowledge (`change <group>/<Kind> <ns>/<name> <field>`). */
  readonly change: string;
}

/**
 * The transition rules (immutable fields) of the pinned CRDs, read once per kind. Core kinds have
 * none in the pinned bundle.
 */
export class ImmutableFields {
  private readonly rulesOf = new Map<string, TransitionRule[]>();

  constructor(private readonly checker: ConformanceChecker = ConformanceChecker.default()) {}

  /** The kind's transition rules (empty for core kinds and kinds without a pinned CRD). */
  public rules(apiVersion: string, kind: string): TransitionRule[] {
    const key = `${apiVersion}/${kind}`;
    let rules = this.rulesOf.get(key);
    if (!rules) {
      rules = apiVersion.includes('/') ? this.checker.listTransitionRules(apiVersion, kind) : [];
      this.rulesOf.set(key, rules);
    }
    return rules;
  }

  /** The changes from `before` to `after` the API server would refuse. */
  public violations(before: any, after: any): ImmutableFieldChange[] {
    const rules = this.rules(String(after?.apiVersion ?? ''), String(after?.kind ?? ''));
    if (rules.length === 0) return [];
    return transitionViolations(rules, before, after).map((t) => ({ ...t, change: changeId('change', after, t.path) }));
  }
}
