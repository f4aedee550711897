// Cross-object invariants of a synthesized platform, checked on the OUTPUT objects alone (what Flux
// would apply), never on the constructs that produced them. Each check returns the violations it
// found, as sentences; an empty list means the invariant holds.
import * as YAML from 'yaml';
import { Interval, interval, ipValue, overlappingPairs, overlaps } from './net';
import { CANARY } from './platform-spec';
import { TenantGovernance } from '../../../src';

/** An object of the output and the cluster whose Flux tree it is in. */
export interface Placed {
  readonly cluster: string;
  readonly obj: any;
}

const name = (o: any): string => o?.metadata?.name;
const ns = (o: any): string | undefined => o?.metadata?.namespace;
const kindOf = (list: Placed[], kind: string, group?: string) =>
  list.filter((p) => p.obj?.kind === kind && (group === undefined || String(p.obj.apiVersion).startsWith(`${group}/`)));

/** Kubernetes quantities, independently of src/tenancy/governance/quantities.ts. */
export function quantity(text: unknown): number {
  if (typeof text === 'number') return text;
  const m = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti|Pi)?$/.exec(String(text));
  if (!m) return NaN;
  const unit: { [u: string]: number } = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50 };
  return Number(m[1]) * (m[2] ? unit[m[2]] : 1);
}

/** Kube-OVN: subnets of one VPC are disjoint; a VPC's subnets stay off what its router drops (management, other VIPs). */
export function cidrViolations(objects: Placed[]): string[] {
  const out: string[] = [];
  const subnets = kindOf(objects, 'Subnet', 'kubeovn.io').filter((p) => p.obj.spec?.vpc);
  const byVpc = new Map<string, Array<{ name: string; r: Interval }>>();
  for (const { cluster, obj } of subnets) {
    const r = interval(obj.spec.cidrBlock);
    if (!r) {
      out.push(`Subnet ${name(obj)} has no CIDR: ${obj.spec.cidrBlock}`);
      continue;
    }
    const key = `${cluster}/${obj.spec.vpc}`;
    byVpc.set(key, [...(byVpc.get(key) ?? []), { name: name(obj), r }]);
  }
  for (const [vpc, list] of byVpc) {
    for (const [a, b] of overlappingPairs(list, (s) => s.r)) out.push(`VPC ${vpc}: subnets ${a.name} (${a.r.text}) and ${b.name} (${b.r.text}) overlap`);
  }

  const vpcs = new Map(kindOf(objects, 'Vpc', 'kubeovn.io').map((p) => [`${p.cluster}/${name(p.obj)}`, p]));
  for (const [key, { cluster, obj }] of vpcs) {
    const own = byVpc.get(key) ?? [];
    for (const route of obj.spec?.policyRoutes ?? []) {
      if (route.action !== 'drop' || route.priority < 31300) continue;
      const dropped = String(route.match).replace(/^ip[46]\.dst == /, '').replace(/[{}]/g, '').split(',').map((t) => interval(t.trim())).filter((r): r is Interval => !!r);
      for (const s of own) {
        const hit = dropped.find((d) => overlaps(d, s.r));
        if (hit) out.push(`VPC ${key}: subnet ${s.name} (${s.r.text}) overlaps ${hit.text}, which its router drops (priority ${route.priority})`);
      }
    }
    // Approved peerings: written on both sides, one /30 link, and the two VPCs share no address.
    for (const peering of obj.spec?.vpcPeerings ?? []) {
      const remoteKey = `${cluster}/${peering.remoteVpc}`;
      const remote = vpcs.get(remoteKey);
      const back = remote?.obj.spec?.vpcPeerings?.find((x: any) => x.remoteVpc === name(obj));
      if (!back) {
        out.push(`VPC ${key} peers with ${peering.remoteVpc}, which does not peer back`);
        continue;
      }
      const address = (t: unknown) => ipValue(String(t).replace(/\/30$/, ''));
      const [mine, theirs] = [address(peering.localConnectIP), address(back.localConnectIP)];
      const link = interval(String(peering.localConnectIP));
      const inLink = (a: typeof mine) => !!a && !!link && a.value > link.first && a.value < link.last;
      if (!String(peering.localConnectIP).endsWith('/30') || !String(back.localConnectIP).endsWith('/30') || !inLink(mine) || !inLink(theirs) || mine!.value === theirs!.value) {
        out.push(`VPCs ${key} and ${remoteKey}: the link addresses ${peering.localConnectIP} and ${back.localConnectIP} are not two addresses of one /30`);
        continue;
      }
      const both = [...own.map((s) => ({ ...s, vpc: key })), ...(byVpc.get(remoteKey) ?? []).map((s) => ({ ...s, vpc: remoteKey })), { name: 'the peering link', r: link!, vpc: '' }];
      for (const [a, b] of overlappingPairs(both, (s) => s.r)) {
        if (a.vpc !== b.vpc) out.push(`peered VPCs ${key} and ${remoteKey}: ${a.name} (${a.r.text}) overlaps ${b.name} (${b.r.text})`);
      }
    }
  }
  return out;
}

