import { classifyChange, isMachineTemplateKind, list, variableChanges, type Classification, type RollingPool } from './classify-change';
import { valueAt } from './field-changes';
import { OwnerResolver, type PlanOwner } from './owner';
import { EFFECTS, type PlanChange, type PlanDocument, type PlanEffect, type PlanGroup, type PlanWave } from './plan-document';
import { surgeCapacity, type LocatedPool } from './surge-capacity';
import { sameFile, type TreeSource } from './tree-source';
import { ConformanceChecker } from '../../conformance/conformance-checker';
import { parseYamlDocuments, type YamlDocument } from '../../conformance/yaml-documents';
import { FastYamlReader } from '../../gitops/private/fast-yaml-reader';
import { destructiveRemoval, identityOf, ImmutableFields } from '../../policy/private/destructive-change';
import { surgeMachines } from '../../policy/private/rollout-surge';
import { isInMaintenanceWindow, parseMaintenanceWindow } from '../../tenancy/maintenance-window';
import { MAINTENANCE_WINDOW_ANNOTATION, ROLLOUT_WAVE_LABEL } from '../../tenancy/rollout-plan';

interface Located {
  readonly json: any;
  readonly file: string;
}

const KUSTOMIZE_FILES = new Set(['kustomization.yaml', 'kustomization.yml']);

/** Whether Flux applies a file as manifests: YAML, not kustomize's own file, not in a hidden folder. */
function isManifest(rel: string): boolean {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  return /\.ya?ml$/.test(base) && !KUSTOMIZE_FILES.has(base) && !rel.split('/').some((s) => s.startsWith('.'));
}

/** Options of `planTrees`. */
export interface PlanTreesOptions {
  /** When the change would be applied, for maintenance windows. @default - now */
  readonly at?: Date;
}

/**
 * Compares two Flux trees and says what applying the second does, per tenant cluster and per
 * platform component. Files byte-identical in both trees are skipped before any parsing (a fleet
 * change touches few files of many); only the files that differ are read and parsed.
 */
