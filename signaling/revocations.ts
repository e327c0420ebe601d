/**
 * What the server no longer honours, although it signed it: credentials already exchanged for a
 * newer one (their `jti`, until they would have expired anyway) and participants the owner
 * removed. Checked at refresh and at the ws upgrade, so a leaked credential dies with the next
 * refresh of the genuine one, and a removed participant can neither refresh nor reach signaling.
 * Peers enforce removals themselves (session.ts statements); this is the server's half.
 * In memory, bounded; snapshot()/restore() let a state file (control-file.ts) carry it over a
 * restart, so a restart does not revive a removed participant, a retired jti or an ended session.
 */
import { CLOCK_SKEW_S, REFRESH_GRACE_S, type Claims } from '../src/lib/protocol/credentials.ts';

/** Retired jtis kept at most (past it the oldest are forgotten), and removed participants per session. */
const MAX_RETIRED = 100_000;
/** An ended session is remembered (its links say so) this long, then forgotten, ms (24 h). */
export const ENDED_RETENTION_MS = 24 * 60 * 60 * 1000;

export interface Ended {
  /** ms since the epoch */
  at: number;
  /** display name of who ended it */
  by: string;
}
const MAX_REMOVED_PER_SESSION = 1_000;

/** What a state file keeps of the revocations. */
export interface SavedRevocations {
  /** [jti, until (s)] */
  retired: [string, number][];
  removed: Record<string, string[]>;
  roles: Record<string, Record<string, 'editor' | 'viewer'>>;
  /** when the owner stated each role (its statement's iat, s); absent in files written before it: 0 */
  roleAt?: Record<string, Record<string, number>>;
  ended: Record<string, Ended>;
}

export class Revocations {
  /** jti → until when it matters (its refresh window), s */
  readonly #retired = new Map<string, number>();
  readonly #removed = new Map<string, Set<string>>();
  /** session → when it ended and who ended it (kept for ENDED_RETENTION_MS) */
  readonly #ended = new Map<string, Ended>();
  /** session → participant → the role the owner gave it (refreshed credentials carry it) */
  readonly #roles = new Map<string, Map<string, 'editor' | 'viewer'>>();
  /** session → participant → the iat of the statement that gave that role, s */
  readonly #roleAt = new Map<string, Map<string, number>>();

