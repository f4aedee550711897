import { IConstruct } from 'constructs';
import { controlPlaneSpreadFields, SpreadMode } from './placement';
import { IControlPlaneVipPool } from '../network/control-plane-vip';
import { parseIp } from '../util/cidr';
import { KmetalValidationError, showValue } from '../util/errors';
import { checkEnum, checkKnownProps, checkPropTypes } from '../util/props';

/** How the tenant's API server is exposed on the under cluster. */
export enum ControlPlaneServiceType {
  /** A LoadBalancer Service: a VIP from MetalLB on bare metal (the default). */
  LOAD_BALANCER = 'LoadBalancer',
  /** A NodePort Service on the under cluster's nodes. */
  NODE_PORT = 'NodePort',
  /** A ClusterIP Service, reachable only inside the under cluster (e.g. behind an ingress). */
  CLUSTER_IP = 'ClusterIP',
}

/** CPU and memory for a control-plane container, as Kubernetes quantities. */
export interface ContainerResources {
  /** CPU request, e.g. `250m`. @default - none */
  readonly cpuRequest?: string;
  /** Memory request, e.g. `256Mi`. @default - none */
  readonly memoryRequest?: string;
  /** CPU limit. @default - none */
  readonly cpuLimit?: string;
  /** Memory limit. @default - none */
  readonly memoryLimit?: string;
}

/** The hosted control plane of a tenant cluster (Kamaji). */
export interface ControlPlaneOptions {
  /** API server pods. Two or more keep the API available through a node loss. @default 2 */
  readonly replicas?: number;
  /** How the API server is exposed. @default ControlPlaneServiceType.LOAD_BALANCER */
  readonly serviceType?: ControlPlaneServiceType;
  /**
   * A fixed VIP for the API server (must be inside a MetalLB pool of the under cluster).
   * @default - allocated by MetalLB (from `addressPool` if given)
   */
  readonly endpointAddress?: string;
  /** The MetalLB `IPAddressPool` the VIP comes from, by name (MetalLB picks the address). @default - any pool MetalLB chooses */
  readonly addressPool?: string;
  /**
   * A VIP pool declared in this app: the cluster gets a deterministic address from it (or
   * `endpointAddress`, checked to lie in it). Takes precedence over `addressPool`.
   * @default - no pool
   */
  readonly vipPool?: IControlPlaneVipPool;
  /** Extra subject alternative names on the API server certificate. @default - none */
  readonly certSans?: string[];
  /** Deploy konnectivity (server in the control plane, agents on the workers). Hosted control planes need it to reach kubelets. @default true */
  readonly konnectivity?: boolean;
  /** Deploy CoreDNS into the tenant cluster. @default true */
  readonly coreDns?: boolean;
  /** Deploy kube-proxy into the tenant cluster. @default true */
  readonly kubeProxy?: boolean;
  /** Extra kube-apiserver flags, each `--flag=value`. @default - none */
  readonly apiServerExtraArgs?: string[];
  /** kube-apiserver resources. @default - requests of 250m CPU and 512Mi memory */
  readonly apiServerResources?: ContainerResources;
  /**
   * How the API server pods spread across the under cluster's hosts (`kubernetes.io/hostname`):
   * with `REQUIRED` no host runs more API servers than another plus one, so two replicas on two or
   * more hosts never share one. The platform policy pack (KM-CAP-005) refuses a spread or a number
   * of control-plane hosts that lets one host take every API server.
   * @default SpreadMode.REQUIRED
   */
  readonly spread?: SpreadMode;
}

/** Every property of `ControlPlaneOptions` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const CONTROL_PLANE_OPTIONS_KEYS: readonly string[] = [
  'replicas', 'serviceType', 'endpointAddress', 'addressPool', 'vipPool', 'certSans', 'konnectivity', 'coreDns', 'kubeProxy',
  'apiServerExtraArgs', 'apiServerResources', 'spread',
];
/** Every property of `ContainerResources`. */
export const CONTAINER_RESOURCES_KEYS: readonly string[] = ['cpuRequest', 'memoryRequest', 'cpuLimit', 'memoryLimit'];

const QUANTITY = /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Validated control-plane settings with defaults applied. @internal */
export interface ResolvedControlPlane {
  readonly replicas: number;
  readonly serviceType: ControlPlaneServiceType;
  readonly endpointAddress?: string;
  readonly addressPool?: string;
  readonly vipPool?: IControlPlaneVipPool;
  readonly certSans: string[];
  readonly konnectivity: boolean;
  readonly coreDns: boolean;
  readonly kubeProxy: boolean;
  readonly apiServerExtraArgs: string[];
  readonly apiServerResources: ContainerResources;
  readonly spread: SpreadMode;
}

