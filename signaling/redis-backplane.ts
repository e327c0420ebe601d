/**
 * Several signaling instances behind one load balancer, sharing one Redis (`--redis URL`):
 *  - one signing key (keys.ts SigningKeys.shared), so a credential from any instance verifies on
 *    every instance and at every peer;
 *  - sessions (RedisSessionStore: one hash per session, expiring when idle);
 *  - the owners' decisions and the refusals (invites, revocations, removals, roles, retired jtis,
 *    ended sessions): one JSON document, read-merged-written on every change (merge = union, see
 *    Invites/Revocations.restore; the write only lands over the version it merged, else it merges
 *    again, so no instance's change is lost) and announced on a channel, so every instance applies
 *    a change before its next request and they converge whatever the order;
 *  - counts that must hold across instances (socket caps, API rate limits, invite uses):
 *    redis-limits.ts;
 *  - the relay: a publish goes to the local members and to the session's channel, which the
 *    instances that have members of that session subscribe to.
 * Redis down: /readyz fails (the balancer sends new people elsewhere), joins and refreshes fail
 * with a clear error, sockets already open keep relaying among the members of this instance, and
 * peer-to-peer sessions are not touched at all. ioredis reconnects by itself.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Invites, SavedInvites } from './invites.ts';
import type { Relay, RelayBus } from './relay.ts';
import type { Revocations, SavedRevocations } from './revocations.ts';

const PREFIX = 'ls:';
export const KEY_KEY = `${PREFIX}signing-key`;
export const CONTROL_KEY = `${PREFIX}control`;
/** bumped at every write of CONTROL_KEY: a save is written only over the version it merged */
const CONTROL_VERSION_KEY = `${PREFIX}control-version`;
// KEYS: the document, its version. Both read in one step.
const READ_CONTROL = `return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]) or '0'}`;
// KEYS: the document, its version; ARGV: the version the new document was merged from, the
// document. 1 = written; 0 = another instance wrote meanwhile (merge again).
const WRITE_CONTROL = `
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('INCR', KEYS[2])
return 1`;
/** Merge-and-write attempts before a save gives up (only under a storm of changes). */
const MAX_SAVE_ATTEMPTS = 20;
const CONTROL_CHANNEL = `${PREFIX}control`;
const relayChannel = (session: string) => `${PREFIX}relay:${session}`;
const NEWLINE = Buffer.from('\n');

interface ControlDoc {
  invites: SavedInvites;
  revocations: SavedRevocations;
}

export class RedisBackplane implements RelayBus {
  readonly url: string;
  readonly redis: Redis;
  readonly #sub: Redis;
  /** tells this instance's own messages apart on the shared channels */
  readonly #me = randomBytes(6).toString('hex');
  readonly #meSp = Buffer.from(`${this.#me} `);
  readonly #log: (line: string, level?: 'info' | 'warn' | 'error') => void;
  #relay: Relay | undefined;
  #control: { invites: Invites; revocations: Revocations; onEnd: (session: string) => void } | undefined;
  #written: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;
  #closed = false;

  private constructor(url: string, redis: Redis, sub: Redis, log: RedisBackplane['log']) {
    this.url = url;
    this.redis = redis;
    this.#sub = sub;
    this.#log = log;
  }

  get log() {
    return this.#log;
  }

