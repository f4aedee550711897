import type { PlanCapacity, PlanDocument, PlanEffect, PlanGroup, PlanWave } from './plan-document';

const WORDS: { [effect in PlanEffect]: string } = {
  'destroyed': 'destroyed',
  'upgrades-control-plane': 'upgrades the control plane',
  'rolls-machines': 'rolls worker machines',
  'reconfigures-control-plane': 'reconfigures the control plane',
  'upgrades-component': 'upgrades a component',
  'created': 'created',
  'in-place': 'changes in place',
  'metadata': 'metadata only',
};

// A fleet change gives thousands of tenants the same line: they are listed once, with a few names.
const NAMES_SHOWN = 5;
// GitHub refuses comments over 65,536 characters: the details stop well before.
const MARKDOWN_DETAIL_LINES = 400;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Groups with the same summary, in order of their most consequential effect. */
function bySummary(groups: PlanGroup[]): Array<{ summary: string; names: string[] }> {
  const map = new Map<string, string[]>();
  const rank = (g: PlanGroup) => ['destroyed', 'upgrades-control-plane', 'rolls-machines', 'reconfigures-control-plane', 'upgrades-component', 'created', 'in-place', 'metadata'].indexOf(g.effects[0]);
  for (const g of [...groups].sort((x, y) => rank(x) - rank(y))) {
    const names = map.get(g.summary) ?? [];
    names.push(g.name);
    map.set(g.summary, names);
  }
  return [...map].map(([summary, names]) => ({ summary, names }));
}

function someNames(list: string[]): string {
  return list.length <= NAMES_SHOWN ? list.join(', ') : `${list.slice(0, NAMES_SHOWN).join(', ')} and ${list.length - NAMES_SHOWN} more`;
}

/** The headline: what changes, where. */
export function headline(doc: PlanDocument): string {
  const s = doc.summary;
  if (s.changes === 0 && doc.unreadable.length === 0) return `no changes (${plural(s.filesCompared, 'manifest file')} compared)`;
  const where = [s.tenants ? plural(s.tenants, 'tenant cluster') : '', s.components ? plural(s.components, 'platform component') : ''].filter((x) => x).join(' and ');
  return `${plural(s.changes, 'change')}${where ? ` in ${where}` : ''}${s.machines ? `; ${plural(s.machines, 'worker machine')} replaced` : ''}` +
    ` (${s.filesChanged} of ${plural(s.filesCompared, 'manifest file')} differ)`;
}

/** "wave standard: 28 clusters v1.33.2 → v1.34.1, 56 worker machines (window Sat 02:00-06:00 UTC)". */
export function waveLine(w: PlanWave, at?: string): string {
  const upgrades = w.upgrades.map((u) => `${w.upgrades.length > 1 ? `${u.clusters} ` : ''}${u.from ?? 'unset'} → ${u.to ?? 'unset'}`).join(', ');
  return `wave ${w.name}: ${plural(w.clusters, 'cluster')}${upgrades ? ` ${upgrades}` : ' change'}${w.machines ? `, ${plural(w.machines, 'worker machine')} replaced` : ''}` +
    `${w.heldMachines ? `, ${plural(w.heldMachines, 'worker machine')} held on the old version` : ''}` +
    `${w.maintenanceWindow ? ` (maintenance window: ${w.maintenanceWindow})` : ''}` +
    `${w.outsideWindow ? ` — OUTSIDE the window at ${at ?? 'the planned time'}: Flux applies it on merge, so merge inside the window` : ''}`;
}

function num(n: number | undefined): string {
  return n === undefined ? '?' : String(Math.round(n * 10) / 10);
}