export function planTrees(before: TreeSource, after: TreeSource, options: PlanTreesOptions = {}): PlanDocument {
  const at = options.at ?? new Date();
  const started = Date.now();
  const bf = before.files();
  const af = after.files();
  const changedBefore: string[] = [];
  const changedAfter: string[] = [];
  let compared = 0;
  for (const [rel, entry] of af) {
    if (!isManifest(rel)) continue;
    compared++;
    const old = bf.get(rel);
    if (old && sameFile(old, entry)) continue;
    changedAfter.push(rel);
    if (old) changedBefore.push(rel);
  }
  for (const rel of bf.keys()) {
    if (isManifest(rel) && !af.has(rel)) {
      compared++;
      changedBefore.push(rel);
    }
  }

  const unreadable: Array<{ file: string; reason: string }> = [];
  const owners = new OwnerResolver();
  const parse = (source: TreeSource, rels: string[], side: string): Map<string, Located> => {
    const objects = new Map<string, Located>();
    for (const [file, text] of source.read(rels)) {
      for (const doc of documentsOf(text)) {
        const v: any = doc.value;
        if (doc.error !== undefined) {
          unreadable.push({ file, reason: `${side}: document ${doc.documentIndex + 1} is not YAML (${doc.error.split('\n')[0]})` });
        } else if (v === undefined || v === null) {
          continue;
        } else if (typeof v !== 'object' || typeof v.kind !== 'string' || typeof v.apiVersion !== 'string' || typeof v.metadata?.name !== 'string') {
          unreadable.push({ file, reason: `${side}: document ${doc.documentIndex + 1} is not a Kubernetes object (no apiVersion, kind or metadata.name)` });
        } else {
          owners.noteNamespace(v);
          objects.set(keyOf(file, v), { json: v, file });
        }
      }
    }
    return objects;
  };
  const previous = parse(before, changedBefore, 'before');
  const next = parse(after, changedAfter, 'after');
  const acknowledged = acknowledgementsIn(after);
  const immutable = new ImmutableFields();
  const checker = ConformanceChecker.default();
  const lookups = new AfterTreeLookups(after, next);

  const changes = new Map<string, { change: PlanChange; readonly owner: PlanOwner }>();
  const rolling: LocatedPool[] = [];
  const waveOfCluster = new Map<PlanChange, { wave: string; window?: string }>();
  const keys = [...new Set([...previous.keys(), ...next.keys()])].sort();
  for (const key of keys) {
    const b = previous.get(key);
    const a = next.get(key);
    const json = a?.json ?? b!.json;
    if (b && a && b.file === a.file && JSON.stringify(b.json) === JSON.stringify(a.json)) continue;
    let c: Classification = classifyChange(b?.json, a?.json);
    if (b && a && isMachineTemplateKind(json.kind) && c.effects[0] !== 'metadata') c = templateEditedInPlace(a.json, c, lookups);
    if (b && a && json.kind === 'ClusterClass') c = classWorkersChanged(b.json, a.json, c, lookups);
    if (b && a && json.kind === 'Cluster' && c.effects.includes('reconfigures-control-plane')) c = workerVariablesChanged(b.json, a.json, c, lookups);
    const destructive: NonNullable<PlanChange['destructive']> = [];
    const guard = (change: string, consequence: string) => destructive.push({
      change, consequence, acknowledged: acknowledged.has(change), ...(acknowledged.has(change) ? { reason: acknowledged.get(change) } : {}),
    });
    if (!a) {
      const removal = destructiveRemoval(b!.json);
      if (removal) guard(removal.change, removal.consequence);
    } else if (b) {
      for (const t of immutable.violations(b.json, a.json)) guard(t.change, `${t.path} is immutable (${t.message ?? t.rule}): the API server refuses the update and Flux stops applying the unit`);
    }
    const change: PlanChange = {
      effects: c.effects,
      object: identityOf(json),
      apiVersion: json.apiVersion,
      kind: json.kind,
      name: json.metadata.name,
      ...(json.metadata.namespace ? { namespace: json.metadata.namespace } : {}),
      file: (a ?? b)!.file,
      detail: c.detail,
      ...(c.fields ? { fields: c.fields } : {}),
      ...(c.version ? { version: c.version } : {}),
      ...(c.machines !== undefined ? { machines: c.machines } : {}),
      ...(c.heldMachines ? { heldMachines: c.heldMachines } : {}),
      ...(surgeOf(c.rolling) > 0 ? { surgeVms: surgeOf(c.rolling) } : {}),
      ...(destructive.length ? { destructive } : {}),
      ...(checker.scopeOf(json.apiVersion, json.kind) === undefined ? { unknownKind: true } : {}),
    };
    changes.set(key, { change, owner: owners.ownerOf(change.file, json) });
    for (const p of c.rolling ?? []) rolling.push({ ...p, ...(change.namespace ? { namespace: change.namespace } : {}), file: change.file });
    if (json.kind === 'Cluster' && String(json.apiVersion).startsWith('cluster.x-k8s.io/')) {
      const labels = json.metadata?.labels ?? {};
      if (typeof labels[ROLLOUT_WAVE_LABEL] === 'string') waveOfCluster.set(change, { wave: labels[ROLLOUT_WAVE_LABEL], window: json.metadata?.annotations?.[MAINTENANCE_WINDOW_ANNOTATION] });
    }
  }
  markTemplateSwaps(changes, previous, next);
  for (const derived of lookups.classRolls(changes)) {
    changes.set(`derived ${derived.change.object} ${derived.change.detail}`, derived);
    const where = { ...(derived.change.namespace ? { namespace: derived.change.namespace } : {}), file: derived.change.file };
    for (const p of derived.rolling) rolling.push({ ...p, ...where });
  }
  const capacity = surgeCapacity(after, rolling);

  const tenants = new Map<string, PlanChange[]>();
  const components = new Map<string, PlanChange[]>();
  for (const { change, owner } of changes.values()) {
    const [map, name] = 'tenant' in owner ? [tenants, owner.tenant] : [components, owner.component];
    const list_ = map.get(name) ?? [];
    list_.push(change);
    map.set(name, list_);
  }
  // A derived change (a Cluster rolling with its class) is the template's change, seen from a tenant.
  const all = [...changes.values()].map((c) => c.change).filter((c) => c.derivedFrom === undefined);
  const byEffect: { [effect in PlanEffect]?: number } = {};
  for (const e of EFFECTS) {
    const n = all.filter((c) => c.effects.includes(e)).length;
    if (n > 0) byEffect[e] = n;
  }
  const guarded = all.flatMap((c) => c.destructive ?? []);
  const unknownKinds = all.filter((c) => c.unknownKind).map((c) => `${c.apiVersion.includes('/') ? c.apiVersion.split('/')[0] : 'core'}/${c.kind}`);
  const refused = guarded.filter((d) => !d.acknowledged).map((d) => d.change);
  const tenantGroups = [...tenants].sort(([x], [y]) => x.localeCompare(y)).map(([name, cs]) => group(name, cs, true));
  const componentGroups = [...components].sort(([x], [y]) => x.localeCompare(y)).map(([name, cs]) => group(name, cs, false));
  return {
    command: 'plan',
    before: before.label,
    after: after.label,
    summary: {
      changes: all.length,
      byEffect,
      tenants: tenantGroups.length,
      components: componentGroups.length,
      machines: [...tenantGroups, ...componentGroups].reduce((n, g) => n + g.machines, 0),
      destructive: guarded.length,
      refused: refused.length,
      filesCompared: compared,
      filesChanged: new Set([...changedBefore, ...changedAfter]).size,
      durationMs: Date.now() - started,
    },
    tenants: tenantGroups,
    components: componentGroups,
    waves: wavesOf(tenantGroups, waveOfCluster, at),
    at: at.toISOString(),
    ...(capacity ? { capacity } : {}),
    refused,
    unknownKinds: [...new Set(unknownKinds)].sort(),
    unreadable,
  };
}

