import { IConstruct } from 'constructs';
import { KmetalValidationError } from '../../util/errors';

/** One claimed identity: who holds it, for the error message of the second claimant. */
interface Claim {
  readonly owner: string;
  readonly path: string;
}

/**
 * Identities that must be unique across the whole app (every pool of every chart): boot MACs,
 * BMC endpoints, `namespace/host` names and `namespace/pool` names. One map per kind keeps the
 * check linear in the number of hosts; a pairwise scan would be quadratic in fleet size.
 */
class InventoryRegistry {
  private readonly claims = new Map<string, Map<string, Claim>>();

  /** Records `key` for `owner`, or throws naming the construct that already holds it. */
  public claim(scope: IConstruct, field: string, kind: string, key: string, owner: string,
    problem: (holder: string, holderPath: string) => string, fix: string): void {
    this.claimAll(scope, owner, [{ field, kind, key, problem, fix }]);
  }

  /**
   * Records several identities at once: either all of them (none is held yet) or none, so that a
   * host refused for its second identity does not keep its first.
   */
  public claimAll(scope: IConstruct, owner: string, claims: IdentityClaim[]): void {
    for (const c of claims) {
      const held = this.claims.get(c.kind)?.get(c.key);
      if (held) throw new KmetalValidationError(scope, c.field, c.problem(held.owner, held.path), c.fix);
    }
    for (const c of claims) {
      let byKey = this.claims.get(c.kind);
      if (!byKey) {
        byKey = new Map();
        this.claims.set(c.kind, byKey);
      }
      byKey.set(c.key, { owner, path: scope.node.path });
    }
  }
}

/** One identity to claim. */
export interface IdentityClaim {
  /** Field named in the error. */
  readonly field: string;
  /** Kind of identity (its own namespace of keys). */
  readonly kind: string;
  /** The identity. */
  readonly key: string;
  /** The problem, given the holder's name and construct path. */
  readonly problem: (holder: string, holderPath: string) => string;
  /** How to fix it. */
  readonly fix: string;
}

// Keyed by the root of the construct tree (the App), so two apps in one process (tests) do not
// see each other's hosts, and the registry goes away with the app.
const registries = new WeakMap<IConstruct, InventoryRegistry>();

/** The registry of the app `scope` belongs to. */
export function inventoryRegistry(scope: IConstruct): InventoryRegistry {
  const root = scope.node.root;
  let registry = registries.get(root);
  if (!registry) {
    registry = new InventoryRegistry();
    registries.set(root, registry);
  }
  return registry;
}
