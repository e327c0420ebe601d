import { describe, expect, it } from 'vitest';
import { CAP, frame, FrameReader, isBulkFrame, MAX_FRAME_BYTES, MAX_MESSAGE_BYTES, readAck, split, writeAck } from './frames.ts';
import { ProtocolError } from './validate.ts';

const err = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof ProtocolError ? `${e.code}: ${e.message}` : 'not a ProtocolError';
  }
  return 'no error';
};

describe('frames', () => {
  it('puts the capability byte first and reads it back', () => {
    const got = new FrameReader().read(frame(CAP.TERMINAL, new Uint8Array([9, 8, 7])));
    expect(got?.cap).toBe(CAP.TERMINAL);
    expect([...(got?.body ?? [])]).toEqual([9, 8, 7]);
  });

  it('splits a large message into frames of at most 16 KiB and reassembles it', () => {
    const body = new Uint8Array(100_000).map((_, i) => i % 251);
    const parts = split(frame(CAP.SESSION, body));
    expect(parts.length).toBeGreaterThan(6);
    expect(parts.every((p) => p.length <= MAX_FRAME_BYTES)).toBe(true);
    const r = new FrameReader();
    const got = parts.map((p) => r.read(p));
    expect(got.slice(0, -1).every((g) => g === null)).toBe(true);
    expect(got.at(-1)?.cap).toBe(CAP.SESSION);
    expect(got.at(-1)?.body).toEqual(body);
  });

  it('lets bulk chunks come between urgent messages, each lane reassembled on its own', () => {
    const big = new Uint8Array(40_000).map((_, i) => i % 13);
    const bulk = split(frame(CAP.SESSION, big), 'bulk');
    const small = split(frame(CAP.MESH, new Uint8Array([5])), 'bulk');
    expect(bulk.every(isBulkFrame) && small.length === 1 && isBulkFrame(small[0])).toBe(true);
    const urgent = split(frame(CAP.TERMINAL, new Uint8Array(20_000)));
    const r = new FrameReader();
    // urgent chunks stay together; bulk frames interleave around them
    const order = [bulk[0], urgent[0], urgent[1], bulk[1], frame(CAP.TERMINAL, new Uint8Array([1])), bulk[2]];
    const got = order.map((f) => r.read(f)).filter((m) => m !== null);
    expect(got.map((m) => m!.cap)).toEqual([CAP.TERMINAL, CAP.TERMINAL, CAP.SESSION]);
    expect(got[2]!.body).toEqual(big);
    expect(readAck(writeAck(2 ** 32 + 5))).toBe(5);
    expect(readAck(frame(CAP.MESH, new Uint8Array([1])))).toBeNull();
  });

  it('refuses malformed and oversized frames with clear errors, and recovers', () => {
    const r = new FrameReader();
    expect(err(() => r.read(new Uint8Array()))).toMatch(/bad-frame: empty/);
    expect(err(() => r.read(new Uint8Array(MAX_FRAME_BYTES + 1)))).toMatch(/too-large/);
    expect(err(() => r.read(new Uint8Array([255])))).toMatch(/truncated chunk/);
    expect(err(() => split(new Uint8Array(MAX_MESSAGE_BYTES + 1)))).toMatch(/too-large/);
    // a chunked message that never ends is cut at MAX_MESSAGE_BYTES
    const chunk = new Uint8Array(MAX_FRAME_BYTES);
    chunk[0] = 255;
    let msg = 'no error';
    for (let i = 0; i < MAX_MESSAGE_BYTES / MAX_FRAME_BYTES + 2 && msg === 'no error'; i++) msg = err(() => r.read(chunk));
    expect(msg).toMatch(/too-large: chunked message/);
    expect(r.read(frame(CAP.MESH, new Uint8Array([1])))?.cap).toBe(CAP.MESH);
    // a whole frame in the middle of a chunked one is refused
    r.read(split(new Uint8Array(MAX_FRAME_BYTES * 2))[0]);
    expect(err(() => r.read(frame(CAP.MESH, new Uint8Array([1]))))).toMatch(/unfinished chunked message/);
  });
});
