import { changedFields, sameValue, valueAt } from './field-changes';
import type { PlanEffect } from './plan-document';
import { surgeMachines } from '../../policy/private/rollout-surge';
import { DEFER_UPGRADE_ANNOTATION, topologyEntryDeferred } from '../../tenancy/cluster-api-annotations';

/** A worker pool a change rolls, with the VMs Cluster API creates beyond its size meanwhile. */
export interface RollingPool {
  /** The tenant cluster's name (`spec.clusterName`, or the class-based Cluster's own). */
  readonly cluster: string;
  /** The pool's name (the topology entry's, or a MachineDeployment's `kmetal.io/node-pool` label, else its name). */
  readonly pool: string;
  readonly machines: number;
  readonly surgeVms: number;
}

/** What one object's change does, before ownership and the guard's view are added. */
export interface Classification {
  readonly effects: PlanEffect[];
  readonly detail: string;
  readonly fields?: string[];
  readonly version?: { readonly from?: string; readonly to?: string };
  readonly machines?: number;
  /** The pools that roll, when machines roll. */
  readonly rolling?: RollingPool[];
  /** Worker machines whose upgrade Cluster API holds (a deferred pool, or a hold on the pool sequence). */
  readonly heldMachines?: number;
}

const MAX_FIELDS = 20;

/** A machine template kind a MachineDeployment (or a ClusterClass) references: its content is the VMs'. */
export function isMachineTemplateKind(kind: string): boolean {
  return /(MachineTemplate|ConfigTemplate)$/.test(kind);
}

/**
 * Classifies the change of one object by what its controller does with it: Kamaji rolls control
 * planes, Cluster API replaces machines when a MachineDeployment's template changes and upgrades on
 * a version change, Flux upgrades a chart. Templates edited in place are classified by the caller,
 * which knows who references them.
 */
export function classifyChange(before: any, after: any): Classification {
  if (before === undefined) return created(after);
  if (after === undefined) {
    // The guard's consequence still applies: the object is gone from git, and a later cleanup deletes it.
    const orphaned = before?.metadata?.annotations?.['kustomize.toolkit.fluxcd.io/prune'] === 'disabled';
    return { effects: ['destroyed'], detail: orphaned ? 'leaves the tree; it carries prune: disabled, so Flux leaves it in the cluster, orphaned' : 'deleted (Flux prunes it)' };
  }
  const all = changedFields(before, after);
  const fields = all.slice(0, MAX_FIELDS);
  const spec = all.filter((f) => !f.startsWith('metadata.'));
  if (spec.length === 0) return { effects: ['metadata'], detail: `metadata only: ${list(all)}`, fields };
  switch (after.kind) {
    case 'KamajiControlPlane': return { ...kamaji(before, after, spec), fields };
    case 'Cluster': if (after.spec?.topology || before.spec?.topology) return { ...topology(before, after, spec), fields }; break;
    case 'MachineDeployment': return { ...machineDeployment(before, after, spec), fields };
    case 'BareMetalHost': if (spec.some((f) => f === 'spec.image' || f.startsWith('spec.image.'))) return { ...reimagedHost(before, after, spec), fields }; break;
    case 'HelmRelease': {
      const from = valueAt(before, 'spec.chart.spec.version') as string | undefined;
      const to = valueAt(after, 'spec.chart.spec.version') as string | undefined;
      if (from !== to) {
        const chart = valueAt(after, 'spec.chart.spec.chart') ?? after.metadata?.name;
        const rest = spec.filter((f) => f !== 'spec.chart.spec.version');
        return { effects: ['upgrades-component'], detail: `chart ${chart} ${from ?? 'unset'} → ${to ?? 'unset'}${rest.length ? `; also ${list(rest)}` : ''}`, version: { from, to }, fields };
      }
      break;
    }
    case 'OCIRepository':
    case 'GitRepository': {
      const from = refOf(before.spec?.ref);
      const to = refOf(after.spec?.ref);
      if (from !== to) return { effects: ['upgrades-component'], detail: `${after.kind === 'OCIRepository' ? 'artifact' : 'source'} ${from ?? 'unset'} → ${to ?? 'unset'}`, version: { from, to }, fields };
      break;
    }
  }
  return { effects: ['in-place'], detail: `changes ${list(spec)}`, fields };
}

function created(after: any): Classification {
  if (after.kind === 'MachineDeployment') {
    const replicas = Number(after.spec?.replicas ?? 1);
    return { effects: ['created'], detail: `new worker pool: ${replicas} machine${replicas === 1 ? '' : 's'}` };
  }
  if (after.kind === 'Cluster') return { effects: ['created'], detail: `new tenant cluster${after.spec?.topology?.version ? ` (${after.spec.topology.version})` : ''}` };
  return { effects: ['created'], detail: 'new' };
}

