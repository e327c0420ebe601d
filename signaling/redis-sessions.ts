/**
 * Sessions in Redis, shared by every instance (redis-backplane.ts): one hash per session (the
 * SHA-256 of each invite secret, never the secret), expiring after SESSION_IDLE_MS without use.
 * Uses renew the expiry at most once per TOUCH_MS per session from each instance.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { INVITE_ROLES, type InviteRole } from '../src/lib/protocol/roles.ts';
import { randomId } from './keys.ts';
import { SESSION_IDLE_MS, type CreatedSession, type SessionStore } from './sessions.ts';

const TOUCH_MS = 5_000;
const key = (id: string) => `ls:session:${id}`;
/** every live session, scored by when it expires (ms): counted for /metrics across instances */
const ALL_KEY = 'ls:sessions';
const sha256 = (s: string) => createHash('sha256').update(s).digest();

export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis;
  readonly #idleMs: number;
  /** session → when this instance last renewed its expiry, ms */
  readonly #touched = new Map<string, number>();

  constructor(redis: Redis, idleMs = SESSION_IDLE_MS) {
    this.#redis = redis;
    this.#idleMs = idleMs;
  }

  async create(): Promise<CreatedSession> {
    const invites = {} as Record<InviteRole, string>;
    const fields: Record<string, string> = {};
    for (const role of INVITE_ROLES) {
      invites[role] = randomBytes(24).toString('base64url');
      fields[role] = sha256(invites[role]).toString('base64url');
    }
    for (;;) {
      const id = randomId('', 9);
      // HSETNX on a marker field: a clash with an existing id (never seen) takes another
      if ((await this.#redis.hsetnx(key(id), 'created', String(Date.now()))) === 0) continue;
      await this.#redis.multi().hset(key(id), fields).pexpire(key(id), this.#idleMs).zadd(ALL_KEY, Date.now() + this.#idleMs, id).exec();
      return { id, invites };
    }
  }

  async has(id: string): Promise<boolean> {
    return (await this.#redis.exists(key(id))) === 1;
  }

  async inviteRole(id: string, secret: string): Promise<InviteRole | undefined> {
    const saved = await this.#redis.hgetall(key(id));
    const hash = sha256(secret);
    let found: InviteRole | undefined;
    // every role compared, in constant time
    for (const role of INVITE_ROLES) {
      const h = saved[role] ? Buffer.from(saved[role], 'base64url') : null;
      if (h && h.length === hash.length && timingSafeEqual(h, hash)) found = role;
    }
    return found;
  }

  async touch(id: string): Promise<void> {
    const now = Date.now();
    if (now - (this.#touched.get(id) ?? 0) < TOUCH_MS) return;
    this.#touched.set(id, now);
    if (this.#touched.size > 10_000) this.#touched.delete(this.#touched.keys().next().value!);
    await this.#redis.multi().pexpire(key(id), this.#idleMs).zadd(ALL_KEY, 'XX', now + this.#idleMs, id).exec().catch(() => {});
  }

  /** Sessions alive now, on every instance (the expired ones dropped from the count first). */
  async count(): Promise<number> {
    const [, n] = (await this.#redis.multi().zremrangebyscore(ALL_KEY, '-inf', Date.now()).zcard(ALL_KEY).exec()) ?? [];
    return Number(n?.[1] ?? 0);
  }

  async close(): Promise<void> {
    this.#touched.clear();
  }
}
