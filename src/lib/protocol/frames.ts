/**
 * Data-channel framing, and nothing else. Every wire frame is ≤ MAX_FRAME_BYTES so terminal output
 * never waits behind a bulk transfer for long; a larger message is split into chunk frames and
 * reassembled up to MAX_MESSAGE_BYTES.
 *
 *   message  [cap:u8] body           one byte names the capability (sub-protocol), as in
 *                                    y-protocols; the capability's file (mesh.ts, …) defines body
 *   CHUNK    [255] last:u8 bytes     a slice of one larger urgent message, back to back
 *   BULK     [253] last:u8 bytes     a slice of a bulk message (every bulk message is sent so)
 *   ACK      [254] total:u32         bulk bytes received so far (mod 2^32)
 *
 * Two lanes share one ordered channel: `urgent` (everything by default) and `bulk` (messages a
 * protocol marks bulk: a file, a large document update). The sender sends queued urgent frames
 * before queued bulk frames and keeps at most BULK_WINDOW_BYTES of bulk unacknowledged, so a
 * keystroke's echo never waits behind more than that; bulk frames may come between urgent
 * messages, never inside one. The receiver reassembles each lane on its own and acknowledges bulk.
 */
import { ProtocolError } from './validate.ts';

export const MAX_FRAME_BYTES = 16 * 1024;
/** Largest reassembled message (a terminal snapshot with scrollback), bytes. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/**
 * The one byte in front of every message: which capability's protocol reads the rest. One entry
 * per capability; a new capability takes the next free number.
 */
export const CAP = { MESH: 0, TERMINAL: 1, SESSION: 2, FILES: 3, EDITOR: 4, COMMANDS: 5, ENV: 6, LOGS: 7, METRICS: 8 } as const;
export type CapId = (typeof CAP)[keyof typeof CAP];
const CHUNK = 255;
const ACK = 254;
const BULK = 253;

export type Lane = 'urgent' | 'bulk';
/** Most bulk bytes a sender has on the way before the receiver acknowledged them. */
export const BULK_WINDOW_BYTES = 256 * 1024;
/** A receiver acknowledges bulk bytes after this many more arrived. */
export const BULK_ACK_EVERY_BYTES = 64 * 1024;

export function writeAck(total: number): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = ACK;
  new DataView(out.buffer).setUint32(1, total >>> 0);
  return out;
}

/** The total of an ACK frame, or null when `raw` is no ACK. */
export function readAck(raw: Uint8Array): number | null {
  if (raw[0] !== ACK) return null;
  if (raw.length !== 5) throw new ProtocolError('bad-frame', 'an ack frame is 5 bytes');
  return new DataView(raw.buffer, raw.byteOffset, 5).getUint32(1);
}

/** One whole message: its capability byte and the body that capability decodes. */
export interface Message {
  cap: number;
  body: Uint8Array;
}

/** Prefixes `body` with its capability byte. */
export function frame(cap: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = cap;
  out.set(body, 1);
  return out;
}

/** Splits a message into wire frames of at most `max` bytes: an urgent message that fits is one
 * frame as it is; a bigger one, and every bulk message, is chunked. */
export function split(message: Uint8Array, lane: Lane = 'urgent', max = MAX_FRAME_BYTES): Uint8Array[] {
  if (lane === 'urgent' && message.length <= max) return [message];
  if (message.length > MAX_MESSAGE_BYTES) throw new ProtocolError('too-large', `message of ${message.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  const step = max - 2;
  const parts: Uint8Array[] = [];
  for (let at = 0; at < message.length; at += step) {
    const slice = message.subarray(at, at + step);
    const part = new Uint8Array(2 + slice.length);
    part[0] = lane === 'urgent' ? CHUNK : BULK;
    part[1] = at + step >= message.length ? 1 : 0;
    part.set(slice, 2);
    parts.push(part);
  }
  return parts;
}

/** A frame of the bulk lane (the receiver counts them to acknowledge). */
export function isBulkFrame(raw: Uint8Array): boolean {
  return raw[0] === BULK;
}

/** Chunks of one message being put back together. Chunks are kept as views of their frames, not
 * copies, until the message is whole (one copy per message instead of two: a copy of each 16 KiB
 * chunk first was most of the 8.6 s of page JS Reassembly.add took per 1M log lines): a frame's buffer must not be reused by the caller — data channels hand
 * over a fresh one per message. */
class Reassembly {
  #parts: Uint8Array[] = [];
  #size = 0;

  get pending(): boolean {
    return this.#parts.length > 0;
  }

  /** Adds a chunk frame; returns the whole message after its last chunk. */
  add(raw: Uint8Array): Uint8Array | null {
    if (raw.length < 2) throw new ProtocolError('bad-frame', 'truncated chunk');
    this.#size += raw.length - 2;
    if (this.#size > MAX_MESSAGE_BYTES) {
      this.#parts = [];
      this.#size = 0;
      throw new ProtocolError('too-large', `chunked message exceeds ${MAX_MESSAGE_BYTES} bytes`);
    }
    this.#parts.push(raw.subarray(2));
    if (raw[1] !== 1) return null;
    const whole = new Uint8Array(this.#size);
    let at = 0;
    for (const p of this.#parts) {
      whole.set(p, at);
      at += p.length;
    }
    this.#parts = [];
    this.#size = 0;
    return whole;
  }
}

/** Reassembles chunked messages of both lanes. One per connection. ACK frames are the caller's. */
export class FrameReader {
  #urgent = new Reassembly();
  #bulk = new Reassembly();

  /** Returns the whole message, or null while a chunked one is incomplete. Throws ProtocolError. */
  read(raw: Uint8Array): Message | null {
    if (raw.length === 0) throw new ProtocolError('bad-frame', 'empty frame');
    if (raw.length > MAX_FRAME_BYTES) {
      throw new ProtocolError('too-large', `frame of ${raw.length} bytes exceeds ${MAX_FRAME_BYTES}`);
    }
    let whole: Uint8Array | null;
    if (raw[0] === CHUNK) whole = this.#urgent.add(raw);
    else if (raw[0] === BULK) whole = this.#bulk.add(raw);
    else {
      if (this.#urgent.pending) throw new ProtocolError('bad-frame', 'frame inside an unfinished chunked message');
      return { cap: raw[0], body: raw.subarray(1) };
    }
    if (!whole) return null;
    if (whole.length === 0) throw new ProtocolError('bad-frame', 'empty chunked message');
    return { cap: whole[0], body: whole.subarray(1) };
  }
}