const reader = new FastYamlReader();

function surgeOf(pools: RollingPool[] | undefined): number {
  return (pools ?? []).reduce((n, p) => n + p.surgeVms, 0);
}

/** The documents of a file: FluxTree's own files through the fast reader, anything else through the `yaml` package. */
function documentsOf(text: string): YamlDocument[] {
  const value = reader.read(text);
  return value !== undefined ? [{ documentIndex: 0, value }] : parseYamlDocuments(text);
}

/**
 * Objects are compared within their app and site: `sites/<site>/...`, or `<app>/...` when the trees
 * are outdirs holding several apps, may hold the same names for other clusters.
 */
function keyOf(file: string, json: any): string {
  const scope = /^(?:.*?\/)?sites\/[^/]+\//.exec(file)?.[0] ?? /^(.*?\/)?(?:infrastructure|tenants|clusters|bootstrap)\//.exec(file)?.[1] ?? '';
  return `${scope}${identityOf(json)}`;
}

const DERIVED = 'rolls with its class: ';

/** The changed tenants per rollout wave: a promotion reads "wave standard: 28 clusters v1.33.2 → v1.34.1". */
function wavesOf(tenants: PlanGroup[], waveOfCluster: Map<PlanChange, { wave: string; window?: string }>, at: Date): PlanWave[] {
  type Upgrade = { from?: string; to?: string; clusters: number };
  const waves = new Map<string, { window?: string; clusters: number; machines: number; held: number; upgrades: Map<string, Upgrade> }>();
  for (const g of tenants) {
    const entry = g.changes.map((c) => waveOfCluster.get(c)).find((w) => w !== undefined);
    if (!entry) continue;
    const w = waves.get(entry.wave) ?? { window: entry.window, clusters: 0, machines: 0, held: 0, upgrades: new Map() };
    w.clusters++;
    w.machines += g.machines;
    w.held += g.changes.reduce((n, c) => n + (c.heldMachines ?? 0), 0);
    if (g.effects.includes('upgrades-control-plane') && g.version) {
      const k = `${g.version.from}\u0000${g.version.to}`;
      const { from, to } = g.version;
      const u: Upgrade = w.upgrades.get(k) ?? { ...(from ? { from } : {}), ...(to ? { to } : {}), clusters: 0 };
      u.clusters++;
      w.upgrades.set(k, u);
    }
    waves.set(entry.wave, w);
  }
  const outside = (window: string | undefined, machines: number): boolean => {
    if (!window || machines === 0) return false;
    const parsed = parseMaintenanceWindow(window);
    // RolloutPlan refuses windows that do not parse; one written by hand is shown, not judged.
    return typeof parsed !== 'string' && !isInMaintenanceWindow(parsed, at);
  };
  return [...waves].sort(([a], [b]) => a.localeCompare(b)).map(([name, w]) => ({
    name,
    ...(w.window ? { maintenanceWindow: w.window } : {}),
    clusters: w.clusters,
    machines: w.machines,
    ...(w.held ? { heldMachines: w.held } : {}),
    upgrades: [...w.upgrades.values()],
    ...(outside(w.window, w.machines) ? { outsideWindow: true } : {}),
  }));
}

