// Day-2 options and webhook options come from JavaScript and YAML users too: a misspelt key would be
// dropped silently (an autoscaler that cannot be turned off, a backup to the default bucket).
import { App, Chart } from 'cdk8s';
import { ClusterLifecycleEvent, EventHook, HookAction, MachineImage, TenantCluster } from '../../src';

const IMAGE = MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0');

test('a misspelt autoscaler or etcdBackup option is refused with the closest name', () => {
  const chart = new Chart(new App(), 'c');
  expect(() => new TenantCluster(chart, 'acme', { version: 'v1.33.2', defaultImage: IMAGE, autoscaler: { enable: false } as any }))
    .toThrow(/^\[c\/acme\] autoscaler\.enable: "enable" is not a property of ClusterAutoscalerOptions, so its value would be ignored\. Fix: did you mean "enabled"\?/);
  expect(() => new TenantCluster(chart, 'globex', { version: 'v1.33.2', defaultImage: IMAGE, etcdBackup: { bukcet: 'b' } as any }))
    .toThrow(/^\[c\/globex\] etcdBackup\.bukcet: "bukcet" is not a property of DatastoreBackupOptions.*did you mean "bucket"\?/);
});

test('a misspelt webhook option is refused', () => {
  const chart = new Chart(new App(), 'c');
  expect(() => new EventHook(chart, 'billing', {
    event: ClusterLifecycleEvent.CREATED,
    action: HookAction.webhook({ url: 'https://billing.example.com/hook', bearerToken: { name: 't', key: 'k' } } as any),
  })).toThrow(/^\[c\/billing\] action\.bearerToken: "bearerToken" is not a property of HookWebhookOptions.*did you mean "bearerTokenSecret"\?/);
});
