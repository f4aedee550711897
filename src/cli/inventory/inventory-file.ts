import type { BootMode, RootDeviceHints } from '../../baremetal/bare-metal-host';

/**
 * The file `kmetal inventory` writes. `hosts` is what `BareMetalPool.fromInventoryJson()` and
 * `pool.addInventory()` load (they read `hosts` and ignore the other top-level fields); the rest
 * records what was observed, for capacity checks and for people.
 */
export interface KmetalInventoryFile {
  readonly kind: 'KmetalInventory';
  /** Version of this format. */
  readonly version: 1;
  /** Where and when it was read. */
  readonly source: InventorySource;
  /** Hosts a BareMetalPool can load: inspected, with the fields a host entry needs. */
  readonly hosts: InventoryHostEntry[];
  /** Every BareMetalHost read, loadable or not, with its state. */
  readonly hostStatus: InventoryHostStatus[];
  /** Nodes of the cluster with GPUs (extended resources of GPU vendors). */
  readonly nodes: InventoryNode[];
}

/** Where the inventory was read. */
export interface InventorySource {
  /** API server URL (no credentials). */
  readonly server: string;
  /** kubeconfig context. */
  readonly context: string;
  /** ISO 8601 time of the read. */
  readonly readAt: string;
  /** The namespace BareMetalHosts were read from; absent for all namespaces. */
  readonly namespace?: string;
}

/** A host entry, shaped as `BareMetalHostSpec` with `bmc.credentialsName` (no credentials, ever). */
export interface InventoryHostEntry {
  readonly name: string;
  readonly bmc: {
    readonly address: string;
    readonly credentialsName?: string;
    readonly disableCertificateVerification?: boolean;
  };
  readonly bootMacAddress?: string;
  readonly rootDeviceHints?: RootDeviceHints;
  readonly bootMode?: BootMode;
  readonly online?: boolean;
  readonly labels?: { readonly [key: string]: string };
  readonly capacity: {
    /** Physical cores: the inspected CPU count, halved when the CPU reports SMT (`ht`); see `hostStatus[].hardware.cpuCount`. */
    readonly cpuCores: number;
    readonly memoryGiB: number;
    /** From the node of the host, when one is linked (GPU inspection is not part of Metal3's hardware details). */
    readonly gpus?: Array<{ readonly model: string; readonly count: number }>;
  };
  readonly description?: string;
}

/** What was observed about one BareMetalHost. */
export interface InventoryHostStatus {
  readonly namespace: string;
  readonly name: string;
  /** Provisioning state: `available`, `provisioned`, `inspecting`, `registering`, ... */
  readonly state: string;
  readonly operationalStatus?: string;
  readonly poweredOn?: boolean;
  readonly errorMessage?: string;
  /** `namespace/name` of the machine that claimed the host. */
  readonly consumer?: string;
  /** Whether Metal3 has inspected the hardware (CPU and memory are known). */
  readonly inspected: boolean;
  /** Whether the entry is in `hosts` (a pool can load it). */
  readonly loadable: boolean;
  /** Why it is not, when it is not. */
  readonly notLoadableReason?: string;
  /** Inspected hardware, in the units Metal3 reports. */
  readonly hardware?: {
    readonly cpuArch?: string;
    readonly cpuModel?: string;
    /** Logical CPUs as inspected. */
    readonly cpuCount?: number;
    readonly cpuSmt?: boolean;
    readonly ramMebibytes?: number;
    readonly manufacturer?: string;
    readonly productName?: string;
    readonly serialNumber?: string;
    readonly nics?: Array<{ readonly name?: string; readonly mac?: string; readonly pxe?: boolean; readonly speedGbps?: number }>;
    readonly disks?: Array<{ readonly name?: string; readonly sizeGiB?: number; readonly rotational?: boolean; readonly model?: string }>;
  };
  /** The node running on the host, when one could be linked. */
  readonly node?: string;
}

/** A node's GPUs. */
export interface InventoryNode {
  readonly name: string;
  /** `namespace/name` of the BareMetalHost the node runs on, when it could be linked. */
  readonly bareMetalHost?: string;
  readonly gpus: InventoryNodeGpu[];
}

/** One GPU resource of a node. */
export interface InventoryNodeGpu {
  /** Extended resource name: `nvidia.com/gpu`, `nvidia.com/GA102GL_A10` (KubeVirt passthrough), `amd.com/gpu`. */
  readonly resourceName: string;
  /** The model as host capacity names it: the `nvidia.com/gpu.product` label for `nvidia.com/gpu`, else the resource name. */
  readonly model: string;
  readonly capacity: number;
  readonly allocatable: number;
}
