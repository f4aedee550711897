import type { TenantGuardrails } from '../../tenant-guardrails';

/** Options of the rules that enforce `TenantGuardrails`. */
export interface GuardrailRuleProps {
  /**
   * The guardrails to check against.
   * @default - each tenant's platform's (`TenantGuardrails.fromPlatform`), else the defaults
   */
  readonly guardrails?: TenantGuardrails;
}
