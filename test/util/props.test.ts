// The run-time prop checks every construct uses for callers the TypeScript compiler does not check.
import { Chart, Testing } from 'cdk8s';
import { TaintEffect } from '../../src';
import { kubeletRefusesLabel } from '../../src/util/kubelet-labels';
import { checkEnum, checkKnownProps, checkNumber } from '../../src/util/props';

const scope = () => new Chart(Testing.app(), 'test');

describe('checkKnownProps', () => {
  test('refuses an unknown key with the closest known one, ignores undefined values', () => {
    expect(() => checkKnownProps(scope(), '', { nodepools: [] }, ['nodePools', 'name'], 'TenantClusterProps'))
      .toThrow('[test] nodepools: "nodepools" is not a property of TenantClusterProps, so its value would be ignored. Fix: did you mean "nodePools"?');
    expect(() => checkKnownProps(scope(), 'controlPlane', { cpu: 1 }, ['cpuCores', 'gpus'], 'X')).toThrow(/controlPlane\.cpu: .*did you mean "cpuCores"/);
    expect(() => checkKnownProps(scope(), '', { zzz: 1 }, ['name'], 'X')).toThrow(/Fix: use one of: name/);
    expect(() => checkKnownProps(scope(), '', { typo: undefined, name: 'a' }, ['name'], 'X')).not.toThrow();
  });

  test('refuses a value that is not an object', () => {
    expect(() => checkKnownProps(scope(), 'etcd', 'big', ['replicas'], 'DedicatedEtcdOptions')).toThrow(/etcd: "big" is not a DedicatedEtcdOptions object/);
    expect(() => checkKnownProps(scope(), 'etcd', [], ['replicas'], 'DedicatedEtcdOptions')).toThrow(/is not a DedicatedEtcdOptions object/);
  });
});

describe('checkEnum and checkNumber', () => {
  test('an enum-like value must be one of the enum\'s values', () => {
    expect(checkEnum(scope(), 'effect', TaintEffect.NO_EXECUTE, TaintEffect, 'taint effect')).toBe('NoExecute');
    expect(() => checkEnum(scope(), 'effect', 'noschedule' as any, TaintEffect, 'taint effect')).toThrow(/"noschedule" is not a taint effect.*did you mean "NoSchedule"/);
    expect(() => checkEnum(scope(), 'effect', 3 as any, TaintEffect, 'taint effect')).toThrow(/3 is not a taint effect/);
  });

  test('a number must be a finite JavaScript number within the rule', () => {
    expect(checkNumber(scope(), 'n', 4, { min: 1, integer: true }, 'fix')).toBe(4);
    expect(() => checkNumber(scope(), 'n', NaN, {}, 'fix')).toThrow(/"NaN" is not a number/);
    expect(() => checkNumber(scope(), 'n', '8Gi', { unit: 'GiB' }, 'fix')).toThrow(/"8Gi" is not a number \(of GiB\)/);
    expect(() => checkNumber(scope(), 'n', 1.5, { integer: true }, 'fix')).toThrow(/1\.5 is not a whole number/);
    expect(() => checkNumber(scope(), 'n', 0, { min: 1 }, 'fix')).toThrow(/below the minimum of 1/);
    expect(() => checkNumber(scope(), 'n', 200, { max: 100, unit: '%' }, 'fix')).toThrow(/200 % is above the maximum of 100/);
  });
});

describe('kubelet\'s restricted node labels', () => {
  test.each([
    ['node-role.kubernetes.io/worker', true],
    ['kubernetes.io/role', true],
    ['example.k8s.io/x', true],
    ['k8s.io/x', true],
    ['kubernetes.io/arch', false],
    ['topology.kubernetes.io/zone', false],
    ['node.kubernetes.io/instance-type', false],
    ['node.kubernetes.io/anything', false],
    ['team.node.kubernetes.io/x', false],
    ['kubelet.kubernetes.io/x', false],
    ['beta.kubernetes.io/os', false],
    ['example.com/role', false],
    ['role', false],
    ['notkubernetes.io/x', false],
  ])('%s refused: %s', (key, refused) => {
    expect(kubeletRefusesLabel(key)).toBe(refused);
  });
});