/** A control-plane endpoint of the output: its VIP and the MetalLB pool it names. */
interface Endpoint {
  readonly cluster: string;
  readonly where: string;
  readonly namespace: string;
  readonly address?: string;
  readonly pool?: string;
}

function endpoints(objects: Placed[]): Endpoint[] {
  const out: Endpoint[] = [];
  for (const { cluster, obj } of kindOf(objects, 'KamajiControlPlane')) {
    const net = obj.spec?.network ?? {};
    const ann = net.serviceAnnotations ?? {};
    out.push({ cluster, where: `KamajiControlPlane ${ns(obj)}/${name(obj)}`, namespace: ns(obj)!, address: net.serviceAddress ?? ann['metallb.io/loadBalancerIPs'], pool: ann['metallb.io/address-pool'] });
    if (net.serviceAddress && ann['metallb.io/loadBalancerIPs'] && net.serviceAddress !== ann['metallb.io/loadBalancerIPs']) {
      out.push({ cluster, where: `KamajiControlPlane ${ns(obj)}/${name(obj)} (annotation)`, namespace: ns(obj)!, address: ann['metallb.io/loadBalancerIPs'], pool: ann['metallb.io/address-pool'] });
    }
  }
  for (const { cluster, obj } of kindOf(objects, 'Cluster', 'cluster.x-k8s.io')) {
    const vars = new Map<string, any>((obj.spec?.topology?.variables ?? []).map((v: any) => [v.name, v.value]));
    if (vars.has('controlPlaneEndpointAddress') || vars.has('controlPlaneAddressPool')) {
      out.push({ cluster, where: `Cluster ${ns(obj)}/${name(obj)}`, namespace: ns(obj)!, address: vars.get('controlPlaneEndpointAddress'), pool: vars.get('controlPlaneAddressPool') });
    }
  }
  return out;
}

