import * as crypto from 'crypto';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { BareMetalHost } from './bare-metal-host';
import type { BareMetalPool } from './bare-metal-pool';
import { _sumCapacity, PoolCapacity } from './capacity';
import { Metal3DataTemplate, Metal3MachineTemplate } from '../imports/infrastructure.cluster.x-k8s.io';
import { IMetalImage, MetalImageBinding } from '../os/metal-image';
import { KmetalValidationError, showValue } from '../util/errors';
import { validateDnsLabel } from '../util/names';
import { inventoryRegistry } from './private/registry';
import { POOL_LABEL, validateLabels } from './private/validation';
import { checkProps } from '../util/props';

/** A Cluster API template reference (`infrastructureRef` of a MachineDeployment, v1beta2 shape). */
export interface MachineTemplateReference {
  /** API group. */
  readonly apiGroup: string;
  /** Kind. */
  readonly kind: string;
  /** Name (in the template's namespace). */
  readonly name: string;
}

/** What a bare-metal machine template looks like; used by `BareMetalPool.machineTemplate()`. */
export interface BareMetalMachineTemplateOptions {
  /** The Cluster API cluster whose machines use the template (Metal3DataTemplate `clusterName`). */
  readonly clusterName: string;
  /** The image written to the servers' disks, e.g. a `NodeImage`. */
  readonly image: IMetalImage;
  /**
   * Base name of the templates: a DNS label of at most 54 characters; the machine template's name
   * adds a digest of its spec.
   * @default `<clusterName>-<poolName>`
   */
  readonly name?: string;
  /**
   * Namespace of the templates. Cluster API provider Metal3 only claims BareMetalHosts in the
   * namespace of the Metal3Machine, so it must be the pool's namespace (and the cluster's).
   * @default - the pool's namespace (any other value is an error)
   */
  readonly namespace?: string;
  /**
   * Extra labels a host must carry to be claimed (a subset of the pool, e.g. the GPU servers).
   * @default - none: any host of the pool
   */
  readonly hostLabels?: { [key: string]: string };
  /** Wipe disk metadata when a host is provisioned and released (Metal3 `automatedCleaningMode`). @default true */
  readonly automatedCleaning?: boolean;
  /** Give a host back to the same machine deployment after a rolling upgrade (Metal3 `nodeReuse`). @default false */
  readonly nodeReuse?: boolean;
}

/** Props of `BareMetalMachineTemplate`. Usually created through `BareMetalPool.machineTemplate()`. */
export interface BareMetalMachineTemplateProps extends BareMetalMachineTemplateOptions {
  /** The pool whose hosts the machines are drawn from. */
  readonly pool: BareMetalPool;
}

const BASE_NAME_MAX = 54;

/** A short, stable digest of a template spec: a changed spec gets a new template name, which is how Cluster API rolls machines. */
function specDigest(spec: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 8);
}

/**
 * Cluster API infrastructure drawn from a `BareMetalPool`: a `Metal3MachineTemplate` whose host
 * selector matches exactly the pool's hosts (its `kmetal.io/pool` label, plus `hostLabels`), and
 * the `Metal3DataTemplate` it renders node metadata from.
 *
 * The machine template's name carries a digest of its spec (image included): Cluster API never
 * re-reads a template in place, so a new image must come as a new template for machines to roll.
 * A selector that matches no host of the pool is reported at synth (hosts may be added after the
 * template is declared).
 */
export class BareMetalMachineTemplate extends Construct {
  /** The pool the hosts come from. */
  public readonly pool: BareMetalPool;
  /** Cluster name. */
  public readonly clusterName: string;
  /** Namespace of the templates (the pool's). */
  public readonly namespace: string;
  /** Name of the Metal3MachineTemplate (base name + spec digest). */
  public readonly templateName: string;
  /** Name of the Metal3DataTemplate. */
  public readonly dataTemplateName: string;
  /** The labels a host must carry to be claimed (`matchLabels` of the host selector). */
  public readonly hostSelector: { [key: string]: string };
  /** The image the servers are provisioned with. */
  public readonly image: MetalImageBinding;
  /** Reference for a MachineDeployment's `infrastructureRef`. */
  public readonly infrastructureRef: MachineTemplateReference;
  /** The Metal3MachineTemplate (escape hatch). */
  public readonly machineTemplate: ApiObject;
  /** The Metal3DataTemplate (escape hatch). */
  public readonly dataTemplate: ApiObject;

