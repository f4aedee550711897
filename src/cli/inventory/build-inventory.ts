import { App, Chart } from 'cdk8s';
import type { InventoryHostEntry, InventoryHostStatus, InventoryNode, InventoryNodeGpu, InventorySource, KmetalInventoryFile } from './inventory-file';
import { BootMode } from '../../baremetal/bare-metal-host';
import { BareMetalPool } from '../../baremetal/bare-metal-pool';
import { APP_LABEL, FLUX_NAME_LABEL, FLUX_NAMESPACE_LABEL, MANAGED_BY_LABEL } from '../ownership';

// Extended resources of GPU vendors' device plugins (KubeVirt passthrough names are vendor-prefixed too).
const GPU_RESOURCE = /^(nvidia\.com|amd\.com|gpu\.intel\.com)\//;
const GPU_PRODUCT_LABEL = 'nvidia.com/gpu.product';
// Labels the pool sets itself, or that Flux and the tree writer stamp: not the host's own.
const NOT_HOST_LABELS = new Set(['kmetal.io/pool', MANAGED_BY_LABEL, APP_LABEL, FLUX_NAME_LABEL, FLUX_NAMESPACE_LABEL]);
const ROOT_DEVICE_HINT_KEYS = ['deviceName', 'hctl', 'model', 'vendor', 'serialNumber', 'wwn', 'wwnWithExtension', 'wwnVendorExtension'] as const;

/** The inventory, and notes for the person running the command. */
export interface BuiltInventory {
  readonly file: KmetalInventoryFile;
  readonly notes: string[];
}

/**
 * Builds the inventory from listed BareMetalHosts and Nodes: one host entry per inspected host that
 * a BareMetalPool accepts (each entry is checked by adding it to a scratch pool of its namespace),
 * the observed state of every host, and the GPUs of every node. Never reads Secrets: BMC credentials
 * stay a Secret name.
 */
export function buildInventory(bareMetalHosts: any[], nodes: any[], source: InventorySource): BuiltInventory {
  const notes: string[] = [];
  const gpuNodes = [...nodes]
    .sort((a, b) => String(a?.metadata?.name).localeCompare(String(b?.metadata?.name)))
    .map((n) => ({ node: n, gpus: nodeGpus(n) }));
  const nodeOfHost = linkNodes(bareMetalHosts, nodes);

  // Sorted, so the same cluster always gives the same file (the API lists in storage order).
  const byName = (a: any, b: any) => String(a?.metadata?.namespace ?? '').localeCompare(String(b?.metadata?.namespace ?? '')) || String(a?.metadata?.name).localeCompare(String(b?.metadata?.name));
  const candidates = [...bareMetalHosts].sort(byName).map((bmh) => {
    const node = nodeOfHost.get(bmh);
    const gpus = node ? gpuNodes.find((g) => g.node === node)!.gpus : [];
    return { bmh, node, ...hostEntry(bmh, gpus, notes) };
  });

  const byNamespace = new Map<string, typeof candidates>();
  for (const c of candidates) {
    const ns = String(c.bmh.metadata?.namespace ?? '');
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), c]);
  }
  if (byNamespace.size > 1) {
    notes.push(`hosts span namespaces ${[...byNamespace.keys()].sort().join(', ')}: a BareMetalPool has one namespace, so load each namespace's hosts into its own pool (kmetal inventory --namespace <ns>)`);
  }
  const reasons = new Map<any, string | undefined>();
  for (const [ns, list] of byNamespace) {
    const verdicts = checkLoadable(ns, list.filter((c) => c.entry !== undefined).map((c) => c.entry!));
    for (const c of list) reasons.set(c.bmh, c.entry ? verdicts.get(c.entry) : c.reason);
  }

  const hosts: InventoryHostEntry[] = [];
  const hostStatus: InventoryHostStatus[] = [];
  for (const c of candidates) {
    const reason = reasons.get(c.bmh);
    if (c.entry && reason === undefined) hosts.push(c.entry);
    hostStatus.push(statusOf(c.bmh, c.node?.metadata?.name, reason));
  }
  const inventoryNodes: InventoryNode[] = gpuNodes
    .filter((g) => g.gpus.length > 0)
    .map((g) => {
      const bmh = [...nodeOfHost.entries()].find(([, n]) => n === g.node)?.[0];
      return { name: String(g.node.metadata?.name), ...(bmh ? { bareMetalHost: `${bmh.metadata.namespace}/${bmh.metadata.name}` } : {}), gpus: g.gpus };
    });
  return { file: { kind: 'KmetalInventory', version: 1, source, hosts, hostStatus, nodes: inventoryNodes }, notes };
}

