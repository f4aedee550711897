import { at, refs, str, type UpstreamModel } from './upstream-model';
import { findingOn, type ObjectReference } from '../private/cluster-state';
import { ReconcileSeverity, type ReconcileFinding } from '../reconcile-finding';
import { releaseManifestsApplied } from './release-manifests';

const V = 'baremetal-operator v0.13.2';

/**
 * Metal3: hosts read their BMC credentials from a Secret in their namespace (BMO v0.13.2
 * apis/metal3.io/v1alpha1 BMCDetails.credentialsName; keys `username`, `password`), user data and
 * network data from Secrets; CAPM3 templates name their data templates.
 */
export const metal3Model: UpstreamModel = {
  project: `${V}, cluster-api-provider-metal3 v1.13.2`,

  references(o): ObjectReference[] {
    const m = o.manifest;
    if (o.group === 'metal3.io' && o.kind === 'BareMetalHost') {
      const rule = `${V} apis/metal3.io/v1alpha1/baremetalhost_types.go: bmc.credentialsName, userData, networkData, metaData (Secrets in the host's namespace)`;
      const secret = (field: string, name: unknown, consequence: string, key?: string): ObjectReference => ({ field, group: '', kinds: ['Secret'], namespace: str(at(m, ...field.split('.').slice(0, -1), 'namespace')) ?? o.namespace, name: name as string, key, consequence, rule });
      return refs([
        secret('spec.bmc.credentialsName', at(m, 'spec', 'bmc', 'credentialsName'), 'the host stays in "registering" with a credentials error: Ironic never manages it', 'username'),
        secret('spec.userData.name', at(m, 'spec', 'userData', 'name'), 'provisioning fails: the host boots without its cloud-config'),
        secret('spec.networkData.name', at(m, 'spec', 'networkData', 'name'), 'provisioning fails: no network configuration'),
        secret('spec.metaData.name', at(m, 'spec', 'metaData', 'name'), 'provisioning fails: no metadata'),
      ]);
    }
    if (o.group === 'metal3.io' && o.kind === 'HostFirmwareSettings') {
      // The settings belong to the host of the same name: the BMH controller applies them while it
      // prepares that host and adopts a HostFirmwareSettings created before it (BMO v0.13.2
      // internal/controller/metal3.io/hostfirmwaresettings_controller.go).
      return refs([{
        field: 'metadata.name',
        group: 'metal3.io',
        kinds: ['BareMetalHost'],
        namespace: o.namespace,
        name: o.name,
        consequence: 'the BIOS settings are never applied: no host has this name',
        rule: `${V} HostFirmwareSettings is named after its BareMetalHost`,
      }]);
    }
    if (o.group === 'infrastructure.cluster.x-k8s.io' && o.kind === 'Metal3MachineTemplate') {
      const dt = at(m, 'spec', 'template', 'spec', 'dataTemplate');
      return refs([dt && {
        field: 'spec.template.spec.dataTemplate',
        group: 'infrastructure.cluster.x-k8s.io',
        kinds: ['Metal3DataTemplate'],
        namespace: str(dt.namespace) ?? o.namespace,
        name: dt.name,
        consequence: 'Metal3Machines never get their metadata: hosts are never provisioned',
        rule: 'cluster-api-provider-metal3 v1.13.2 api/v1beta2 Metal3MachineSpec.dataTemplate',
      }]);
    }
    return [];
  },

  // The baremetal-operator only registers hosts; Ironic inspects and provisions them
  // (BMO v0.13.2 docs/api.md: the operator drives Ironic for every state past "registering").
  check(state): ReconcileFinding[] {
    const hosts = state.objects.filter((o) => o.group === 'metal3.io' && o.kind === 'BareMetalHost');
    if (hosts.length === 0) return [];
    const ironic = state.objects.some((o) => releaseManifestsApplied(o)?.component === 'ironic')
      || state.objects.some((o) => o.group === 'apps' && o.kind === 'Deployment' && /ironic/.test(o.name));
    if (ironic) return [];
    return [findingOn(state, hosts[0], {
      severity: ReconcileSeverity.ERROR,
      code: 'dangling-reference',
      field: 'spec.bmc',
      target: 'Ironic',
      message: `${hosts.length} BareMetalHost(s) on cluster "${state.cluster}", but nothing installs Ironic there: the baremetal-operator registers them and none is ever inspected or provisioned`,
      fix: 'set PlatformUnderCluster provisioningNetwork (installs Ironic configured for that network), or install Ironic yourself',
      rule: `${V}: hosts past "registering" need Ironic`,
    })];
  },
};