/** What a tenant or component undergoes, in one line; its version and machines in all. */
function group(name: string, changes: PlanChange[], tenant: boolean): PlanGroup {
  changes.sort((x, y) => EFFECTS.indexOf(x.effects[0]) - EFFECTS.indexOf(y.effects[0]) || x.object.localeCompare(y.object));
  const effects = EFFECTS.filter((e) => changes.some((c) => c.effects.includes(e)));
  const machines = changes.reduce((n, c) => n + (c.machines ?? 0), 0);
  const versioned = changes.find((c) => c.version && (c.effects.includes('upgrades-control-plane') || c.effects.includes('upgrades-component')));
  const count = (e: PlanEffect) => changes.filter((c) => c.effects[0] === e).length;
  const parts: string[] = [];
  const cluster = (c: PlanChange) => c.kind === 'Cluster' && c.apiVersion.startsWith('cluster.x-k8s.io/');
  if (tenant && changes.some((c) => cluster(c) && c.effects[0] === 'destroyed')) parts.push('is destroyed');
  else if (tenant && changes.some((c) => cluster(c) && c.effects[0] === 'created')) parts.push('is created');
  if (versioned && tenant) parts.push(`upgrades the control plane ${versioned.version!.from} → ${versioned.version!.to}`);
  else if (versioned) parts.push(`upgrades ${versioned.version!.from ?? 'unset'} → ${versioned.version!.to ?? 'unset'}`);
  if (machines > 0) parts.push(`rolls ${machines} worker machine${machines === 1 ? '' : 's'}`);
  const held = changes.reduce((n, c) => n + (c.heldMachines ?? 0), 0);
  if (held > 0) parts.push(`holds ${held} worker machine${held === 1 ? '' : 's'} on the old version`);
  // A class's worker template rolls machines it does not own: they are counted under each tenant
  // whose Cluster names it (its changes carry `derivedFrom`), so say here what changed instead.
  const templates = changes.filter((c) => c.effects[0] === 'rolls-machines' && !c.machines).length;
  if (templates) parts.push(`changes ${templates} machine template${templates === 1 ? '' : 's'} (the workers of the clusters using ${templates === 1 ? 'it' : 'them'} roll)`);
  if (effects.includes('reconfigures-control-plane')) parts.push('reconfigures the control plane');
  const destroyed = count('destroyed');
  const guarded = changes.flatMap((c) => c.destructive ?? []);
  const refused = guarded.filter((d) => !d.acknowledged).length;
  if (destroyed && !parts.includes('is destroyed')) parts.push(`destroys ${destroyed} object${destroyed === 1 ? '' : 's'}`);
  if (guarded.length) parts.push(refused ? `${refused} destructive change${refused === 1 ? '' : 's'} not acknowledged` : `${guarded.length} destructive change${guarded.length === 1 ? '' : 's'}, acknowledged`);
  const createdCount = count('created');
  if (createdCount && !parts.includes('is created')) parts.push(`creates ${createdCount} object${createdCount === 1 ? '' : 's'}`);
  if (count('in-place')) parts.push(`${count('in-place')} in place (${list([...new Set(changes.filter((c) => c.effects[0] === 'in-place').map((c) => c.detail))], 2)})`);
  if (count('metadata')) parts.push(`${count('metadata')} metadata only`);
  const unknown = changes.filter((c) => c.unknownKind).length;
  if (unknown) parts.push(`${unknown} of a kind plan does not know`);
  // Every change has an effect; a group whose effects none of the phrases above covers still says them.
  if (parts.length === 0) parts.push(`${changes.length} change${changes.length === 1 ? '' : 's'}: ${effects.join(', ')}`);
  return { name, effects, summary: parts.join('; '), machines, ...(versioned ? { version: versioned.version } : {}), changes };
}

