import type { JsonSchema } from './bundle-model';
import { compileRule } from './cel-rule';
import { memberPath } from './json-path';

/**
 * A CEL rule that compares an object with its previous version (`oldSelf`): it only runs when an
 * object is updated, so a check of new objects cannot evaluate it. Typical use: fields that are
 * immutable once set.
 */
export interface TransitionRule {
  /** Schema path of the node that declares the rule, e.g. `spec.dataStore`; `[*]` stands for any list item or map value. */
  readonly path: string;
  /** The CEL expression. */
  readonly rule: string;
  /** The message the API server returns when the rule fails, if the CRD declares one. */
  readonly message?: string;
}

/** Every transition rule declared in a schema, in schema order. */
export function collectTransitionRules(schema: JsonSchema | undefined, path = ''): TransitionRule[] {
  if (!schema || typeof schema !== 'object') return [];
  const found: TransitionRule[] = [];
  for (const spec of schema['x-kubernetes-validations'] ?? []) {
    if (compileRule(spec).status === 'transition') {
      found.push({ path, rule: spec.rule, ...(spec.message ? { message: spec.message } : {}) });
    }
  }
  for (const [name, sub] of Object.entries<JsonSchema>(schema.properties ?? {})) found.push(...collectTransitionRules(sub, memberPath(path, name)));
  if (typeof schema.items === 'object') found.push(...collectTransitionRules(schema.items, `${path}[*]`));
  if (typeof schema.additionalProperties === 'object') found.push(...collectTransitionRules(schema.additionalProperties, `${path}[*]`));
  return found;
}
