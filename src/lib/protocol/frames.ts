/**
 * Data-channel framing. Every frame is ≤ MAX_FRAME_BYTES so terminal output never waits behind a
 * bulk transfer for long; a larger message is split into CHUNK frames (sent back to back on the
 * one ordered, reliable channel) and reassembled up to MAX_MESSAGE_BYTES.
 *
 *   CONTROL     [0] utf-8 JSON (control.ts)
 *   TERM_OUTPUT [1] id:u16 seq:u32 bytes      host → peers, seq counts output chunks per terminal
 *   TERM_INPUT  [2] id:u16 bytes              peer → host
 *   CHUNK       [3] last:u8 bytes             a slice of one larger frame
 */
import { ProtocolError } from './validate.ts';

export const MAX_FRAME_BYTES = 16 * 1024;
/** Largest reassembled message (a terminal snapshot with scrollback), bytes. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Largest single terminal input chunk, bytes (a paste is split by the sender). */
export const MAX_INPUT_BYTES = 8 * 1024;

export const FRAME = { CONTROL: 0, TERM_OUTPUT: 1, TERM_INPUT: 2, CHUNK: 3 } as const;

export type Frame =
  | { kind: typeof FRAME.CONTROL; json: string }
  | { kind: typeof FRAME.TERM_OUTPUT; id: number; seq: number; data: Uint8Array }
  | { kind: typeof FRAME.TERM_INPUT; id: number; data: Uint8Array };

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

export function writeControl(json: string): Uint8Array {
  const body = enc.encode(json);
  const out = new Uint8Array(1 + body.length);
  out[0] = FRAME.CONTROL;
  out.set(body, 1);
  return out;
}

export function writeTermOutput(id: number, seq: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(7 + data.length);
  const v = new DataView(out.buffer);
  out[0] = FRAME.TERM_OUTPUT;
  v.setUint16(1, id);
  v.setUint32(3, seq);
  out.set(data, 7);
  return out;
}

export function writeTermInput(id: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(3 + data.length);
  out[0] = FRAME.TERM_INPUT;
  new DataView(out.buffer).setUint16(1, id);
  out.set(data, 3);
  return out;
}

/** Splits a frame into wire frames of at most MAX_FRAME_BYTES (itself when it is small). */
export function split(frame: Uint8Array, max = MAX_FRAME_BYTES): Uint8Array[] {
  if (frame.length <= max) return [frame];
  if (frame.length > MAX_MESSAGE_BYTES) throw new ProtocolError('too-large', `message of ${frame.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  const step = max - 2;
  const parts: Uint8Array[] = [];
  for (let at = 0; at < frame.length; at += step) {
    const slice = frame.subarray(at, at + step);
    const part = new Uint8Array(2 + slice.length);
    part[0] = FRAME.CHUNK;
    part[1] = at + step >= frame.length ? 1 : 0;
    part.set(slice, 2);
    parts.push(part);
  }
  return parts;
}

/** Reassembles CHUNK frames and decodes whole frames. One per connection. */
export class FrameReader {
  #parts: Uint8Array[] = [];
  #size = 0;

  /** Returns the decoded frame, or null while a chunked message is incomplete. Throws ProtocolError. */
  read(raw: Uint8Array): Frame | null {
    if (raw.length === 0) throw new ProtocolError('bad-frame', 'empty frame');
    if (raw.length > MAX_FRAME_BYTES) {
      throw new ProtocolError('too-large', `frame of ${raw.length} bytes exceeds ${MAX_FRAME_BYTES}`);
    }
    if (raw[0] === FRAME.CHUNK) {
      if (raw.length < 2) throw new ProtocolError('bad-frame', 'truncated chunk');
      this.#size += raw.length - 2;
      if (this.#size > MAX_MESSAGE_BYTES) {
        this.#parts = [];
        this.#size = 0;
        throw new ProtocolError('too-large', `chunked message exceeds ${MAX_MESSAGE_BYTES} bytes`);
      }
      this.#parts.push(raw.slice(2));
      if (raw[1] !== 1) return null;
      const whole = new Uint8Array(this.#size);
      let at = 0;
      for (const p of this.#parts) {
        whole.set(p, at);
        at += p.length;
      }
      this.#parts = [];
      this.#size = 0;
      return decode(whole);
    }
    if (this.#parts.length) throw new ProtocolError('bad-frame', 'frame inside an unfinished chunked message');
    return decode(raw);
  }
}

function decode(b: Uint8Array): Frame {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (b[0]) {
    case FRAME.CONTROL:
      try {
        return { kind: FRAME.CONTROL, json: dec.decode(b.subarray(1)) };
      } catch {
        throw new ProtocolError('bad-frame', 'control frame is not valid UTF-8');
      }
    case FRAME.TERM_OUTPUT:
      if (b.length < 7) throw new ProtocolError('bad-frame', 'truncated terminal output frame');
      return { kind: FRAME.TERM_OUTPUT, id: v.getUint16(1), seq: v.getUint32(3), data: b.subarray(7) };
    case FRAME.TERM_INPUT:
      if (b.length < 3) throw new ProtocolError('bad-frame', 'truncated terminal input frame');
      if (b.length - 3 > MAX_INPUT_BYTES) throw new ProtocolError('too-large', `terminal input over ${MAX_INPUT_BYTES} bytes`);
      return { kind: FRAME.TERM_INPUT, id: v.getUint16(1), data: b.subarray(3) };
    default:
      throw new ProtocolError('bad-frame', `unknown frame kind ${b[0]}`);
  }
}