/** The acknowledged changes the after tree's policy report records (`Policy.writeReportTo(<tree>/report)`): id → reason. */
function acknowledgementsIn(tree: TreeSource): Map<string, string> {
  const out = new Map<string, string>();
  const reports = [...tree.files().keys()].filter((r) => r === 'policy-report.json' || r.endsWith('/policy-report.json'));
  for (const text of tree.read(reports).values()) {
    try {
      for (const s of JSON.parse(text)?.suppressions ?? []) {
        if (typeof s?.occurrence === 'string') out.set(s.occurrence, String(s.reason ?? ''));
      }
    } catch {
      // A report that does not parse acknowledges nothing; the changes stay refused.
    }
  }
  return out;
}

/** A MachineDeployment that switched template: the old and new template are its roll, not a loss and a gain. */
type Changes = Map<string, { change: PlanChange; readonly owner: PlanOwner }>;

function markTemplateSwaps(changes: Changes, previous: Map<string, Located>, next: Map<string, Located>): void {
  const refs = (j: any): any[] => [j?.spec?.template?.spec?.infrastructureRef, j?.spec?.template?.spec?.bootstrap?.configRef];
  for (const [key, { change }] of changes) {
    if (change.kind !== 'MachineDeployment' || !change.effects.includes('rolls-machines')) continue;
    const site = key.slice(0, key.length - change.object.length);
    // v1beta2 references name the group (apiGroup), v1beta1 the apiVersion.
    const keyOfRef = (ref: any) => `${site}${ref.apiGroup ?? String(ref.apiVersion ?? '').split('/')[0]}/${ref.kind} ${change.namespace}/${ref.name}`;
    const newRefs = refs(next.get(key)?.json);
    refs(previous.get(key)?.json).forEach((oldRef, i) => {
      const newRef = newRefs[i];
      if (!oldRef?.name || !newRef?.name || oldRef.name === newRef.name) return;
      const gone = changes.get(keyOfRef(oldRef));
      const added = changes.get(keyOfRef(newRef));
      if (gone && gone.change.effects[0] === 'destroyed' && !gone.change.destructive) {
        gone.change = { ...gone.change, effects: ['rolls-machines'], detail: `replaced by ${newRef.name} (MachineDeployment ${change.name} rolls onto it; Flux prunes the old template)` };
      }
      if (added && added.change.effects[0] === 'created') {
        added.change = { ...added.change, effects: ['rolls-machines'], detail: `replaces ${oldRef.name}: MachineDeployment ${change.name} rolls onto it` };
      }
    });
  }
}

