// What an island cluster runs, installed by the island's own Flux (units of the island's tree):
// the same releases the under cluster uses, pinned by the platform's versions. Internal.
import { ApiObject } from 'cdk8s';
import type { GitOpsUnit } from '../../gitops/gitops-unit';
import { ComponentInstall } from '../../platform/component-install';
import type { PermittedPciDevice } from '../../platform/platform-under-cluster';
import { ComponentVersion, InstallMethod } from '../../platform/version-matrix';

/**
 * The components an island needs. Cluster API is not among them: it runs on the under cluster,
 * which drives the island's Kamaji (external cluster placement) and KubeVirt (CAPK's infra
 * cluster) through the island's kubeconfig.
 * - cert-manager: Kamaji's webhook certificates;
 * - MetalLB: the site's control-plane VIPs;
 * - Kamaji: runs the tenants' control planes (the "nested" Kamaji);
 * - KubeVirt and CDI: the tenants' worker VMs and their disk images.
 */
export const ISLAND_COMPONENTS = ['cert-manager', 'metallb', 'kamaji', 'kubevirt', 'cdi'];

export interface IslandUnits {
  readonly sources: GitOpsUnit;
  readonly controllers: GitOpsUnit;
  readonly configs: GitOpsUnit;
}

export interface IslandInstallSettings {
  readonly components: ComponentVersion[];
  readonly chartMirror?: string;
  readonly releaseManifestsRegistry?: string;
  readonly values: { [component: string]: any };
  readonly devices: PermittedPciDevice[];
  readonly softwareEmulation: boolean;
}

/** The releases (controllers unit) and the custom resources of KubeVirt and CDI (configs unit). */
export function emitIslandComponents(units: IslandUnits, s: IslandInstallSettings): { kubevirt?: ApiObject } {
  const installs = new Map<string, ComponentInstall>();
  for (const component of s.components) {
    installs.set(component.component, new ComponentInstall(units.controllers, component.component, {
      component,
      sourcesUnit: units.sources,
      chartMirror: s.chartMirror,
      releaseManifestsRegistry: s.releaseManifestsRegistry,
      values: s.values[component.component],
      // As on the under cluster: charts wait for cert-manager, release manifests need nothing.
      dependsOn: component.component === 'cert-manager' || component.installMethod === InstallMethod.RELEASE_MANIFESTS || !installs.has('cert-manager')
        ? [] : [installs.get('cert-manager')!],
    }));
  }

  let kubevirt: ApiObject | undefined;
  const kv = s.components.find((c) => c.component === 'kubevirt');
  if (kv) {
    const gates = s.devices.length ? ['GPU', 'HostDevices'] : [];
    kubevirt = new ApiObject(units.configs, 'KubeVirt', {
      apiVersion: 'kubevirt.io/v1',
      kind: 'KubeVirt',
      metadata: { name: 'kubevirt', namespace: kv.namespace },
      spec: {
        configuration: {
          developerConfiguration: {
            featureGates: gates,
            // Island nodes are often VMs themselves: without nested virtualization on the under
            // cluster's hosts, KubeVirt can only emulate (slow; labs only).
            ...(s.softwareEmulation ? { useEmulation: true } : {}),
          },
          ...(s.devices.length ? {
            permittedHostDevices: {
              pciHostDevices: s.devices.map((d) => ({
                pciVendorSelector: d.pciVendorSelector.toUpperCase(),
                resourceName: d.resourceName,
                ...(d.externalResourceProvider ? { externalResourceProvider: true } : {}),
              })),
            },
          } : {}),
        },
        // Worker VMs are drained by Cluster API, not live-migrated, when KubeVirt updates.
        workloadUpdateStrategy: { workloadUpdateMethods: ['Evict'] },
      },
    });
  }
  if (s.components.some((c) => c.component === 'cdi')) {
    new ApiObject(units.configs, 'CDI', {
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'CDI',
      metadata: { name: 'cdi' },
      spec: { config: { featureGates: ['HonorWaitForFirstConsumer'] }, imagePullPolicy: 'IfNotPresent' },
    });
  }
  return { kubevirt };
}
