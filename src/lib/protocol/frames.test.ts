import { describe, expect, it } from 'vitest';
import { FRAME, FrameReader, MAX_FRAME_BYTES, MAX_MESSAGE_BYTES, split, writeControl, writeTermInput, writeTermOutput } from './frames.ts';
import { ProtocolError } from './validate.ts';

describe('frames', () => {
  it('round-trips terminal output and input frames', () => {
    const r = new FrameReader();
    const out = r.read(writeTermOutput(7, 123456, new Uint8Array([1, 2, 3])));
    expect(out).toMatchObject({ kind: FRAME.TERM_OUTPUT, id: 7, seq: 123456 });
    expect(out?.kind === FRAME.TERM_OUTPUT && [...out.data]).toEqual([1, 2, 3]);
    const inp = r.read(writeTermInput(2, new TextEncoder().encode('ls\r')));
    expect(inp?.kind === FRAME.TERM_INPUT && new TextDecoder().decode(inp.data)).toBe('ls\r');
  });

  it('splits a large message into frames of at most 16 KiB and reassembles it', () => {
    const json = JSON.stringify({ type: 'term-snapshot', data: 'x'.repeat(100_000) });
    const parts = split(writeControl(json));
    expect(parts.length).toBeGreaterThan(6);
    expect(parts.every((p) => p.length <= MAX_FRAME_BYTES)).toBe(true);
    const r = new FrameReader();
    const got = parts.map((p) => r.read(p));
    expect(got.slice(0, -1).every((g) => g === null)).toBe(true);
    expect(got.at(-1)).toEqual({ kind: FRAME.CONTROL, json });
  });

  it('refuses malformed and oversized frames with clear errors', () => {
    const r = new FrameReader();
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof ProtocolError ? `${e.code}: ${e.message}` : 'not a ProtocolError';
      }
      return 'no error';
    };
    expect(err(() => r.read(new Uint8Array()))).toMatch(/bad-frame: empty/);
    expect(err(() => r.read(new Uint8Array([9, 1])))).toMatch(/unknown frame kind 9/);
    expect(err(() => r.read(new Uint8Array([FRAME.TERM_OUTPUT, 0, 1])))).toMatch(/truncated/);
    expect(err(() => r.read(new Uint8Array(MAX_FRAME_BYTES + 1)))).toMatch(/too-large/);
    expect(err(() => r.read(new Uint8Array([FRAME.CONTROL, 0xff, 0xfe])))).toMatch(/UTF-8/);
    expect(err(() => r.read(writeTermInput(1, new Uint8Array(9000))))).toMatch(/too-large: terminal input/);
    // a chunked message that never ends is cut at MAX_MESSAGE_BYTES
    const chunk = new Uint8Array(MAX_FRAME_BYTES);
    chunk[0] = FRAME.CHUNK;
    let msg = 'no error';
    for (let i = 0; i < MAX_MESSAGE_BYTES / MAX_FRAME_BYTES + 2 && msg === 'no error'; i++) msg = err(() => r.read(chunk));
    expect(msg).toMatch(/too-large: chunked message/);
    // and the reader recovers for the next message
    expect(r.read(writeControl('{}'))).toEqual({ kind: FRAME.CONTROL, json: '{}' });
  });
});
