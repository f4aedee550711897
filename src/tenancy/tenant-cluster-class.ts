import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import type { ClassNodePool } from './class-node-pool';
import { ClusterInfrastructure } from './cluster-infrastructure';
import { ControlPlaneOptions, kamajiControlPlaneSpec, ResolvedControlPlane, resolveControlPlane } from './control-plane';
import { FleetRegistry } from './governance/fleet-registry';
import { KubernetesVersion } from './kubernetes-version';
import { DeviceAttachment, NodePoolOptions } from './node-pool';
import { HOST_TOPOLOGY_KEY, POOL_VM_LABEL, SpreadMode } from './placement';
import type { RolloutPlan } from './rollout-plan';
import type { TenantSitePlacement } from '../edge/tenant-site';
import { KubeadmConfigTemplate } from '../imports/bootstrap.cluster.x-k8s.io';
import { ClusterClass } from '../imports/cluster.x-k8s.io';
import { KamajiControlPlaneTemplate } from '../imports/controlplane.cluster.x-k8s.io';
import { KubevirtClusterTemplate, KubevirtMachineTemplate } from '../imports/infrastructure.cluster.x-k8s.io';
import { _checkImageRelease, _checkMachineImage, _imageReleaseProblem, IMachineImage } from '../os/machine-image';
import { KmetalValidationError, showValue } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { checkEnum, checkKnownProps } from '../util/props';
import { METAL3_API_VERSION, metal3ClassPatches, metal3ClassTemplates, metal3ImageValue, METAL_IMAGE_SCHEMA } from './private/metal3-class';

/** A kind of worker pool the class offers (a ClusterClass `workers.machineDeployments` class). */
export interface WorkerClassOptions {
  /** Class name, referenced by pools. */
  readonly name: string;
  /** Default vCPU cores per VM (pools override it through the `workerCpuCores` variable). @default 2 */
  readonly cpuCores?: number;
  /** Default memory per VM in GiB (variable `workerMemoryGiB`). @default 4 */
  readonly memoryGiB?: number;
}

/** The size of one worker VM. */
export interface WorkerVmSize {
  /** vCPU cores. */
  readonly cpuCores: number;
  /** Memory in GiB. */
  readonly memoryGiB: number;
}

/** Props of `TenantClusterClass`. */
export interface TenantClusterClassProps {
  /** ClusterClass name. @default - the construct id */
  readonly name?: string;
  /** Namespace holding the class and its templates; clusters reference it across namespaces. @default 'kmetal-classes' */
  readonly namespace?: string;
  /** Emit the class's Namespace (once per namespace: classes sharing one share the object). @default true */
  readonly createNamespace?: boolean;
  /** Kubernetes release clusters of this class run unless they set their own. */
  readonly defaultVersion: string;
  /** containerDisk image the workers boot unless a cluster or pool sets `image` (variable `workerImage`). */
  readonly defaultImage: IMachineImage;
  /** Control-plane settings shared by every cluster of the class. @default - as TenantCluster's defaults */
  readonly controlPlane?: ControlPlaneOptions;
  /** Worker classes. @default - one class named `worker` (2 vCPU, 4 GiB) */
  readonly workerClasses?: WorkerClassOptions[];
  /**
   * What the workers of the class's clusters are. With METAL3 the class carries Metal3 cluster and
   * machine templates: its clusters' pools set `bareMetal` (servers from a `BareMetalPool` in the
   * cluster's namespace), `defaultImage` must have a bare-metal image, and the clusters need a
   * fixed control-plane address (an `endpointAddress` or a VIP pool).
   * @default ClusterInfrastructure.KUBEVIRT
   */
  readonly infrastructure?: ClusterInfrastructure;
}

/** What a cluster asks of the class when it builds its topology. @internal */
export interface TopologyRequest {
  readonly version: string;
  readonly controlPlane: ResolvedControlPlane;
  readonly dataStoreName: string;
  /** The cluster's own default image, when it pins one (else the class's current one). */
  readonly image?: IMachineImage;
  readonly variables: { [name: string]: any };
  readonly pools: ClassNodePool[];
  /** Where the cluster runs when it is placed at an edge site. */
  readonly site?: TenantSitePlacement;
  /** Hold the upgrade of every worker pool (the cluster's rollout wave says so). */
  readonly holdWorkerUpgrades?: boolean;
}

/** Every property of `TenantClusterClassProps` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const TENANT_CLUSTER_CLASS_PROPS_KEYS: readonly string[] = ['name', 'namespace', 'createNamespace', 'defaultVersion', 'defaultImage', 'controlPlane', 'workerClasses', 'infrastructure'];
/** Every property of `WorkerClassOptions`. */
export const WORKER_CLASS_OPTIONS_KEYS: readonly string[] = ['name', 'cpuCores', 'memoryGiB'];
/** Control-plane settings a cluster of a class sets for itself (topology and variables carry them). */
const PER_CLUSTER_CONTROL_PLANE = ['replicas', 'endpointAddress', 'addressPool', 'vipPool'];

