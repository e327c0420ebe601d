// Following real files on disk: rotation by rename + create, truncation, a history window that
// starts on a whole line; and the regex thread's time budget with a catastrophic pattern.
import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../test/helpers/tmp.ts';
import { until } from '../../test/helpers/wait.ts';
import { FileFollower } from './follow-file.ts';
import { CommandFollower } from './follow-command.ts';
import { regexProblem, RegexWorker, SlowRegexError } from './regex-worker.ts';

const disposables: { dispose(): void }[] = [];
afterEach(() => disposables.splice(0).forEach((d) => d.dispose()));
afterAll(() => removeTempDirs());

function follow(path: string, startBytes = 1 << 20) {
  const lines: string[] = [];
  const states: string[] = [];
  const f = new FileFollower(path, startBytes, { lines: (l) => lines.push(...l), state: (s, d) => states.push(`${s}: ${d}`) });
  disposables.push(f);
  return { f, lines, states };
}

describe('FileFollower', () => {
  it('keeps following across rotation (rename + create) and truncation', async () => {
    const dir = makeTempDir('live-sessions-logs-');
    const path = join(dir, 'app.log');
    writeFileSync(path, 'one\ntwo\n');
    const { f, lines, states } = follow(path);
    await until(() => lines.length === 2, 'the first two lines');
    appendFileSync(path, 'three\npartial');
    f.poke();
    await until(() => lines.length === 3, 'the third line');
    appendFileSync(path, ' end\n');
    renameSync(path, path + '.1'); // rotated: the rest of the old file is still read
    writeFileSync(path, 'new-1\n');
    await until(() => lines.includes('new-1'), 'a line of the new file');
    expect(lines).toEqual(['one', 'two', 'three', 'partial end', 'new-1']);
    expect(states.some((s) => s.includes('rotated'))).toBe(true);
    appendFileSync(path, 'new-2\nnew-3\n');
    await until(() => lines.includes('new-3'), 'more lines');
    truncateSync(path, 0);
    f.poke();
    await until(() => states.some((s) => s.includes('truncated')), 'the truncation noticed');
    appendFileSync(path, 'after\n');
    await until(() => lines.at(-1) === 'after', 'the line after truncation');
  });

  it('starts inside its window on a whole line, and waits for a missing file', async () => {
    const dir = makeTempDir('live-sessions-logs-');
    const path = join(dir, 'big.log');
    writeFileSync(path, 'aaaaaaaaaa\nbbbbbbbbbb\ncccccccccc\n');
    const { lines } = follow(path, 15);
    await until(() => lines.length === 1, 'the last line only');
    expect(lines).toEqual(['cccccccccc']);
    const missing = follow(join(dir, 'later.log'));
    await until(() => missing.states.some((s) => s.startsWith('waiting')), 'waiting');
    writeFileSync(join(dir, 'later.log'), 'here\n');
    await until(() => missing.lines.includes('here'), 'the file once it exists');
  });
});

describe('CommandFollower', () => {
  it('shows how a command exited, and restarts it', async () => {
    const lines: string[] = [];
    const states: string[] = [];
    const c = new CommandFollower('echo hi; echo err >&2; exit 3', makeTempDir(), { lines: (l) => lines.push(...l), state: (s, d) => states.push(`${s}: ${d}`) });
    disposables.push(c);
    await until(() => states.includes('exited: exited with code 3'), 'the exit');
    expect(lines.sort()).toEqual(['err', 'hi']);
    c.restart();
    await until(() => states.filter((s) => s.startsWith('exited')).length === 2, 'the second exit');
    expect(lines.length).toBe(4);
  });
});

describe('RegexWorker', () => {
  it('matches in a thread, refuses invalid patterns, and stops a catastrophic one within its budget', async () => {
    const w = new RegexWorker(300);
    disposables.push(w);
    expect(await w.match('b+c', ['abc', 'xyz', 'bbc'])).toEqual([0, 2]);
    expect(await w.match('(?i)ERR', ['an error', 'fine'])).toEqual([0]);
    expect(regexProblem('(a')).toMatch(/Not a valid regular expression: .*unterminated group/i);
    const evil = ['a'.repeat(40) + '!'];
    const started = Date.now();
    await expect(w.match('^(a+)+$', evil)).rejects.toBeInstanceOf(SlowRegexError);
    expect(Date.now() - started).toBeLessThan(3000);
    // a fresh thread serves the next pattern
    expect(await w.match('a!', evil)).toEqual([0]);
  });
});
