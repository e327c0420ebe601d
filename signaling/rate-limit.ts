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