/** Variables a cluster's placement at a site sets; users cannot. */
const SITE_VARIABLES = ['siteControlPlane', 'siteInfraClusterSecret'];
const NAME = { type: 'string', minLength: 1 };

interface VariableDefinition {
  readonly name: string;
  readonly required: boolean;
  readonly schema: any;
  /** The pool option it comes from, for per-pool overrides. */
  readonly fromPool?: (pool: NodePoolOptions, scope: IConstruct, classPool: ClassNodePool, version: string) => any;
}

/** Variables only a KubeVirt class has (VM sizes, devices, network, edge-site placement). */
const KUBEVIRT_VARIABLES = ['workerCpuCores', 'workerMemoryGiB', 'workerImage', 'workerGpuDeviceName', 'workerGpuCount', 'workerSubnet', 'siteControlPlane', 'siteInfraClusterSecret', 'workerSpread', 'workerZoneLabel', 'workerLiveMigration'];
/** Variables only a Metal3 class has. */
const METAL3_VARIABLES = ['workerHostSelector', 'workerDataTemplate', 'workerMetalImage'];

const VM_SPEC = '/spec/template/spec/virtualMachineTemplate/spec/template/spec';
const VM_METADATA = '/spec/template/spec/virtualMachineTemplate/spec/template/metadata';

// The pool's VMs (placement.ts vmSpreadFields, in Go template form): CAPK labels them with the
// cluster's name, the worker-pool-label patch with the pool's.
const POOL_SELECTOR = [
  'labelSelector:',
  '  matchLabels:',
  '    cluster.x-k8s.io/cluster-name: {{ .builtin.cluster.name | quote }}',
  `    ${POOL_VM_LABEL}: {{ .builtin.machineDeployment.topologyName | quote }}`,
];
const indent = (lines: string[], n: number) => lines.map((l) => `${' '.repeat(n)}${l}`).join('\n');
const WORKER_AFFINITY_TEMPLATE = [
  'podAntiAffinity:',
  `{{- if eq .workerSpread "${SpreadMode.REQUIRED}" }}`,
  '  requiredDuringSchedulingIgnoredDuringExecution:',
  `  - ${POOL_SELECTOR[0]}`,
  indent(POOL_SELECTOR.slice(1), 4),
  `    topologyKey: ${HOST_TOPOLOGY_KEY}`,
  '{{- else }}',
  '  preferredDuringSchedulingIgnoredDuringExecution:',
  '  - weight: 100',
  '    podAffinityTerm:',
  indent(POOL_SELECTOR, 6),
  `      topologyKey: ${HOST_TOPOLOGY_KEY}`,
  '{{- end }}',
].join('\n');
const WORKER_ZONE_SPREAD_TEMPLATE = [
  '- maxSkew: 1',
  '  topologyKey: {{ .workerZoneLabel | quote }}',
  `  whenUnsatisfiable: {{ if eq .workerSpread "${SpreadMode.REQUIRED}" }}DoNotSchedule{{ else }}ScheduleAnyway{{ end }}`,
  indent(POOL_SELECTOR, 2),
].join('\n');

/**
 * A golden template for tenant clusters: a Cluster API `ClusterClass` with its Kamaji control-plane
 * template, KubeVirt cluster and machine templates and kubeadm bootstrap templates, plus typed
 * variables and patches for what varies per tenant (VM sizes, image, API endpoint, datastore).
 *
 * Clusters built from it (`new TenantCluster(..., { clusterClass })`) are a single `Cluster` object
 * each. Upgrading the fleet is an edit here: a new `defaultVersion` or default image changes every
 * cluster that does not pin its own.
 */
export class TenantClusterClass extends Construct {
  /** ClusterClass name. */
  public readonly className: string;
  /** Namespace of the class. */
  public readonly namespace: string;
  /** What the workers of the class's clusters are (its infrastructure templates' kind). */
  public readonly infrastructure: ClusterInfrastructure;
  private _defaultVersion: string;
  /** Image the workers boot by default. */
  public defaultImage: IMachineImage;
  /** The ClusterClass (escape hatch). */
  public readonly clusterClass: ApiObject;
  /** The Kamaji control-plane template (escape hatch). */
  public readonly controlPlaneTemplate: ApiObject;
  /** Names of the worker classes. */
  public readonly workerClassNames: string[];
  /** The class's rollout waves (set by `RolloutPlan`). @internal */
  public _rolloutPlan?: RolloutPlan;
  private readonly workerSizes = new Map<string, WorkerVmSize>();

