/**
 * One page's unparsed backlog on one terminal, as the host sees it: bytes sent to the page minus
 * bytes the page acknowledged as parsed (`ack {seq}`, terminal.ts). Acks name a seq, so the host
 * keeps checkpoints (seq → bytes sent up to it); neighbouring checkpoints closer than MARK_BYTES
 * are merged, which keeps the list short (the host stops sending long before it could grow) and
 * only ever overestimates the backlog, by less than MARK_BYTES.
 */
/** Checkpoints closer than this are merged, bytes. */
export const MARK_BYTES = 16 * 1024;

interface Mark {
  seq: number;
  /** bytes sent up to and including this seq */
  sent: number;
}

export class PageBacklog {
  #sent = 0;
  #acked = 0;
  #marks: Mark[] = [];
  #head = 0;

  /** Unparsed bytes: sent and not yet acknowledged. */
  get bytes(): number {
    return this.#sent - this.#acked;
  }

  /** Output chunk `seq` (or a snapshot after `seq`) of `bytes` went to the page. */
  sent(seq: number, bytes: number): void {
    this.#sent += bytes;
    const last = this.#marks.length > this.#head ? this.#marks[this.#marks.length - 1] : null;
    const before = this.#marks.length - 1 > this.#head ? this.#marks[this.#marks.length - 2].sent : this.#acked;
    if (last && last.sent - before < MARK_BYTES && seq >= last.seq) {
      last.seq = seq;
      last.sent = this.#sent;
    } else {
      this.#marks.push({ seq, sent: this.#sent });
    }
  }

  /** The page parsed everything up to `seq`. Stale or repeated acks change nothing. */
  ack(seq: number): void {
    while (this.#head < this.#marks.length && this.#marks[this.#head].seq <= seq) this.#acked = this.#marks[this.#head++].sent;
    if (this.#head > 64 && this.#head * 2 > this.#marks.length) {
      this.#marks = this.#marks.slice(this.#head);
      this.#head = 0;
    }
  }

  /** A new subscription: nothing is in flight for it yet. */
  reset(): void {
    this.#sent = this.#acked = 0;
    this.#marks = [];
    this.#head = 0;
  }
}
