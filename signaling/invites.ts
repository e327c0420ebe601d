/**
 * Invites the owner makes beyond the session's three default links: each with a role, a lifetime
 * and a number of uses, listed and revoked by owners. The server keeps only the SHA-256 of each
 * secret. The default links have ids `owner`, `editor` and `viewer` and can be revoked too.
 * Revocation stops new joins at once (and a lapsed credential from that link is not renewed).
 * Kept in memory; snapshot()/restore() let a state file (control-file.ts) carry them over a restart.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { InviteInfo } from '../src/lib/protocol/api.ts';
import type { InviteRole, MadeInviteRole } from '../src/lib/protocol/roles.ts';
import { randomId } from './keys.ts';

/** Invites one session may have at most (revoked and used-up ones included until they expire). */
export const MAX_INVITES_PER_SESSION = 100;
/** Longest lifetime of an invite, s (7 days); and the default, s (24 h). */
export const MAX_INVITE_TTL_S = 7 * 24 * 3600;
export const DEFAULT_INVITE_TTL_S = 24 * 3600;

interface Entry extends InviteInfo {
  expires: number;
  hash: Buffer;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** An invite as a state file keeps it: its secret's SHA-256 (base64url), never the secret. */
export interface SavedInvite extends InviteInfo {
  expires: number;
  hash: string;
}
/** session → its extra invites and which default links were revoked */
export type SavedInvites = Record<string, { invites: SavedInvite[]; revokedDefaults: string[] }>;

export class Invites {
  readonly #bySession = new Map<string, Map<string, Entry>>();
  /** default links revoked: session → roles */
  readonly #revokedDefaults = new Map<string, Set<string>>();

  create(session: string, role: MadeInviteRole, ttlS: number, uses: number | null, by: string, now = Date.now()): { info: InviteInfo; secret: string } {
    const all = this.#sweep(session, now);
    if (all.size >= MAX_INVITES_PER_SESSION) throw new Error(`a session can have at most ${MAX_INVITES_PER_SESSION} invites; revoke some first`);
    const secret = randomBytes(24).toString('base64url');
    const info = { id: randomId('i_', 6), role, expires: now + ttlS * 1000, usesLeft: uses, revoked: false, by };
    all.set(info.id, { ...info, hash: sha256(secret) });
    return { info, secret };
  }

  list(session: string, now = Date.now()): InviteInfo[] {
    const defaults = ['owner', 'editor', 'viewer'].map((id) => ({ id, role: id as InviteRole, expires: null, usesLeft: null, revoked: this.isRevoked(session, id), by: '' }));
    return [...defaults, ...[...this.#sweep(session, now).values()].map(({ hash: _hash, ...info }) => info)];
  }

  revoke(session: string, id: string): boolean {
    if (id === 'owner' || id === 'editor' || id === 'viewer') {
      let set = this.#revokedDefaults.get(session);
      if (!set) this.#revokedDefaults.set(session, (set = new Set()));
      set.add(id);
      return true;
    }
    const e = this.#bySession.get(session)?.get(id);
    if (e) e.revoked = true;
    return !!e;
  }

  isRevoked(session: string, id: string): boolean {
    return this.#revokedDefaults.get(session)?.has(id) || this.#bySession.get(session)?.get(id)?.revoked === true;
  }

  /** Uses one of the session's extra invites: its id and role, or why not (undefined: no such invite). */
  take(session: string, secret: string, now = Date.now()): { id: string; role: MadeInviteRole; usesLeft: number | null; expires: number } | { refused: string } | undefined {
    const hash = sha256(secret);
    let found: Entry | undefined;
    for (const e of this.#sweep(session, now).values()) if (timingSafeEqual(e.hash, hash)) found = e;
    if (!found) return undefined;
    if (found.revoked) return { refused: 'this link was revoked by the owner: ask for a new one' };
    if (found.expires < now) return { refused: 'this link has expired: ask the owner for a new one' };
    if (found.usesLeft !== null && found.usesLeft <= 0) return { refused: 'this link has been used as many times as the owner allowed: ask for a new one' };
    if (found.usesLeft !== null) found.usesLeft--;
    return { id: found.id, role: found.role, usesLeft: found.usesLeft, expires: found.expires };
  }

  /** What the instances' shared count (redis-limits.ts) says is left of a counted invite (never more than here). */
  usesLeft(session: string, id: string, left: number): void {
    const e = this.#bySession.get(session)?.get(id);
    if (e && e.usesLeft !== null) e.usesLeft = Math.min(e.usesLeft, Math.max(0, left));
  }

  forget(session: string): void {
    this.#bySession.delete(session);
    this.#revokedDefaults.delete(session);
  }

  /** Everything worth keeping over a restart (expired invites past their day of listing are dropped). */
  snapshot(now = Date.now()): SavedInvites {
    const out: SavedInvites = {};
    for (const session of new Set([...this.#bySession.keys(), ...this.#revokedDefaults.keys()])) {
      const invites = [...this.#sweep(session, now).values()].map((e) => ({ ...e, hash: e.hash.toString('base64url') }));
      const revokedDefaults = [...(this.#revokedDefaults.get(session) ?? [])];
      if (invites.length || revokedDefaults.length) out[session] = { invites, revokedDefaults };
      else this.#bySession.delete(session);
    }
    return out;
  }

  /**
   * Takes in what snapshot() gave (already validated by the caller), merged with what is here:
   * revoked anywhere is revoked, the fewest uses left win. So instances that share their state
   * (redis-backplane.ts) converge whatever order they hear of each other's changes in.
   */
  restore(saved: SavedInvites): void {
    for (const [session, { invites, revokedDefaults }] of Object.entries(saved)) {
      let all = this.#bySession.get(session);
      if (!all) this.#bySession.set(session, (all = new Map()));
      for (const e of invites) {
        const here = all.get(e.id);
        if (!here) {
          if (all.size < MAX_INVITES_PER_SESSION) all.set(e.id, { ...e, hash: Buffer.from(e.hash, 'base64url') });
          continue;
        }
        here.revoked ||= e.revoked;
        if (e.usesLeft !== null) here.usesLeft = here.usesLeft === null ? e.usesLeft : Math.min(here.usesLeft, e.usesLeft);
      }
      if (!all.size) this.#bySession.delete(session);
      if (revokedDefaults.length) this.#revokedDefaults.set(session, new Set([...(this.#revokedDefaults.get(session) ?? []), ...revokedDefaults]));
    }
  }

  /** The sessions it holds anything for (a state file drops those the store forgot). */
  sessions(): string[] {
    return [...new Set([...this.#bySession.keys(), ...this.#revokedDefaults.keys()])];
  }

  #sweep(session: string, now: number): Map<string, Entry> {
    let all = this.#bySession.get(session);
    if (!all) this.#bySession.set(session, (all = new Map()));
    // an expired invite is listed for a day after (so the owner sees what happened), then forgotten
    for (const [id, e] of all) if (e.expires + 24 * 3600_000 < now) all.delete(id);
    return all;
  }
}
