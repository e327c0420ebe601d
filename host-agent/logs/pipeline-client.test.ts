// The log pipeline in its real thread: lines cross in batches (one message per turn of the loop),
// a source that waits on `drained()` keeps in flight bounded while nothing is lost, and a thread
// that fails (here: out of its heap) is reported, its requests rejected, its lines counted as
// lost, and replaced — until it failed too often.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../test/helpers/tmp.ts';
import { until } from '../../test/helpers/wait.ts';
import type { LogLine } from '../../src/lib/protocol/logs.ts';
import { FileFollower } from './follow-file.ts';
import { LogPipeline, MAX_FAILURES, MAX_PENDING_CHARS, MAX_PENDING_LINES, PIPELINE_NICE, PipelineError } from './pipeline-client.ts';

const disposables: { dispose(): void }[] = [];
afterEach(() => disposables.splice(0).forEach((d) => d.dispose()));
afterAll(() => removeTempDirs());

function start(opts: Partial<ConstructorParameters<typeof LogPipeline>[0]> = {}) {
  const log: string[] = [];
  const p = new LogPipeline({ log: (l) => log.push(l), ...opts });
  disposables.push(p);
  const matched: LogLine[] = [];
  p.matched.on(({ lines }) => matched.push(...lines));
  let lost = 0;
  p.lost.on((n) => (lost += n));
  p.live = true;
  return { p, log, matched, lost: () => lost };
}

describe('LogPipeline', () => {
  it('sends the lines of one turn of the loop in one message, and matches them in the thread', async () => {
    const { p, matched } = start();
    p.addSource(1, 1 << 20);
    p.addSource(2, 1 << 20);
    p.setFilter(1, { text: 'keep' });
    for (let i = 0; i < 10; i++) p.ingest(1 + (i % 2), Array.from({ length: 100 }, (_, j) => `line ${i * 100 + j} ${j % 2 ? 'keep' : 'drop'}`));
    expect(p.pending).toBe(1000);
    await until(() => matched.length === 500, 'the matches');
    expect(p.posted).toEqual({ messages: 1, lines: 1000 });
    expect(p.pending).toBe(0);
    expect(matched.filter((l) => l.src === 1).map((l) => l.seq)).toEqual(Array.from({ length: 250 }, (_, i) => Math.floor(i / 50) * 100 + (i % 50) * 2 + 2));
    expect((await p.context(2, 100, 1, 1))?.map((l) => l.seq)).toEqual([99, 100, 101]);
  });

  it('runs at a lower priority than the thread that serves the terminal', async () => {
    const nice = (task: string) => Number(readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
    const before = new Set(readdirSync('/proc/self/task'));
    const { p } = start();
    p.addSource(1, 1 << 20);
    await p.context(1, 1, 0, 0); // answered: the thread is up
    const started = readdirSync('/proc/self/task').filter((t) => !before.has(t));
    expect(started.map(nice)).toContain(PIPELINE_NICE);
    expect(nice(String(process.pid))).toBe(0);
  });

  // short lines meet the bound in lines first, long ones the bound in characters
  it.each([
    ['lines', 60_000, 40],
    ['characters', 1_500, 12_000]
  ] as const)('keeps in flight bounded (in %s) while a big file is followed, and loses no line', async (bound, N, pad) => {
    const dir = makeTempDir('live-sessions-pipeline-');
    const path = join(dir, 'big.log');
    writeFileSync(path, Array.from({ length: N }, (_, i) => `{"level":"info","msg":"request ${i} ${'x'.repeat(pad)}","request_id":"r-${i % 97}"}\n`).join(''));
    const { p, matched } = start();
    p.addSource(1, 64 << 20);
    p.setFilter(1, {});
    let maxPending = 0;
    let maxChars = 0;
    let maxRead = 0;
    let maxReadChars = 0;
    const f = new FileFollower(path, 64 << 20, {
      lines: (raw) => {
        maxRead = Math.max(maxRead, raw.length);
        maxReadChars = Math.max(maxReadChars, raw.reduce((n, l) => n + l.length, 0));
        p.ingest(1, raw);
        maxPending = Math.max(maxPending, p.pending);
        maxChars = Math.max(maxChars, p.pendingChars);
      },
      gate: () => (p.full ? p.drained() : null),
      state: () => {}
    });
    disposables.push(f);
    await until(() => matched.length === N, 'every line matched', 60_000);
    expect(matched.map((l) => l.seq)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    // one read more than the bound at most: the source looks at the gate before each read
    expect(bound === 'lines' ? maxPending : maxChars).toBeGreaterThanOrEqual(bound === 'lines' ? MAX_PENDING_LINES : MAX_PENDING_CHARS);
    expect(maxPending).toBeLessThan(MAX_PENDING_LINES + maxRead);
    expect(maxChars).toBeLessThan(MAX_PENDING_CHARS + maxReadChars);
    expect(p.posted.messages).toBeLessThan(N / (bound === 'lines' ? 100 : 5)); // batched, not a message per line
    expect(p.pending).toBe(0);
    expect(p.pendingChars).toBe(0);
  });

  it('reports a thread that failed, rejects what waited on it, counts its lines as lost, and restarts it', async () => {
    // a heap this small fills with a few megabytes of history: the thread dies out of memory
    const { p, log, lost } = start({ resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 } });
    p.addSource(1, 1 << 30);
    p.setFilter(1, { text: 'never' });
    const big = Array.from({ length: 200 }, (_, i) => `${i} ${'x'.repeat(8000)}`);
    const failures = () => log.filter((l) => l.includes('The log pipeline failed')).length;
    let waiting: Promise<unknown> | null = null;
    for (let round = 1; round <= MAX_FAILURES; round++) {
      await until(() => {
        p.ingest(1, big);
        waiting ??= p.context(1, 1, 0, 0).catch((e: Error) => e);
        return failures() === round;
      }, `failure ${round}`, 30_000);
      expect(await waiting).toBeInstanceOf(PipelineError);
      waiting = null;
    }
    expect(log[0]).toMatch(/The log pipeline failed \(.+\); it was restarted, and the history read before is gone/);
    expect(log.at(-1)).toMatch(/failed 3 times within a minute and stays stopped/);
    expect(lost()).toBeGreaterThan(0);
    // stopped: lines are counted as lost, requests say why, nothing waits
    const before = lost();
    p.ingest(1, ['one more']);
    expect(lost()).toBe(before + 1);
    expect(p.pending).toBe(0);
    await expect(p.search(1, 10)).rejects.toThrow(/stays stopped/);
  });
});
