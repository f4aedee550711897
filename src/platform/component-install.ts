import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ComponentVersion, InstallMethod } from './version-matrix';
import { provisioningSettings, resolveProvisioningNetwork, type ProvisioningNetworkProps, type ResolvedProvisioningNetwork } from '../baremetal/provisioning-network';
import { GitOpsUnit } from '../gitops/gitops-unit';
import { HelmRelease, HelmReleaseSpecChartSpecSourceRefKind, HelmReleaseSpecInstallCrds, HelmReleaseSpecUpgradeCrds } from '../imports/helm.toolkit.fluxcd.io';
import { Kustomization, KustomizationSpecSourceRefKind } from '../imports/kustomize.toolkit.fluxcd.io';
import { HelmRepository, HelmRepositorySpecType, OciRepository } from '../imports/source.toolkit.fluxcd.io';
import { capsuleAdministratorFor } from '../reconcile/models/capsule';
import { releaseManifestContents } from '../reconcile/models/release-manifests';
import { MANAGEMENT_CLUSTER_LABELS, managementClusterLabelsArg } from '../reconcile/models/sveltos';
import { IHelmRepository } from '../tenancy/datastore';
import { deepMerge } from '../util/merge';
import { checkProps } from '../util/props';

/** Props of `ComponentInstall`. */
export interface ComponentInstallProps {
  /** The component and its pinned versions. */
  readonly component: ComponentVersion;
  /** The unit Flux sources go to (shared by components pulling from the same repository). */
  readonly sourcesUnit: GitOpsUnit;
  /** `oci://` mirror replacing every chart repository. @default - upstream repositories */
  readonly chartMirror?: string;
  /** `oci://` registry holding release manifests as Flux artifacts. @default - none */
  readonly releaseManifestsRegistry?: string;
  /** User values merged over the library's. @default - none */
  readonly values?: any;
  /** Installs that must be ready first. @default - none */
  readonly dependsOn?: ComponentInstall[];
  /** The provisioning network the baremetal-operator and Ironic are configured for. @default - upstream's development settings */
  readonly provisioningNetwork?: ProvisioningNetworkProps;
}

const FLUX_NAMESPACE = 'flux-system';

/** Values the platform needs from a chart beyond its defaults (why, per component, in comments). */
function libraryValues(c: ComponentVersion): any {
  switch (c.component) {
    // CRDs come with the release, so the configs layer can rely on them once it is Ready.
    case 'cert-manager': return { crds: { enabled: true, keep: true } };
    // The chart is published only as a rolling 0.0.0+latest: pin the controller by image tag.
    case 'kamaji': return { image: { tag: c.version } };
    // Flux's kustomize-controller applies the tenant namespaces, which carry Capsule's tenant label;
    // Capsule's webhook denies such a namespace from anyone but a Capsule user or administrator
    // (src/reconcile/models/capsule.ts cites the pinned code), so Flux must be an administrator.
    case 'capsule': return { manager: { options: { administrators: [capsuleAdministratorFor(FLUX_NAMESPACE)] } } };
    // The register-mgmt-cluster job labels the management cluster's SveltosCluster; event hooks
    // select it by these labels (src/reconcile/models/sveltos.ts).
    case 'sveltos': return { registerMgmtClusterJob: { registerMgmtCluster: { args: [managementClusterLabelsArg(MANAGEMENT_CLUSTER_LABELS), '--service-account-token=false'] } } };
    default: return {};
  }
}

/**
 * One component installed by Flux: a `HelmRelease` of its chart (its `HelmRepository` shared in the
 * sources unit), or, for components without a chart, an `OCIRepository` of its release manifests
 * and a Flux `Kustomization` applying them.
 */
export class ComponentInstall extends Construct {
  /** The Flux source and name of a component's chart repository. */
  public static repositoryFor(sourcesUnit: GitOpsUnit, component: ComponentVersion, chartMirror?: string): IHelmRepository {
    const url = chartMirror ?? component.chartRepository!;
    const name = chartMirror ? 'kmetal-chart-mirror' : repositoryName(url);
    const id = `HelmRepository-${name}`;
    if (!sourcesUnit.node.tryFindChild(id)) {
      new HelmRepository(sourcesUnit, id, {
        metadata: { name, namespace: FLUX_NAMESPACE },
        spec: { url, interval: '1h', ...(url.startsWith('oci://') ? { type: HelmRepositorySpecType.OCI } : {}) },
      });
    }
    return { name, namespace: FLUX_NAMESPACE };
  }

  /** The component. */
  public readonly component: ComponentVersion;
  /** Name of the Flux object other releases depend on (HelmRelease or Kustomization). */
  public readonly releaseName: string;
  /** The HelmRelease or Flux Kustomization (escape hatch). */
  public readonly release: ApiObject;

