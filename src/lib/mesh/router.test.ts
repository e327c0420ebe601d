import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeDeflatedLines, writeLines } from '../protocol/log-lines.ts';
import { logsProtocol, type LogsMessage } from '../protocol/logs.ts';
import type { ProtocolError } from '../protocol/validate.ts';
import type { MeshPeer } from './mesh.ts';
import { Router } from './router.ts';

/** the host as its guests' router sees it: a role, and the strikes it gets */
function hostPeer(strikes: ProtocolError[]): MeshPeer {
  return { id: 'h', role: 'host', strike: (e: ProtocolError) => void strikes.push(e) } as unknown as MeshPeer;
}

const lines = (gen: number, n: number) => ({ type: 'lines' as const, gen, skipped: 0, history: false, lines: Array.from({ length: n }, (_, i) => ({ src: 1, seq: i + 1, t: 1000, lv: 3, text: `line ${i} of ${gen}` })) });
const deflated = (gen: number, n: number) => {
  const plain = writeLines(lines(gen, n));
  return writeDeflatedLines(deflateRawSync(plain.subarray(1)));
};
const asMessage = (whole: Uint8Array) => ({ cap: whole[0], body: whole.subarray(1) });

describe('Router with a protocol that unpacks', () => {
  it('keeps one peer’s messages of the capability in order around a compressed one', async () => {
    const router = new Router(() => 'editor');
    const got: string[] = [];
    const strikes: ProtocolError[] = [];
    router.register(logsProtocol, (_p, m: LogsMessage) => got.push(m.type === 'lines' ? `lines ${m.gen}×${m.lines.length}` : m.type));
    const peer = hostPeer(strikes);
    router.receive(peer, asMessage(deflated(1, 500)));
    // a plain message after it waits for it…
    router.receive(peer, asMessage(logsProtocol.write({ type: 'done', req: 1 })));
    router.receive(peer, asMessage(deflated(2, 3)));
    expect(got).toEqual([]);
    await expect.poll(() => got).toEqual(['lines 1×500', 'done', 'lines 2×3']);
    // …and once nothing is being unpacked, a plain one is read at once
    router.receive(peer, asMessage(logsProtocol.write({ type: 'done', req: 2 })));
    expect(got.at(-1)).toBe('done');
    expect(strikes).toEqual([]);
  });

  it('strikes the sender of a compressed message that does not inflate, and goes on with the next', async () => {
    const router = new Router(() => 'editor');
    const got: string[] = [];
    const strikes: ProtocolError[] = [];
    router.register(logsProtocol, (_p, m: LogsMessage) => got.push(m.type));
    const peer = hostPeer(strikes);
    router.receive(peer, asMessage(writeDeflatedLines(new Uint8Array([0xff, 0xfe, 0x01]))));
    router.receive(peer, asMessage(logsProtocol.write({ type: 'done', req: 1 })));
    await expect.poll(() => got).toEqual(['done']);
    expect(strikes.map((e) => e.code)).toEqual(['bad-frame']);
  });
});
