/**
 * What one participant gets of the matching lines: at most `ratePerS` lines a second (a bucket of
 * one second's worth), at most MAX_QUEUED waiting, nothing more while its connection is behind.
 * Lines it could not take are counted, and the count goes out in front of the next lines (or on
 * its own once the flood is over) so the page shows "N lines skipped" where they were.
 */
import { MAX_LINES_PER_MESSAGE, type LogLine } from '../../src/lib/protocol/logs.ts';
import type { LinesMessage } from '../../src/lib/protocol/log-lines.ts';
import type { MeshPeer } from '../../src/lib/mesh/mesh.ts';
import { packLines } from './pack-lines.ts';

/** Lines waiting to be sent to one participant, at most. */
export const MAX_QUEUED = 2 * MAX_LINES_PER_MESSAGE;
/** A participant whose connection has this much unsent is skipped until it catches up, bytes. */
export const MAX_BACKLOG_BYTES = 2 * 1024 * 1024;
/** Lines are gathered this long before they go out (one message instead of one per line), ms. */
const FLUSH_MS = 40;

export class PeerFeed {
  readonly peer: MeshPeer;
  #rate: number;
  #tokens: number;
  #refilled = Date.now();
  /** live lines waiting to go out */
  #queue: LogLine[] = [];
  #skipped = 0;
  #gen = 0;
  #timer: NodeJS.Timeout | null = null;
  /** lines sent, for the tests and the bench */
  sent = 0;

  constructor(peer: MeshPeer, ratePerS: number, gen: number) {
    this.peer = peer;
    this.#rate = ratePerS;
    this.#tokens = ratePerS;
    this.#gen = gen;
  }

  /** A new filter: what was queued for the old one is dropped unsent. */
  reset(gen: number): void {
    this.#gen = gen;
    this.#queue = [];
    this.#skipped = 0;
  }

  /** Live lines that matched, encoded (and `dropped` more the host could not even match in time). */
  push(lines: readonly LogLine[], dropped = 0): void {
    this.#skipped += dropped;
    const now = Date.now();
    this.#tokens = Math.min(this.#rate, this.#tokens + ((now - this.#refilled) / 1000) * this.#rate);
    this.#refilled = now;
    const behind = this.peer.backlog + this.peer.bulkBacklog > MAX_BACKLOG_BYTES;
    for (const l of lines) {
      if (behind || this.#tokens < 1 || this.#queue.length >= MAX_QUEUED) this.#skipped++;
      else {
        this.#tokens--;
        this.#queue.push(l);
      }
    }
    if (this.#queue.length >= MAX_LINES_PER_MESSAGE) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** History lines for the current filter: not rate limited (bounded by the caller), sent now. */
  history(lines: LogLine[]): void {
    for (let i = 0; i < lines.length; i += MAX_LINES_PER_MESSAGE) {
      this.#send({ type: 'lines', gen: this.#gen, lines: lines.slice(i, i + MAX_LINES_PER_MESSAGE), skipped: 0, history: true });
    }
    this.sent += lines.length;
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    while (this.#queue.length || this.#skipped) {
      const lines = this.#queue.splice(0, MAX_LINES_PER_MESSAGE);
      this.#send({ type: 'lines', gen: this.#gen, lines, skipped: this.#skipped, history: false });
      this.sent += lines.length;
      this.#skipped = 0;
    }
  }

  #send(m: LinesMessage): void {
    this.peer.sendEncoded(packLines(m), 'bulk'); // the lane of `lines` (protocol/logs.ts)
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