  /** A credential was exchanged for a newer one: it may not be exchanged or used again. */
  retire(c: Pick<Claims, 'jti' | 'exp'>, now = Date.now() / 1000): void {
    if (this.#retired.size >= MAX_RETIRED) this.sweep(now);
    if (this.#retired.size >= MAX_RETIRED) this.#retired.delete(this.#retired.keys().next().value!);
    this.#retired.set(c.jti, c.exp + CLOCK_SKEW_S + REFRESH_GRACE_S);
  }

  remove(session: string, sub: string): void {
    let set = this.#removed.get(session);
    if (!set) this.#removed.set(session, (set = new Set()));
    if (set.size < MAX_REMOVED_PER_SESSION) set.add(sub);
  }

  /**
   * The owner gave `sub` this role in a statement made at `at` (its iat, s). An older statement
   * never replaces a newer one, whichever arrives (or is merged from another instance) last; of
   * two made in the same second the later arrival wins, as at the peers (decisions.ts).
   */
  setRole(session: string, sub: string, role: 'editor' | 'viewer', at = 0): boolean {
    let m = this.#roles.get(session);
    if (!m) this.#roles.set(session, (m = new Map()));
    let ats = this.#roleAt.get(session);
    if (!ats) this.#roleAt.set(session, (ats = new Map()));
    if ((ats.get(sub) ?? -1) > at) return false;
    if (m.size >= MAX_REMOVED_PER_SESSION && !m.has(sub)) return false;
    m.set(sub, role);
    ats.set(sub, at);
    return true;
  }

  /** The role the owner gave a participant since it joined, if any. */
  role(session: string, sub: string): 'editor' | 'viewer' | undefined {
    return this.#roles.get(session)?.get(sub);
  }

  isRemoved(session: string, sub: string): boolean {
    return this.#removed.get(session)?.has(sub) ?? false;
  }

  /** Why the server refuses this (otherwise valid) credential, or null. */
  refusal(c: Pick<Claims, 'aud' | 'sub' | 'jti'>): string | null {
    if (this.ended(c.aud)) return endedText(this.ended(c.aud)!);
    if (this.isRemoved(c.aud, c.sub)) return 'credential refused: the owner removed this participant';
    if (this.#retired.has(c.jti)) return 'credential refused: it was already exchanged for a newer one';
    return null;
  }

  /** The session is over: nothing of it is honoured any more. */
  end(session: string, by: string, now = Date.now()): void {
    for (const [id, e] of this.#ended) if (now - e.at > ENDED_RETENTION_MS) this.#ended.delete(id);
    if (!this.#ended.has(session)) this.#ended.set(session, { at: now, by });
    this.forget(session);
  }

  ended(session: string): Ended | undefined {
    const e = this.#ended.get(session);
    return e && Date.now() - e.at <= ENDED_RETENTION_MS ? e : undefined;
  }

  /** Forgets a session (it ended and its retention passed). */
  forget(session: string): void {
    this.#removed.delete(session);
    this.#roles.delete(session);
    this.#roleAt.delete(session);
  }

  sweep(now = Date.now() / 1000): void {
    for (const [jti, until] of this.#retired) if (until < now) this.#retired.delete(jti);
  }

  /** What is still worth keeping: jtis still inside their refresh window, endings inside retention. */
  snapshot(now = Date.now()): SavedRevocations {
    this.sweep(now / 1000);
    for (const [id, e] of this.#ended) if (now - e.at > ENDED_RETENTION_MS) this.#ended.delete(id);
    return {
      retired: [...this.#retired],
      removed: Object.fromEntries([...this.#removed].map(([s, subs]) => [s, [...subs]])),
      roles: Object.fromEntries([...this.#roles].map(([s, m]) => [s, Object.fromEntries(m)])),
      roleAt: Object.fromEntries([...this.#roleAt].map(([s, m]) => [s, Object.fromEntries(m)])),
      ended: Object.fromEntries(this.#ended)
    };
  }

  /**
   * Takes in what snapshot() gave (already validated by the caller), merged with what is here
   * (retired, removed and ended anywhere stay so; of two roles the more recently stated wins), so
   * instances that share their state converge.
   */
  restore(saved: SavedRevocations, now = Date.now()): void {
    for (const [jti, until] of saved.retired.slice(-MAX_RETIRED)) if (until >= now / 1000 && !this.#retired.has(jti)) this.retire({ jti, exp: until - CLOCK_SKEW_S - REFRESH_GRACE_S }, now / 1000);
    for (const [s, subs] of Object.entries(saved.removed)) for (const sub of subs) this.remove(s, sub);
    for (const [s, m] of Object.entries(saved.roles)) for (const [sub, role] of Object.entries(m)) this.setRole(s, sub, role, saved.roleAt?.[s]?.[sub] ?? 0);
    for (const [s, e] of Object.entries(saved.ended)) if (now - e.at <= ENDED_RETENTION_MS && !this.#ended.has(s)) this.#ended.set(s, e);
  }

  /** Sessions that ended (within the retention). */
  endedIds(): string[] {
    return [...this.#ended.keys()];
  }

  /** Sessions it holds removals or roles for (a state file drops those the store forgot). */
  sessions(): string[] {
    return [...new Set([...this.#removed.keys(), ...this.#roles.keys()])];
  }
}

/** What a link of an ended session says. */
export function endedText(e: Ended): string {
  return `This session has ended (${new Date(e.at).toISOString().replace('T', ' ').slice(0, 16)} UTC, by ${e.by}).`;
}
