// A machine template's name carries its spec's digest, because Cluster API rolls machines only onto
// a new template. An escape-hatch patch that edits the VM spec would keep the name: refused at synth.
import { Chart, JsonPatch, Testing } from 'cdk8s';
import { MachineImage, TenantCluster } from '../../src';

function declarePool() {
  const app = Testing.app();
  const cluster = new TenantCluster(new Chart(app, 'c'), 'acme', {
    version: 'v1.33.2',
    defaultImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
    nodePools: [{ name: 'general', replicas: 2, cpuCores: 4, memoryGiB: 8 }],
  });
  return { app, pool: cluster.nodePools[0] };
}

test('a patch of the VM spec is refused, naming the template and the supported way', () => {
  const { app, pool } = declarePool();
  pool.machineTemplate.addJsonPatch(JsonPatch.replace('/spec/template/spec/virtualMachineTemplate/spec/template/spec/domain/cpu/cores', 8));
  expect(() => app.synth()).toThrow(/\[c\/acme\/Pool-general\/MachineTemplate\] spec: a JSON patch changed the machine template's VM spec \(or name\).*Cluster API would never roll the pool's machines.*Fix: set the change through the pool's options/);
});

test('renaming the template by patch is refused too; metadata-only patches pass', () => {
  const renamed = declarePool();
  renamed.pool.machineTemplate.addJsonPatch(JsonPatch.replace('/metadata/name', 'mine'));
  expect(() => renamed.app.synth()).toThrow(/MachineTemplate\] spec: a JSON patch changed/);
  const labelled = declarePool();
  labelled.pool.machineTemplate.addJsonPatch(JsonPatch.add('/metadata/labels', { team: 'a' }));
  expect(() => labelled.app.synth()).not.toThrow();
});
