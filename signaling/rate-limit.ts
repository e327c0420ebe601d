/**
 * Per-client token buckets for the HTTP API, so one client cannot fill the session store or
 * hammer the invite check. In memory, per instance; idle buckets are forgotten.
 */

export interface RateLimitOptions {
  /** requests allowed in a burst */
  burst: number;
  /** sustained requests per minute */
  perMinute: number;
  /** clock, ms (tests move it) */
  now?: () => number;
}

/** Buckets kept at most; past this the oldest are dropped (bounded memory under a spray of addresses). */
const MAX_CLIENTS = 10_000;

export class RateLimiter {
  readonly #o: Required<RateLimitOptions>;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(o: RateLimitOptions) {
    this.#o = { now: Date.now, ...o };
  }

  /** Takes one request for `client`; returns 0 when allowed, else the seconds to wait. */
  take(client: string): number {
    const now = this.#o.now();
    const perMs = this.#o.perMinute / 60_000;
    const b = this.#buckets.get(client) ?? { tokens: this.#o.burst, at: now };
    b.tokens = Math.min(this.#o.burst, b.tokens + (now - b.at) * perMs);
    b.at = now;
    this.#buckets.delete(client);
    this.#buckets.set(client, b);
    if (this.#buckets.size > MAX_CLIENTS) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / perMs / 1000);
  }
}

/**
 * The key one client is limited by: its address, an IPv6 one by its /64 (a host gets a whole /64
 * and could otherwise rotate through it). With `trustProxy` (the server runs behind a reverse
 * proxy the operator controls) the address is the last one in X-Forwarded-For, the one that
 * proxy saw; without it that header is ignored, since any client can send it.
 */
export function clientKey(remote: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: boolean): string {
  let addr = remote ?? 'unknown';
  if (trustProxy && forwardedFor) {
    const last = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').pop()?.trim();
    if (last) addr = last;
  }
  if (addr.startsWith('::ffff:')) addr = addr.slice(7);
  if (!addr.includes(':')) return addr;
  const groups = expandIpv6(addr);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : addr;
}

function expandIpv6(addr: string): string[] | null {
  const a = addr.replace(/^\[|\]$/g, '').split('%')[0];
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  if (a.includes('::')) {
    const fill = 8 - h.length - t.length;
    if (fill < 0) return null;
    return [...h, ...Array(fill).fill('0'), ...t].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
  }
  return h.length === 8 ? h.map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')) : null;
}
