// Kubernetes resource quantities, only as far as governance needs them: parse what users write in
// limit ranges and format what quotas derive. Internal (not exported from the package).

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
const SUFFIX: { [s: string]: number } = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The value of a quantity in base units (cores, bytes, devices), or undefined when it is not one. */
export function parseQuantity(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const s = m[2];
  if (!s) return n;
  if (/^[eE]/.test(s)) return n * 10 ** Number(s.slice(1));
  return n * SUFFIX[s];
}

/** True for a well-formed quantity. */
export function isQuantity(text: string): boolean {
  return parseQuantity(text) !== undefined;
}

/** Millicores as a quantity: whole cores when exact (`34`), else millicores (`1500m`). */
export function formatCpu(milli: number): string {
  const m = Math.ceil(milli);
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** MiB as a quantity: `Gi` when exact, else `Mi`. */
export function formatMemory(mib: number): string {
  const m = Math.ceil(mib);
  return m % 1024 === 0 ? `${m / 1024}Gi` : `${m}Mi`;
}

/** GiB as a quantity. */
export function formatGiB(gib: number): string {
  const g = Math.ceil(gib * 1024) / 1024;
  return Number.isInteger(g) ? `${g}Gi` : formatMemory(g * 1024);
}
