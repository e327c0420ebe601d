/**
 * What one connection has to send, in two lanes on one data channel. Queued urgent frames go
 * before queued bulk frames; frames go to the channel only while its bufferedAmount is below the
 * high mark (a slow peer cannot make us buffer without bound inside the WebRTC stack), and bulk
 * only while less than BULK_WINDOW_BYTES are unacknowledged by the receiver. The window is what
 * bounds the bulk ahead of a keystroke: libdatachannel (the host) keeps a send buffer that
 * bufferedAmount does not show, and sends every channel of a connection from one queue, so a
 * second channel does not help (`npm run bench`, module lanes, measured all the designs).
 */
import { BULK_ACK_EVERY_BYTES, BULK_WINDOW_BYTES, split, type Lane } from '../protocol/frames.ts';
import { Emitter } from './events.ts';

/** Stop handing frames to the data channel above this many buffered bytes… */
export const HIGH_WATER_BYTES = 1024 * 1024;
/** …and resume when it drained below this. */
export const LOW_WATER_BYTES = 256 * 1024;

class Queue {
  frames: Uint8Array[] = [];
  bytes = 0;
  push(frames: Uint8Array[]): void {
    for (const f of frames) {
      this.frames.push(f);
      this.bytes += f.length;
    }
  }
  shift(): Uint8Array {
    const f = this.frames.shift()!;
    this.bytes -= f.length;
    return f;
  }
}

export class Outbox {
  /** everything queued on the urgent lane reached the channel, and it is below the low mark */
  readonly drained = new Emitter<void>();
  #urgent = new Queue();
  #bulk = new Queue();
  /** bulk bytes sent, and acknowledged by the other side (running totals) */
  #sent = 0;
  #acked = 0;
  /** bulk bytes received, and the total we last acknowledged */
  #received = 0;
  #ackedBack = 0;

  /** Urgent bytes not yet handed to the channel. */
  get urgentQueued(): number {
    return this.#urgent.bytes;
  }

  /** Bulk bytes waiting for the window (not yet handed to the channel). */
  get bulkQueued(): number {
    return this.#bulk.bytes;
  }

  /** Bulk bytes sent and not yet acknowledged. */
  get inFlight(): number {
    return this.#sent - this.#acked;
  }

  enqueue(message: Uint8Array, lane: Lane): void {
    (lane === 'urgent' ? this.#urgent : this.#bulk).push(split(message, lane));
  }

  /** Hands frames to `dc` while the marks and the window allow. Throws when the channel refuses. */
  flush(dc: RTCDataChannel): void {
    while (dc.bufferedAmount < HIGH_WATER_BYTES) {
      let f: Uint8Array;
      if (this.#urgent.frames.length) f = this.#urgent.shift();
      else if (this.#bulk.frames.length && this.inFlight < BULK_WINDOW_BYTES) {
        f = this.#bulk.shift();
        this.#sent += f.length;
      } else break;
      dc.send(f as Uint8Array<ArrayBuffer>);
    }
    if (!this.#urgent.frames.length && dc.bufferedAmount <= LOW_WATER_BYTES) this.drained.fire();
  }

  /** The other side has received `total` bulk bytes (mod 2^32); flush next. */
  acked(total: number): void {
    const delta = (total - this.#acked) >>> 0;
    if (delta <= this.inFlight) this.#acked += delta; // else stale or bogus: ignored
  }

  /** Counts a received bulk frame; returns the total to acknowledge when it is time to. */
  received(bytes: number): number | null {
    this.#received += bytes;
    if (this.#received - this.#ackedBack < BULK_ACK_EVERY_BYTES) return null;
    this.#ackedBack = this.#received;
    return this.#received >>> 0;
  }

  dispose(): void {
    this.#urgent = new Queue();
    this.#bulk = new Queue();
    this.drained.dispose();
  }
}
