import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { recordRedactor } from '../redact/record-rules.ts';
import { until } from '../../test/helpers/wait.ts';
import { BATCH_MS, CastWriter, now } from './asciicast.ts';

describe('asciicast writer', () => {
  it('writes a v2 file that asciinema plays, multi-byte characters split across chunks included', async () => {
    const path = join(makeTempDir('cast-'), 'term-1.cast');
    const errors: Error[] = [];
    const w = new CastWriter(path, { cols: 80, rows: 24, title: 'bash' }, (e) => errors.push(e));
    const bytes = new TextEncoder().encode('héllo wörld ✓\r\n');
    w.output(bytes.subarray(0, 2)); // cuts "é" in half
    w.output(bytes.subarray(2));
    w.resize(100, 30);
    w.marker('echo done');
    w.output(new TextEncoder().encode('done\r\n'));
    await w.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ version: 2, width: 80, height: 24, title: 'bash' });
    // output read together is one event (batched), ended by the resize and the marker
    expect(lines.slice(1).map((e) => e[1])).toEqual(['o', 'r', 'm', 'o']);
    expect(lines[1][2]).toBe('héllo wörld ✓\r\n');
    // asciinema 2.2 wants a terminal even for `cat`: `script` lends it one
    const played = execFileSync('script', ['-q', '-e', '-c', `asciinema cat ${path}`, '/dev/null'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(played).toContain('héllo wörld ✓');
    expect(played).toContain('done');
    expect(errors).toEqual([]);
  });

  it('redacts before writing, also a token cut across two reads, and batches output without holding it long', async () => {
    const path = join(makeTempDir('cast-'), 'term-1.cast');
    const w = new CastWriter(path, { cols: 80, rows: 24, title: 'bash' }, () => {}, recordRedactor([/ACME-\d{6}/gu]));
    const enc = new TextEncoder();
    const token = `ghp_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'}`;
    const read = () => (existsSync(path) ? readFileSync(path, 'utf8') : '');
    w.output(enc.encode(`$ echo ${token.slice(0, 10)}`));
    // a batch is written (BATCH_MS later) while the word at its end waits for the rest
    await until(() => read().includes('"$ echo "'), 'the first batch', BATCH_MS * 40);
    w.output(enc.encode(`${token.slice(10)} ACME-123456\r\n`));
    w.marker(`echo ${token}`);
    w.output(enc.encode('prompt$ '));
    await until(() => read().includes('prompt$ '), 'the batch to be written', 2_000);
    await w.close();
    expect(read()).not.toContain(token.slice(4));
    expect(read()).not.toContain('123456');
    expect(read()).toContain('[REDACTED:github-token]');
    expect(read()).toContain('[REDACTED:rule]');
  });

  it('never writes a time that goes back (output stamped before the writer existed, a marker before held-back output)', async () => {
    const path = join(makeTempDir('cast-'), 'term-1.cast');
    const early = now() - 500;
    const w = new CastWriter(path, { cols: 80, rows: 24, title: 'bash' }, () => {});
    const enc = new TextEncoder();
    w.output(enc.encode('printed before the writer opened '), early);
    w.output(enc.encode('$ unfinished'));
    w.marker('a command');
    w.output(enc.encode(' word\r\n'));
    await w.close();
    const times = readFileSync(path, 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l)[0] as number);
    expect(times.length).toBeGreaterThan(2);
    expect(times[0]).toBeGreaterThanOrEqual(0);
    for (let i = 1; i < times.length; i++) expect(times[i], JSON.stringify(times)).toBeGreaterThanOrEqual(times[i - 1]);
  });

  it('reports a write error once and goes on', async () => {
    const errors: Error[] = [];
    const path = join(makeTempDir('cast-'), 'taken.cast');
    writeFileSync(path, 'someone else’s file');
    // never overwrites: the open fails (EEXIST), later writes are dropped quietly
    const w = new CastWriter(path, { cols: 80, rows: 24, title: 'x' }, (e) => errors.push(e));
    w.output(new TextEncoder().encode('a'));
    w.output(new TextEncoder().encode('b'));
    await w.close();
    expect(errors).toHaveLength(1);
    expect(readFileSync(path, 'utf8')).toBe('someone else’s file');
  });

  it('holds back only a last word short enough to be a token: a long run without spaces is written at once', async () => {
    const path = join(makeTempDir('cast-'), 'term-1.cast');
    const w = new CastWriter(path, { cols: 80, rows: 24, title: 'bash' }, () => {});
    const read = () => (existsSync(path) ? readFileSync(path, 'utf8') : '');
    const enc = new TextEncoder();
    // the output of the events written so far (an event holds at most 64 KiB)
    const written = () => read().split('\n').slice(1, -1).map((l) => JSON.parse(l) as [number, string, string]).filter((e) => e[1] === 'o').map((e) => e[2]).join('');
    // 200 000 characters without a break, then a 2048-character word after a space
    w.output(enc.encode('x'.repeat(200_000)));
    await until(() => written() === 'x'.repeat(200_000), 'the long run to be written', 5_000);
    expect(read().split('\n').every((l) => l.length < 64 * 1024 + 100)).toBe(true);
    w.output(enc.encode(' ' + 'y'.repeat(2048)));
    // the word is held while output keeps coming, written with the next batch
    w.output(enc.encode('y\r\n'));
    // (in the file, JSON: CR LF are written as \\r\\n)
    await until(() => read().includes('y'.repeat(2049) + '\\r\\n'), 'the word to be written whole', 5_000);
    await w.close();
    const text = read().trim().split('\n').slice(1).map((l) => JSON.parse(l)[2] as string).join('');
    expect(text).toBe('x'.repeat(200_000) + ' ' + 'y'.repeat(2049) + '\r\n');
  });

  it('writes coloured output, non-UTF-8 bytes and a secret on a later line as a decoder would, the secret redacted', async () => {
    const path = join(makeTempDir('cast-'), 'term-1.cast');
    const w = new CastWriter(path, { cols: 80, rows: 24, title: 'bash' }, () => {}, recordRedactor([]));
    const token = `ghp_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'}`;
    const parts = [
      Buffer.from('\x1b[32m✓\x1b[39m src/a.test.ts \x1b[2m(12 tests)\x1b[22m "quoted" back\\slash\r\n'),
      Buffer.from([0x66, 0xff, 0x6f, 0xc3, 0x28, 0x0d, 0x0a]),
      Buffer.from(`\x1b[1mPASS\x1b[0m export TOKEN=${token}\r\nnext ✓ line\r\n`)
    ];
    for (const p of parts) w.output(p);
    await w.close();
    const written = readFileSync(path, 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    const text = written.map((e) => e[2]).join('');
    const expected = new TextDecoder().decode(Buffer.concat(parts)).replace(token, '[REDACTED:github-token]');
    expect(text).toBe(expected);
    expect(text).not.toContain(token.slice(4));
  });

  it('keeps the times of output handed over together (a batch from the main thread): a pause of BATCH_MS or more starts another event', async () => {
    const path = join(makeTempDir('cast-'), 'term-1.cast');
    const w = new CastWriter(path, { cols: 80, rows: 24, title: 'bash' }, () => {});
    const t = now();
    const enc = new TextEncoder();
    w.output(enc.encode('a '), t);
    w.output(enc.encode('b '), t + BATCH_MS / 2);
    w.output(enc.encode('c '), t + BATCH_MS * 4);
    w.output(enc.encode('d\r\n'), t + BATCH_MS * 10);
    await w.close();
    const events = readFileSync(path, 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    expect(events.map((e) => e[2])).toEqual(['a b ', 'c ', 'd\r\n']);
    expect(events[2][0] - events[0][0]).toBeCloseTo((BATCH_MS * 10) / 1000, 2);
    expect(events[1][0] - events[0][0]).toBeCloseTo((BATCH_MS * 4) / 1000, 2);
  });

  it('a word held back at a late tick keeps the time it came: output joining it is not stamped later than printed', async () => {
    const path = join(makeTempDir('cast-'), 'term-1.cast');
    const w = new CastWriter(path, { cols: 80, rows: 24, title: 'bash' }, () => {});
    const enc = new TextEncoder();
    // the command line's last word (no break after it: held), printed long before this thread's
    // tick; then the command's output, printed before that tick too but handed over after it
    const t = now() - BATCH_MS * 40;
    w.output(enc.encode('$ echo x; false'), t);
    await until(() => readFileSync(path, 'utf8').includes('echo x; '), 'the tick that holds the last word', BATCH_MS * 40);
    w.output(enc.encode('\r\nx\r\n$ '), t + 5);
    await w.close();
    const events = readFileSync(path, 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    const out = events.find((e) => e[2].includes('x\r\n'))!;
    expect(out[0] - events[0][0]).toBeLessThan((5 + BATCH_MS) / 1000);
  });
});
