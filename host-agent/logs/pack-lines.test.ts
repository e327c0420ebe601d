import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LINES_DEFLATED, LINES_VARINT, MIN_DEFLATE_BYTES, unpackLines, writeDeflatedLines } from '../../src/lib/protocol/log-lines.ts';
import { MAX_MESSAGE_BYTES } from '../../src/lib/protocol/frames.ts';
import { readLogs, type LogLine } from '../../src/lib/protocol/logs.ts';
import { ProtocolError } from '../../src/lib/protocol/validate.ts';
import { packLines } from './pack-lines.ts';

const flood = (n: number): LogLine[] =>
  Array.from({ length: n }, (_, i) => ({ src: 1, seq: i + 1, t: 1764561600000, lv: 3, text: `{"time":"2026-12-01T04:00:00.000Z","level":"info","msg":"GET /api/v1/items/${i} 200","request_id":"r-${i % 97}"}` }));

/** what the router hands `read`: the body after the capability byte, unpacked when it is byte 15 */
async function read(message: Uint8Array) {
  const body = message.subarray(1);
  return readLogs((await unpackLines(body)) ?? body);
}

describe('packLines', () => {
  it('deflates a flood’s message, and the reader gets the same lines back', async () => {
    const lines = flood(1000);
    const packed = packLines({ type: 'lines', gen: 7, lines, skipped: 3, history: false });
    expect(packed[1]).toBe(LINES_DEFLATED);
    expect(packed.length / lines.length).toBeLessThan(20);
    expect(await read(packed)).toEqual({ type: 'lines', gen: 7, lines, skipped: 3, history: false });
  });

  it(`leaves a message under ${MIN_DEFLATE_BYTES} bytes as it is (byte 14, read at once)`, async () => {
    const lines = flood(2);
    const packed = packLines({ type: 'lines', gen: 1, lines, skipped: 0, history: true });
    expect(packed[1]).toBe(LINES_VARINT);
    expect(unpackLines(packed.subarray(1))).toBeNull();
    expect(await read(packed)).toEqual({ type: 'lines', gen: 1, lines, skipped: 0, history: true });
  });

  it(`refuses a message that inflates past ${MAX_MESSAGE_BYTES} bytes, and one that does not inflate`, async () => {
    const bomb = writeDeflatedLines(deflateRawSync(new Uint8Array(MAX_MESSAGE_BYTES + 1)));
    await expect(unpackLines(bomb.subarray(1))).rejects.toMatchObject({ code: 'too-large' });
    const junk = writeDeflatedLines(new Uint8Array([0xff, 0xfe, 0x01, 0x02]));
    const e = await unpackLines(junk.subarray(1))!.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e).toMatchObject({ code: 'bad-frame' });
  });
});
