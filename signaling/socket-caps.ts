/**
 * The relay's socket caps (relay.ts): open sockets counted per participant, per session and per
 * client address, and in all; with Redis (RelayOptions.shared) each socket also holds a lease in
 * the counts every instance shares, so the caps hold across instances.
 */
import { randomBytes } from 'node:crypto';
import type { Claims } from '../src/lib/protocol/credentials.ts';
import { MAX_SOCKETS, MAX_SOCKETS_PER_ADDRESS, MAX_SOCKETS_PER_PARTICIPANT, MAX_SOCKETS_PER_SESSION, type RelayOptions } from './relay-options.ts';
import type { SocketCaps, SocketKeys } from './redis-limits.ts';

/** One counted socket: whose, from where, and its lease in the shared counts. */
export interface CountedSocket {
  claims: Claims;
  /** the client's address key (rate-limit.ts clientKey) */
  addr: string;
  lease: string;
}

export class SocketCounts {
  readonly #opts: Pick<RelayOptions, 'maxSockets' | 'maxSocketsPerAddress' | 'shared'>;
  /** how many sockets the relay holds in all */
  readonly #open: () => number;
  /** `session participant`, `session` and `@address` → open sockets */
  readonly #counts = new Map<string, number>();
  /** names this instance's leases in the shared counts */
  readonly #instance = randomBytes(6).toString('hex');
  #leases = 0;

  constructor(opts: Pick<RelayOptions, 'maxSockets' | 'maxSocketsPerAddress' | 'shared'>, open: () => number) {
    this.#opts = opts;
    this.#open = open;
  }

  /** whether the counts are shared with other instances (admitShared() then decides too) */
  get shared(): boolean {
    return this.#opts.shared !== undefined;
  }

  /** A new lease name, unique across instances. */
  lease(): string {
    return `${this.#instance}:${++this.#leases}`;
  }

  /** Why one more socket for these claims is refused by the local counts, or null. */
  full(claims: Claims, addr: string): string | null {
    if (this.#open() >= (this.#opts.maxSockets ?? MAX_SOCKETS)) return 'the server is at its connection limit; try again later';
    const caps = this.#caps();
    if ((this.#counts.get(`@${addr}`) ?? 0) >= caps.address) return this.#capText('address');
    if ((this.#counts.get(`${claims.aud} ${claims.sub}`) ?? 0) >= caps.participant) return this.#capText('participant');
    if ((this.#counts.get(claims.aud) ?? 0) >= caps.session) return this.#capText('session');
    return null;
  }

  /**
   * After full() passed: the shared count (every instance's sockets) decides, atomically, and takes
   * `lease`; then the local caps once more (other upgrades here may have opened meanwhile). Null
   * when admitted, 'gone' when the socket closed meanwhile, else why not. Throws when the shared
   * store cannot be reached.
   */
  async admitShared(claims: Claims, addr: string, lease: string, gone: () => boolean): Promise<string | null> {
    const shared = this.#opts.shared;
    if (!shared) return null;
    const which = await shared.admit(this.#keys(claims, addr), lease, this.#caps());
    if (which) return this.#capText(which);
    const now = gone() ? 'gone' : this.full(claims, addr);
    if (now) void shared.release(this.#keys(claims, addr), lease).catch(() => {});
    return now;
  }

  /** Counts an opened socket (its shared lease was taken by admitShared()). */
  add(s: CountedSocket): void {
    this.#count(s, +1);
  }

  /** A socket closed: it stops counting here and (its lease released) elsewhere. */
  remove(s: CountedSocket): void {
    this.#count(s, -1);
    this.#opts.shared?.release(this.#keys(s.claims, s.addr), s.lease).catch(() => {});
  }

  /** Renews the shared leases of the sockets still open (the relay's heartbeat). */
  renew(open: Iterable<CountedSocket>): void {
    // (a lease not renewed, while Redis is away, lapses: then the socket no longer counts elsewhere)
    this.#opts.shared?.renew([...open].map((s) => ({ keys: this.#keys(s.claims, s.addr), member: s.lease }))).catch(() => {});
  }

  #caps(): SocketCaps {
    return { participant: MAX_SOCKETS_PER_PARTICIPANT, session: MAX_SOCKETS_PER_SESSION, address: this.#opts.maxSocketsPerAddress ?? MAX_SOCKETS_PER_ADDRESS };
  }

  #keys(claims: Claims, addr: string): SocketKeys {
    return { participant: claims.sub, session: claims.aud, address: addr };
  }

  #capText(which: keyof SocketCaps): string {
    const caps = this.#caps();
    if (which === 'address') return `your address already has ${caps.address} signaling connections; close some first`;
    if (which === 'participant') return `this participant already has ${caps.participant} signaling connections; close one first`;
    return `this session already has ${caps.session} signaling connections`;
  }

  #count(s: CountedSocket, d: number): void {
    const { claims } = s;
    for (const key of [`${claims.aud} ${claims.sub}`, claims.aud, `@${s.addr}`]) {
      const n = (this.#counts.get(key) ?? 0) + d;
      if (n > 0) this.#counts.set(key, n);
      else this.#counts.delete(key);
    }
  }
}