  constructor(scope: Construct, id: string, props: ComponentInstallProps) {
    super(scope, id);
    checkProps(this, '', props, 'ComponentInstallProps');
    const c = props.component;
    this.component = c;
    this.releaseName = c.component;
    const dependsOn = (props.dependsOn ?? []).filter((d) => !!d).map((d) => ({ name: d.releaseName, namespace: FLUX_NAMESPACE }));
    if (c.installMethod === InstallMethod.HELM_CHART) {
      const repo = ComponentInstall.repositoryFor(props.sourcesUnit, c, props.chartMirror);
      this.release = new HelmRelease(this, 'Release', {
        metadata: { name: c.component, namespace: FLUX_NAMESPACE },
        spec: {
          interval: '30m',
          releaseName: c.component,
          targetNamespace: c.namespace,
          storageNamespace: c.namespace,
          chart: {
            spec: {
              chart: c.chart!,
              version: c.chartVersion!,
              sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name: repo.name, namespace: repo.namespace },
            },
          },
          install: { createNamespace: true, crds: HelmReleaseSpecInstallCrds.CREATE_REPLACE, remediation: { retries: 3 } },
          upgrade: { crds: HelmReleaseSpecUpgradeCrds.CREATE_REPLACE, remediation: { retries: 3, remediateLastFailure: true } },
          ...(dependsOn.length ? { dependsOn } : {}),
          ...(Object.keys(deepMerge(libraryValues(c), props.values ?? {})).length ? { values: deepMerge(libraryValues(c), props.values ?? {}) } : {}),
        },
      });
    } else {
      const registry = props.releaseManifestsRegistry!;
      const sourceName = `${c.component}-manifests`;
      new OciRepository(props.sourcesUnit, `OCIRepository-${sourceName}`, {
        metadata: { name: sourceName, namespace: FLUX_NAMESPACE },
        spec: { url: `${registry}/${c.component}`, ref: { tag: c.version }, interval: '1h' },
      });
      // An artifact that does not bring its own namespace (baremetal-operator's config/default) needs
      // it created first: in this unit, which Flux applies Namespaces of before the Kustomization.
      const contents = releaseManifestContents(c.component);
      // Shared by artifacts with the same namespace (the baremetal-operator and Ironic): one object.
      const unit = this.node.scope!;
      if (contents && !contents.bringsNamespace && !unit.node.tryFindChild(`Namespace-${contents.namespace}`)) {
        new ApiObject(unit, `Namespace-${contents.namespace}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: contents.namespace } });
      }
      this.release = new Kustomization(this, 'Release', {
        metadata: { name: c.component, namespace: FLUX_NAMESPACE },
        spec: {
          interval: '30m',
          sourceRef: { kind: KustomizationSpecSourceRefKind.OCI_REPOSITORY, name: sourceName },
          path: './',
          prune: true,
          wait: true,
          timeout: '10m',
          ...(dependsOn.length ? { dependsOn } : {}),
          ...releaseCustomization(c, props.provisioningNetwork && resolveProvisioningNetwork(this, 'provisioningNetwork', props.provisioningNetwork)),
        },
      });
    }
  }
}

/**
 * Flux-side customization of a release-manifest artifact: the provisioning network written into the
 * ConfigMaps the baremetal-operator and Ironic read (their names in the pinned kustomize builds:
 * `ironic` from config/default with `disableNameSuffixHash`; `baremetal-operator-ironic-bmo-configmap-<hash>`
 * from ironic-deployment/default's configMapGenerator, hence the name pattern), and a tag for every
 * image the artifact leaves untagged (`untaggedImages` of the release-manifest model): without one, a
 * node runs `:latest`, not the pinned release.
 */
function releaseCustomization(c: ComponentVersion, net: ResolvedProvisioningNetwork | undefined): Record<string, unknown> {
  const contents = releaseManifestContents(c.component);
  const tagOf: Record<string, string | undefined> = {
    'quay.io/metal3-io/baremetal-operator': c.version,
    'quay.io/metal3-io/ironic': net?.ironicImageTag,
    'quay.io/metal3-io/ironic-ipa-downloader': net?.ipaDownloaderImageTag,
  };
  for (const name of contents?.untaggedImages ?? []) {
    if (!(name in tagOf)) throw new Error(`release manifests of ${c.component}: no tag source for the untagged image ${name}`);
  }
  const images = (contents?.untaggedImages ?? []).filter((name) => tagOf[name] !== undefined).map((name) => ({ name, newTag: tagOf[name] }));
  const configMapPatch = (name: string, data: Record<string, string>) => ({
    target: { version: 'v1', kind: 'ConfigMap', name },
    // One `add` per key: it sets the key and keeps the others the upstream env file has.
    patch: JSON.stringify(Object.keys(data).sort().map((k) => ({ op: 'add', path: `/data/${k}`, value: data[k] }))),
  });
  const settings = net && provisioningSettings(net);
  const patches = !settings ? []
    : c.component === 'baremetal-operator' ? [configMapPatch('ironic', settings.bmo)]
      : c.component === 'ironic' ? [configMapPatch('baremetal-operator-ironic-bmo-configmap-.*', settings.ironic)] : [];
  return { ...(patches.length ? { patches } : {}), ...(images.length ? { images } : {}) };
}

/** A readable, stable source name for a repository URL (`https://clastix.github.io/charts` → `clastix`). */
function repositoryName(url: string): string {
  const m = /^(?:https?|oci):\/\/([^/]+)(\/.*)?$/.exec(url);
  const host = m?.[1] ?? url;
  const path = (m?.[2] ?? '').replace(/^\/+|\/+$/g, '');
  const base = host.endsWith('.github.io') ? host.split('.')[0] : `${host.split('.').slice(-2, -1)[0] ?? host}-${path.split('/').filter(Boolean).join('-')}`;
  return base.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'charts';
}
