/**
 * One lane of a peer connection: a pre-negotiated, ordered, reliable data channel with its own
 * reassembly and send queue. Frames go to the channel only while its bufferedAmount is below the
 * high mark (so a slow peer cannot make us buffer without bound inside the WebRTC stack); the bulk
 * lane also stops while BULK_WINDOW_BYTES are unacknowledged. That window is what bounds the bulk
 * bytes ahead of an urgent frame: libdatachannel sends every channel of a connection from one
 * queue, with a send buffer bufferedAmount does not show (test/bench/lanes.ts measured it).
 */
import { BULK_ACK_EVERY_BYTES, BULK_WINDOW_BYTES, FrameReader, split, type Lane } from '../protocol/frames.ts';

/** Stop handing frames to the data channel above this many buffered bytes… */
export const HIGH_WATER_BYTES = 1024 * 1024;
/** …and resume when it drained below this. */
export const LOW_WATER_BYTES = 256 * 1024;

export class LaneChannel {
  readonly name: Lane;
  readonly dc: RTCDataChannel;
  readonly reader = new FrameReader();
  #queue: Uint8Array[] = [];
  #queueBytes = 0;
  #drain = new Set<() => void>();
  #windowed: boolean;
  /** bulk bytes sent, and acknowledged by the other side (running totals) */
  #sent = 0;
  #acked = 0;
  /** bulk bytes received, and the total we last acknowledged */
  #received = 0;
  #ackedBack = 0;

  constructor(pc: RTCPeerConnection, name: Lane, id: number) {
    this.name = name;
    this.#windowed = name === 'bulk';
    this.dc = pc.createDataChannel(name === 'urgent' ? 'live-sessions' : 'live-sessions-bulk', { negotiated: true, id, ordered: true });
    this.dc.binaryType = 'arraybuffer';
    this.dc.bufferedAmountLowThreshold = LOW_WATER_BYTES;
  }

  /** Bytes waiting: our queue plus what the data channel still buffers. */
  get backlog(): number {
    return this.#queueBytes + (this.dc.readyState === 'open' ? this.dc.bufferedAmount : 0);
  }

  /** Bulk bytes sent and not yet acknowledged. */
  get inFlight(): number {
    return this.#sent - this.#acked;
  }

  enqueue(message: Uint8Array): void {
    for (const part of split(message)) {
      this.#queue.push(part);
      this.#queueBytes += part.length;
    }
  }

  /** Hands queued frames to the channel while the marks (and the window) allow. Throws when the
   * channel refuses a send. */
  flush(): void {
    if (this.dc.readyState !== 'open') return;
    while (this.#queue.length && this.dc.bufferedAmount < HIGH_WATER_BYTES && (!this.#windowed || this.inFlight < BULK_WINDOW_BYTES)) {
      const part = this.#queue.shift()!;
      this.#queueBytes -= part.length;
      this.#sent += part.length;
      this.dc.send(part as Uint8Array<ArrayBuffer>);
    }
    if (!this.#queue.length && this.dc.bufferedAmount <= LOW_WATER_BYTES) for (const l of this.#drain) l();
  }

  /** The other side has received `total` bulk bytes (mod 2^32); flush next. */
  acked(total: number): void {
    const delta = (total - this.#acked) >>> 0;
    if (delta > this.inFlight) return; // a stale or bogus ack: ignore it
    this.#acked += delta;
  }

  /** Counts received bulk bytes; returns the total to acknowledge when it is time to. */
  received(bytes: number): number | null {
    this.#received += bytes;
    if (this.#received - this.#ackedBack < BULK_ACK_EVERY_BYTES) return null;
    this.#ackedBack = this.#received;
    return this.#received >>> 0;
  }

  onDrain(cb: () => void): () => void {
    this.#drain.add(cb);
    return () => this.#drain.delete(cb);
  }

  dispose(): void {
    this.#queue = [];
    this.#queueBytes = 0;
    this.#drain.clear();
    try {
      this.dc.close();
    } catch {
      /* already closed */
    }
  }
}