/** MetalLB: every VIP lies in the pool it names, no VIP is handed out twice, pools are never auto-assigned. */
export function vipViolations(objects: Placed[]): string[] {
  const out: string[] = [];
  const pools = kindOf(objects, 'IPAddressPool', 'metallb.io');
  for (const { obj } of pools) if (obj.spec?.autoAssign !== false) out.push(`IPAddressPool ${name(obj)} is auto-assigned: any LoadBalancer Service could take a control-plane VIP`);
  const seen = new Map<string, string>();
  for (const e of endpoints(objects)) {
    if (e.address === undefined) continue;
    const ip = ipValue(e.address);
    if (!ip) {
      out.push(`${e.where}: VIP ${e.address} is not an IP address`);
      continue;
    }
    const key = `${ip.family}/${ip.value}`;
    const first = seen.get(key);
    if (first && first !== e.where) out.push(`VIP ${e.address} is used by ${first} and by ${e.where}`);
    seen.set(key, e.where);
    if (e.pool === undefined) continue;
    const named = pools.filter((p) => name(p.obj) === e.pool);
    if (named.length === 0) {
      out.push(`${e.where}: names MetalLB pool ${e.pool}, which the output does not contain`);
      continue;
    }
    const inside = named.some((p) => (p.obj.spec?.addresses ?? []).some((a: string) => {
      const r = interval(a);
      return !!r && overlaps(r, { family: ip.family, first: ip.value, last: ip.value, text: e.address! });
    }));
    if (!inside) out.push(`${e.where}: VIP ${e.address} is outside pool ${e.pool} (${named.map((p) => p.obj.spec?.addresses?.join(', ')).join('; ')})`);
  }
  // The VPC router lets each VPC reach the VIPs of its own clusters only.
  const endpointsByVip = new Map<string, Endpoint[]>();
  for (const e of endpoints(objects)) if (e.address) endpointsByVip.set(e.address, [...(endpointsByVip.get(e.address) ?? []), e]);
  for (const { obj } of kindOf(objects, 'Vpc', 'kubeovn.io')) {
    for (const route of obj.spec?.policyRoutes ?? []) {
      if (route.action !== 'allow' || route.priority !== 31500) continue;
      const vip = String(route.match).replace(/^ip[46]\.dst == /, '');
      const owners = endpointsByVip.get(vip) ?? [];
      if (!owners.some((e) => (obj.spec?.namespaces ?? []).includes(e.namespace))) {
        out.push(`VPC ${name(obj)} allows VIP ${vip}, which is no control plane of a namespace on the VPC (${owners.map((e) => e.where).join(', ') || 'none'})`);
      }
    }
  }
  return out;
}

/** What the objects of some namespaces ask of the under cluster, recomputed from MachineDeployments, machine templates and topologies. */
interface Demand {
  cpuMilli: number;
  memoryMiB: number;
  storageGiB: number;
  vms: number;
  gpus: Map<string, number>;
}

function vmOf(template: any): { cores: number; memMiB: number; diskGiB: number; gpus: Map<string, number> } {
  const vm = template?.spec?.template?.spec?.virtualMachineTemplate?.spec ?? {};
  const domain = vm.template?.spec?.domain ?? {};
  const gpus = new Map<string, number>();
  for (const d of [...(domain.devices?.gpus ?? []), ...(domain.devices?.hostDevices ?? [])]) {
    gpus.set(d.deviceName, (gpus.get(d.deviceName) ?? 0) + 1);
  }
  let diskGiB = 0;
  for (const dv of vm.dataVolumeTemplates ?? []) diskGiB += quantity(dv?.spec?.storage?.resources?.requests?.storage ?? 0) / 2 ** 30;
  return { cores: Number(domain.cpu?.cores ?? 1), memMiB: quantity(domain.memory?.guest ?? 0) / 2 ** 20, diskGiB, gpus };
}

function poolSize(md: any): number {
  const max = md?.metadata?.annotations?.['cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size'];
  return max !== undefined ? Number(max) : Number(md?.replicas ?? md?.spec?.replicas ?? 1);
}