  private readonly variableDefinitions: VariableDefinition[];
  private readonly controlPlane: ResolvedControlPlane;
  private readonly controlPlaneOptions: ControlPlaneOptions;

  constructor(scope: Construct, id: string, props: TenantClusterClassProps) {
    super(scope, id);
    this.className = validateDnsLabel(this, 'name', props.name ?? id, 50);
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace ?? 'kmetal-classes');
    KubernetesVersion._validate(this, 'defaultVersion', props.defaultVersion);
    this._defaultVersion = props.defaultVersion;
    if (!props.defaultImage) {
      throw new KmetalValidationError(this, 'defaultImage', 'a class needs the image its workers boot', 'set defaultImage, e.g. MachineImage.containerDisk("quay.io/capk/ubuntu-2404-container-disk:v1.33.0")');
    }
    // Also checks that defaultImage is an image (src/os/machine-image.ts registers that check).
    checkKnownProps(this, '', props, TENANT_CLUSTER_CLASS_PROPS_KEYS, 'TenantClusterClassProps');
    this.defaultImage = props.defaultImage;
    this.infrastructure = checkEnum(this, 'infrastructure', props.infrastructure ?? ClusterInfrastructure.KUBEVIRT, ClusterInfrastructure, 'ClusterInfrastructure');
    const metal = this.infrastructure === ClusterInfrastructure.METAL3;
    // resolveControlPlane checks the options' keys and types (with this construct and field).
    this.controlPlane = resolveControlPlane(this, props.controlPlane);
    this.controlPlaneOptions = { ...(props.controlPlane ?? {}) };
    if (props.workerClasses !== undefined && !Array.isArray(props.workerClasses)) {
      throw new KmetalValidationError(this, 'workerClasses', `${showValue(props.workerClasses)} is not a list of worker classes`, 'give a list, e.g. [{ name: "worker" }]');
    }
    const workers = props.workerClasses ?? [{ name: 'worker' }];
    if (workers.length === 0) {
      throw new KmetalValidationError(this, 'workerClasses', 'no worker classes', 'declare at least one, or leave workerClasses out for the default');
    }
    const seen = new Set<string>();
    for (const [i, w] of workers.entries()) {
      checkKnownProps(this, `workerClasses[${i}]`, w, WORKER_CLASS_OPTIONS_KEYS, 'WorkerClassOptions');
      validateDnsLabel(this, `workerClasses[${i}].name`, w.name, 40);
      if (seen.has(w.name)) throw new KmetalValidationError(this, `workerClasses[${i}].name`, `duplicate worker class ${showValue(w.name)}`, 'give each worker class its own name');
      seen.add(w.name);
      for (const [field, v] of [['cpuCores', w.cpuCores], ['memoryGiB', w.memoryGiB]] as const) {
        if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
          throw new KmetalValidationError(this, `workerClasses[${i}].${field}`, `${showValue(v)} is not a VM size`, 'give a whole number of at least 1');
        }
      }
    }
    this.workerClassNames = workers.map((w) => w.name);
    for (const w of workers) this.workerSizes.set(w.name, { cpuCores: w.cpuCores ?? 2, memoryGiB: w.memoryGiB ?? 4 });
    if (props.createNamespace ?? true) {
      // Classes of one namespace (usually the default one) share its Namespace object: the first
      // class emits it, the others depend on that class (so a class in another unit waits for it).
      const first = FleetRegistry.of(this).claimName('ClassNamespace', this.namespace, this);
      if (first) this.node.addDependency(first);
      else new kplus.Namespace(this, 'Namespace', { metadata: { name: this.namespace } });
    }
    const ns = this.namespace;
    const base = this.className;
    this.node.addValidation({ validate: () => this.releaseProblems() });

    const variableDefinitions: VariableDefinition[] = [
      { name: 'dataStoreName', required: true, schema: { type: 'string', minLength: 1 } },
      { name: 'controlPlaneEndpointAddress', required: false, schema: { type: 'string' } },
      { name: 'controlPlaneAddressPool', required: false, schema: { type: 'string' } },
      { name: 'workerCpuCores', required: false, schema: { type: 'integer', minimum: 1 }, fromPool: (p) => p.cpuCores },
      { name: 'workerMemoryGiB', required: false, schema: { type: 'integer', minimum: 1 }, fromPool: (p) => p.memoryGiB },
      { name: 'workerImage', required: false, schema: { type: 'string', minLength: 1 }, fromPool: (p, s, _c, version) => (p.image ? containerDiskRef(s, p.image, version) : undefined) },
      { name: 'workerGpuDeviceName', required: false, schema: { type: 'string' }, fromPool: (p) => p.gpus?.[0]?.deviceName },
      { name: 'workerGpuCount', required: false, schema: { type: 'integer', minimum: 0, default: 0 }, fromPool: (p) => (p.gpus?.length ? p.gpus.reduce((n, g) => n + (g.count ?? 1), 0) : undefined) },
      { name: 'workerSubnet', required: false, schema: { type: 'string' } },
      // A pool's placement (placement.ts): the same spread rules a NodePool writes, patched per pool.
      { name: 'workerSpread', required: false, schema: { type: 'string', enum: Object.values(SpreadMode), default: SpreadMode.PREFERRED }, fromPool: (p) => p.placement?.spread },
      { name: 'workerZoneLabel', required: false, schema: { type: 'string' }, fromPool: (p) => p.placement?.zoneLabel },
      { name: 'workerLiveMigration', required: false, schema: { type: 'boolean', default: false }, fromPool: (p) => p.placement?.liveMigration },
      // Set by a placement at an edge site (IslandSite): the control plane runs on the island's
      // Kamaji, the worker VMs on the island's KubeVirt.
      {
        name: 'siteControlPlane',
        required: false,
        schema: {
          type: 'object',
          properties: { deploymentNamespace: NAME, kubeconfigSecretName: NAME, kubeconfigSecretKey: NAME, kubeconfigSecretNamespace: NAME },
          required: ['deploymentNamespace', 'kubeconfigSecretName', 'kubeconfigSecretKey', 'kubeconfigSecretNamespace'],
        },
      },
      { name: 'siteInfraClusterSecret', required: false, schema: { type: 'object', properties: { name: NAME, namespace: NAME }, required: ['name', 'namespace'] } },
      // A Metal3 class: which servers a pool takes, its data template, the image on their disks.
      { name: 'workerHostSelector', required: false, schema: { type: 'object', additionalProperties: { type: 'string' } }, fromPool: (_p, _s, c) => c._metal?.hostSelector },
      { name: 'workerDataTemplate', required: false, schema: { type: 'string', minLength: 1 }, fromPool: (_p, _s, c) => c._metal?.dataTemplateName },
      { name: 'workerMetalImage', required: false, schema: METAL_IMAGE_SCHEMA, fromPool: (p, s) => (p.bareMetal?.image ?? p.image ? metal3ImageValue(s, p.bareMetal?.image ?? p.image) : undefined) },
    ];
    this.variableDefinitions = variableDefinitions.filter((v) => (metal ? !KUBEVIRT_VARIABLES.includes(v.name) : !METAL3_VARIABLES.includes(v.name)));

    this.controlPlaneTemplate = new ApiObject(this, 'ControlPlaneTemplate', {
      ...KamajiControlPlaneTemplate.GVK,
      metadata: { name: `${base}-control-plane`, namespace: ns },
      spec: { template: { spec: kamajiControlPlaneSpec(this.controlPlane, undefined) } },
    });
    if (metal) {
      metal3ClassTemplates(this, base, ns, this.workerClassNames, this.defaultImage);
    } else {
      new KubevirtClusterTemplate(this, 'InfrastructureTemplate', {
        metadata: { name: base, namespace: ns },
        spec: { template: { metadata: { annotations: { 'cluster.x-k8s.io/managed-by': 'kamaji' } }, spec: {} } },
      });
    }
    for (const w of workers) {
      if (!metal) {
        new ApiObject(this, `MachineTemplate-${w.name}`, {
          ...KubevirtMachineTemplate.GVK,
          metadata: { name: `${base}-${w.name}`, namespace: ns },
          spec: {
            template: {
              spec: {
                virtualMachineTemplate: {
                  spec: {
                    runStrategy: 'Always',
                    template: {
                      // The pool label is patched in per MachineDeployment (worker-pool-label); the
                      // spread rules select the pool's VMs by it.
                      metadata: { labels: { 'kmetal.io/worker-class': w.name } },
                      spec: {
                        domain: {
                          cpu: { cores: w.cpuCores ?? 2 },
                          memory: { guest: `${w.memoryGiB ?? 4}Gi` },
                          devices: { networkInterfaceMultiqueue: true, disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }] },
                        },
                        evictionStrategy: 'External',
                        volumes: [{ name: 'rootdisk', containerDisk: { image: containerDiskRef(this, this.defaultImage, props.defaultVersion, 'defaultImage', `class "${this.className}"`) } }],
                      },
                    },
                  },
                },
              },
            },
          },
        });
      }
      new KubeadmConfigTemplate(this, `BootstrapTemplate-${w.name}`, {
        metadata: { name: `${base}-${w.name}`, namespace: ns },
        // Nodes carry their worker class, so tenants can target them (see NodePool for why kubelet labels).
        spec: { template: { spec: { joinConfiguration: { nodeRegistration: { kubeletExtraArgs: [{ name: 'node-labels', value: `kmetal.io/worker-class=${w.name}` }] } } } } },
      });
    }

    const infraApiVersion = metal ? METAL3_API_VERSION : 'infrastructure.cluster.x-k8s.io/v1alpha1';
    const machineSelector = { apiVersion: 'infrastructure.cluster.x-k8s.io/v1alpha1', kind: 'KubevirtMachineTemplate', matchResources: { machineDeploymentClass: { names: this.workerClassNames } } };
    const cpSelector = { apiVersion: 'controlplane.cluster.x-k8s.io/v1alpha2', kind: 'KamajiControlPlaneTemplate', matchResources: { controlPlane: true } };
    const infraSelector = { apiVersion: 'infrastructure.cluster.x-k8s.io/v1alpha1', kind: 'KubevirtClusterTemplate', matchResources: { infrastructureCluster: true } };
    this.clusterClass = new ClusterClass(this, 'ClusterClass', {
      metadata: { name: base, namespace: ns },
      spec: {
        controlPlane: { templateRef: { apiVersion: 'controlplane.cluster.x-k8s.io/v1alpha2', kind: 'KamajiControlPlaneTemplate', name: `${base}-control-plane` } },
        infrastructure: { templateRef: { apiVersion: infraApiVersion, kind: metal ? 'Metal3ClusterTemplate' : 'KubevirtClusterTemplate', name: base } },
        workers: {
          machineDeployments: workers.map((w) => ({
            class: w.name,
            bootstrap: { templateRef: { apiVersion: 'bootstrap.cluster.x-k8s.io/v1beta2', kind: 'KubeadmConfigTemplate', name: `${base}-${w.name}` } },
            infrastructure: { templateRef: { apiVersion: infraApiVersion, kind: metal ? 'Metal3MachineTemplate' : 'KubevirtMachineTemplate', name: `${base}-${w.name}` } },
            healthCheck: {
              checks: {
                nodeStartupTimeoutSeconds: 1200,
                unhealthyNodeConditions: [
                  { type: 'Ready', status: 'Unknown', timeoutSeconds: 300 },
                  { type: 'Ready', status: 'False', timeoutSeconds: 300 },
                ],
              },
            },
          })),
        },
        variables: this.variableDefinitions.map((v) => ({
          name: v.name,
          required: v.required,
          schema: {
            openApiv3Schema: { ...v.schema },
          },
        })),
        patches: [
          {
            name: 'datastore',
            definitions: [{ selector: cpSelector, jsonPatches: [{ op: 'add', path: '/spec/template/spec/dataStoreName', valueFrom: { variable: 'dataStoreName' } }] }],
          },
          {
            name: 'control-plane-vip',
            enabledIf: '{{ if .controlPlaneEndpointAddress }}true{{ end }}',
            definitions: [{
              selector: cpSelector,
              jsonPatches: [
                { op: 'add', path: '/spec/template/spec/network/serviceAddress', valueFrom: { variable: 'controlPlaneEndpointAddress' } },
                { op: 'add', path: '/spec/template/spec/network/serviceAnnotations', valueFrom: { template: 'metallb.io/loadBalancerIPs: {{ .controlPlaneEndpointAddress }}\n{{ if .controlPlaneAddressPool }}metallb.io/address-pool: {{ .controlPlaneAddressPool }}\n{{ end }}' } },
              ],
            }],
          },
          {
            name: 'control-plane-pool',
            enabledIf: '{{ if and .controlPlaneAddressPool (not .controlPlaneEndpointAddress) }}true{{ end }}',
            definitions: [{ selector: cpSelector, jsonPatches: [{ op: 'add', path: '/spec/template/spec/network/serviceAnnotations', valueFrom: { template: 'metallb.io/address-pool: {{ .controlPlaneAddressPool }}' } }] }],
          },
          // The KubeVirt class: edge-site placement and the worker VMs; a Metal3 class: servers and endpoint.
          ...(metal ? metal3ClassPatches(this.workerClassNames) : [
            {
              name: 'site-control-plane',
              enabledIf: '{{ if .siteControlPlane }}true{{ end }}',
              definitions: [{
                selector: cpSelector,
                jsonPatches: [{
                  op: 'add',
                  // Into the template's deployment (which carries the API servers' spread).
                  path: '/spec/template/spec/deployment/externalClusterReference',
                  valueFrom: {
                    template: 'deploymentNamespace: {{ .siteControlPlane.deploymentNamespace | quote }}\n'
                      + 'kubeconfigSecretName: {{ .siteControlPlane.kubeconfigSecretName | quote }}\n'
                      + 'kubeconfigSecretKey: {{ .siteControlPlane.kubeconfigSecretKey | quote }}\n'
                      + 'kubeconfigSecretNamespace: {{ .siteControlPlane.kubeconfigSecretNamespace | quote }}',
                  },
                }],
              }],
            },
            {
              name: 'site-infra-cluster',
              enabledIf: '{{ if .siteInfraClusterSecret }}true{{ end }}',
              definitions: [{
                selector: infraSelector,
                jsonPatches: [{
                  op: 'add',
                  path: '/spec/template/spec/infraClusterSecretRef',
                  valueFrom: { template: 'apiVersion: v1\nkind: Secret\nname: {{ .siteInfraClusterSecret.name | quote }}\nnamespace: {{ .siteInfraClusterSecret.namespace | quote }}' },
                }],
              }],
            },
            // A pool's size overrides its worker class's only when set: the templates already carry each
            // class's size, and one cluster-wide default would give every class the first class's VMs.
            {
              name: 'worker-cpu',
              enabledIf: '{{ if .workerCpuCores }}true{{ end }}',
              definitions: [{ selector: machineSelector, jsonPatches: [{ op: 'replace', path: `${VM_SPEC}/domain/cpu/cores`, valueFrom: { variable: 'workerCpuCores' } }] }],
            },
            {
              name: 'worker-memory',
              enabledIf: '{{ if .workerMemoryGiB }}true{{ end }}',
              definitions: [{ selector: machineSelector, jsonPatches: [{ op: 'replace', path: `${VM_SPEC}/domain/memory/guest`, valueFrom: { template: '{{ .workerMemoryGiB }}Gi' } }] }],
            },
            {
              name: 'worker-image',
              enabledIf: '{{ if .workerImage }}true{{ end }}',
              definitions: [{ selector: machineSelector, jsonPatches: [{ op: 'replace', path: `${VM_SPEC}/volumes/0/containerDisk/image`, valueFrom: { variable: 'workerImage' } }] }],
            },
            {
              name: 'worker-gpus',
              // Cluster API hands variables to templates as JSON numbers (float64): `int` makes the count an int
              // for `gt` and `until` (src/reconcile/capi-template-data.ts; proved against Go's text/template in tests).
              enabledIf: '{{ if and .workerGpuDeviceName (gt (int .workerGpuCount) 0) }}true{{ end }}',
              definitions: [{
                selector: machineSelector,
                jsonPatches: [{ op: 'add', path: `${VM_SPEC}/domain/devices/gpus`, valueFrom: { template: '{{- range $i := until (int .workerGpuCount) }}\n- name: gpu{{ $i }}\n  deviceName: {{ $.workerGpuDeviceName }}\n{{- end }}' } }],
              }],
            },
            {
              name: 'worker-subnet',
              enabledIf: '{{ if .workerSubnet }}true{{ end }}',
              definitions: [{
                selector: machineSelector,
                jsonPatches: [{ op: 'add', path: `${VM_METADATA}/annotations`, valueFrom: { template: 'ovn.kubernetes.io/logical_switch: {{ .workerSubnet }}' } }],
              }],
            },
            // CAPK copies these labels to the VMI, KubeVirt to the virt-launcher pod (placement.ts);
            // builtin.machineDeployment.topologyName is the pool's name (Cluster API v1.14.0,
            // api/runtime/hooks/v1alpha1/topologymutation_variable_types.go).
            {
              name: 'worker-pool-label',
              definitions: [{
                selector: machineSelector,
                jsonPatches: [{ op: 'add', path: `${VM_METADATA}/labels/${POOL_VM_LABEL.replace('/', '~1')}`, valueFrom: { template: '{{ .builtin.machineDeployment.topologyName }}' } }],
              }],
            },
            {
              name: 'worker-spread',
              enabledIf: `{{ if ne .workerSpread "${SpreadMode.NONE}" }}true{{ end }}`,
              definitions: [{
                selector: machineSelector,
                jsonPatches: [{ op: 'add', path: `${VM_SPEC}/affinity`, valueFrom: { template: WORKER_AFFINITY_TEMPLATE } }],
              }],
            },
            {
              name: 'worker-zone-spread',
              enabledIf: `{{ if and .workerZoneLabel (ne .workerSpread "${SpreadMode.NONE}") }}true{{ end }}`,
              definitions: [{
                selector: machineSelector,
                jsonPatches: [{ op: 'add', path: `${VM_SPEC}/topologySpreadConstraints`, valueFrom: { template: WORKER_ZONE_SPREAD_TEMPLATE } }],
              }],
            },
            {
              name: 'worker-live-migration',
              enabledIf: '{{ if .workerLiveMigration }}true{{ end }}',
              definitions: [{ selector: machineSelector, jsonPatches: [{ op: 'replace', path: `${VM_SPEC}/evictionStrategy`, value: 'LiveMigrate' }] }],
            },
          ]),
        ] as any,
      },
    });
  }

  /**
   * The class's default image and version are changed apart (setters): at synth they must still
   * fit together, whether or not a cluster follows them.
   */
  private releaseProblems(): string[] {
    const p = _imageReleaseProblem(this.defaultImage.imageRef, this.defaultImage.kubernetesVersion, this._defaultVersion, `class "${this.className}"`);
    return p ? [`[${this.node.path}] defaultImage: ${p.problem}. Fix: ${p.fix}`] : [];
  }

  /**
   * Release clusters of this class run unless they pin their own (`v1.33.2`). Setting it rolls
   * every such cluster: their `topology.version` follows at synth.
   */
  public get defaultVersion(): string {
    return this._defaultVersion;
  }

  public set defaultVersion(version: string) {
    KubernetesVersion._validate(this, 'defaultVersion', version);
    this._defaultVersion = version;
  }

  /**
   * The control-plane settings of a cluster of this class: the class's, with what the cluster may
   * set for itself on top (replicas and its address). Everything else is in the class's
   * control-plane template, which every cluster of the class shares, so a cluster asking for
   * another value is refused rather than ignored. @internal
   */
  public _controlPlaneFor(scope: IConstruct, own: ControlPlaneOptions | undefined): ControlPlaneOptions {
    const merged: { [key: string]: any } = { ...this.controlPlaneOptions };
    for (const [key, value] of Object.entries(own ?? {})) {
      if (value === undefined) continue;
      if (!PER_CLUSTER_CONTROL_PLANE.includes(key)) {
        throw new KmetalValidationError(scope, `controlPlane.${key}`, `a cluster built from class "${this.className}" takes ${key} from the class's control-plane template`, `set controlPlane.${key} on the class, or build this cluster without a class`);
      }
      merged[key] = value;
    }
    return merged;
  }

  /** Names of the variables the class declares. */
  public get variableNames(): string[] {
    return this.variableDefinitions.map((v) => v.name);
  }

  /** Refuses variables the class does not declare. @internal */
  public _checkVariables(scope: IConstruct, variables: { [name: string]: any }): void {
    for (const name of Object.keys(variables)) {
      if (!this.variableNames.includes(name)) {
        throw new KmetalValidationError(scope, `variables.${name}`, `class "${this.className}" declares no variable ${showValue(name)}`, `use one of: ${this.variableNames.join(', ')}`);
      }
      if (name === 'dataStoreName') {
        throw new KmetalValidationError(scope, 'variables.dataStoreName', 'the datastore variable is set by the cluster from its dataStore', 'pass dataStore on the TenantCluster instead');
      }
      if (SITE_VARIABLES.includes(name)) {
        throw new KmetalValidationError(scope, `variables.${name}`, 'the site variables are set by the cluster\'s placement at a site', 'pass site on the TenantCluster (or use IslandSite.addTenantCluster()) instead');
      }
    }
  }

  /**
   * The VM size of a worker class (its machine template's), which a pool of that class runs unless
   * it sets `cpuCores`/`memoryGiB` itself: the one answer for capacity, quotas and reports.
   *
   * @param workerClass the worker class's name
   */
  public workerClassSize(workerClass: string): WorkerVmSize {
    const size = this.workerSizes.get(workerClass);
    if (!size) throw new KmetalValidationError(this, 'workerClasses', `class "${this.className}" has no worker class ${showValue(workerClass)}`, `use one of: ${this.workerClassNames.join(', ')}`);
    return size;
  }

  /**
   * Refuses pool settings the class cannot express (after the checks every pool gets, see
   * node-pool-resolver.ts). Errors name the pool's construct and the option as written. @internal
   */
  public _checkPool(scope: IConstruct, pool: NodePoolOptions, version: string): void {
    const unsupported = (['rootDiskGiB', 'storageClassName', 'network', 'taints', 'nodeLabels', 'hostSelector'] as const).filter((k) => pool[k] !== undefined);
    if (unsupported.length) {
      throw new KmetalValidationError(scope, unsupported[0], `pools of a class-based cluster cannot set ${unsupported.join(', ')} (the class has no variable for it)`, 'drop the setting, use the workerSubnet variable for networks, or build this cluster without a class');
    }
    if (pool.gpus && new Set(pool.gpus.map((g) => g.deviceName)).size > 1) {
      throw new KmetalValidationError(scope, 'gpus', 'a class-based pool takes one GPU model', 'use one deviceName per pool');
    }
    if (pool.gpus?.some((g) => g.attachment === DeviceAttachment.HOST_DEVICE)) {
      throw new KmetalValidationError(scope, 'gpus', 'a class-based pool attaches devices as GPUs only (its patch writes domain.devices.gpus)', 'drop attachment, or build this cluster without a class');
    }
    if (this.infrastructure === ClusterInfrastructure.METAL3) {
      const image = pool.bareMetal?.image ?? pool.image;
      if (image) metal3ImageValue(scope, image);
    } else if (pool.image) {
      // The kind of disk only: the release is checked at synth against the cluster's (its wave may come later).
      containerDiskRef(scope, pool.image, pool.image.kubernetesVersion ?? version);
    }
    if (pool.workerClass !== undefined && !this.workerClassNames.includes(pool.workerClass)) {
      throw new KmetalValidationError(scope, 'workerClass', `class "${this.className}" has no worker class ${showValue(pool.workerClass)}`, `use one of: ${this.workerClassNames.join(', ')}`);
    }
    // The class's workerMemoryGiB variable is an integer (its patch writes "<n>Gi").
    if (pool.memoryGiB !== undefined && !Number.isInteger(pool.memoryGiB)) {
      throw new KmetalValidationError(scope, 'memoryGiB', `${showValue(pool.memoryGiB)} GiB is not a whole number, which the class's workerMemoryGiB variable needs`, 'give whole GiB, e.g. 8, or build this cluster without a class');
    }
  }

  /** The `spec.topology` of a cluster built from this class. @internal */
  public _topologyFor(scope: IConstruct, req: TopologyRequest): any {
    const clusterVariables: Array<{ name: string; value: any }> = [{ name: 'dataStoreName', value: req.dataStoreName }];
    if (req.controlPlane.endpointAddress) clusterVariables.push({ name: 'controlPlaneEndpointAddress', value: req.controlPlane.endpointAddress });
    if (req.controlPlane.addressPool) clusterVariables.push({ name: 'controlPlaneAddressPool', value: req.controlPlane.addressPool });
    // The image is passed explicitly: the cluster's own, else the class's current default, so that
    // editing the class's image rolls every cluster that does not pin its own (ClusterClass
    // template edits alone are not a rollout trigger).
    const image = req.image ?? this.defaultImage;
    const variables: { [name: string]: any } = this.infrastructure === ClusterInfrastructure.METAL3
      ? { workerMetalImage: metal3ImageValue(scope, image), ...req.variables }
      : { workerImage: containerDiskRef(scope, image, req.version), ...req.variables };
    if (req.site) {
      const kubeconfig = req.site.controlPlaneKubeconfig;
      variables.siteControlPlane = {
        deploymentNamespace: req.site.controlPlaneNamespace,
        kubeconfigSecretKey: kubeconfig.key,
        kubeconfigSecretName: kubeconfig.name,
        kubeconfigSecretNamespace: kubeconfig.namespace,
      };
      variables.siteInfraClusterSecret = { name: req.site.infraClusterSecretName, namespace: req.site.infraClusterSecretNamespace };
    }
    for (const name of Object.keys(variables).sort()) clusterVariables.push({ name, value: variables[name] });
    return {
      classRef: { name: this.className, namespace: this.namespace },
      version: req.version,
      controlPlane: { replicas: req.controlPlane.replicas },
      variables: clusterVariables,
      ...(req.pools.length ? {
        workers: {
          // A hold on the first entry holds every entry after it (isMachineDeploymentDeferred).
          machineDeployments: req.pools.map((p, i) => p._topologyEntry(this.variableDefinitions
            .filter((v) => v.fromPool)
            .map((v) => ({ name: v.name, value: v.fromPool!(p._options, p, p, req.version) }))
            .filter((o) => o.value !== undefined), i === 0 && req.holdWorkerUpgrades === true)),
        },
      } : {}),
    };
  }
}

/** The containerDisk image of a machine image; classes can only patch that kind of root disk. */
function containerDiskRef(scope: IConstruct, image: IMachineImage, version: string, field = 'image', what = 'the cluster'): string {
  _checkMachineImage(scope, field, image);
  // The one release check (machine-image.ts), here with the class's field and what runs the release.
  _checkImageRelease(scope, field, image.imageRef, image.kubernetesVersion, version, what);
  const binding = image.bindToVirtualMachine(scope, { volumeName: 'rootdisk', kubernetesVersion: version });
  if (binding.dataVolumeTemplate || !binding.volume?.containerDisk) {
    throw new KmetalValidationError(scope, 'image', `${showValue(image.imageRef)} is not a containerDisk image; ClusterClass-based workers boot containerDisks`, 'use MachineImage.containerDisk(...) or build the cluster without a class');
  }
  return binding.imageRef;
}