function kamaji(before: any, after: any, spec: string[]): Classification {
  const from = before.spec?.version;
  const to = after.spec?.version;
  const rest = spec.filter((f) => f !== 'spec.version' && f !== 'spec.replicas');
  const effects: PlanEffect[] = [];
  const parts: string[] = [];
  if (from !== to) {
    effects.push('upgrades-control-plane');
    parts.push(`control plane ${from} → ${to}`);
  }
  if (rest.length) {
    effects.push('reconfigures-control-plane');
    parts.push(`Kamaji rolls the control-plane pods: ${list(rest)}`);
  }
  if (spec.includes('spec.replicas')) {
    if (effects.length === 0) effects.push('in-place');
    parts.push(`control-plane replicas ${before.spec?.replicas} → ${after.spec?.replicas}`);
  }
  return { effects, detail: parts.join('; '), ...(from !== to ? { version: { from, to } } : {}) };
}

/** A class-based Cluster: the topology controller upgrades the control plane, then rolls every worker. */
function topology(before: any, after: any, spec: string[]): Classification {
  const b = before.spec?.topology ?? {};
  const a = after.spec?.topology ?? {};
  const effects = new Set<PlanEffect>();
  const parts: string[] = [];
  const pools = (t: any): Map<string, any> => new Map((t.workers?.machineDeployments ?? []).map((md: any) => [md.name, md]));
  const beforePools = pools(b);
  const afterPools = pools(a);
  const afterEntries: any[] = a.workers?.machineDeployments ?? [];
  let machines = 0;
  let heldMachines = 0;
  const rolling: RollingPool[] = [];
  const versionChanged = b.version !== a.version;
  const classChanged = !sameValue(b.classRef ?? b.class, a.classRef ?? a.class);
  if (versionChanged) {
    effects.add('upgrades-control-plane');
    parts.push(`control plane ${b.version} → ${a.version}`);
  }
  if (classChanged) {
    effects.add('reconfigures-control-plane');
    parts.push(`class ${JSON.stringify(b.classRef?.name ?? b.class)} → ${JSON.stringify(a.classRef?.name ?? a.class)}`);
  }
  for (const [name, md] of afterPools) {
    const old = beforePools.get(name);
    const replicas = Number(md.replicas ?? 1);
    if (!old) {
      effects.add('in-place');
      parts.push(`new pool ${name}: ${replicas} machine${replicas === 1 ? '' : 's'}`);
      continue;
    }
    const { replicas: r1, ...oldRest } = old;
    const { replicas: r2, ...newRest } = md;
    // A held pool behind the topology's version is not reconciled at all (cluster-api v1.14.0
    // reconcile_state.go reconcileMachineDeployment returns early when pending upgrade): neither the
    // new version nor any other change to it reaches its machines until the hold is lifted.
    if (versionChanged && topologyEntryDeferred(afterEntries, afterEntries.indexOf(md))) {
      heldMachines += replicas;
      parts.push(`pool ${name}: upgrade held (${md.metadata?.annotations?.[DEFER_UPGRADE_ANNOTATION] !== undefined ? 'deferred' : 'the wave holds worker upgrades'}), its ${replicas} machine${replicas === 1 ? ' stays' : 's stay'} on ${b.version} until the hold is removed`);
      continue;
    }
    if (versionChanged || classChanged || !sameValue(oldRest, newRest)) {
      effects.add('rolls-machines');
      machines += replicas;
      // The library writes every pool's rollout on its entry; one without it rolls as the class says,
      // which plan does not read: Cluster API's default surge (1) is assumed, the larger case.
      const surgeVms = surgeMachines(md.rollout?.strategy, replicas);
      rolling.push({ cluster: after.metadata.name, pool: String(name), machines: replicas, surgeVms });
      parts.push(`pool ${name}: ${replicas} machine${replicas === 1 ? '' : 's'} replaced${surgeVms ? `, ${surgeVms} surge VM${surgeVms === 1 ? '' : 's'}` : ''}`);
    } else if (r1 !== r2) {
      effects.add('in-place');
      parts.push(`pool ${name} scales ${r1 ?? 1} → ${r2 ?? 1}`);
    }
  }
  for (const [name, md] of beforePools) {
    if (afterPools.has(name)) continue;
    effects.add('in-place');
    parts.push(`pool ${name} removed: its ${md.replicas ?? 1} machine(s) are deleted`);
  }
  if (!sameValue(b.variables, a.variables)) {
    effects.add('reconfigures-control-plane');
    const names = variableChanges(b.variables, a.variables);
    parts.push(`variables ${names.join(', ')} (the class's patches re-render the control plane${versionChanged ? '' : ', and the workers where they patch worker templates'})`);
  }
  if (!sameValue(b.controlPlane?.replicas, a.controlPlane?.replicas)) {
    effects.add('in-place');
    parts.push(`control-plane replicas ${b.controlPlane?.replicas} → ${a.controlPlane?.replicas}`);
  }
  const other = spec.filter((f) => !f.startsWith('spec.topology.'));
  if (other.length || effects.size === 0) {
    effects.add('in-place');
    parts.push(`changes ${list(other.length ? other : spec)}`);
  }
  return {
    effects: [...effects],
    detail: parts.join('; '),
    ...(versionChanged ? { version: { from: b.version, to: a.version } } : {}),
    ...(machines > 0 ? { machines, rolling } : {}),
    ...(heldMachines > 0 ? { heldMachines } : {}),
  };
}

