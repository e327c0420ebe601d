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

  /** Writes `parts` in chunks of `size` bytes into a mirror of cols × rows with `scrollback` lines and
   * compares its snapshot with a terminal that parsed every byte. */
  async function flood(parts: string[], opts: { cols?: number; rows?: number; scrollback?: number; size?: number } = {}) {
    const { cols = 30, rows = 6, scrollback = 40, size = 977 } = opts;
    const m = new MirrorCore(cols, rows, scrollback);
    const chunks: Uint8Array[] = [];
    for (const [k, part] of [parts.slice(0, 1), parts.slice(1)].entries()) {
      const bytes = enc.encode(part.join(''));
      const from = chunks.length;
      for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
      chunks.slice(from).forEach((c, i) => m.write(from + i + 1, c));
      // the prompt before the flood is parsed by the time the flood comes
      if (k === 0) await m.snapshot();
    }
    const s = await m.snapshot();
    expect(s.seq).toBe(chunks.length);
    expect(m.pendingBytes).toBe(0);
    const whole = await replay(cols, rows, chunks, scrollback);
    const rebuilt = await replay(s.cols, s.rows, [s.data], scrollback);
    expect(rebuilt.lines).toEqual(whole.lines);
    expect(rebuilt.cursor).toEqual(whole.cursor);
    const skipped = m.skippedBytes;
    m.dispose();
    return skipped;
  }

  /** Lines of every kind a plain run has: short, wrapping, bare LF, CR overwrites. */
  function plainLines(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) {
      if (i % 11 === 0) out += `progress ${i}%\rdone ${i}\r\n`;
      else if (i % 7 === 0) out += `bare ${i}\n`;
      else if (i % 5 === 0) out += `${i} ${'x'.repeat((i * 13) % 70)}\r\n`;
      else out += `${i}\r\n`;
    }
    return out;
  }

  it('parses only the end of a plain flood, with the same screen and scrollback as parsing all of it', async () => {
    const skipped = await flood(['\x1b[1;31mcoloured\x1b[0m prompt $ \x1b[4m', plainLines(3000), '\x1b[0mEND\r\n$ ']);
    expect(skipped).toBeGreaterThan(20_000);
    // a full screen of older text and the cursor at the top: its rows are written over, then scrolled out
    expect(await flood([`${'old text on the screen\r\n'.repeat(5)}old text\x1b[H`, Array.from({ length: 1500 }, (_, i) => `${i}\r\n`).join('')])).toBeGreaterThan(5_000);
    // on the alternate screen too (no scrollback), and with insert mode on
    expect(await flood(['\x1b[?1049h\x1b[4h', plainLines(2000), 'tail'])).toBeGreaterThan(10_000);
  });

  it('parses every byte of plain output under a scroll region, or that ends an escape sequence', async () => {
    expect(await flood(['\x1b[2;5r', plainLines(1000), '\x1b[r'])).toBe(0);
    // "31mred…" is printable only: after a chunk that ended in "\x1b[" it is a sequence's end
    expect(await flood([`text\x1b[`, '31m' + plainLines(10), '\x1b[0m'], { size: 6 })).toBe(0);
  });
});

