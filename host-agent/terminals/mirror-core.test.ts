import { describe, expect, it } from 'vitest';
import { MirrorCore } from './mirror-core.ts';
import { replay } from './testing.ts';

const enc = new TextEncoder();

describe('MirrorCore', () => {
  it('a snapshot still waiting for the mirror to parse its backlog is taken at a clean boundary, not at the next chunk end', async () => {
    // timings as a loaded host sees them: the mirror takes far longer than the max wait to reach
    // what the snapshot must cover (a flake of terminal.test.ts: one é lost in 1 run of 3)
    const m = new MirrorCore(80, 24, 1000, { settleMs: 2, maxWaitMs: 1 });
    let text = '';
    for (let i = 0; i < 6000; i++) text += `\x1b[3${i % 8}m${String(i).padStart(5, '0')} ${'é'.repeat(i % 90)}€\x1b[0m\r\n`;
    const backlog = enc.encode(text);
    // the backlog ends inside a character (é is c3 a9), as a chunk cut at a size does; the next
    // chunk completes it. In 4 KiB chunks: xterm parses each in one go and lets timers run between
    const cut = backlog.lastIndexOf(0xa9);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < cut; at += 4096) chunks.push(backlog.subarray(at, Math.min(at + 4096, cut)));
    chunks.forEach((c, i) => m.write(i + 1, c));
    const snap = m.snapshot();
    chunks.push(backlog.subarray(cut));
    m.write(chunks.length, chunks[chunks.length - 1]);
    const s = await snap;
    expect(s.seq).toBe(chunks.length);
    const whole = await replay(80, 24, chunks, 1000);
    const rebuilt = await replay(s.cols, s.rows, [s.data, ...chunks.slice(s.seq)], 1000);
    expect(rebuilt.lines).toEqual(whole.lines);
    m.dispose();
  });
});
