import { Construct } from 'constructs';
import { BareMetalHost, BareMetalHostSpec } from './bare-metal-host';
import { BmcCredentials } from './bmc-credentials';
import { _sumCapacity, PoolCapacity } from './capacity';
import { BareMetalMachineTemplate, BareMetalMachineTemplateOptions } from './machine-template';
import { KmetalValidationError, showValue } from '../util/errors';
import { isDnsLabel, validateDnsLabel } from '../util/names';
import { checkKnownProps } from '../util/props';
import { parseInventory } from './private/inventory';
import { inventoryRegistry } from './private/registry';
import { POOL_LABEL, validateLabels } from './private/validation';

/** Every property of `BareMetalPoolProps` (test/util/props-keys.test.ts compares it with the jsii assembly). */
export const BARE_METAL_POOL_PROPS_KEYS: readonly string[] = ['name', 'namespace', 'hosts', 'defaultCredentials', 'labels'];

/** Props of `BareMetalPool`. */
export interface BareMetalPoolProps {
  /**
   * Pool name: a DNS label. Every host is labelled `kmetal.io/pool=<name>`, which is how machine
   * templates select exactly this pool's hosts, so it is unique per namespace.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the BareMetalHosts. Cluster API provider Metal3 claims hosts only in the
   * namespace of the machines, so clusters drawing from the pool live here too.
   */
  readonly namespace: string;
  /** Servers of the pool (more with `addHost()` or `addInventory()`). @default - none */
  readonly hosts?: BareMetalHostSpec[];
  /** Credentials of hosts that reference none themselves. @default - every host must reference its own */
  readonly defaultCredentials?: BmcCredentials;
  /** Labels on every host of the pool (a host's own labels win). @default - none */
  readonly labels?: { [key: string]: string };
}

/**
 * A set of physical servers managed by Metal3: one `BareMetalHost` per server, its BMC credentials
 * by reference only, and `Metal3MachineTemplate`s that let Cluster API draw machines from exactly
 * these servers.
 *
 * Declared by intent, like an inventory: hosts come from `hosts`, `addHost()` or an inventory file
 * (`addInventory()`, `BareMetalPool.fromInventoryJson()`). A boot MAC, BMC endpoint or host name
 * used twice anywhere in the app is refused, as is a password given as plain text.
 */
export class BareMetalPool extends Construct {
  /**
   * A pool whose hosts are read from an inventory: JSON text, a parsed list of host entries, or
   * `{ "hosts": [...] }`. Entries have the shape of `BareMetalHostSpec`, with BMC credentials named
   * by `bmc.credentialsName` (or the pool's `defaultCredentials`); any field that looks like a
   * password is refused without being printed.
   */
  public static fromInventoryJson(scope: Construct, id: string, props: BareMetalPoolProps, inventory: any): BareMetalPool {
    const pool = new BareMetalPool(scope, id, props);
    pool.addInventory(inventory);
    return pool;
  }

  /** Pool name (the value of every host's `kmetal.io/pool` label). */
  public readonly poolName: string;
  /** Namespace of the hosts. */
  public readonly namespace: string;
  /** Labels on every host (without the pool label). */
  public readonly labels: { [key: string]: string };
  /** Credentials of hosts that reference none themselves. */
  public readonly defaultCredentials?: BmcCredentials;