  /** Connects (both the command and the subscriber connection); rejects naming the URL when Redis cannot be reached. */
  static async connect(url: string, log: RedisBackplane['log']): Promise<RedisBackplane> {
    // fail fast while Redis is down (no offline queue): requests answer an error instead of hanging
    const opts = { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true, connectTimeout: 5_000, retryStrategy: (n: number) => Math.min(200 * n, 2_000) };
    // auto-pipelining: the relay's publishes of one tick go to Redis in one write
    const redis = new Redis(url, { ...opts, enableAutoPipelining: true });
    const sub = new Redis(url, { ...opts, enableOfflineQueue: true });
    for (const [name, c] of [['redis', redis], ['redis (subscriber)', sub]] as const) c.on('error', (e: Error) => log(`${name}: ${e.message}`, 'warn'));
    try {
      await Promise.all([redis.connect(), sub.connect()]);
    } catch (e) {
      redis.disconnect();
      sub.disconnect();
      throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${(e as Error).message}`);
    }
    const bp = new RedisBackplane(url, redis, sub, log);
    // (as bytes: a relayed publish goes on to the sockets here without a string round trip)
    sub.on('messageBuffer', (channel: Buffer, message: Buffer) => bp.#message(channel.toString(), message));
    // back after an outage: a Redis that lost its data gets this instance's key and decisions again
    // (attached after the first connect: every 'ready' from here on is a reconnection)
    redis.on('ready', () => {
      log(`redis: reconnected to ${redactUrl(url)}`);
      // not ready until then: an instance starting meanwhile would make a key of its own
      bp.#reseeding = bp.#reseed()
        .catch((e: Error) => log(`redis: cannot restore the shared state: ${e.message}`, 'warn'))
        .finally(() => (bp.#reseeding = undefined));
    });
    redis.defineCommand('lsReadControl', { lua: READ_CONTROL, numberOfKeys: 2 });
    redis.defineCommand('lsWriteControl', { lua: WRITE_CONTROL, numberOfKeys: 2 });
    await sub.subscribe(CONTROL_CHANNEL);
    return bp;
  }

  /** For SigningKeys.shared. */
  keyStore() {
    return {
      get: async () => {
        const saved = await this.redis.get(KEY_KEY);
        if (saved !== null) this.#signingKey = saved;
        return saved;
      },
      setIfAbsent: async (v: string) => {
        const ok = (await this.redis.set(KEY_KEY, v, 'NX')) === 'OK';
        if (ok) this.#signingKey = v;
        return ok;
      }
    };
  }

  /** Why this instance should not get traffic (Redis unreachable), or null. */
  async notReady(): Promise<string | null> {
    if (this.redis.status !== 'ready') return `Redis at ${redactUrl(this.url)} is unreachable (${this.redis.status})`;
    if (this.#reseeding) return `Redis at ${redactUrl(this.url)} is back; restoring the shared state`;
    try {
      await withTimeout(this.redis.ping(), 1_000);
      return null;
    } catch (e) {
      return `Redis at ${redactUrl(this.url)} does not answer: ${(e as Error).message}`;
    }
  }

  /** Loads the shared decisions into `invites` and `revocations`, and keeps them in step from now on. */
  async attachControl(invites: Invites, revocations: Revocations, onEnd: (session: string) => void): Promise<void> {
    this.#control = { invites, revocations, onEnd };
    await this.#pull();
  }

  #reseeding: Promise<void> | undefined;

  /** The private JWK this instance signs with (kept to put back into a Redis that lost it). */
  #signingKey: string | undefined;

  async #reseed(): Promise<void> {
    if (this.#signingKey) await this.redis.set(KEY_KEY, this.#signingKey, 'NX');
    if (this.#control) await this.saveControl();
  }

  attachRelay(relay: Relay): void {
    this.#relay = relay;
  }

  /**
   * Saves this instance's decisions (merged with the shared ones) and tells the others; resolves
   * once Redis has them. Saves asked for during a write share the next one.
   */
  saveControl(): Promise<void> {
    if (this.#queued) return this.#queued;
    const queued = this.#written.then(async () => {
      this.#queued = undefined;
      const c = this.#control!;
      for (let attempt = 1; ; attempt++) {
        const version = await this.#pull();
        const doc: ControlDoc = { invites: c.invites.snapshot(), revocations: c.revocations.snapshot() };
        if ((await this.#scripts.lsWriteControl(CONTROL_KEY, CONTROL_VERSION_KEY, version, JSON.stringify(doc))) === 1) break;
        if (attempt === MAX_SAVE_ATTEMPTS) throw new Error(`the shared decisions in Redis changed ${MAX_SAVE_ATTEMPTS} times while this instance merged them`);
      }
      await this.redis.publish(CONTROL_CHANNEL, `${this.#me} changed`);
    });
    this.#queued = queued;
    this.#written = queued.catch(() => {});
    return queued;
  }

  /**
   * Queues a relayed publish for the other instances; the publishes of one tick go out as one
   * Redis message per session, one per line (a relayed publish is JSON with no raw newline).
   */
  publish(session: string, out: Buffer): void {
    let queued = this.#outbox.get(session);
    if (!queued) {
      this.#outbox.set(session, (queued = [this.#meSp]));
      if (this.#outbox.size === 1) process.nextTick(this.#flush);
    }
    if (queued.length > 1) queued.push(NEWLINE);
    queued.push(out);
  }

  readonly #outbox = new Map<string, Buffer[]>();
  readonly #flush = () => {
    // best effort: with Redis down, members on this instance still hear each other
    for (const [session, parts] of this.#outbox) this.redis.publish(relayChannel(session), Buffer.concat(parts)).catch(() => {});
    this.#outbox.clear();
  };

  watch(session: string, on: boolean): void {
    const p = on ? this.#sub.subscribe(relayChannel(session)) : this.#sub.unsubscribe(relayChannel(session));
    p.catch((e: Error) => this.#log(`redis: cannot ${on ? 'subscribe to' : 'leave'} session ${session}: ${e.message}`, 'warn'));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#written;
    this.#sub.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  get #scripts() {
    return this.redis as Redis & {
      lsReadControl(doc: string, version: string): Promise<[string | null, string]>;
      lsWriteControl(doc: string, version: string, expected: string, text: string): Promise<number>;
    };
  }

  /**
   * Merges the shared document into this instance's state (sessions it learns have ended are
   * closed here too); resolves to the version it merged.
   */
  async #pull(): Promise<string> {
    const [text, version] = await this.#scripts.lsReadControl(CONTROL_KEY, CONTROL_VERSION_KEY);
    if (!text || !this.#control) return version;
    const endedBefore = new Set(this.#control.revocations.endedIds());
    let doc: ControlDoc;
    try {
      doc = JSON.parse(text) as ControlDoc;
    } catch {
      this.#log(`redis: ${CONTROL_KEY} is not valid JSON; it is replaced by this instance's state at its next change`, 'error');
      return version;
    }
    this.#control.invites.restore(doc.invites);
    this.#control.revocations.restore(doc.revocations);
    for (const s of this.#control.revocations.endedIds()) {
      if (endedBefore.has(s)) continue;
      this.#control.invites.forget(s);
      this.#control.onEnd(s);
    }
    return version;
  }

  #message(channel: string, message: Buffer): void {
    if (message.subarray(0, this.#meSp.length).equals(this.#meSp)) return;
    const body = message.subarray(message.indexOf(0x20) + 1);
    if (channel === CONTROL_CHANNEL) {
      void this.#pull().catch((e: Error) => this.#log(`redis: cannot read the shared decisions: ${e.message}`, 'warn'));
      return;
    }
    if (!channel.startsWith(`${PREFIX}relay:`) || !this.#relay) return;
    const session = channel.slice(`${PREFIX}relay:`.length);
    for (let at = 0; at < body.length; ) {
      const end = body.indexOf(0x0a, at);
      this.#relay.deliver(session, body.subarray(at, end < 0 ? body.length : end));
      at = end < 0 ? body.length : end + 1;
    }
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'the configured URL';
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e))
    );
  });
}