function hostEntry(bmh: any, gpus: InventoryNodeGpu[], notes: string[]): { entry?: InventoryHostEntry; reason?: string } {
  const spec = bmh.spec ?? {};
  const hw = bmh.status?.hardware;
  const name = String(bmh.metadata?.name ?? '');
  if (!isInspected(hw)) return { reason: 'not inspected yet: CPU and memory are unknown (a pool needs the host\'s capacity)' };
  let address = typeof spec.bmc?.address === 'string' ? spec.bmc.address : '';
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(address)) {
    address = address.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i, '$1');
    notes.push(`host ${bmh.metadata?.namespace}/${name}: its BMC address carried user information (credentials); it was left out of the inventory`);
  }
  const smt = Array.isArray(hw.cpu?.flags) && hw.cpu.flags.includes('ht');
  const cpuCores = Math.max(1, smt ? Math.floor(hw.cpu.count / 2) : hw.cpu.count);
  const gpuList = gpus.map((g) => ({ model: g.model, count: g.capacity })).filter((g) => g.count > 0);
  const labels = Object.fromEntries(Object.entries(bmh.metadata?.labels ?? {}).filter(([k]) => !NOT_HOST_LABELS.has(k) && !k.startsWith('kustomize.toolkit.fluxcd.io/'))) as { [k: string]: string };
  const bootMac = typeof spec.bootMACAddress === 'string' ? spec.bootMACAddress : pxeMac(hw);
  const entry: InventoryHostEntry = {
    name,
    bmc: {
      address,
      ...(typeof spec.bmc?.credentialsName === 'string' ? { credentialsName: spec.bmc.credentialsName } : {}),
      ...(spec.bmc?.disableCertificateVerification === true ? { disableCertificateVerification: true } : {}),
    },
    ...(bootMac ? { bootMacAddress: bootMac.toLowerCase() } : {}),
    ...(rootDeviceHints(spec.rootDeviceHints) ?? {}),
    ...(Object.values(BootMode).includes(spec.bootMode) ? { bootMode: spec.bootMode as BootMode } : {}),
    ...(typeof spec.online === 'boolean' ? { online: spec.online } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    capacity: {
      cpuCores,
      memoryGiB: Math.round((hw.ramMebibytes / 1024) * 10) / 10,
      ...(gpuList.length > 0 ? { gpus: gpuList } : {}),
    },
    ...(typeof spec.description === 'string' && spec.description !== '' ? { description: spec.description } : {}),
  };
  return { entry };
}

function rootDeviceHints(hints: any): { rootDeviceHints: NonNullable<InventoryHostEntry['rootDeviceHints']> } | undefined {
  if (typeof hints !== 'object' || hints === null) return undefined;
  const out: { [k: string]: unknown } = {};
  for (const k of ROOT_DEVICE_HINT_KEYS) if (typeof hints[k] === 'string' && hints[k] !== '') out[k] = hints[k];
  if (Number.isInteger(hints.minSizeGigabytes)) out.minSizeGiB = hints.minSizeGigabytes;
  if (typeof hints.rotational === 'boolean') out.rotational = hints.rotational;
  return Object.keys(out).length > 0 ? { rootDeviceHints: out } : undefined;
}