  constructor(scope: Construct, id: string, props: BareMetalPoolProps) {
    super(scope, id);
    checkKnownProps(this, '', props, BARE_METAL_POOL_PROPS_KEYS, 'BareMetalPoolProps');
    this.poolName = validateDnsLabel(this, 'name', props.name ?? id);
    this.namespace = validateDnsLabel(this, 'namespace', props.namespace);
    this.labels = validateLabels(this, 'labels', props.labels);
    if (props.defaultCredentials !== undefined && !(props.defaultCredentials instanceof BmcCredentials)) {
      throw new KmetalValidationError(this, 'defaultCredentials', 'is not a BmcCredentials object (credentials are never given as text)', 'use BmcCredentials.fromSecret(name) or BmcCredentials.fromExternalSecret(...)');
    }
    this.defaultCredentials = props.defaultCredentials;
    inventoryRegistry(this).claim(this, 'name', 'pool', `${this.namespace}/${this.poolName}`, this.poolName,
      (_, path) => `a pool named "${this.poolName}" already exists in namespace ${this.namespace} (${path}); their hosts would share the ${POOL_LABEL} label`,
      'give every pool of a namespace its own name');
    for (const host of props.hosts ?? []) this.addHost(host);
  }

  /** Adds a server. */
  public addHost(spec: BareMetalHostSpec): BareMetalHost {
    const field = `hosts[${this.hosts.length}]`;
    if (typeof spec !== 'object' || spec === null) {
      throw new KmetalValidationError(this, field, `${showValue(spec)} is not a host spec`, 'give { name, bmc, capacity, ... }');
    }
    const name = spec.name;
    if (typeof name !== 'string' || !isDnsLabel(name)) {
      // Validate before the name becomes a construct id, so the error names the pool.
      validateDnsLabel(this, `${field}.name`, name);
    }
    // The name is the host's construct id: constructs keeps children in a plain object, where a
    // name such as "constructor" is an inherited property (it would look taken, and could not be added).
    if (name in Object.prototype) {
      throw new KmetalValidationError(this, `${field}.name`, `${showValue(name)} cannot be a host name here (it is a built-in property name of the object constructs keeps children in)`, 'name the host after its role or location, e.g. "r12-u07"');
    }
    if (this.node.tryFindChild(name) !== undefined) {
      throw new KmetalValidationError(this, `${field}.name`, `the pool already has a host named ${showValue(name)}`, 'give every server its own name');
    }
    try {
      return new BareMetalHost(this, name, { ...spec, pool: this });
    } catch (e) {
      // Leave no half-built host in the tree (a caller may catch the error and carry on).
      this.node.tryRemoveChild(name);
      throw e;
    }
  }

  /**
   * Adds the servers of an inventory (JSON text, a list of host entries, or `{ "hosts": [...] }`,
   * each shaped like `BareMetalHostSpec`).
   */
  public addInventory(inventory: any): BareMetalHost[] {
    return parseInventory(this, inventory).map((entry) => this.addHost(entry));
  }

  /** The servers, in the order they were added. */
  public get hosts(): BareMetalHost[] {
    return this.node.children.filter((c): c is BareMetalHost => c instanceof BareMetalHost);
  }

  /** The server of that name, if any. */
  public findHost(name: string): BareMetalHost | undefined {
    const child = this.node.tryFindChild(name);
    return child instanceof BareMetalHost ? child : undefined;
  }

  /** The labels that select exactly this pool's hosts. */
  public get hostSelector(): { [key: string]: string } {
    return { [POOL_LABEL]: this.poolName };
  }

  /** Total capacity of the pool. */
  public get capacity(): PoolCapacity {
    return _sumCapacity(this.hosts.map((h) => h.capacity));
  }

  /** The hosts carrying all of these labels. */
  public selectHosts(labels: { [key: string]: string } = {}): BareMetalHost[] {
    const wanted = Object.entries(labels);
    return this.hosts.filter((h) => wanted.every(([k, v]) => h.labels[k] === v));
  }

  /**
   * Declares Cluster API infrastructure drawn from this pool: a Metal3MachineTemplate selecting
   * the pool's hosts (optionally a labelled subset) and its Metal3DataTemplate, under `scope`
   * (typically the cluster's construct).
   */
  public machineTemplate(scope: Construct, id: string, options: BareMetalMachineTemplateOptions): BareMetalMachineTemplate {
    return new BareMetalMachineTemplate(scope, id, { ...options, pool: this });
  }
}
