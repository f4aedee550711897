import { IConstruct } from 'constructs';
import { KmetalValidationError, showValue } from '../util/errors';
import { wholeNumber } from './private/validation';

/** GPUs of one model. */
export interface GpuInventory {
  /**
   * GPU model as your inventory names it, e.g. `nvidia-a100-80gb`. Hosts are summed by this
   * exact string, so use one spelling per model across the fleet.
   */
  readonly model: string;
  /** Number of GPUs of this model. @default 1 */
  readonly count?: number;
}

/** What one server offers, for capacity planning and policy checks (not sent to Metal3). */
export interface HostCapacity {
  /** Physical CPU cores (not threads). */
  readonly cpuCores: number;
  /** Installed memory in GiB. */
  readonly memoryGiB: number;
  /** GPUs by model. @default - none */
  readonly gpus?: GpuInventory[];
}

/** Capacity of a set of servers (a pool, or the hosts a machine template can claim). */
export interface PoolCapacity {
  /** Number of servers. */
  readonly hostCount: number;
  /** Physical CPU cores, summed. */
  readonly cpuCores: number;
  /** Memory in GiB, summed. */
  readonly memoryGiB: number;
  /** GPUs of all models, summed. */
  readonly gpuCount: number;
  /** GPUs per model (every entry has its count), sorted by model. */
  readonly gpus: GpuInventory[];
}

/**
 * Checks a host's capacity; returns it with GPU counts filled in and models sorted.
 * @internal
 */
export function _normalizeCapacity(scope: IConstruct, field: string, capacity: unknown): HostCapacity {
  if (typeof capacity !== 'object' || capacity === null) {
    throw new KmetalValidationError(scope, field, `${showValue(capacity)} is not a capacity`, 'give { cpuCores, memoryGiB, gpus? } as in the server\'s hardware inventory');
  }
  const c = capacity as HostCapacity;
  const cpuCores = wholeNumber(scope, `${field}.cpuCores`, c.cpuCores, 1, 'give the number of physical CPU cores, e.g. 64');
  if (typeof c.memoryGiB !== 'number' || !Number.isFinite(c.memoryGiB) || c.memoryGiB <= 0) {
    throw new KmetalValidationError(scope, `${field}.memoryGiB`, `${showValue(c.memoryGiB)} is not an amount of memory in GiB`, 'give the installed memory in GiB, e.g. 512');
  }
  if (c.gpus !== undefined && !Array.isArray(c.gpus)) {
    throw new KmetalValidationError(scope, `${field}.gpus`, `${showValue(c.gpus)} is not a list`, 'give a list like [{ model: "nvidia-a100-80gb", count: 4 }]');
  }
  const seen = new Set<string>();
  const gpus = (c.gpus ?? []).map((g, i) => {
    const model = typeof g?.model === 'string' ? g.model.trim() : '';
    if (model.length === 0) {
      throw new KmetalValidationError(scope, `${field}.gpus[${i}].model`, `${showValue(g?.model)} is not a GPU model name`, 'name the model, e.g. "nvidia-a100-80gb"');
    }
    if (seen.has(model)) {
      throw new KmetalValidationError(scope, `${field}.gpus[${i}].model`, `model ${showValue(model)} is listed twice for this host`, 'list each model once with its count');
    }
    seen.add(model);
    return { model, count: wholeNumber(scope, `${field}.gpus[${i}].count`, g.count ?? 1, 1, 'give at least 1, or drop the entry') };
  }).sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
  return { cpuCores, memoryGiB: c.memoryGiB, gpus };
}

/**
 * Sums host capacities.
 * @internal
 */
export function _sumCapacity(capacities: HostCapacity[]): PoolCapacity {
  const byModel = new Map<string, number>();
  let cpuCores = 0;
  let memoryGiB = 0;
  for (const c of capacities) {
    cpuCores += c.cpuCores;
    memoryGiB += c.memoryGiB;
    for (const g of c.gpus ?? []) byModel.set(g.model, (byModel.get(g.model) ?? 0) + (g.count ?? 1));
  }
  const gpus = [...byModel.keys()].sort().map((model) => ({ model, count: byModel.get(model)! }));
  return { hostCount: capacities.length, cpuCores, memoryGiB, gpuCount: gpus.reduce((n, g) => n + g.count, 0), gpus };
}
