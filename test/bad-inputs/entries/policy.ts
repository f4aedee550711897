// Bad inputs of the policy layer: packs, rules, suppressions, guardrails and capacity options. The
// packs and guardrails are not constructs: their errors name the type (`<PlatformPolicyPack>`).
import { AdmissionGuardrails, AdmissionValidationAction, PlatformPolicyPack, Policy, TenantGuardrails } from '../../../src';
import { BadInput, base } from '../fixture';

export const POLICY_ENTRIES: BadInput[] = [
  {
    id: 'policy-exclude-unknown-rule',
    construct: 'PlatformPolicyPack',
    title: 'excluding a rule the pack does not have',
    declare: (app) => {
      base(app);
      Policy.of(app).addPack(new PlatformPolicyPack({ excludeRules: ['KM-NET-999'] }));
    },
    path: '<PlatformPolicyPack>',
    field: 'excludeRules',
    message: /"KM-NET-999" is not a rule of the pack/,
    fix: /name rules the pack has: KM-/,
  },
  {
    id: 'policy-capacity-ratio',
    construct: 'PlatformPolicyPack',
    title: 'a CPU overcommit ratio of zero',
    declare: (app) => {
      base(app);
      Policy.of(app).addPack(new PlatformPolicyPack({ capacity: { cpuOvercommitRatio: 0 } }));
    },
    path: '<PlatformPolicyPack>',
    field: 'capacity.cpuOvercommitRatio',
    message: /0 is not a usable number/,
    fix: /give a positive ratio/,
  },
  {
    id: 'policy-management-cidr',
    construct: 'PlatformPolicyPack',
    title: 'an extra management range that is not a CIDR',
    declare: (app) => {
      base(app);
      Policy.of(app).addPack(new PlatformPolicyPack({ additionalManagementCidrs: ['192.168.30.0/24', '192.168.40.0'] }));
    },
    path: '<PlatformPolicyPack>',
    field: 'additionalManagementCidrs[1]',
    message: /"192\.168\.40\.0" is not a CIDR/,
    fix: /"192\.168\.10\.0\/24"/,
  },
  {
    id: 'policy-suppress-without-reason',
    construct: 'Policy',
    title: 'a suppression without a real reason',
    declare: (app) => {
      const { platform } = base(app);
      const cluster = platform.addTenantCluster('acme', { version: 'v1.33.2' });
      Policy.suppress(cluster, 'KM-TEN-002', 'lab');
    },
    path: 'tenant-acme/acme',
    field: 'Policy.suppress(KM-TEN-002) reason',
    message: /a suppression needs a reason of at least 10 characters, got "lab"/,
    fix: /say why the finding is acceptable here/,
  },
  {
    id: 'policy-guardrails-version',
    construct: 'TenantGuardrails',
    title: 'an allowed Kubernetes version the pinned Kamaji cannot run',
    declare: () => new TenantGuardrails({ allowedKubernetesVersions: ['v1.20'] }),
    path: '<TenantGuardrails>',
    field: 'allowedKubernetesVersions',
    message: /v1\.20 is outside what the pinned Kamaji supports/,
    fix: /allow versions from v1\.\d+ to v1\.\d+/,
  },
  {
    id: 'policy-admission-actions',
    construct: 'AdmissionGuardrails',
    title: 'Deny and Warn together',
    declare: (app) => {
      const { platform } = base(app);
      new AdmissionGuardrails(platform.configs, 'guardrails', {
        guardrails: TenantGuardrails.fromPlatform(platform),
        validationActions: [AdmissionValidationAction.DENY, AdmissionValidationAction.WARN],
      });
    },
    path: 'platform-configs/guardrails',
    field: 'validationActions',
    message: /Deny and Warn together are refused by the API server/,
    fix: /use Deny \(optionally with Audit\)/,
  },
];
