/**
 * Budgets: what one sender may cost a receiver. A token bucket per quantity (messages, bytes):
 * a burst is allowed, then a sustained rate. Every peer keeps one per admitted peer, and one per
 * connection still saying hello, so a flood of small control messages (a viewer sending `sub`
 * 300 times) is refused before it makes this peer do any work; the signaling relay keeps one per
 * socket. Pure, clocked by the caller so tests need not wait.
 */

export interface BucketOptions {
  /** what may be spent at once */
  burst: number;
  /** refilled per second */
  perSecond: number;
}

export class Bucket {
  readonly #o: BucketOptions;
  #tokens: number;
  #at: number;

  constructor(o: BucketOptions, now = Date.now()) {
    this.#o = o;
    this.#tokens = o.burst;
    this.#at = now;
  }

  /** Spends `n` when there is that much left; false (nothing spent) otherwise. */
  take(n = 1, now = Date.now()): boolean {
    this.#tokens = Math.min(this.#o.burst, this.#tokens + ((now - this.#at) / 1000) * this.#o.perSecond);
    this.#at = now;
    if (this.#tokens < n) return false;
    this.#tokens -= n;
    return true;
  }
}

export interface BudgetOptions {
  messages: BucketOptions;
  bytes: BucketOptions;
}

/**
 * What a guest may send one peer. A person types, pastes (8 KiB chunks) and clicks; replays and
 * reconnects come in bursts. Far above that, far below what makes a host stall: at the sustained
 * rate a `sub` costs the host one snapshot per terminal at most (the hub merges repeats).
 */
export const PEER_BUDGET: BudgetOptions = {
  messages: { burst: 400, perSecond: 100 },
  bytes: { burst: 8 * 1024 * 1024, perSecond: 2 * 1024 * 1024 }
};

/**
 * What a connection may send while its hello is being verified: the host sends terminal lists,
 * snapshots and output right after its hello, and a loaded page may take a while to verify it.
 * Bounded, so 32 pending connections cannot hold more than 32 × MAX_HELD_BYTES.
 */
export const MAX_HELD_MESSAGES = 1024;
export const MAX_HELD_BYTES = 8 * 1024 * 1024;

/** Both buckets of one sender. */
export class Budget {
  readonly #messages: Bucket;
  readonly #bytes: Bucket;
  /** messages refused since the last `over` report */
  dropped = 0;

  constructor(o: BudgetOptions = PEER_BUDGET, now = Date.now()) {
    this.#messages = new Bucket(o.messages, now);
    this.#bytes = new Bucket(o.bytes, now);
  }

  /** Charges one message of `bytes`; false when it is over either budget (then it is dropped). */
  take(bytes: number, now = Date.now()): boolean {
    // the byte bucket is only charged when the message bucket allows, so a refused message costs nothing
    if (this.#messages.take(1, now) && this.#bytes.take(bytes, now)) return true;
    this.dropped++;
    return false;
  }
}

/**
 * Strikes that fade: a peer that once sent a bad message (a keystroke racing a terminal's close)
 * is not dropped an hour later for a second one; a peer that keeps sending them is, within seconds.
 */
export class Strikes {
  readonly #max: number;
  readonly #decayMs: number;
  #count = 0;
  #at = 0;

  constructor(max: number, decayMs: number) {
    this.#max = max;
    this.#decayMs = decayMs;
  }

  /** Adds one; true when the limit is reached. */
  add(now = Date.now()): boolean {
    this.#count = Math.max(0, this.#count - (now - this.#at) / this.#decayMs) + 1;
    this.#at = now;
    return this.#count >= this.#max;
  }

  get count(): number {
    return this.#count;
  }
}
