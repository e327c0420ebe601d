import { describe, expect, it } from 'vitest';
import { SNAPSHOT_SETTLE_MS, TerminalMirror } from './mirror.ts';
import { replay, waitFor } from './testing.ts';

const enc = new TextEncoder();

/** Coloured, wrapping lines cut into `size`-byte chunks, many split inside escape sequences or UTF-8 characters. */
function stream(lines: number, size: number): Uint8Array[] {
  let text = '';
  for (let i = 0; i < lines; i++) text += `\x1b[3${i % 8}m${String(i).padStart(5, '0')} ${'é'.repeat(i % 70)}€\x1b[0m\r\n`;
  const all = enc.encode(text);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < all.length; at += size) chunks.push(all.subarray(at, at + size));
  return chunks;
}

describe('TerminalMirror', () => {
  it('snapshots the screen alone when asked (a page skipping ahead), with scrollback otherwise', async () => {
    const m = new TerminalMirror(40, 5, 1000);
    for (let i = 1; i <= 50; i++) m.write(i, enc.encode(`line-${i}\r\n`));
    const [screen, full] = await Promise.all([m.snapshot({ screenOnly: true }), m.snapshot()]);
    expect(screen.seq).toBe(50);
    expect(full.seq).toBe(50);
    expect(full.data).toContain('line-1\r\n');
    expect(screen.data).not.toContain('line-1\r\n');
    expect(screen.data).toContain('line-49');
    m.dispose();
  });

  it('snapshots exactly the output up to its seq, even while chunks are still being parsed', async () => {
    const m = new TerminalMirror(80, 24, 1000);
    const chunks = stream(600, 37);
    const snaps: ReturnType<TerminalMirror['snapshot']>[] = [];
    // batches of chunks a tick apart, a snapshot asked for after each while the mirror lags behind
    for (let i = 0; i < chunks.length; i++) {
      m.write(i + 1, chunks[i]);
      if (i % 40 === 39) {
        expect(m.parsedSeq).toBeLessThan(i + 1);
        snaps.push(m.snapshot());
        await new Promise((r) => setImmediate(r));
      }
    }
    const whole = await replay(80, 24, chunks, 1000);
    await waitFor('the mirror to parse everything', () => m.parsedSeq === chunks.length);
    const resolved = await Promise.all(snaps);
    // taken while parsing lagged: each snapshot is at (or just after) a clean boundary, not at the end
    expect(resolved.length).toBeGreaterThan(10);
    expect(resolved.some((s) => s.seq < chunks.length / 2)).toBe(true);
    // each covers at least what was written before it was asked for
    resolved.forEach((s, k) => expect(s.seq).toBeGreaterThanOrEqual(40 * (k + 1)));
    for (const s of resolved) {
      expect(s.seq).toBeGreaterThan(0);
      const rebuilt = await replay(s.cols, s.rows, [s.data, ...chunks.slice(s.seq)], 1000);
      expect(rebuilt.lines).toEqual(whole.lines);
      expect(rebuilt.cursor).toEqual(whole.cursor);
    }
    m.dispose();
  });

  it('waits for an escape sequence split across chunks to complete', async () => {
    const m = new TerminalMirror(40, 5, 100);
    m.write(1, enc.encode('abc\x1b[3'));
    // the mirror has parsed up to the middle of the sequence, then the snapshot is asked for
    await waitFor('chunk 1 parsed', () => m.parsedSeq === 1);
    const snap = m.snapshot();
    m.write(2, enc.encode('1mred\x1b[0m done'));
    const s = await snap;
    expect(s.seq).toBe(2);
    const rebuilt = await replay(40, 5, [s.data]);
    expect(rebuilt.lines[0]).toBe('abcred done');
    m.dispose();
  });

  it('takes the snapshot anyway when the stream stalls inside a sequence', async () => {
    const m = new TerminalMirror(40, 5, 100);
    m.write(1, enc.encode('stalled\x1b]0;half a tit'));
    const t0 = Date.now();
    const s = await m.snapshot();
    expect(s.seq).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(SNAPSHOT_SETTLE_MS - 20);
    expect((await replay(40, 5, [s.data])).lines[0]).toBe('stalled');
    m.dispose();
  });

  it('applies resizes in stream order and reports the size in the snapshot', async () => {
    const m = new TerminalMirror(80, 24, 100);
    const chunks = [enc.encode('hello\r\n'), enc.encode('y'.repeat(45))];
    m.write(1, chunks[0]);
    m.resize(30, 10);
    m.write(2, chunks[1]);
    const s = await m.snapshot();
    // not before the resize was applied, so the snapshot carries the size the rest is parsed at
    expect([s.cols, s.rows]).toEqual([30, 10]);
    expect(s.seq).toBeGreaterThanOrEqual(1);
    // the y's came after the resize, so they wrap at 30 columns
    const rebuilt = await replay(30, 10, [s.data, ...chunks.slice(s.seq)]);
    expect(rebuilt.lines.slice(0, 3)).toEqual(['hello', 'y'.repeat(30), 'y'.repeat(15)]);
    m.dispose();
  });

  it('counts pending bytes, reports titles and rejects snapshots on dispose', async () => {
    const m = new TerminalMirror(80, 24, 100);
    const titles: string[] = [];
    m.onTitle((t) => titles.push(t));
    m.write(1, enc.encode('\x1b]2;hello title\x07'));
    m.write(2, new Uint8Array(5000).fill(0x61));
    expect(m.pendingBytes).toBe(5000 + 16);
    await m.snapshot();
    expect(m.pendingBytes).toBe(0);
    expect(titles).toEqual(['hello title']);
    m.write(3, enc.encode('\x1b[1'));
    const pending = m.snapshot();
    m.dispose();
    await expect(pending).rejects.toThrow(/closed/);
    await expect(m.snapshot()).rejects.toThrow(/closed/);
  });

  it('parses on its own thread: a busy host thread does not hold the parse back', async () => {
    const m = new TerminalMirror(80, 24, 100);
    await m.snapshot(); // the thread is up
    // a 24-bit colour per character: ~2 MB that take xterm a few hundred ms to parse
    const chunk = enc.encode('\x1b[38;2;1;2;3;48;2;4;5;6mx'.repeat(2600));
    for (let i = 1; i <= 32; i++) m.write(i, chunk);
    // the host's thread stays busy for longer than parsing it takes elsewhere
    const t0 = Date.now();
    while (Date.now() - t0 < 3000);
    // what was parsed meanwhile is reported at once (on this thread, parsing would only start now)
    await waitFor('the parse reported', () => m.parsedSeq === 32, 100);
    expect((await m.snapshot({ screenOnly: true })).seq).toBe(32);
    m.dispose();
  });

  it('serves pages asking at the same moment one snapshot, and a fresh one once output or a resize came', async () => {
    const m = new TerminalMirror(40, 5, 100);
    m.write(1, enc.encode('first\r\n'));
    const [a, b] = await Promise.all([m.snapshot(), m.snapshot()]);
    expect(b).toEqual(a);
    m.write(2, enc.encode('second'));
    const c = await m.snapshot();
    expect(c.seq).toBe(2);
    expect(c.data).toContain('second');
    m.resize(30, 4);
    const d = await m.snapshot();
    expect([d.cols, d.rows]).toEqual([30, 4]);
    expect((await replay(30, 4, [d.data])).lines.join('\n')).toContain('second');
    // the screen alone is its own snapshot
    expect((await m.snapshot({ screenOnly: true })).data).toContain('second');
    m.dispose();
  });

  it("keeps each terminal's mirror apart on the shared thread, and one closing leaves the others working", async () => {
    const a = new TerminalMirror(40, 5, 100);
    const b = new TerminalMirror(30, 4, 100);
    for (let i = 1; i <= 20; i++) {
      a.write(i, enc.encode(`a-${i}\r\n`));
      b.write(i, enc.encode(`b-${i}\r\n`));
    }
    const [sa, sb] = await Promise.all([a.snapshot(), b.snapshot()]);
    expect([sa.cols, sb.cols]).toEqual([40, 30]);
    expect(sa.data).toContain('a-20');
    expect(sa.data).not.toContain('b-');
    expect(sb.data).toContain('b-20');
    a.dispose();
    await expect(a.snapshot()).rejects.toThrow(/closed/);
    b.write(21, enc.encode('b-21'));
    expect((await b.snapshot()).data).toContain('b-21');
    b.dispose();
    // the thread ended with the last mirror; a new mirror starts it again
    const c = new TerminalMirror(20, 3, 10);
    c.write(1, enc.encode('again'));
    expect((await c.snapshot()).data).toContain('again');
    c.dispose();
  });
});
