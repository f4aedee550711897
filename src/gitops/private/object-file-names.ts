import { createHash } from 'crypto';

/** The identity of an object, as far as naming its file is concerned. */
export interface ObjectIdentity {
  readonly kind: string;
  /** API group, `core` for the core group. */
  readonly group: string;
  readonly namespace?: string;
  readonly name: string;
}

// Most file systems cap a file name at 255 bytes; Kubernetes names alone may be 253 characters.
const MAX_BASE_LENGTH = 200;
const MAX_LEVEL = 3;

/**
 * Names the files of the objects of one folder: `<kind>-<name>.yaml`, lowercase.
 *
 * Only objects whose names would collide get more detail, one level at a time:
 * 1. the namespace: `<kind>-<namespace>-<name>.yaml`;
 * 2. the API group: `<kind>.<group>-<namespace>-<name>.yaml` (e.g. `cluster.cluster.x-k8s.io-…`);
 * 3. a short hash of the full identity, which always separates distinct objects.
 * The result depends only on the set of objects in the folder, not on their order, so the same
 * program always produces the same names.
 *
 * @returns one file name per identity, in the same order
 */
export function objectFileNames(objects: ObjectIdentity[]): string[] {
  const levels = objects.map(() => 0);
  for (;;) {
    const names = objects.map((o, i) => fileName(o, levels[i]));
    const byName = new Map<string, number[]>();
    names.forEach((n, i) => {
      const same = byName.get(n);
      if (same) same.push(i);
      else byName.set(n, [i]);
    });
    let bumped = false;
    for (const indexes of byName.values()) {
      if (indexes.length < 2) continue;
      for (const i of indexes) {
        if (levels[i] < MAX_LEVEL) {
          levels[i]++;
          bumped = true;
        }
      }
    }
    if (!bumped) {
      if (byName.size !== names.length) {
        // Only reachable for identical identities, which the writer rejects before naming files.
        throw new Error(`internal error: identical objects in one folder: ${names.join(', ')}`);
      }
      return names;
    }
  }
}

function fileName(o: ObjectIdentity, level: number): string {
  const kind = clean(o.kind);
  const name = clean(o.name);
  const ns = level >= 1 && o.namespace ? `-${clean(o.namespace)}` : '';
  const group = level >= 2 ? `.${clean(o.group)}` : '';
  const hash = level >= 3 ? `-${identityHash(o)}` : '';
  let base = `${kind}${group}${ns}-${name}${hash}`;
  if (base.length > MAX_BASE_LENGTH) {
    base = `${base.slice(0, MAX_BASE_LENGTH - 9)}-${identityHash(o)}`;
  }
  return `${base}.yaml`;
}

/** Lowercase, and only characters that are safe in file names on every platform. */
function clean(part: string): string {
  return part.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
}

function identityHash(o: ObjectIdentity): string {
  return createHash('sha256').update(`${o.group}/${o.kind}/${o.namespace ?? ''}/${o.name}`).digest('hex').slice(0, 8);
}