/** A machine template whose content changed under the same name: whatever references it rolls. */
function templateEditedInPlace(after: any, c: Classification, lookups: AfterTreeLookups): Classification {
  const users = lookups.machineDeploymentsUsing(after);
  const classes = lookups.classesUsing(after);
  const note = 'changed in place under the same name: Cluster API replaces machines when a reference changes, so give the template a new name (the library names machine templates by a digest of their content)';
  if (users.length > 0) {
    const machines = users.reduce((n, u) => n + u.replicas, 0);
    return { ...c, effects: ['rolls-machines'], machines, detail: `${machines} machine${machines === 1 ? '' : 's'} of ${users.map((u) => u.name).join(', ')}: ${note}` };
  }
  if (classes.length > 0) {
    return { ...c, effects: ['rolls-machines'], detail: `worker template of ClusterClass ${classes.map((k) => `${k.name} (${k.workerClasses.join(', ')})`).join(', ')}: every cluster of the class rolls those workers` };
  }
  return c;
}

/** A ClusterClass whose worker classes reference other templates: every cluster of the class rolls those workers. */
function classWorkersChanged(before: any, after: any, c: Classification, lookups: AfterTreeLookups): Classification {
  // v1beta2 names templates with templateRef, v1beta1 with template.<x>.ref.
  const refs = (w: any) => JSON.stringify([
    w?.infrastructure?.templateRef, w?.bootstrap?.templateRef, w?.template?.infrastructure?.ref, w?.template?.bootstrap?.ref,
  ]);
  const workers = (cc: any) => new Map<string, any>((cc.spec?.workers?.machineDeployments ?? []).map((w: any) => [String(w.class), w]));
  const old = workers(before);
  const changed = [...workers(after)].filter(([name, w]) => old.has(name) && refs(old.get(name)) !== refs(w)).map(([name]) => name);
  if (changed.length === 0) return c;
  lookups.noteClassWorkers(after, changed, identityOf(after));
  const which = `worker class${changed.length === 1 ? '' : 'es'} ${changed.join(', ')}`;
  return {
    ...c,
    effects: ['rolls-machines', ...c.effects.filter((e) => e !== 'rolls-machines' && e !== 'in-place')],
    detail: `${which} reference other templates: every cluster of the class rolls those workers; ${c.detail}`,
  };
}

/** A Cluster that rolls because its class's worker template changed, with its rolling pools. */
interface DerivedRoll {
  readonly change: PlanChange;
  readonly owner: PlanOwner;
  readonly rolling: RollingPool[];
}

/**
 * A class-based Cluster whose changed topology variables are read only by patches of worker
 * templates (e.g. `workerImage`, the NodeImage's containerDisk): the topology controller renders
 * new worker templates, so those workers roll and the control plane is untouched (Cluster API
 * v1.14 `exp/topology`: a patch applies to the templates its definitions' `selector.matchResources`
 * select; `enabledIf` and `valueFrom.variable`/`template` read variables).
 */
