/**
 * What several instances on one Redis (redis-backplane.ts) must count together, each as one Lua
 * script so that check and count are one atomic step whichever instance asks:
 *  - signaling sockets per participant, session and address: one lease per socket in a sorted set
 *    (score = until when), renewed by the relay's heartbeat, so the sockets of an instance that
 *    died stop counting when their leases lapse (LEASE_HEARTBEATS heartbeats);
 *  - the API's per-address rate limits: one token bucket per address and limit, on Redis's clock;
 *  - the uses of a counted invite: the last one is taken once.
 * Callers check their local state first: a local refusal needs no round trip (a local count is
 * never above the shared one).
 */
import type { Redis } from 'ioredis';
import type { RateLimitOptions } from './rate-limit.ts';

const PREFIX = 'ls:';
/** A socket's lease lasts this many relay heartbeats (renewed at each). */
export const LEASE_HEARTBEATS = 3;

// KEYS: lease sets; ARGV: now, until, member, then one cap per key. 0 = admitted (counted in
// every set), else the 1-based index of the first set that is full.
const ADMIT = `
local now = tonumber(ARGV[1])
for i, k in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', k, '-inf', now)
  if redis.call('ZCARD', k) >= tonumber(ARGV[3 + i]) then return i end
end
for _, k in ipairs(KEYS) do
  redis.call('ZADD', k, ARGV[2], ARGV[3])
  redis.call('PEXPIREAT', k, ARGV[2], 'GT')
  redis.call('PEXPIREAT', k, ARGV[2], 'NX')
end
return 0`;

// KEYS: lease sets; ARGV: until, then the member in each set. Only leases still held are renewed.
const RENEW = `
for i, k in ipairs(KEYS) do
  if redis.call('ZSCORE', k, ARGV[1 + i]) then
    redis.call('ZADD', k, ARGV[1], ARGV[1 + i])
    redis.call('PEXPIREAT', k, ARGV[1], 'GT')
  end
end
return 0`;

// KEYS[1]: a bucket; ARGV: burst, tokens per ms. Returns 0 (taken) or the seconds to wait.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local burst = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * per)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / per / 1000) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / per) + 1000)
return wait`;

// KEYS[1]: uses left of one invite; ARGV: uses left if Redis has not heard of it, ttl ms.
// Returns the uses left after this one, or -1 when none was left.
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
if tonumber(redis.call('GET', KEYS[1])) <= 0 then return -1 end
return redis.call('DECR', KEYS[1])`;

type Scripted = Redis & {
  lsAdmit(...args: (string | number)[]): Promise<number>;
  lsRenew(...args: (string | number)[]): Promise<number>;
  lsTake(...args: (string | number)[]): Promise<number>;
  lsClaim(...args: (string | number)[]): Promise<number>;
};

/** The keys one socket is counted under, in the order of SocketCaps. */
export interface SocketKeys {
  participant: string;
  session: string;
  address: string;
}
export interface SocketCaps {
  participant: number;
  session: number;
  address: number;
}

export class SharedLimits {
  readonly #redis: Scripted;
  readonly #leaseMs: number;

  /** `heartbeatMs`: the relay's, which renews the leases */
  constructor(redis: Redis, heartbeatMs: number) {
    redis.defineCommand('lsAdmit', { lua: ADMIT });
    redis.defineCommand('lsRenew', { lua: RENEW });
    redis.defineCommand('lsTake', { lua: TAKE, numberOfKeys: 1 });
    redis.defineCommand('lsClaim', { lua: CLAIM, numberOfKeys: 1 });
    this.#redis = redis as Scripted;
    this.#leaseMs = LEASE_HEARTBEATS * heartbeatMs;
  }

  static #keys(k: SocketKeys): string[] {
    return [`${PREFIX}sockets:p:${k.session} ${k.participant}`, `${PREFIX}sockets:s:${k.session}`, `${PREFIX}sockets:a:${k.address}`];
  }

  /** Counts one more socket under `keys` (as `member`) unless one of the caps is reached: then which. */
  async admit(keys: SocketKeys, member: string, caps: SocketCaps): Promise<keyof SocketCaps | null> {
    const now = Date.now();
    const ks = SharedLimits.#keys(keys);
    const full = await this.#redis.lsAdmit(ks.length, ...ks, now, now + this.#leaseMs, member, caps.participant, caps.session, caps.address);
    return full === 0 ? null : (['participant', 'session', 'address'] as const)[full - 1];
  }

  /** Renews the leases of sockets still open (the relay's heartbeat). */
  async renew(sockets: { keys: SocketKeys; member: string }[]): Promise<void> {
    const until = Date.now() + this.#leaseMs;
    // a few hundred keys per script call, so one call never holds Redis long
    for (let i = 0; i < sockets.length; i += 100) {
      const batch = sockets.slice(i, i + 100);
      const ks = batch.flatMap((s) => SharedLimits.#keys(s.keys));
      const members = batch.flatMap((s) => [s.member, s.member, s.member]);
      await this.#redis.lsRenew(ks.length, ...ks, until, ...members);
    }
  }

  /** A socket closed: it stops counting at once. */
  async release(keys: SocketKeys, member: string): Promise<void> {
    const p = this.#redis.pipeline();
    for (const k of SharedLimits.#keys(keys)) p.zrem(k, member);
    await p.exec();
  }

  /** Takes one request of `client` from the shared bucket `name`: 0 when allowed, else the seconds to wait. */
  take(name: string, client: string, o: RateLimitOptions): Promise<number> {
    return this.#redis.lsTake(`${PREFIX}rate:${name}:${client}`, o.burst, o.perMinute / 60_000);
  }

  /**
   * Takes one use of a counted invite: the uses left after it, or -1 when none was left.
   * `leftHere`: what this instance believes is left before this use (Redis starts from it when it
   * has not counted this invite yet); `expires`: the invite's end, ms since the epoch.
   */
  claimUse(session: string, invite: string, leftHere: number, expires: number): Promise<number> {
    return this.#redis.lsClaim(`${PREFIX}invite-uses:${session}:${invite}`, leftHere, Math.max(1000, expires - Date.now() + 60_000));
  }
}
