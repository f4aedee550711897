import * as fs from 'fs';
import * as path from 'path';
import { ParsedRequestFile, parseRequestFile, problemAt, RequestProblem, RequestSchemaChecker } from './request-file';
import { emitTenantAddons } from './tenant-addons';
import { TenantRequestError } from './tenant-request-error';
import type { TenantAddonOffer, TenantRequestsOptions, TenantSizeClass, TenantNodeClass, TenantTeam } from './tenant-request-options';
import type { TenantClusterRequest } from './tenant-request.generated';
import { closestName } from '../conformance/closest-name';
import { TenantVpc } from '../network/tenant-vpc';
import type { PlatformUnderCluster } from '../platform/platform-under-cluster';
import type { IDataStore } from '../tenancy/datastore';
import type { NodePoolOptions } from '../tenancy/node-pool';
import type { TenantCluster } from '../tenancy/tenant-cluster';
import { TenantGovernance, TenantOwner, TenantOwnerKind } from '../tenancy/tenant-governance';
import { parseAddressRange, formatIp } from '../util/cidr';
import { isKmetalValidationError, showValue } from '../util/errors';
import { isDnsLabel } from '../util/names';
import { withRenderSession } from '../util/render-session';

/** Where the request format's JSON Schema lives in the package (`schemas/` at its root). */
const SCHEMA_FILE = path.join(__dirname, '..', '..', 'schemas', 'tenant-request.schema.json');
const EXTENSIONS = ['.yaml', '.yml', '.json'];

/** One loaded request and the cluster it became. */
export interface TenantRequestInfo {
  /** The file, relative to the loaded folder (`<team>/<name>.yaml`). */
  readonly file: string;
  /** The team (the folder name). */
  readonly team: string;
  /** The requested name (within the team). */
  readonly name: string;
  /** The cluster declared for it (`<team>-<name>`). */
  readonly cluster: TenantCluster;
}

interface Request {
  readonly parsed: ParsedRequestFile;
  readonly team: string;
  readonly body: TenantClusterRequest;
}

/**
 * Tenant self-service through git: a folder of request files, `tenants/<team>/<name>.yaml` (schema
 * `schemas/tenant-request.schema.json` in the package), each turned into the constructs a platform
 * program would declare for it: a `TenantCluster` from the platform's class (`<team>-<name>`, in
 * its own Flux unit), the team's Capsule governance (`TenantGovernance` named after the team, owners
 * from the requests, quota from `teams`), the team's `TenantVpc` when the platform gives VPCs, and
 * the opted-in add-ons and tenant GitOps source (a Sveltos `Profile` in the cluster's namespace).
 *
 * Every request is checked against the schema (unknown fields are errors), against what the
 * platform offers (sizes, node classes, the add-on catalogue, grants) and, by the constructs
 * themselves, against the platform's allowed versions, permitted devices and `PlatformBoundaries`.
 * All problems of all files are collected and thrown as one `TenantRequestError`, each located at
 * `file:line:column` and field of the request. A request can only name what its team was granted:
 * not another team's VPC, the management plane's networks, or a datastore it was not granted.
 */
export class TenantRequests {
  /**
   * Loads every request under `folder` (`<folder>/<team>/<name>.yaml|.yml|.json`, in sorted order)
   * into the platform. Throws a `TenantRequestError` listing every problem when any file is wrong;
   * platform-side mistakes in `options` throw as usual.
   *
   * @param platform the platform the clusters are added to
   * @param folder the requests folder (e.g. `tenants`)
   * @param options what the platform offers
   */
  public static load(platform: PlatformUnderCluster, folder: string, options: TenantRequestsOptions): TenantRequests {
    const files = listRequestFiles(folder);
    return TenantRequests.fromFiles(platform, folder, files.map((f) => ({ file: f, text: fs.readFileSync(path.join(folder, f), 'utf8') })), options);
  }

