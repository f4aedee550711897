import { at, list, refs, str, type UpstreamModel } from './upstream-model';
import type { ObjectReference } from '../private/cluster-state';

const OVN = 'kubeovn.io';
const V = 'Kube-OVN v1.16.2 pkg/apis/kubeovn/v1';

/** Kube-OVN: VPCs, subnets, VLANs, provider networks, EIPs and NAT rules reference each other by name (all cluster-scoped). */
export const kubeOvnModel: UpstreamModel = {
  project: 'Kube-OVN v1.16.2',

  references(o): ObjectReference[] {
    if (o.group !== OVN) return [];
    const m = o.manifest;
    const r = (field: string, kind: string, name: unknown, consequence: string): ObjectReference => ({ field, group: OVN, kinds: [kind], name: name as string, consequence, rule: `${V} ${o.kind} ${field}` });
    switch (o.kind) {
      case 'Subnet':
        return refs([
          // `ovn-cluster` is the default VPC kube-ovn-controller creates (pkg/util/const.go DefaultVpc).
          str(at(m, 'spec', 'vpc')) !== 'ovn-cluster' && r('spec.vpc', 'Vpc', at(m, 'spec', 'vpc'), 'the subnet is never created in OVN (its logical router is missing)'),
          r('spec.vlan', 'Vlan', at(m, 'spec', 'vlan'), 'the underlay subnet has no VLAN: no traffic leaves the node'),
        ]);
      case 'Vlan':
        return refs([r('spec.provider', 'ProviderNetwork', at(m, 'spec', 'provider'), 'the VLAN is bound to no bridge')]);
      case 'Vpc':
        return refs(list(at(m, 'spec', 'vpcPeerings')).map((p, i) => r(`spec.vpcPeerings[${i}].remoteVpc`, 'Vpc', p?.remoteVpc, 'the peering connection is never made')));
      case 'OvnEip':
        return refs([r('spec.externalSubnet', 'Subnet', at(m, 'spec', 'externalSubnet'), 'the EIP is never allocated')]);
      case 'OvnSnatRule':
      case 'OvnDnatRule':
      case 'OvnFip':
        return refs([
          r('spec.ovnEip', 'OvnEip', at(m, 'spec', 'ovnEip'), 'the NAT rule has no external address'),
          r('spec.vpcSubnet', 'Subnet', at(m, 'spec', 'vpcSubnet'), 'the NAT rule translates nothing'),
        ]);
      default:
        return [];
    }
  },
};
