import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { until } from '../../test/helpers/wait.ts';
import { TerminalSet } from '../terminals/terminal-set.ts';
import { RECORD_NICE } from './asciicast.ts';
import { TerminalRecorder } from './recorder.ts';

describe('TerminalRecorder', () => {
  it('writes every byte a terminal printed, in order, across many batches and split characters, and asciinema plays it', async () => {
    const dir = makeTempDir('recorder-');
    // ~1.2 MB: many PTY reads and many posts to the cast worker; multi-byte characters cut across reads
    const script = "seq 1 150000; i=0; while [ $i -lt 400 ]; do printf 'é€✓%s ' $i; i=$((i+1)); done; echo; echo THE-END";
    const terms = new TerminalSet({ shell: '/bin/sh', args: ['-c', `stty -onlcr; ${script}; sleep 30`], cwd: dir });
    const errors: Error[] = [];
    const rec = new TerminalRecorder(terms, dir, 's', (e) => errors.push(e));
    const chunks: Uint8Array[] = [];
    let text = '';
    const dec = new TextDecoder();
    terms.onOutput((_id, _seq, data) => {
      chunks.push(new Uint8Array(data));
      text = (text + dec.decode(data, { stream: true })).slice(-100);
    });
    terms.open(80, 24);
    await until(() => text.includes('THE-END\n'), 'the script to finish', 30_000);
    await rec.dispose();
    terms.dispose();
    const printed = Buffer.concat(chunks).toString('utf8');
    const path = join(dir, 's-terminal-1.cast');
    const events = readFileSync(path, 'utf8').trimEnd().split('\n').slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    const recorded = events.filter((e) => e[1] === 'o').map((e) => e[2]).join('');
    expect(recorded.length).toBe(printed.length);
    expect(recorded === printed).toBe(true);
    // times never go back
    events.forEach((e, i) => i && expect(e[0]).toBeGreaterThanOrEqual(events[i - 1][0]));
    const played = execFileSync('script', ['-q', '-e', '-c', `asciinema cat ${path}`, '/dev/null'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(played).toContain('é€✓399 ');
    expect(errors).toEqual([]);
  });

  it('has the terminals wait while its writer is far behind, and loses nothing', async () => {
    const dir = makeTempDir('recorder-');
    const terms = new TerminalSet({ shell: '/bin/sh', args: ['-c', 'stty -onlcr; seq 1 400000; echo THE-END; sleep 30'], cwd: dir });
    const holds: boolean[] = [];
    const hold = terms.hold.bind(terms);
    terms.hold = (held) => (holds.push(held), hold(held));
    const rec = new TerminalRecorder(terms, dir, 's', () => {}, [], { highWaterBytes: 128 * 1024, lowWaterBytes: 32 * 1024 });
    // the writer's thread: niced, and at full priority while the terminals wait for it
    const writerNice = () => {
      const pid = process.pid;
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const nice = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[16]);
        if (nice !== 0) return nice;
      }
      return 0;
    };
    await until(() => writerNice() === RECORD_NICE, 'the writer thread to lower its priority');
    const chunks: Uint8Array[] = [];
    let maxBacklog = 0;
    terms.onOutput((_id, _seq, data) => {
      chunks.push(new Uint8Array(data));
      maxBacklog = Math.max(maxBacklog, rec.backlogBytes);
    });
    terms.open(80, 24);
    const done = () => Buffer.concat(chunks).toString('latin1').includes('THE-END\n');
    await until(done, 'the output to end', 30_000);
    await until(() => holds.at(-1) === false, 'the hold to be released');
    // 2.7 MB arrive much faster than one post per BATCH_MS drains: held at least once
    expect(holds.filter((h) => h).length).toBeGreaterThan(0);
    // a read at most lands after the hold
    expect(maxBacklog).toBeLessThanOrEqual(128 * 1024 + 64 * 1024);
    await rec.dispose();
    terms.dispose();
    const events = readFileSync(join(dir, 's-terminal-1.cast'), 'utf8').trimEnd().split('\n').slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    expect(events.filter((e) => e[1] === 'o').map((e) => e[2]).join('') === Buffer.concat(chunks).toString('utf8')).toBe(true);
  }, 40_000);

  it('shares one writer thread between the recorders of a process, also with a recorder started after the others', async () => {
    // (threads the writer starts, such as libuv's pool when it is first to use it, inherit its niceness)
    const nicedThreads = () =>
      readdirSync(`/proc/${process.pid}/task`).filter((tid) => {
        let st: string;
        try {
          st = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
        } catch {
          return false; // a thread that ended since the listing (libuv's pool, another test's worker)
        }
        return st.includes('(WorkerThread)') && Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[16]) === RECORD_NICE;
      }).length;
    const run = async (n: number) => {
      const dir = makeTempDir('recorder-');
      const sets = Array.from({ length: n }, () => new TerminalSet({ shell: '/bin/sh', args: ['-c', 'echo SHARED-$((6*7)); sleep 30'], cwd: dir }));
      const recs = sets.map((t, i) => new TerminalRecorder(t, dir, `s${i}`, () => {}));
      let ended = 0;
      for (const t of sets) {
        let text = '';
        t.onOutput((_id, _seq, d) => (text += new TextDecoder().decode(d)) && text.includes('SHARED-42') && ended++);
        t.open(80, 24);
      }
      await until(() => ended >= n, 'every terminal to print');
      await until(() => nicedThreads() === 1, 'the one writer thread');
      await Promise.all(recs.map((r) => r.dispose()));
      for (const t of sets) t.dispose();
      for (let i = 0; i < n; i++) expect(readFileSync(join(dir, `s${i}-terminal-1.cast`), 'utf8')).toContain('SHARED-42');
    };
    await run(2);
    await run(1);
    expect(nicedThreads()).toBe(1);
  });
});
