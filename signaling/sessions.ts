/**
 * Sessions and their invites. The server keeps only what it needs to admit people: a session id,
 * when it was last used and the SHA-256 of each invite secret (never the secret itself). The
 * interface is async so that a shared (Redis) store can replace the in-memory one.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { INVITE_ROLES, type InviteRole } from '../src/lib/protocol/roles.ts';
import { randomId } from './keys.ts';

/** Most sessions one in-memory store holds at once. */
export const MAX_SESSIONS = 10_000;
/** A session nobody has used for this long is forgotten, ms (24 h). */
export const SESSION_IDLE_MS = 24 * 60 * 60 * 1000;
/** How often idle sessions are swept, ms. */
const SWEEP_MS = 10 * 60 * 1000;
/** Invite secrets: random bytes, base64url in the link. */
const INVITE_BYTES = 24;

export interface CreatedSession {
  id: string;
  /** the plain invite secrets, returned once to the creator */
  invites: Record<InviteRole, string>;
}

export interface SessionStore {
  /** Throws SessionLimitError when the store is full. */
  create(): Promise<CreatedSession>;
  has(id: string): Promise<boolean>;
  /** The role the invite grants in that session, or undefined when it is not one of its invites. */
  inviteRole(id: string, secret: string): Promise<InviteRole | undefined>;
  /** Marks the session as in use (joins, refreshes, relayed messages keep it alive). */
  touch(id: string): Promise<void>;
  /** Stops timers and saves what a persistent store has not saved yet. */
  close(): Promise<void>;
}

/** A session as a persistent store saves it: the SHA-256 of each invite, never the invite. */
export interface StoredSession {
  id: string;
  /** ms since the epoch */
  lastUsed: number;
  /** role → base64url SHA-256 of the invite secret */
  invites: Partial<Record<InviteRole, string>>;
}

export class SessionLimitError extends Error {
  constructor() {
    super('this signaling server is at its session limit; try again later');
  }
}

interface Entry {
  lastUsed: number;
  invites: { role: InviteRole; hash: Buffer }[];
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export interface MemoryStoreOptions {
  maxSessions?: number;
  idleMs?: number;
  /** clock, ms (tests move it) */
  now?: () => number;
}

export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, Entry>();
  readonly #max: number;
  readonly #idleMs: number;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(opts: MemoryStoreOptions = {}) {
    this.#max = opts.maxSessions ?? MAX_SESSIONS;
    this.#idleMs = opts.idleMs ?? SESSION_IDLE_MS;
    this.#now = opts.now ?? Date.now;
    this.#sweeper = setInterval(() => this.sweep(), SWEEP_MS).unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  async create(): Promise<CreatedSession> {
    if (this.#sessions.size >= this.#max) this.sweep();
    if (this.#sessions.size >= this.#max) throw new SessionLimitError();
    let id = randomId('', 9);
    while (this.#sessions.has(id)) id = randomId('', 9);
    const invites = {} as Record<InviteRole, string>;
    const entry: Entry = { lastUsed: this.#now(), invites: [] };
    for (const role of INVITE_ROLES) {
      invites[role] = randomBytes(INVITE_BYTES).toString('base64url');
      entry.invites.push({ role, hash: sha256(invites[role]) });
    }
    this.#sessions.set(id, entry);
    return { id, invites };
  }

  async has(id: string): Promise<boolean> {
    return this.#live(id) !== undefined;
  }

  async inviteRole(id: string, secret: string): Promise<InviteRole | undefined> {
    const entry = this.#live(id);
    if (!entry) return undefined;
    const hash = sha256(secret);
    let found: InviteRole | undefined;
    // Compare against every invite, in constant time, so timing tells nothing about the secrets.
    for (const inv of entry.invites) if (timingSafeEqual(inv.hash, hash)) found = inv.role;
    return found;
  }

  async touch(id: string): Promise<void> {
    const entry = this.#live(id);
    if (entry) entry.lastUsed = this.#now();
  }

  /** Forgets sessions idle for longer than the idle limit. */
  sweep(): void {
    for (const id of this.#sessions.keys()) this.#live(id);
  }

  /** The live sessions, for a persistent store to save. */
  snapshot(): StoredSession[] {
    this.sweep();
    return [...this.#sessions].map(([id, e]) => ({
      id,
      lastUsed: e.lastUsed,
      invites: Object.fromEntries(e.invites.map((inv) => [inv.role, inv.hash.toString('base64url')]))
    }));
  }

  /** Adds saved sessions: idle ones are dropped, and past the limit only the most recently used are kept. */
  restore(saved: StoredSession[]): void {
    const newest = [...saved].sort((a, b) => b.lastUsed - a.lastUsed);
    for (const s of newest) {
      if (this.#sessions.size >= this.#max) break;
      if (this.#now() - s.lastUsed > this.#idleMs || this.#sessions.has(s.id)) continue;
      const invites = Object.entries(s.invites).map(([role, hash]) => ({ role: role as InviteRole, hash: Buffer.from(hash, 'base64url') }));
      this.#sessions.set(s.id, { lastUsed: s.lastUsed, invites });
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#sessions.clear();
  }

  #live(id: string): Entry | undefined {
    const entry = this.#sessions.get(id);
    if (entry && this.#now() - entry.lastUsed > this.#idleMs) {
      this.#sessions.delete(id);
      return undefined;
    }
    return entry;
  }
}
