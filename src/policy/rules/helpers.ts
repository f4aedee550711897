// Small, shared pieces of the built-in rules (not part of the public API).
import type { PolicyContext, SynthesizedObject } from '../policy-context';
import { TenantGuardrails } from '../tenant-guardrails';

/** Reads a dotted path (`spec.topology.version`) from JSON; undefined when absent. */
export function get(json: any, path: string): any {
  let v = json;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[part];
  }
  return v;
}

/** Visits every value of a JSON document with its path; `visit` returning false skips the subtree. */
export function walkJson(json: any, visit: (key: string, value: any, path: string, parent: any) => boolean | void, path = ''): void {
  const stack: Array<{ value: any; path: string }> = [{ value: json, path }];
  while (stack.length) {
    const { value, path: p } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    // Keys read in place (no entry pairs): every rule that walks does so over every object.
    const isList = Array.isArray(value);
    const keys = isList ? undefined : Object.keys(value);
    for (let i = (isList ? value.length : keys!.length) - 1; i >= 0; i--) {
      const k = isList ? String(i) : keys![i];
      const v = value[k];
      const childPath = isList ? `${p}[${k}]` : p ? `${p}.${k}` : k;
      if (visit(k, v, childPath, value) === false) continue;
      if (v !== null && typeof v === 'object') stack.push({ value: v, path: childPath });
    }
  }
}

/** Kubernetes LabelSelector semantics (matchLabels AND matchExpressions). */
export function selectorMatches(selector: any, labels: { [key: string]: string }): boolean {
  if (!selector || typeof selector !== 'object') return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const values: string[] = r.values ?? [];
    switch (r.operator) {
      case 'In': if (!has || !values.includes(labels[r.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[r.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** A whole number from JSON (numbers or numeric strings); undefined otherwise. */
export function asCount(v: any): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

/** Lists at most `max` items, then how many there are. */
export function listSome(items: string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, … (${items.length} in all)`;
}

const GUARDRAILS = new WeakMap<PolicyContext, WeakMap<object, GuardrailsLookup>>();

/** Which guardrails apply to an object: the pack's own, else the platform's of its tenant. */
export interface GuardrailsLookup {
  forObject(o: SynthesizedObject): TenantGuardrails;
}

/**
 * Resolves guardrails once per run: explicit ones apply everywhere; otherwise each tenant's
 * platform's (`TenantGuardrails.fromPlatform`), and objects of no platform get those of the only
 * platform, or the defaults (Kamaji's range, 2 to 5 API servers, konnectivity).
 */
export function guardrailsLookup(context: PolicyContext, explicit: TenantGuardrails | undefined, owner: object): GuardrailsLookup {
  let perOwner = GUARDRAILS.get(context);
  if (!perOwner) {
    perOwner = new WeakMap();
    GUARDRAILS.set(context, perOwner);
  }
  const cached = perOwner.get(owner);
  if (cached) return cached;
  let lookup: GuardrailsLookup;
  if (explicit) {
    lookup = { forObject: () => explicit };
  } else {
    const platforms = context.platforms;
    const byPlatform = new Map(platforms.map((p) => [p, TenantGuardrails.fromPlatform(p)]));
    const byCluster = new Map<object, TenantGuardrails>();
    for (const p of platforms) for (const c of p.tenants) byCluster.set(c, byPlatform.get(p)!);
    const fallback = platforms.length === 1 ? byPlatform.get(platforms[0])! : new TenantGuardrails();
    lookup = {
      forObject: (o) => {
        const cluster = context.tenantClusterOf(o.apiObject);
        return (cluster && byCluster.get(cluster)) ?? fallback;
      },
    };
  }
  perOwner.set(owner, lookup);
  return lookup;
}