function machineDeployment(before: any, after: any, spec: string[]): Classification {
  const template = spec.filter((f) => f.startsWith('spec.template.'));
  const replicas = Number(after.spec?.replicas ?? 1);
  const parts: string[] = [];
  const effects: PlanEffect[] = [];
  let machines: number | undefined;
  let rolling: RollingPool[] | undefined;
  if (template.length) {
    effects.push('rolls-machines');
    machines = replicas;
    const surgeVms = surgeMachines(after.spec?.rollout?.strategy, replicas);
    rolling = [{ cluster: String(after.spec?.clusterName ?? after.metadata.name), pool: String(after.metadata?.labels?.['kmetal.io/node-pool'] ?? after.metadata.name), machines: replicas, surgeVms }];
    const infra = (j: any) => valueAt(j, 'spec.template.spec.infrastructureRef.name');
    const bootstrap = (j: any) => valueAt(j, 'spec.template.spec.bootstrap.configRef.name');
    const why = [
      infra(before) !== infra(after) ? `machine template ${infra(before)} → ${infra(after)}` : '',
      bootstrap(before) !== bootstrap(after) ? `bootstrap template ${bootstrap(before)} → ${bootstrap(after)}` : '',
      valueAt(before, 'spec.template.spec.version') !== valueAt(after, 'spec.template.spec.version')
        ? `version ${valueAt(before, 'spec.template.spec.version')} → ${valueAt(after, 'spec.template.spec.version')}` : '',
    ].filter((s) => s !== '');
    parts.push(`${replicas} machine${replicas === 1 ? '' : 's'} replaced (${why.length ? why.join(', ') : list(template)})${surgeVms ? `, ${surgeVms} surge VM${surgeVms === 1 ? '' : 's'}` : ''}`);
  }
  if (spec.includes('spec.replicas')) {
    if (effects.length === 0) effects.push('in-place');
    parts.push(`scales ${before.spec?.replicas ?? 1} → ${after.spec?.replicas ?? 1}`);
  }
  const other = spec.filter((f) => !f.startsWith('spec.template.') && f !== 'spec.replicas');
  if (other.length) {
    if (effects.length === 0) effects.push('in-place');
    parts.push(`changes ${list(other)}`);
  }
  return { effects, detail: parts.join('; '), ...(machines !== undefined ? { machines, rolling } : {}) };
}

/**
 * A provisioned BareMetalHost whose image URL changes is deprovisioned (cleaned) and provisioned
 * again with the new image (BMO v0.13.2 internal/controller/metal3.io/host_state_machine.go
 * `imageProvisioningCancelled`: spec.image.url differs from status.provisioning.image.url): the
 * server is re-imaged, and whatever runs on it (a KubeVirt host's VMs) goes with it.
 */
function reimagedHost(before: any, after: any, spec: string[]): Classification {
  const from = valueAt(before, 'spec.image.url') as string | undefined;
  const to = valueAt(after, 'spec.image.url') as string | undefined;
  const rest = spec.filter((f) => f !== 'spec.image' && !f.startsWith('spec.image.'));
  if (from === to) return { effects: ['in-place'], detail: `changes ${list(spec)} (same image URL: Metal3 does not re-image the server)` };
  const detail = from === undefined
    ? `server provisioned with ${to}`
    : to === undefined
      ? `server deprovisioned (image ${from} removed: Metal3 cleans the disk)`
      : `server re-imaged: ${from} → ${to} (Metal3 deprovisions, cleans and provisions it again; its workloads go with it)`;
  return { effects: ['rolls-machines'], detail: `${detail}${rest.length ? `; also ${list(rest)}` : ''}`, machines: 1 };
}

/** Names of the topology variables whose values differ. */
export function variableChanges(before: any, after: any): string[] {
  const map = (vs: any) => new Map<string, unknown>((Array.isArray(vs) ? vs : []).map((v: any) => [v.name, v.value]));
  const b = map(before);
  const a = map(after);
  return [...new Set([...b.keys(), ...a.keys()])].filter((n) => !sameValue(b.get(n), a.get(n))).sort();
}

function refOf(ref: any): string | undefined {
  if (!ref || typeof ref !== 'object') return undefined;
  return ref.digest ?? ref.tag ?? ref.semver ?? ref.commit ?? ref.branch ?? ref.name ?? JSON.stringify(ref);
}

/** `a, b and 3 more`. */
export function list(fields: readonly string[], max = 3): string {
  return `${fields.slice(0, max).join(', ')}${fields.length > max ? ` and ${fields.length - max} more` : ''}`;
}