/** "capacity during the change: 6 surge VMs (24 vCPUs, 97.5 GiB) of 1472 vCPUs, 2329 GiB free on the VM hosts". */
export function capacityLine(c: PlanCapacity): string {
  const free = c.report ? `${num(c.freeCpuCores)} vCPUs, ${num(c.freeMemoryGiB)} GiB${(c.freeGpus ?? []).map((g) => `, ${g.count} × ${g.model}`).join('')} free on the VM hosts (${c.report})` : 'free capacity unknown (no fleet report in the after tree)';
  // Pinned pools surge on their labelled hosts only: their figures are not in the fleet-wide ones.
  const groups = c.hostGroups ?? [];
  const pinnedVms = groups.reduce((n, g) => n + g.surgeVms, 0);
  const fleetSurge = `(${num(c.surgeCpuCores)} vCPUs, ${num(c.surgeMemoryGiB)} GiB${(c.surgeGpus ?? []).map((g) => `, ${g.count} × ${g.model}`).join('')}) against ${free}`;
  const surge = c.surgeVms === 0
    ? `no surge VMs (${plural(c.pools, 'rolling pool')} replace${c.pools === 1 ? 's' : ''} machines within ${c.pools === 1 ? 'its' : 'their'} size); ${free}`
    : groups.length === 0
      ? `${plural(c.surgeVms, 'surge VM')} from ${c.surgingPools} of ${plural(c.pools, 'rolling pool')}${c.report ? ` ${fleetSurge}` : ` against ${free}`}`
      : `${plural(c.surgeVms, 'surge VM')} from ${c.surgingPools} of ${plural(c.pools, 'rolling pool')}${c.surgeVms > pinnedVms ? `; ${c.surgeVms - pinnedVms} on any VM host ${fleetSurge}` : ''}`;
  const pinned = groups.map((g) => `; ${plural(g.surgeVms, 'VM')} pinned to ${Object.entries(g.hostLabels).map(([k, v]) => `${k}=${v}`).join(', ')} ` +
    `(${num(g.surgeCpuCores)} vCPUs, ${num(g.surgeMemoryGiB)} GiB) against ${num(g.freeCpuCores)} vCPUs, ${num(g.freeMemoryGiB)} GiB free on those hosts${g.fits ? '' : ' (does not fit)'}`).join('');
  return `capacity during the change: ${surge}${pinned}${c.fits === false ? ': DOES NOT FIT' : ''}`;
}

/** The terminal summary: counts, then one line per kind of tenant change and per component. */
export function renderText(doc: PlanDocument): string {
  const lines = [`kmetal plan ${doc.before} → ${doc.after}: ${headline(doc)}`];
  const effects = Object.entries(doc.summary.byEffect).map(([e, n]) => `${WORDS[e as PlanEffect]} ${n}`);
  if (effects.length) lines.push(`  ${effects.join(' · ')}`);
  if (doc.capacity) {
    lines.push(capacityLine(doc.capacity));
    for (const p of doc.capacity.problems ?? []) lines.push(`  ${doc.capacity.fits === false ? 'refused' : 'not checked'}: ${p}`);
  }
  if (doc.waves.length) {
    lines.push('rollout waves:');
    for (const w of doc.waves) lines.push(`  ${waveLine(w, doc.at)}`);
  }
  if (doc.tenants.length) {
    lines.push('tenant clusters:');
    for (const g of bySummary(doc.tenants)) lines.push(`  ${g.names.length > 1 ? `${g.names.length} tenants (${someNames(g.names)})` : g.names[0]}: ${g.summary}`);
  }
  if (doc.components.length) {
    lines.push('platform components:');
    for (const g of doc.components) lines.push(`  ${g.name}: ${g.summary}`);
  }
  if (doc.unknownKinds.length) lines.push(`kinds plan does not know (reported as changed, effect unknown): ${doc.unknownKinds.join(', ')}`);
  for (const u of doc.unreadable) lines.push(`unreadable: ${u.file}: ${u.reason}`);
  lines.push(...refusedLines(doc));
  return `${lines.join('\n')}\n`;
}

function refusedLines(doc: PlanDocument): string[] {
  if (doc.refused.length === 0) {
    return doc.summary.destructive ? [`${plural(doc.summary.destructive, 'destructive change')}, all acknowledged`] : [];
  }
  const count = plural(doc.refused.length, 'destructive change');
  const lines = [`refused by policy: ${count} not acknowledged (acknowledge each in code, as written, or undo it):`];
  const consequences = new Map<string, string>();
  for (const g of [...doc.tenants, ...doc.components]) {
    for (const c of g.changes) for (const d of c.destructive ?? []) consequences.set(d.change, d.consequence);
  }
  for (const id of doc.refused.slice(0, 20)) lines.push(`  guard.acknowledge('${id}', '<why>')  # ${consequences.get(id)}`);
  if (doc.refused.length > 20) lines.push(`  ... and ${doc.refused.length - 20} more (--json lists them all)`);
  return lines;
}

