// The Flux Kustomizations that apply the Metal3 release manifests pin every image upstream leaves
// untagged (the model's `untaggedImages`, checked against the pinned kustomize builds in
// test/reconcile/upstream-models.test.ts): the operator to the pinned release, Ironic to
// `ironicImageTag`, the IPA downloader to `ipaDownloaderImageTag` when given.
import { App } from 'cdk8s';
import { MachineImage, PlatformUnderCluster, ProvisioningNetworkProps } from '../../src';

function releaseKustomizations(provisioningNetwork?: ProvisioningNetworkProps): { [component: string]: any } {
  const app = new App();
  const platform = new PlatformUnderCluster(app, 'platform', {
    releaseManifestsRegistry: 'oci://harbor.example.com/kmetal-manifests',
    defaultNodeImage: MachineImage.containerDisk('quay.io/capk/ubuntu-2404-container-disk:v1.33.0'),
    provisioningNetwork,
  });
  const out: { [component: string]: any } = {};
  for (const o of platform.controllers.toJson()) if (o.kind === 'Kustomization') out[o.metadata.name] = o;
  return out;
}

const NET = { interface: 'eno3', ironicAddress: '172.22.0.2', dhcpRange: '172.22.0.10,172.22.0.100' };

test('the baremetal-operator runs the pinned release, with or without Ironic', () => {
  for (const k of [releaseKustomizations(), releaseKustomizations(NET)]) {
    expect(k['baremetal-operator'].spec.images).toEqual([{ name: 'quay.io/metal3-io/baremetal-operator', newTag: 'v0.13.2' }]);
  }
  expect(releaseKustomizations().kubevirt.spec.images).toBeUndefined();
});

test('Ironic gets ironicImageTag; the IPA downloader is pinned only when ipaDownloaderImageTag is given', () => {
  expect(releaseKustomizations(NET).ironic.spec.images).toEqual([{ name: 'quay.io/metal3-io/ironic', newTag: 'release-31.0' }]);
  expect(releaseKustomizations({ ...NET, ipaDownloaderImageTag: '2026-07-21' }).ironic.spec.images).toEqual([
    { name: 'quay.io/metal3-io/ironic', newTag: 'release-31.0' },
    { name: 'quay.io/metal3-io/ironic-ipa-downloader', newTag: '2026-07-21' },
  ]);
});

test('a tag that is not an image tag is refused with the field and a fix', () => {
  expect(() => releaseKustomizations({ ...NET, ipaDownloaderImageTag: 'latest please' }))
    .toThrow(/^\[platform\] provisioningNetwork\.ipaDownloaderImageTag: "latest please" is not an image tag\. Fix: give the tag you mirrored/);
});