  constructor(scope: Construct, id: string, props: BareMetalMachineTemplateProps) {
    super(scope, id);
    checkProps(this, '', props, 'BareMetalMachineTemplateProps');
    const pool = props.pool;
    this.pool = pool;
    this.clusterName = validateDnsLabel(this, 'clusterName', props.clusterName);
    this.namespace = pool.namespace;
    if (props.namespace !== undefined && props.namespace !== pool.namespace) {
      throw new KmetalValidationError(this, 'namespace', `${showValue(props.namespace)} is not the pool's namespace ${showValue(pool.namespace)}; Cluster API provider Metal3 only claims hosts in the Metal3Machine's own namespace`, `drop namespace (the templates go to ${pool.namespace}), and put the cluster there too`);
    }
    const baseName = validateDnsLabel(this, 'name', props.name ?? `${this.clusterName}-${pool.poolName}`, BASE_NAME_MAX);
    if (!props.image || typeof props.image.bindToBareMetal !== 'function') {
      throw new KmetalValidationError(this, 'image', `${showValue(props.image)} is not a bare-metal image`, 'give a NodeImage with metal settings, or MetalImage.fromUrl({ url, checksum })');
    }
    this.image = props.image.bindToBareMetal(this);
    this.hostSelector = { ...validateLabels(this, 'hostLabels', props.hostLabels), [POOL_LABEL]: pool.poolName };
    inventoryRegistry(this).claim(this, 'name', 'metal3-template', `${this.namespace}/${baseName}`, baseName,
      (_, path) => `machine templates named ${baseName} already exist in ${this.namespace} (${path})`,
      'give each template of a pool and cluster its own name');
    this.dataTemplateName = baseName;

    const templateSpec = {
      automatedCleaningMode: (props.automatedCleaning ?? true) ? 'metadata' : 'disabled',
      image: {
        url: this.image.url,
        checksum: this.image.checksum,
        ...(this.image.checksumType ? { checksumType: this.image.checksumType } : {}),
        ...(this.image.format ? { diskFormat: this.image.format } : {}),
      },
      dataTemplate: { name: this.dataTemplateName },
      hostSelector: { matchLabels: sortKeys(this.hostSelector) },
    };
    const spec = { nodeReuse: props.nodeReuse ?? false, template: { spec: templateSpec } };
    this.templateName = `${baseName}-${specDigest({ spec, ns: this.namespace })}`;
    this.infrastructureRef = { apiGroup: 'infrastructure.cluster.x-k8s.io', kind: 'Metal3MachineTemplate', name: this.templateName };

    this.machineTemplate = new ApiObject(this, 'MachineTemplate', {
      ...Metal3MachineTemplate.GVK,
      metadata: { name: this.templateName, namespace: this.namespace, labels: { [POOL_LABEL]: pool.poolName } },
      spec,
    });
    this.dataTemplate = new ApiObject(this, 'DataTemplate', {
      ...Metal3DataTemplate.GVK,
      metadata: { name: this.dataTemplateName, namespace: this.namespace, labels: { [POOL_LABEL]: pool.poolName } },
      spec: {
        clusterName: this.clusterName,
        // The machine's name as host name, under the keys cloud-init and Ignition-style agents read.
        metaData: {
          objectNames: [
            { key: 'name', object: 'machine' },
            { key: 'local-hostname', object: 'machine' },
            { key: 'local_hostname', object: 'machine' },
          ],
        },
      },
    });

    this.node.addValidation({
      validate: () => {
        if (this.matchingHosts.length > 0) return [];
        const extra = Object.keys(this.hostSelector).length > 1;
        // cdk8s prefixes the construct path; the rest reads like a KmetalValidationError.
        const problem = `the host selector ${JSON.stringify(sortKeys(this.hostSelector))} matches none of the ${pool.hosts.length} host(s) of pool "${pool.poolName}", so machines would wait forever for a server`;
        const fix = extra ? 'label some of the pool\'s hosts with these labels, or drop hostLabels' : 'add hosts to the pool (addHost or an inventory)';
        return [`${extra ? 'hostLabels' : 'pool'}: ${problem}. Fix: ${fix}`];
      },
    });
  }

  /** The pool's hosts this template can claim (evaluated when read: hosts may be added later). */
  public get matchingHosts(): BareMetalHost[] {
    const selector = Object.entries(this.hostSelector);
    return this.pool.hosts.filter((h) => selector.every(([k, v]) => h.labels[k] === v));
  }

  /** Capacity of the hosts this template can claim (e.g. to check a MachineDeployment's replicas). */
  public get capacity(): PoolCapacity {
    return _sumCapacity(this.matchingHosts.map((h) => h.capacity));
  }
}

function sortKeys(map: { [key: string]: string }): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const k of Object.keys(map).sort()) out[k] = map[k];
  return out;
}