function demandOf(objects: Placed[], namespaces: Set<string>): Demand {
  const d: Demand = { cpuMilli: 0, memoryMiB: 0, storageGiB: 0, vms: 0, gpus: new Map() };
  const inNs = objects.filter((p) => namespaces.has(ns(p.obj) ?? ''));
  const addVms = (n: number, vm: ReturnType<typeof vmOf>) => {
    d.vms += n;
    d.cpuMilli += n * vm.cores * 1000;
    d.memoryMiB += n * (vm.memMiB + TenantGovernance.VM_MEMORY_OVERHEAD_MIB);
    d.storageGiB += n * vm.diskGiB;
    for (const [dev, c] of vm.gpus) d.gpus.set(dev, (d.gpus.get(dev) ?? 0) + n * c);
  };
  const controlPlanes = (replicas: number) => {
    d.cpuMilli += replicas * TenantGovernance.CONTROL_PLANE_CPU_MILLICORES;
    d.memoryMiB += replicas * TenantGovernance.CONTROL_PLANE_MEMORY_MIB;
  };
  const templates = new Map(kindOf(inNs, 'KubevirtMachineTemplate').map((p) => [`${ns(p.obj)}/${name(p.obj)}`, p.obj]));
  for (const { obj } of kindOf(inNs, 'MachineDeployment')) {
    addVms(poolSize(obj), vmOf(templates.get(`${ns(obj)}/${obj.spec?.template?.spec?.infrastructureRef?.name}`)));
  }
  for (const { obj } of kindOf(inNs, 'KamajiControlPlane')) controlPlanes(Number(obj.spec?.replicas ?? 2));
  for (const { obj } of kindOf(inNs, 'Cluster', 'cluster.x-k8s.io')) {
    const topology = obj.spec?.topology;
    if (!topology) continue;
    controlPlanes(Number(topology.controlPlane?.replicas ?? 2));
    const cc = kindOf(objects, 'ClusterClass').find((p) => name(p.obj) === topology.classRef?.name && ns(p.obj) === topology.classRef?.namespace)?.obj;
    const schemaOf = (v: any) => v.schema?.openAPIV3Schema ?? v.schema?.openApiv3Schema;
    const defaults = new Map<string, any>((cc?.spec?.variables ?? []).map((v: any) => [v.name, schemaOf(v)?.default]));
    const clusterVars = new Map<string, any>((topology.variables ?? []).map((v: any) => [v.name, v.value]));
    for (const md of topology.workers?.machineDeployments ?? []) {
      const overrides = new Map<string, any>((md.variables?.overrides ?? []).map((v: any) => [v.name, v.value]));
      const v = (k: string, fallback: any) => overrides.get(k) ?? clusterVars.get(k) ?? defaults.get(k) ?? fallback;
      const device = v('workerGpuDeviceName', undefined);
      const count = Number(v('workerGpuCount', 0));
      // Without a variable, Cluster API keeps the worker class's machine template as it is.
      const ref = (cc?.spec?.workers?.machineDeployments ?? []).find((w: any) => w.class === md.class)?.infrastructure?.templateRef;
      const template = vmOf(kindOf(objects, 'KubevirtMachineTemplate').find((p) => name(p.obj) === ref?.name && ns(p.obj) === ns(cc))?.obj);
      addVms(poolSize(md), {
        cores: Number(v('workerCpuCores', template.cores)),
        memMiB: v('workerMemoryGiB', undefined) !== undefined ? Number(v('workerMemoryGiB', 4)) * 1024 : template.memMiB,
        diskGiB: 0,
        gpus: device && count > 0 ? new Map([[device, count]]) : new Map(),
      });
    }
  }
  for (const { obj } of kindOf(inNs, 'HelmRelease').filter((p) => p.obj.spec?.chart?.spec?.chart === 'kamaji-etcd')) {
    const members = Number(obj.spec?.values?.replicas ?? 3);
    d.cpuMilli += members * TenantGovernance.ETCD_CPU_MILLICORES;
    d.memoryMiB += members * TenantGovernance.ETCD_MEMORY_MIB;
    d.storageGiB += members * quantity(obj.spec?.values?.persistentVolumeClaim?.size ?? '8Gi') / 2 ** 30;
  }
  return d;
}

/** Capsule: every Tenant's hard quota covers what the objects in its namespaces ask for (steady state). */
export function quotaViolations(objects: Placed[]): string[] {
  const out: string[] = [];
  for (const { obj: tenant } of kindOf(objects, 'Tenant', 'capsule.clastix.io')) {
    const t = name(tenant);
    const namespaces = new Set(kindOf(objects, 'Namespace').filter((p) => p.cluster === 'under' && p.obj.metadata?.labels?.['capsule.clastix.io/tenant'] === t).map((p) => name(p.obj)));
    const hard = tenant.spec?.resourceQuotas?.items?.[0]?.hard ?? {};
    const need = demandOf(objects, namespaces);
    const short = (key: string, needed: number, given: number | undefined) => {
      // 1e-6 absorbs the rounding of quantities like 1.5Gi.
      if (given !== undefined && given + 1e-6 < needed) out.push(`Tenant ${t}: ${key} is ${given}, but its namespaces (${[...namespaces].join(', ')}) need ${needed}`);
    };
    const q = (key: string) => (hard[key] === undefined ? undefined : quantity(hard[key]));
    short('requests.cpu (millicores)', need.cpuMilli, q('requests.cpu') === undefined ? undefined : q('requests.cpu')! * 1000);
    short('requests.memory (MiB)', need.memoryMiB, q('requests.memory') === undefined ? undefined : q('requests.memory')! / 2 ** 20);
    short('requests.storage (GiB)', need.storageGiB, q('requests.storage') === undefined ? undefined : q('requests.storage')! / 2 ** 30);
    short('count/virtualmachines.kubevirt.io', need.vms, q('count/virtualmachines.kubevirt.io'));
    for (const [device, n] of need.gpus) short(`requests.${device}`, n, q(`requests.${device}`));
  }
  return out;
}