/** Applies defaults and checks every field. @internal */
export function resolveControlPlane(scope: IConstruct, options: ControlPlaneOptions = {}): ResolvedControlPlane {
  checkKnownProps(scope, 'controlPlane', options, CONTROL_PLANE_OPTIONS_KEYS, 'ControlPlaneOptions');
  checkPropTypes(scope, 'controlPlane', options, 'ControlPlaneOptions');
  checkKnownProps(scope, 'controlPlane.apiServerResources', options.apiServerResources, CONTAINER_RESOURCES_KEYS, 'ContainerResources');
  const replicas = options.replicas ?? 2;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 1) {
    throw new KmetalValidationError(scope, 'controlPlane.replicas', `${showValue(replicas)} is not a number of API server pods`, 'give at least 1; 2 or more (the default is 2) keep the API available through a node loss');
  }
  const serviceType = checkEnum(scope, 'controlPlane.serviceType', options.serviceType ?? ControlPlaneServiceType.LOAD_BALANCER, ControlPlaneServiceType, 'control-plane service type');
  for (const key of ['konnectivity', 'coreDns', 'kubeProxy'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw new KmetalValidationError(scope, `controlPlane.${key}`, `${showValue(options[key])} is not true or false`, 'give a boolean');
    }
  }
  for (const key of ['certSans', 'apiServerExtraArgs'] as const) {
    if (options[key] !== undefined && !Array.isArray(options[key])) {
      throw new KmetalValidationError(scope, `controlPlane.${key}`, `${showValue(options[key])} is not a list`, 'give a list of strings');
    }
  }
  if (options.endpointAddress !== undefined && !parseIp(options.endpointAddress)) {
    throw new KmetalValidationError(scope, 'controlPlane.endpointAddress', `${showValue(options.endpointAddress)} is not an IP address`, 'give the VIP as an IPv4 or IPv6 address, e.g. "192.0.2.10"');
  }
  if ((options.endpointAddress || options.addressPool || options.vipPool) && serviceType !== ControlPlaneServiceType.LOAD_BALANCER) {
    throw new KmetalValidationError(scope, 'controlPlane.serviceType', `a VIP or address pool needs a LoadBalancer Service, not ${serviceType}`, 'drop endpointAddress/addressPool, or use ControlPlaneServiceType.LOAD_BALANCER');
  }
  for (const san of options.certSans ?? []) {
    if (!parseIp(san) && !HOSTNAME.test(san)) {
      throw new KmetalValidationError(scope, 'controlPlane.certSans', `${showValue(san)} is neither a DNS name nor an IP address`, 'list lowercase DNS names (e.g. "api.acme.example.com") or IP addresses');
    }
  }
  for (const arg of options.apiServerExtraArgs ?? []) {
    if (!/^--[a-z0-9][a-z0-9-]*(=.*)?$/.test(arg)) {
      throw new KmetalValidationError(scope, 'controlPlane.apiServerExtraArgs', `${showValue(arg)} is not a kube-apiserver flag`, 'write each flag as "--name=value"');
    }
  }
  const resources = options.apiServerResources ?? { cpuRequest: '250m', memoryRequest: '512Mi' };
  for (const [field, value] of Object.entries(resources)) {
    if (value !== undefined && !QUANTITY.test(value)) {
      throw new KmetalValidationError(scope, `controlPlane.apiServerResources.${field}`, `${showValue(value)} is not a Kubernetes quantity`, 'write e.g. "500m" for CPU or "1Gi" for memory');
    }
  }
  const spread = checkEnum(scope, 'controlPlane.spread', options.spread ?? SpreadMode.REQUIRED, SpreadMode, 'SpreadMode');
  return {
    replicas,
    spread,
    serviceType,
    endpointAddress: options.endpointAddress,
    addressPool: options.vipPool?.poolName ?? options.addressPool,
    vipPool: options.vipPool,
    certSans: [...(options.certSans ?? [])],
    konnectivity: options.konnectivity ?? true,
    coreDns: options.coreDns ?? true,
    kubeProxy: options.kubeProxy ?? true,
    apiServerExtraArgs: [...(options.apiServerExtraArgs ?? [])],
    apiServerResources: resources,
  };
}

/** The annotations MetalLB reads on the control-plane Service. @internal */
export function metallbServiceAnnotations(cp: ResolvedControlPlane): { [key: string]: string } {
  return {
    ...(cp.addressPool ? { 'metallb.io/address-pool': cp.addressPool } : {}),
    ...(cp.endpointAddress ? { 'metallb.io/loadBalancerIPs': cp.endpointAddress } : {}),
  };
}

/** The Kamaji control-plane spec shared by KamajiControlPlane and its ClusterClass template (upstream field names). @internal */
export function kamajiControlPlaneSpec(cp: ResolvedControlPlane, dataStoreName: string | undefined): any {
  const annotations = metallbServiceAnnotations(cp);
  const requests: { [k: string]: string } = {};
  const limits: { [k: string]: string } = {};
  if (cp.apiServerResources.cpuRequest) requests.cpu = cp.apiServerResources.cpuRequest;
  if (cp.apiServerResources.memoryRequest) requests.memory = cp.apiServerResources.memoryRequest;
  if (cp.apiServerResources.cpuLimit) limits.cpu = cp.apiServerResources.cpuLimit;
  if (cp.apiServerResources.memoryLimit) limits.memory = cp.apiServerResources.memoryLimit;
  return {
    ...(dataStoreName ? { dataStoreName } : {}),
    addons: {
      ...(cp.coreDns ? { coreDNS: {} } : {}),
      ...(cp.konnectivity ? { konnectivity: {} } : {}),
      ...(cp.kubeProxy ? { kubeProxy: {} } : {}),
    },
    apiServer: {
      ...(cp.apiServerExtraArgs.length ? { extraArgs: cp.apiServerExtraArgs } : {}),
      ...(Object.keys(requests).length || Object.keys(limits).length ? {
        resources: { ...(Object.keys(limits).length ? { limits } : {}), ...(Object.keys(requests).length ? { requests } : {}) },
      } : {}),
    },
    network: {
      serviceType: cp.serviceType,
      ...(cp.endpointAddress ? { serviceAddress: cp.endpointAddress } : {}),
      ...(Object.keys(annotations).length ? { serviceAnnotations: annotations } : {}),
      ...(cp.certSans.length ? { certSANs: cp.certSans } : {}),
    },
    kubelet: { cgroupfs: 'systemd', preferredAddressTypes: ['InternalIP', 'ExternalIP', 'Hostname'] },
    // Always an object, so that the class's site patch can add externalClusterReference into it.
    deployment: controlPlaneSpreadFields(cp.spread),
  };
}
