/**
 * What the owner decided about participants (role changes, removals) and about the session
 * (relay-only, once and for good), from verified statements:
 * the latest decision per participant (a removal is final), and the statements themselves as they
 * travel, bounded, to hand to peers that join.
 */
import type { SessionControl } from '../protocol/session.ts';
import type { Statement } from '../protocol/statements.ts';
import type { Role } from '../protocol/roles.ts';

/** Statements remembered (to pass on to peers that join); the oldest go first. */
export const MAX_STATEMENTS = 1_000;

export class Decisions {
  /** verified statements by jti, as they travel */
  #statements = new Map<string, SessionControl>();
  /** the latest decision per participant */
  #latest = new Map<string, Statement>();

  /** Every statement so far, for a peer that may have missed them (relay-only first: never evicted). */
  *statements(): IterableIterator<SessionControl> {
    if (this.#relayOnly) yield this.#relayOnly;
    yield* this.#statements.values();
  }

  /** The role the owner gave a participant, if it changed it. */
  roleOf(id: string): Role | undefined {
    const d = this.#latest.get(id);
    return d?.act === 'role' ? d.role : undefined;
  }

  /** Whether the owner made the session relay-only. */
  get relayOnly(): boolean {
    return this.#relayOnly !== null;
  }
  /** the statement that made it so, kept apart from the bounded ones */
  #relayOnly: SessionControl | null = null;

  /** Whether the owner removed a participant. */
  isRemoved(id: string): boolean {
    return this.#latest.get(id)?.act === 'remove';
  }

  /**
   * Takes a verified statement `s` (travelling as `c`): false when it was seen before or an earlier
   * removal or a later decision stands; true when it is now the participant's decision.
   */
  apply(s: Statement, c: SessionControl): boolean {
    if (s.act === 'relay-only') return this.#relayOnly ? false : ((this.#relayOnly = c), true);
    if (this.#statements.has(s.jti)) return false;
    if (this.#statements.size >= MAX_STATEMENTS) this.#statements.delete(this.#statements.keys().next().value!);
    this.#statements.set(s.jti, c);
    const before = this.#latest.get(s.sub);
    // removal is final; otherwise the latest decision wins
    if (before?.act === 'remove' || (before && before.iat > s.iat)) return false;
    this.#latest.set(s.sub, s);
    return true;
  }
}
