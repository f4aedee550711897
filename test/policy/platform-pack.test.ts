import { check, policyPlatform } from './fixture';
import { PlatformPolicyPack, PolicySeverity } from '../../src';

describe('PlatformPolicyPack', () => {
  test('has at least 15 rules, each with id, severity, description and remediation', () => {
    const pack = new PlatformPolicyPack();
    expect(pack.rules.length).toBeGreaterThanOrEqual(15);
    for (const r of pack.rules) {
      expect(r.id).toMatch(/^KM-[A-Z]+-\d{3}$/);
      expect(Object.values(PolicySeverity)).toContain(r.severity);
      expect(r.description.length).toBeGreaterThan(10);
      expect(r.remediation.length).toBeGreaterThan(10);
    }
    expect(new Set(pack.rules.map((r) => r.id)).size).toBe(pack.rules.length);
  });

  test('a well-built platform passes with no finding at all', () => {
    const p = policyPlatform();
    const vpc = p.vpc('acme');
    p.platform.addTenantCluster('acme', { clusterClass: p.golden, network: vpc.findSubnet('workers'), nodePools: [{ name: 'general', replicas: 2 }] });
    const vpc2 = p.vpc('globex');
    p.platform.addTenantCluster('globex', { version: 'v1.34.1', network: vpc2.findSubnet('workers'), nodePools: [{ name: 'general', replicas: 2 }] });
    const report = check(p.app);
    expect(report.findings.map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
    expect(report.rules.map((r) => r.ruleId)).toEqual(new PlatformPolicyPack().rules.map((r) => r.id));
  });

  test('excludeRules leaves rules out, and refuses unknown ids', () => {
    expect(new PlatformPolicyPack({ excludeRules: ['KM-TEN-006'] }).rules.map((r) => r.id)).not.toContain('KM-TEN-006');
    expect(() => new PlatformPolicyPack({ excludeRules: ['KM-NOPE-001'] })).toThrow(/not a rule of the pack/);
  });
});
