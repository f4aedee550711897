import { IConstruct } from 'constructs';

/**
 * What attaching a node pool's VMs to a network puts into the VM template.
 */
export interface NodeNetworkBinding {
  /** Annotations for the VM's pod (virt-launcher), e.g. Kube-OVN's logical switch. @default - none */
  readonly podAnnotations?: { [key: string]: string };
  /** A Multus NetworkAttachmentDefinition (`namespace/name`) used as the VM's only network. @default - the pod network */
  readonly multusNetworkName?: string;
  /** Name of the network the pool lands on, for reports. */
  readonly description: string;
}

/**
 * A tenant network that worker VMs can be attached to. `TenantVpc` subnets implement it; so do
 * the static helpers of `NodeNetwork` for networks declared elsewhere.
 */
export interface INodeNetwork {
  /** Produces what the pool's VM template needs to land on this network. */
  bindNodePool(pool: IConstruct): NodeNetworkBinding;
}

/** Networks for node pools that are not declared in this app. */
export class NodeNetwork {
  /** The under cluster's default pod network (KubeVirt masquerade binding). */
  public static podNetwork(): INodeNetwork {
    return { bindNodePool: () => ({ description: 'pod network' }) };
  }

  /** A Kube-OVN subnet declared outside this app, selected by the logical-switch annotation. */
  public static kubeOvnSubnet(subnetName: string): INodeNetwork {
    return { bindNodePool: () => ({ podAnnotations: { 'ovn.kubernetes.io/logical_switch': subnetName }, description: `kube-ovn subnet ${subnetName}` }) };
  }

  /** A Multus NetworkAttachmentDefinition declared outside this app (`namespace/name`). */
  public static multus(networkName: string): INodeNetwork {
    return { bindNodePool: () => ({ multusNetworkName: networkName, description: `multus ${networkName}` }) };
  }

  private constructor() {}
}