/** A pull-request comment: counts and tenants as tables, every change in collapsed details. */
export function renderMarkdown(doc: PlanDocument): string {
  const out: string[] = ['### kmetal plan', '', `\`${doc.before}\` → \`${doc.after}\`: **${headline(doc)}**`, ''];
  if (doc.capacity?.fits === false) {
    out.push('> [!CAUTION]', `> **Refused**: the rolling pools' surge VMs do not fit the VM hosts' free capacity (${(doc.capacity.problems ?? []).join('; ')}). Lower their rollout.maxSurge, or add VM hosts.`, '');
  }
  if (doc.refused.length) {
    out.push('> [!CAUTION]', `> **Refused by policy**: ${plural(doc.refused.length, 'destructive change')} not acknowledged. Acknowledge each in code as written, or undo it:`, '>');
    for (const id of doc.refused.slice(0, 20)) out.push(`> - \`guard.acknowledge('${id}', '<why>')\``);
    if (doc.refused.length > 20) out.push(`> - ... and ${doc.refused.length - 20} more`);
    out.push('');
  }
  const effects = Object.entries(doc.summary.byEffect) as Array<[PlanEffect, number]>;
  if (effects.length) {
    out.push('| effect | changes | tenants | components |', '|---|---:|---:|---:|');
    for (const [e, n] of effects) {
      const t = doc.tenants.filter((g) => g.effects.includes(e)).length;
      const c = doc.components.filter((g) => g.effects.includes(e)).length;
      out.push(`| ${WORDS[e]} | ${n} | ${t} | ${c} |`);
    }
    out.push('');
  }
  if (doc.capacity) {
    out.push(`**${doc.capacity.fits === false ? 'Surge does not fit' : 'Capacity during the change'}**: ${capacityLine(doc.capacity).replace(/^capacity during the change: /, '')}`, '');
    for (const p of doc.capacity.problems ?? []) out.push(`- ${p}`);
    if (doc.capacity.problems?.length) out.push('');
  }
  if (doc.waves.length) {
    out.push('**Rollout waves**', '', ...doc.waves.map((w) => `- ${waveLine(w, doc.at)}`), '');
  }
  if (doc.tenants.length) {
    out.push(`**Tenant clusters affected: ${doc.tenants.length}**`, '', '| tenants | what happens |', '|---|---|');
    for (const g of bySummary(doc.tenants)) out.push(`| ${cell(g.names.length > 1 ? `${g.names.length}: ${someNames(g.names)}` : g.names[0])} | ${cell(g.summary)} |`);
    out.push('');
  }
  if (doc.components.length) {
    out.push(`**Platform components affected: ${doc.components.length}**`, '', '| component | what happens |', '|---|---|');
    for (const g of doc.components) out.push(`| ${cell(g.name)} | ${cell(g.summary)} |`);
    out.push('');
  }
  if (doc.unknownKinds.length) out.push(`Kinds plan does not know (changed, effect unknown): ${doc.unknownKinds.map((k) => `\`${k}\``).join(', ')}`, '');
  if (doc.unreadable.length) out.push(`Unreadable files: ${doc.unreadable.map((u) => `\`${u.file}\` (${u.reason})`).join('; ')}`, '');
  const details: string[] = [];
  for (const g of [...doc.tenants, ...doc.components]) {
    details.push(`- **${g.name}**`);
    for (const c of g.changes) {
      const guard = (c.destructive ?? []).map((d) => ` — ${d.acknowledged ? 'acknowledged' : '**not acknowledged**'}: \`${d.change}\``).join('');
      details.push(`  - ${c.effects.join(', ')}: \`${c.object}\`: ${c.detail}${guard}`);
    }
  }
  if (details.length) {
    const shown = details.slice(0, MARKDOWN_DETAIL_LINES);
    out.push('<details><summary>Every change</summary>', '', ...shown);
    if (details.length > shown.length) out.push('', `... ${details.length - shown.length} more lines: run \`kmetal plan --json\` for all of them`);
    out.push('', '</details>', '');
  }
  return `${out.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