function statusOf(bmh: any, node: string | undefined, reason: string | undefined): InventoryHostStatus {
  const st = bmh.status ?? {};
  const hw = st.hardware;
  const consumer = bmh.spec?.consumerRef;
  return {
    namespace: String(bmh.metadata?.namespace ?? ''),
    name: String(bmh.metadata?.name ?? ''),
    state: typeof st.provisioning?.state === 'string' && st.provisioning.state !== '' ? st.provisioning.state : 'unknown',
    ...(typeof st.operationalStatus === 'string' && st.operationalStatus !== '' ? { operationalStatus: st.operationalStatus } : {}),
    ...(typeof st.poweredOn === 'boolean' ? { poweredOn: st.poweredOn } : {}),
    ...(typeof st.errorMessage === 'string' && st.errorMessage !== '' ? { errorMessage: st.errorMessage } : {}),
    ...(consumer?.name ? { consumer: `${consumer.namespace ?? bmh.metadata?.namespace}/${consumer.name}` } : {}),
    inspected: isInspected(hw),
    loadable: reason === undefined,
    ...(reason !== undefined ? { notLoadableReason: reason } : {}),
    ...(hw ? {
      hardware: {
        ...(hw.cpu?.arch ? { cpuArch: hw.cpu.arch } : {}),
        ...(hw.cpu?.model ? { cpuModel: hw.cpu.model } : {}),
        ...(Number.isInteger(hw.cpu?.count) ? { cpuCount: hw.cpu.count } : {}),
        ...(Array.isArray(hw.cpu?.flags) ? { cpuSmt: hw.cpu.flags.includes('ht') } : {}),
        ...(Number.isInteger(hw.ramMebibytes) ? { ramMebibytes: hw.ramMebibytes } : {}),
        ...(hw.systemVendor?.manufacturer ? { manufacturer: hw.systemVendor.manufacturer } : {}),
        ...(hw.systemVendor?.productName ? { productName: hw.systemVendor.productName } : {}),
        ...(hw.systemVendor?.serialNumber ? { serialNumber: hw.systemVendor.serialNumber } : {}),
        ...(Array.isArray(hw.nics) ? { nics: hw.nics.map((n: any) => ({ name: n?.name, mac: n?.mac, pxe: n?.pxe, speedGbps: n?.speedGbps })) } : {}),
        ...(Array.isArray(hw.storage) ? { disks: hw.storage.map((d: any) => ({ name: d?.name, sizeGiB: typeof d?.sizeBytes === 'number' ? Math.round(d.sizeBytes / 2 ** 30) : undefined, rotational: d?.rotational, model: d?.model })) } : {}),
      },
    } : {}),
    ...(node !== undefined ? { node } : {}),
  };
}

function isInspected(hw: any): boolean {
  return Number.isInteger(hw?.cpu?.count) && hw.cpu.count > 0 && typeof hw.ramMebibytes === 'number' && hw.ramMebibytes > 0;
}

function pxeMac(hw: any): string | undefined {
  const nic = Array.isArray(hw?.nics) ? hw.nics.find((n: any) => n?.pxe === true && typeof n.mac === 'string') : undefined;
  return nic?.mac;
}

/** GPU resources of a node. */
export function nodeGpus(node: any): InventoryNodeGpu[] {
  const capacity = node?.status?.capacity ?? {};
  const allocatable = node?.status?.allocatable ?? {};
  const product = node?.metadata?.labels?.[GPU_PRODUCT_LABEL];
  return Object.keys(capacity)
    .filter((r) => GPU_RESOURCE.test(r))
    .sort()
    .map((r) => ({
      resourceName: r,
      model: r === 'nvidia.com/gpu' && typeof product === 'string' && product !== '' ? product : r,
      capacity: Number.parseInt(String(capacity[r]), 10) || 0,
      allocatable: Number.parseInt(String(allocatable[r] ?? '0'), 10) || 0,
    }));
}

/**
 * The node running on each host: by provider ID (`metal3://<namespace>/<host>/<machine>`, or the
 * host's UID in older Metal3 releases), else by name (the node named like the host, or like the
 * host name Metal3 inspected).
 */
function linkNodes(hosts: any[], nodes: any[]): Map<any, any> {
  const out = new Map<any, any>();
  for (const node of nodes) {
    const providerID = String(node?.spec?.providerID ?? '');
    const m = /^metal3:\/\/(.+)$/.exec(providerID);
    let host: any;
    if (m) {
      const parts = m[1].split('/');
      host = parts.length >= 2
        ? hosts.find((h) => h.metadata?.namespace === parts[0] && h.metadata?.name === parts[1])
        : hosts.find((h) => h.metadata?.uid === parts[0]);
    }
    const name = node?.metadata?.name;
    host ??= hosts.filter((h) => h.metadata?.name === name || h.status?.hardware?.hostname === name).length === 1
      ? hosts.find((h) => h.metadata?.name === name || h.status?.hardware?.hostname === name)
      : undefined;
    if (host && !out.has(host)) out.set(host, node);
  }
  return out;
}

/**
 * Adds the entries to a scratch pool of the namespace, one by one, as `addInventory()` would: the
 * reason a host is refused (an address Metal3 would not take, a missing credentials Secret name, a
 * duplicate MAC), or undefined when it loads. Validation messages never quote credentials.
 */
function checkLoadable(namespace: string, entries: InventoryHostEntry[]): Map<InventoryHostEntry, string | undefined> {
  const out = new Map<InventoryHostEntry, string | undefined>();
  const app = new App({ outdir: '/nonexistent-kmetal-inventory-check' });
  const pool = new BareMetalPool(new Chart(app, 'inventory-check'), 'pool', { namespace });
  for (const entry of entries) {
    try {
      pool.addInventory([entry]);
      out.set(entry, undefined);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      out.set(entry, message.replace(/^\[[^\]]*\]\s*/, ''));
    }
  }
  return out;
}