function workerVariablesChanged(before: any, after: any, c: Classification, lookups: AfterTreeLookups): Classification {
  const b = before.spec?.topology ?? {};
  const a = after.spec?.topology ?? {};
  if (b.version !== a.version || JSON.stringify(b.classRef ?? b.class) !== JSON.stringify(a.classRef ?? a.class)) return c;
  if (JSON.stringify(b.controlPlane ?? {}) !== JSON.stringify(a.controlPlane ?? {})) return c;
  const names = variableChanges(b.variables, a.variables);
  const cls = lookups.clusterClass(a.classRef?.name ?? a.class, a.classRef?.namespace ?? after.metadata?.namespace);
  if (names.length === 0 || !cls) return c;
  const workerClasses = new Set<string>();
  for (const name of names) {
    const reads = (text: unknown) => typeof text === 'string' && new RegExp(`\\.${name}\\b`).test(text);
    const readsIt = (j: any) => j.valueFrom?.variable === name || String(j.valueFrom?.variable ?? '').startsWith(`${name}.`) || reads(j.valueFrom?.template);
    const users = (cls.spec?.patches ?? [])
      .filter((p: any) => reads(p.enabledIf) || (p.definitions ?? []).some((d: any) => (d.jsonPatches ?? []).some(readsIt)));
    // A variable no patch reads, or one a patch of the control plane or cluster infrastructure reads: as classified.
    if (users.length === 0 || (cls.spec?.patches ?? []).some((p: any) => p.external)) return c;
    for (const p of users) {
      for (const d of p.definitions ?? []) {
        const m = d.selector?.matchResources ?? {};
        if (m.controlPlane || m.infrastructureCluster || !Array.isArray(m.machineDeploymentClass?.names)) return c;
        for (const w of m.machineDeploymentClass.names) workerClasses.add(String(w));
      }
    }
  }
  const pools = (a.workers?.machineDeployments ?? []).filter((md: any) => workerClasses.has(String(md.class)));
  const machines = Math.max(c.machines ?? 0, pools.reduce((n: number, md: any) => n + Number(md.replicas ?? 1), 0));
  const rest = c.effects.filter((e) => e !== 'reconfigures-control-plane' && e !== 'rolls-machines');
  const detail = c.detail.replace(/variables [^;]*\(the class's patches re-render[^)]*\)/,
    `variables ${names.join(', ')} (read only by the worker templates of class ${cls.metadata.name}: ${pools.map((p: any) => p.name).join(', ') || 'no pool'} roll${pools.length === 1 ? 's' : ''}, the control plane is untouched)`);
  return { ...c, effects: machines > 0 ? ['rolls-machines', ...rest] : (rest.length ? rest : ['in-place']), detail, ...(machines > 0 ? { machines } : {}) };
}

/**
 * What a change needs from the rest of the after tree, read only when asked: the
 * MachineDeployments and ClusterClasses next to a template, the Clusters of a class.
 */
class AfterTreeLookups {
  private readonly parsed = new Map<string, any[]>();
  /** Per ClusterClass name: the worker classes that roll, and the object whose change makes them roll. */
  private readonly classWorkers = new Map<string, { namespace?: string; workerClasses: Set<string>; cause: string }>();

  constructor(private readonly tree: TreeSource, private readonly changed: Map<string, Located>) {}

  public machineDeploymentsUsing(template: any): Array<{ name: string; replicas: number }> {
    return this.nextTo(template, 'MachineDeployment')
      .filter((md) => [valueAt(md, 'spec.template.spec.infrastructureRef'), valueAt(md, 'spec.template.spec.bootstrap.configRef')]
        .some((ref: any) => ref?.kind === template.kind && ref?.name === template.metadata.name))
      .map((md) => ({ name: md.metadata.name, replicas: Number(md.spec?.replicas ?? 1) }));
  }

  public classesUsing(template: any): Array<{ name: string; workerClasses: string[] }> {
    const out: Array<{ name: string; workerClasses: string[] }> = [];
    for (const cc of this.nextTo(template, 'ClusterClass')) {
      const workers = (cc.spec?.workers?.machineDeployments ?? []).filter((w: any) => [
        w.infrastructure?.templateRef, w.bootstrap?.templateRef, w.template?.infrastructure?.ref, w.template?.bootstrap?.ref,
      ].some((ref: any) => ref?.kind === template.kind && ref?.name === template.metadata.name)).map((w: any) => String(w.class));
      if (workers.length === 0) continue;
      out.push({ name: cc.metadata.name, workerClasses: workers });
      this.noteClassWorkers(cc, workers, identityOf(template));
    }
    return out;
  }

  /** Notes worker classes of a ClusterClass that roll: `classRolls` then finds the clusters of the class. */
  public noteClassWorkers(clusterClass: any, workerClasses: string[], cause: string): void {
    const name = clusterClass.metadata.name;
    const known = this.classWorkers.get(name) ?? { namespace: clusterClass.metadata.namespace, workerClasses: new Set<string>(), cause };
    for (const w of workerClasses) known.workerClasses.add(w);
    this.classWorkers.set(name, known);
  }

  /**
   * For each class whose worker template changed in place, one change per Cluster of the class:
   * its workers of those worker classes roll. Reads the tree's Cluster files, only then.
   */
  public classRolls(changes: Map<string, { change: PlanChange; owner: PlanOwner }>): DerivedRoll[] {
    if (this.classWorkers.size === 0) return [];
    const out: DerivedRoll[] = [];
    const owners = new OwnerResolver();
    const files = [...this.tree.files().keys()].filter((r) => /(^|\/)cluster-[^/]*\.ya?ml$/.test(r));
    for (const [file, text] of this.tree.read(files)) {
      if (![...this.classWorkers.keys()].some((name) => text.includes(name))) continue;
      for (const doc of documentsOf(text)) {
        const cluster: any = doc.value;
        const topology = cluster?.kind === 'Cluster' ? cluster.spec?.topology : undefined;
        const cls = this.classWorkers.get(topology?.classRef?.name ?? topology?.class);
        if (!cls) continue;
        const pools = (topology.workers?.machineDeployments ?? []).filter((md: any) => cls.workerClasses.has(String(md.class)));
        const machines = pools.reduce((n: number, md: any) => n + Number(md.replicas ?? 1), 0);
        // A Cluster that changes itself already says whether it rolls.
        if (machines === 0 || changes.has(keyOf(file, cluster))) continue;
        const rolling: RollingPool[] = pools.map((md: any) => {
          const replicas = Number(md.replicas ?? 1);
          const surgeVms = surgeMachines(md.rollout?.strategy, replicas);
          return { cluster: cluster.metadata.name, pool: String(md.name), machines: replicas, surgeVms };
        });
        const surgeVms = surgeOf(rolling);
        out.push({
          rolling,
          owner: owners.ownerOf(file, cluster),
          change: {
            effects: ['rolls-machines'],
            object: identityOf(cluster),
            apiVersion: cluster.apiVersion,
            kind: cluster.kind,
            name: cluster.metadata.name,
            namespace: cluster.metadata.namespace,
            file,
            machines,
            ...(surgeVms > 0 ? { surgeVms } : {}),
            derivedFrom: cls.cause,
            detail: `${DERIVED}${machines} machine${machines === 1 ? '' : 's'} of pool${pools.length === 1 ? '' : 's'} ${pools.map((p: any) => p.name).join(', ')} (the worker template of class ${topology.classRef?.name ?? topology.class} changed)`,
          },
        });
      }
    }
    return out;
  }

  /** The ClusterClass of that name and namespace anywhere in the after tree, read once. */
  public clusterClass(name: unknown, namespace: unknown): any | undefined {
    let classes = this.parsed.get('*ClusterClass');
    if (!classes) {
      const files = [...this.tree.files().keys()].filter((r) => /(^|\/)clusterclass-[^/]*\.ya?ml$/.test(r));
      classes = [];
      for (const text of this.tree.read(files).values()) {
        for (const doc of documentsOf(text)) if ((doc.value as any)?.kind === 'ClusterClass') classes.push(doc.value);
      }
      this.parsed.set('*ClusterClass', classes);
    }
    return classes.find((cc) => cc.metadata?.name === name && (namespace === undefined || cc.metadata?.namespace === namespace));
  }

  /** Objects of a kind in the template's folder and namespace, changed or not. */
  private nextTo(template: any, kind: string): any[] {
    const located = [...this.changed.values()].find((l) => l.json === template);
    const folder = located ? located.file.slice(0, located.file.lastIndexOf('/') + 1) : '';
    const key = `${folder}${kind}`;
    let objects = this.parsed.get(key);
    if (!objects) {
      const prefix = `${folder}${kind.toLowerCase()}-`;
      const files = [...this.tree.files().keys()].filter((r) => r.startsWith(prefix) && !r.slice(folder.length).includes('/'));
      objects = [];
      for (const text of this.tree.read(files).values()) {
        for (const doc of documentsOf(text)) if ((doc.value as any)?.kind === kind) objects.push(doc.value);
      }
      this.parsed.set(key, objects);
    }
    return objects.filter((o) => (o.metadata?.namespace ?? '') === (template.metadata?.namespace ?? ''));
  }
}