  /**
   * As `load()`, from file contents in memory (`file` relative to the folder, `<team>/<name>.yaml`).
   *
   * @param platform the platform the clusters are added to
   * @param folder the name shown in errors
   * @param files the request files
   * @param options what the platform offers
   */
  public static fromFiles(
    platform: PlatformUnderCluster, folder: string, files: TenantRequestFile[], options: TenantRequestsOptions,
  ): TenantRequests {
    const loader = new Loader(platform, options);
    const requests = loader.load([...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)));
    if (loader.problems.length) throw new TenantRequestError(folder, loader.problems);
    return new TenantRequests(requests);
  }

  /** The requests, in file order. */
  public readonly requests: TenantRequestInfo[];

  private constructor(requests: TenantRequestInfo[]) {
    this.requests = requests;
  }

  /** The clusters declared for the requests, in file order. */
  public get clusters(): TenantCluster[] {
    return this.requests.map((r) => r.cluster);
  }
}

/** A request file's content. */
export interface TenantRequestFile {
  /** Path relative to the requests folder: `<team>/<name>.yaml`. */
  readonly file: string;
  /** The file's text. */
  readonly text: string;
}

function listRequestFiles(folder: string): string[] {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw new Error(`TenantRequests.load: ${folder} is not a folder. Fix: point it at the folder holding <team>/<name>.yaml`);
  }
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(folder, rel), { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else if (EXTENSIONS.includes(path.extname(e.name))) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

let schemaChecker: RequestSchemaChecker | undefined;

class Loader {
  public readonly problems: RequestProblem[] = [];
  private readonly pending: Array<() => void> = [];
  private readonly sizes: Map<string, TenantSizeClass>;
  private readonly nodeClasses: Map<string, TenantNodeClass>;
  private readonly catalogue: Map<string, TenantAddonOffer>;
  private readonly teams?: Map<string, TenantTeam>;
  private readonly dataStores: Map<string, IDataStore>;

  constructor(private readonly platform: PlatformUnderCluster, private readonly options: TenantRequestsOptions) {
    schemaChecker ??= new RequestSchemaChecker(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')));
    this.sizes = new Map(options.sizes.map((s) => [s.name, s]));
    this.nodeClasses = new Map(options.nodeClasses.map((c) => [c.name, c]));
    this.catalogue = new Map((options.addonCatalog ?? []).map((a) => [a.name, a]));
    this.teams = options.teams ? new Map(options.teams.map((t) => [t.name, t])) : undefined;
    this.dataStores = new Map((options.sharedDataStores ?? []).map((d) => [d.dataStoreName, d]));
  }

  public load(files: TenantRequestFile[]): TenantRequestInfo[] {
    const valid: Request[] = [];
    const allTeams = new Set([...(this.teams?.keys() ?? []), ...files.map((f) => f.file.split('/')[0])]);
    for (const f of files) {
      const r = this.check(f, allTeams);
      if (r) valid.push(r);
    }
    const byTeam = new Map<string, Request[]>();
    for (const r of valid) byTeam.set(r.team, [...(byTeam.get(r.team) ?? []), r]);
    const out: TenantRequestInfo[] = [];
    for (const [team, requests] of [...byTeam].sort(([a], [b]) => (a < b ? -1 : 1))) out.push(...this.declareTeam(team, requests));
    // The boundaries, quotas and the other synth-time validations, run once every request is declared:
    // interleaved with declaring, each would re-render against a fleet that keeps changing (VIP
    // allocation, fleet analysis), which is quadratic in the number of requests.
    withRenderSession(() => this.pending.forEach((check) => check()));
    return out;
  }

  /** The format and the platform's offer; undefined when the request cannot be declared. */
  private check(f: TenantRequestFile, allTeams: Set<string>): Request | undefined {
    const parsed = parseRequestFile(f.file, f.text);
    const before = this.problems.length;
    const fail = (field: string, message: string, fix: string) => this.problems.push(problemAt(parsed, field, message, fix));
    this.problems.push(...parsed.problems);
    if (parsed.problems.length) return undefined;
    const parts = f.file.split('/');
    const team = parts[0];
    if (parts.length !== 2) {
      fail('', `the file is not in a team folder (${parts.length === 1 ? 'it sits at the top' : 'it is nested too deep'})`, 'put it at <team>/<name>.yaml');
      return undefined;
    }
    if (!isDnsLabel(team) || team.length > 20) {
      fail('', `the team folder ${showValue(team)} is not a DNS label of at most 20 characters`, 'rename the folder, e.g. "shop"');
      return undefined;
    }
    if (this.teams && !this.teams.has(team)) {
      fail('', `team ${showValue(team)} is not a team of this platform`, `ask the platform team to add it (teams: ${[...this.teams.keys()].join(', ')})`);
      return undefined;
    }
    this.problems.push(...schemaChecker!.check(parsed));
    if (this.problems.length > before) return undefined;
    const body = parsed.data as TenantClusterRequest;
    const base = path.basename(parts[1], path.extname(parts[1]));
    if (body.name !== base) fail('name', `${showValue(body.name)} differs from the file name ${showValue(parts[1])}`, `name the file ${body.name}.yaml, or write name: ${base}`);
    if (!this.sizes.has(body.size)) fail('size', `${showValue(body.size)} is not a size class the platform offers`, offer([...this.sizes.keys()], body.size));
    body.nodePools.forEach((p, i) => {
      const nc = this.nodeClasses.get(p.nodeClass);
      if (!nc) {
        fail(`nodePools[${i}].nodeClass`, `${showValue(p.nodeClass)} is not a node class the platform offers`, offer([...this.nodeClasses.keys()], p.nodeClass));
        return;
      }
      if (p.replicas !== undefined && (p.minReplicas !== undefined || p.maxReplicas !== undefined)) {
        fail(`nodePools[${i}].replicas`, 'replicas is set together with minReplicas/maxReplicas', 'set replicas for a fixed pool, or minReplicas and maxReplicas for an autoscaled one');
      }
      if (p.minReplicas !== undefined && p.maxReplicas !== undefined && p.minReplicas > p.maxReplicas) {
        fail(`nodePools[${i}].minReplicas`, `${p.minReplicas} is more than maxReplicas ${p.maxReplicas}`, 'make minReplicas at most maxReplicas');
      }
      if (p.gpusPerNode) {
        if (!nc.gpuDeviceName) {
          fail(`nodePools[${i}].gpusPerNode`, `node class ${showValue(nc.name)} has no GPUs`, offer(this.options.nodeClasses.filter((c) => c.gpuDeviceName).map((c) => c.name), '', 'use a GPU node class'));
        } else if (p.gpusPerNode > (nc.maxGpusPerNode ?? 1)) {
          fail(`nodePools[${i}].gpusPerNode`, `${p.gpusPerNode} GPUs per VM are more than node class ${showValue(nc.name)} holds (${nc.maxGpusPerNode ?? 1})`, `ask for at most ${nc.maxGpusPerNode ?? 1}, and more VMs`);
        }
      }
    });
    (body.addons ?? []).forEach((a, i) => {
      if (!this.catalogue.has(a)) fail(`addons[${i}]`, `${showValue(a)} is not in the platform's add-on catalogue`, offer([...this.catalogue.keys()], a));
    });
    const grant = this.teams?.get(team);
    if (body.dataStore !== undefined) {
      const granted = grant?.dataStores ?? [];
      if (!this.dataStores.has(body.dataStore)) {
        fail('dataStore', `${showValue(body.dataStore)} is not a shared datastore of this platform`, granted.length ? `use one granted to team ${team}: ${granted.join(', ')}` : 'leave dataStore out for a dedicated etcd');
      } else if (!granted.includes(body.dataStore)) {
        fail('dataStore', `datastore ${showValue(body.dataStore)} is not granted to team ${team}`, granted.length ? `use one granted to the team: ${granted.join(', ')}, or ask the platform team for a grant` : 'leave dataStore out for a dedicated etcd, or ask the platform team for a grant');
      }
    }
    if (body.network) {
      if (!this.options.vpc) {
        fail('network', 'this platform gives tenants no VPCs', 'remove network: the workers use the platform network');
      } else {
        const vpc = body.network.vpc;
        if (vpc !== undefined && vpc !== team) {
          const other = allTeams.has(vpc) ? `VPC ${showValue(vpc)} belongs to team ${vpc}` : `${showValue(vpc)} is not a tenant VPC (the platform's own networks cannot be named)`;
          fail('network.vpc', `${other}; a request may use only its own team's VPC`, `write vpc: ${team}, or leave it out; connections to other teams are PeeringRequests the platform team approves`);
        }
        const subnets = this.subnetNames();
        if (body.network.subnet !== undefined && !subnets.includes(body.network.subnet)) {
          fail('network.subnet', `${showValue(body.network.subnet)} is not a subnet of team ${team}'s VPC`, offer(subnets, body.network.subnet));
        }
      }
    }
    if (body.loadBalancerAddresses && !this.options.vpc) {
      fail('loadBalancerAddresses', 'this platform gives tenants no VPCs, so it hands out no load-balancer addresses', 'remove loadBalancerAddresses');
    }
    if (body.gitops?.namespace && /^(kube-|tenant-)|^(default|flux-system)$/.test(body.gitops.namespace)) {
      fail('gitops.namespace', `${showValue(body.gitops.namespace)} is a system namespace of the cluster`, 'name a namespace of your own, e.g. "apps"');
    }
    return this.problems.length > before ? undefined : { parsed, team, body };
  }

  private subnetNames(): string[] {
    return (this.options.vpc?.subnets ?? DEFAULT_SUBNETS).map((s) => s.name);
  }

  /** The team's VPC and governance, then one cluster per request. */
  private declareTeam(team: string, requests: Request[]): TenantRequestInfo[] {
    const grant = this.teams?.get(team);
    const unit = this.platform.tenantUnit(team);
    const first = requests[0];
    let vpc: TenantVpc | undefined;
    let governance: TenantGovernance | undefined;
    const owners: TenantOwner[] = [];
    const ownerSource: Array<[Request, number]> = [];
    for (const r of requests) {
      r.body.owners.forEach((o, i) => {
        if (owners.some((w) => w.kind === o.kind && w.name === o.name)) return;
        owners.push({ kind: o.kind as TenantOwnerKind, name: o.name });
        ownerSource.push([r, i]);
      });
    }
    const lb = this.allocateLoadBalancerAddresses(team, grant, requests);
    try {
      if (this.options.vpc) {
        vpc = new TenantVpc(unit, 'vpc', { planes: this.options.vpc.planes, name: team, external: true, subnets: this.options.vpc.subnets ?? DEFAULT_SUBNETS, loadBalancerAddresses: lb });
      }
      governance = new TenantGovernance(unit, 'governance', { ...this.options.governance, tenantName: team, owners, quota: grant?.quota ?? this.options.governance?.quota });
    } catch (e) {
      const m = /^owners\[(\d+)\](.*)$/.exec(isKmetalValidationError(e) ? (e as any).field : '');
      const [r, i] = m ? ownerSource[Number(m[1])] : [first, -1];
      this.mapError(r, e, i >= 0 ? `owners[${i}]${m![2]}` : undefined);
      return [];
    }
    const out: TenantRequestInfo[] = [];
    for (const r of requests) {
      const cluster = this.declareCluster(r, vpc);
      if (!cluster) continue;
      governance.addCluster(cluster);
      emitTenantAddons(cluster, { team, addons: (r.body.addons ?? []).map((a) => this.catalogue.get(a)!), gitops: r.body.gitops });
      this.pending.push(() => cluster.node.validate().forEach((v) => this.mapMessage(r, v)));
      out.push({ file: r.parsed.file, team, name: r.body.name, cluster });
    }
    // The team's quota spans its requests: a shortfall is reported on the team's first request.
    const files = requests.map((r) => r.parsed.file).join(', ');
    const teamGovernance = governance;
    this.pending.push(() => {
      for (const v of teamGovernance.node.validate()) {
        const m = /^([^:\s]+): ([\s\S]*)$/.exec(v);
        this.mapMessage(first, m ? `nodePools: ${m[1]} of team ${team} (all its requests: ${files}): ${m[2]}` : v, 'nodePools');
      }
    });
    return out;
  }

  private declareCluster(r: Request, vpc: TenantVpc | undefined): TenantCluster | undefined {
    const b = r.body;
    const size = this.sizes.get(b.size)!;
    const pools: NodePoolOptions[] = b.nodePools.map((p) => {
      const nc = this.nodeClasses.get(p.nodeClass)!;
      return {
        name: p.name,
        cpuCores: nc.cpuCores,
        memoryGiB: nc.memoryGiB,
        ...(nc.workerClass ? { workerClass: nc.workerClass } : {}),
        ...(p.minReplicas !== undefined || p.maxReplicas !== undefined
          ? { minReplicas: p.minReplicas, maxReplicas: p.maxReplicas }
          : { replicas: p.replicas ?? 2 }),
        ...(p.gpusPerNode ? { gpus: [{ deviceName: nc.gpuDeviceName!, count: p.gpusPerNode }] } : {}),
      };
    });
    const dataStore = b.dataStore !== undefined ? this.dataStores.get(b.dataStore) : undefined;
    try {
      return this.platform.addTenantCluster(`${r.team}-${b.name}`, {
        clusterClass: this.options.clusterClass,
        version: this.release(b.kubernetesVersion),
        labels: { 'kmetal.io/team': r.team, 'kmetal.io/request': b.name },
        nodePools: pools,
        controlPlane: size.controlPlaneReplicas !== undefined ? { replicas: size.controlPlaneReplicas } : undefined,
        ...(dataStore ? { dataStore } : { etcd: { replicas: size.etcdReplicas, storageGiB: size.etcdStorageGiB } }),
        ...(vpc ? { network: vpc.findSubnet(b.network?.subnet ?? this.subnetNames()[0]) } : {}),
        createGovernance: false,
      });
    } catch (e) {
      this.mapError(r, e);
      return undefined;
    }
  }

  /** The release a requested version maps to. */
  private release(requested: string): string {
    if (/^v\d+\.\d+\.\d+$/.test(requested)) return requested;
    const patch = (v: string) => Number(v.split('.')[2]);
    const offered = (this.options.kubernetesReleases ?? []).filter((v) => v.startsWith(`${requested}.`)).sort((a, b) => patch(b) - patch(a));
    if (offered.length) return offered[0];
    const classDefault = this.options.clusterClass.defaultVersion;
    return classDefault.startsWith(`${requested}.`) ? classDefault : `${requested}.0`;
  }

  /** The team's addresses for all its requests: the first N of its grant, N the sum of the requests' counts. */
  private allocateLoadBalancerAddresses(team: string, grant: TenantTeam | undefined, requests: Request[]): string[] {
    const ranges = (grant?.loadBalancerAddresses ?? []).map((t) => parseAddressRange(t));
    const available = ranges.reduce((n, r) => n + (r ? r.last - r.first + 1n : 0n), 0n);
    let wanted = 0n;
    for (const r of requests) {
      const n = BigInt(r.body.loadBalancerAddresses ?? 0);
      if (n === 0n) continue;
      if (wanted + n > available) {
        const asked = requests.filter((x) => x.body.loadBalancerAddresses).map((x) => `${x.body.name}: ${x.body.loadBalancerAddresses}`).join(', ');
        this.problems.push(problemAt(r.parsed, 'loadBalancerAddresses', `team ${team} is granted ${available} load-balancer address${available === 1n ? '' : 'es'} (${(grant?.loadBalancerAddresses ?? []).join(', ') || 'none'}), and its requests ask for more (${asked})`, `ask for at most ${available - wanted} here, or ask the platform team for a larger grant`));
        continue;
      }
      wanted += n;
    }
    const out: string[] = [];
    for (const r of ranges) {
      if (!r || wanted === 0n) continue;
      const take = r.last - r.first + 1n < wanted ? r.last - r.first + 1n : wanted;
      const last = r.first + take - 1n;
      out.push(take === 1n ? formatIp(r.family, r.first) : `${formatIp(r.family, r.first)}-${formatIp(r.family, last)}`);
      wanted -= take;
    }
    return out;
  }

  private mapError(r: Request, e: unknown, field?: string): void {
    if (!isKmetalValidationError(e)) throw e;
    const err = e as any;
    const text: string = err.message.replace(/^\[[^\]]*\] /, '');
    this.mapMessage(r, text, field);
  }

  /** A construct's `field: problem. Fix: fix` message, located at the request field it comes from. */
  private mapMessage(r: Request, text: string, field?: string): void {
    const m = /^([^:\s]+): ([\s\S]*?)(?:\. Fix: ([\s\S]*))?$/.exec(text);
    const constructField = m?.[1] ?? '';
    const problem = m ? m[2] : text;
    const fix = m?.[3] ?? 'see the message';
    const requestField = field ?? requestFieldOf(r.body, constructField);
    this.problems.push(problemAt(r.parsed, requestField, problem, fix));
  }
}

const DEFAULT_SUBNETS = [{ name: 'workers', cidr: '10.10.0.0/16' }];

/** The request field a construct's field comes from. */
function requestFieldOf(body: TenantClusterRequest, constructField: string): string {
  if (constructField === 'version') return 'kubernetesVersion';
  if (constructField === 'name' || /^tenants\.[^.]+\.(name|id)$/.test(constructField)) return 'name';
  const indexed = /^nodePools\[(\d+)\]\.(\w+)$/.exec(constructField);
  if (indexed) return `nodePools[${indexed[1]}].${indexed[2]}`;
  const pool = /^nodePools\.([^.]+)(?:\.(\w+))?/.exec(constructField);
  if (pool) {
    const i = body.nodePools.findIndex((p) => p.name === pool[1]);
    if (i < 0) return 'nodePools';
    const p = body.nodePools[i];
    const sub = pool[2];
    if (sub === 'replicas') return `nodePools[${i}].${p.maxReplicas !== undefined ? 'maxReplicas' : 'replicas'}`;
    if (sub === 'gpus') return `nodePools[${i}].gpusPerNode`;
    if (sub === 'cpuCores' || sub === 'memoryGiB' || sub === 'workerClass' || sub === 'image') return `nodePools[${i}].nodeClass`;
    return `nodePools[${i}]`;
  }
  if (constructField.startsWith('nodePools')) return 'nodePools';
  if (constructField.startsWith('dataStore') || constructField.startsWith('etcd')) return body.dataStore !== undefined ? 'dataStore' : 'size';
  if (constructField.startsWith('controlPlane')) return 'size';
  if (constructField.startsWith('network')) return 'network';
  return '';
}

function offer(names: string[], given: string, lead?: string): string {
  const near = given ? closestName(given, names) : undefined;
  const list = names.length ? names.join(', ') : '(none)';
  return `${lead ? `${lead}: ` : ''}${near ? `did you mean ${showValue(near)}? ` : ''}the platform offers: ${list}`;
}