const CREDENTIAL_KEY = /^(password|passwd|pwd|pass|token|bearertoken|apikey|api_key|secret|clientsecret|privatekey|secretaccesskey|accesskey)$/i;
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s@:]+:[^/\s@]+@/i;

function scan(value: unknown, path: string, out: string[]): void {
  if (typeof value === 'string') {
    if (value.includes(CANARY)) out.push(`${path} carries a credential from the input`);
    if (URL_WITH_PASSWORD.test(value)) out.push(`${path} is a URL with a password: ${value.replace(/:[^/\s@:]+@/, ':***@')}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => scan(v, `${path}[${i}]`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (CREDENTIAL_KEY.test(k) && typeof v === 'string' && v.length > 0) out.push(`${path}.${k} holds a credential value`);
      scan(v, `${path}.${k}`, out);
    }
  }
}

/** No credential values: no Secret data (Sveltos content Secrets are opened and checked), no password-like fields, no passwords in URLs. */
export function credentialViolations(objects: Placed[]): string[] {
  const out: string[] = [];
  const check = (obj: any, where: string) => {
    if (obj?.kind === 'Secret' && obj?.apiVersion === 'v1') {
      if (obj.type === 'addons.projectsveltos.io/cluster-profile' && where === '') {
        for (const [k, v] of Object.entries(obj.data ?? {})) {
          for (const doc of YAML.parseAllDocuments(Buffer.from(String(v), 'base64').toString('utf8'))) check(doc.toJS(), `Secret ${name(obj)} ${k}: `);
        }
      } else if (Object.keys(obj.data ?? {}).length || Object.keys(obj.stringData ?? {}).length) {
        out.push(`${where}Secret ${ns(obj)}/${name(obj)} carries data`);
      }
    }
    scan(obj, `${where}${obj?.kind} ${name(obj)}`, out);
  };
  for (const { obj } of objects) check(obj, '');
  return out;
}

/** Metal3: a boot MAC and a BMC endpoint belong to one BareMetalHost, and BMC addresses carry no user information. */
export function inventoryViolations(objects: Placed[]): string[] {
  const out: string[] = [];
  const macs = new Map<string, string>();
  const bmcs = new Map<string, string>();
  for (const { obj } of kindOf(objects, 'BareMetalHost', 'metal3.io')) {
    const host = `${ns(obj)}/${name(obj)}`;
    const mac = obj.spec?.bootMACAddress?.toLowerCase();
    if (mac && macs.has(mac)) out.push(`BareMetalHosts ${macs.get(mac)} and ${host} share boot MAC ${mac}`);
    if (mac) macs.set(mac, host);
    const bmc = String(obj.spec?.bmc?.address ?? '');
    if (/:\/\/[^/]*@/.test(bmc)) out.push(`BareMetalHost ${host}: BMC address carries user information`);
    const endpoint = bmc.replace(/^[a-z0-9+-]+:\/\//i, '');
    if (bmcs.has(endpoint)) out.push(`BareMetalHosts ${bmcs.get(endpoint)} and ${host} share BMC ${endpoint}`);
    bmcs.set(endpoint, host);
    if (!obj.spec?.bmc?.credentialsName) out.push(`BareMetalHost ${host} references no credentials Secret`);
  }
  return out;
}

/** Every invariant, as one list of violations. */
export function allViolations(objects: Placed[]): string[] {
  return [cidrViolations, vipViolations, quotaViolations, credentialViolations, inventoryViolations].flatMap((check) => check(objects));
}
