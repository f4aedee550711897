/** How the capacity rules compare the tenants' worker VMs with the hosts. */
export interface CapacityPolicyOptions {
  /** vCPUs per physical core the hosts may hand out. @default 4 */
  readonly cpuOvercommitRatio?: number;
  /** Guest memory per GiB of host memory the hosts may hand out (KubeVirt does not swap: keep 1). @default 1 */
  readonly memoryOvercommitRatio?: number;
  /** Cores per host kept for the host itself (kubelet, OVS, virt-handler, the hosted control planes). @default 2 */
  readonly reservedCpuCoresPerHost?: number;
  /** Memory per host kept for the host itself, in GiB. @default 8 */
  readonly reservedMemoryGiBPerHost?: number;
  /**
   * The hosts that run VMs, by labels (every label must match).
   * @default - every host of every BareMetalPool of the app, except those labelled
   * `kmetal.io/role=control-plane` (the under cluster's shared control-plane nodes; the FleetReport
   * uses the same default)
   */
  readonly vmHostLabels?: { [key: string]: string };
  /**
   * The under cluster's shared control-plane hosts, by labels (every label must match): the hosts
   * the tenants' API servers and etcd members spread over (KM-CAP-005).
   * @default { 'kmetal.io/role': 'control-plane' } (the FleetReport's default too)
   */
  readonly controlPlaneHostLabels?: { [key: string]: string };
  /**
   * Which host GPU model (`HostCapacity.gpus[].model`) a VM device resource name means, e.g.
   * `{ 'nvidia.com/GA102GL_A10': 'nvidia-a10' }`.
   * @default - a device means the model spelled like it, or like the part after "/" (case-insensitive)
   */
  readonly gpuModels?: { [deviceName: string]: string };
  /**
   * Let the GPU quotas of all tenants together exceed the hosts' GPUs (each tenant's quota must
   * still fit). Quotas derived by TenantGovernance include a rolling-update surge VM per pool, so
   * their sum is above what runs at steady state; overbooking means rolling updates can wait for GPUs.
   * @default false
   */
  readonly allowGpuQuotaOverbooking?: boolean;
}
