import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../test/helpers/tmp.ts';
import { until } from '../../test/helpers/wait.ts';
import { globBase, GlobSource, MAX_GLOB_FILES } from './glob-source.ts';

const globs: GlobSource[] = [];
afterEach(() => {
  for (const g of globs.splice(0)) g.dispose();
  removeTempDirs();
});

function start(pattern: string, cwd: string, room = Infinity) {
  const added: string[] = [];
  const logged: string[] = [];
  const g = new GlobSource({ id: 1, pattern, cwd, add: (p) => added.length < room && added.push(p) > 0, changed: () => {}, log: (l) => logged.push(l) });
  globs.push(g);
  return { g, added, logged };
}

describe('GlobSource', () => {
  it('watches below the first wildcard, recursively when a directory part has one', () => {
    expect(globBase('logs/*.log', '/srv/app')).toEqual({ dir: '/srv/app/logs', deep: false });
    expect(globBase('/var/log/*/error.log', '/x')).toEqual({ dir: '/var/log', deep: true });
    expect(globBase('**/*.log', '/srv')).toEqual({ dir: '/srv', deep: true });
  });

  it('follows what matches at start and files created later, in a new folder too', async () => {
    const cwd = makeTempDir('live-sessions-glob-');
    mkdirSync(join(cwd, 'logs'));
    writeFileSync(join(cwd, 'logs', 'a.log'), 'a\n');
    writeFileSync(join(cwd, 'logs', 'a.txt'), 'not a log\n');
    const { g, added } = start('logs/**/*.log', cwd);
    expect(added).toEqual([join(cwd, 'logs', 'a.log')]);
    writeFileSync(join(cwd, 'logs', 'b.log'), 'b\n');
    await until(() => added.length === 2, 'the new file');
    mkdirSync(join(cwd, 'logs', 'worker-2'));
    writeFileSync(join(cwd, 'logs', 'worker-2', 'c.log'), 'c\n');
    await until(() => added.length === 3, 'the file in a new folder');
    expect(added.at(-1)).toBe(join(cwd, 'logs', 'worker-2', 'c.log'));
    expect(g.info).toMatchObject({ kind: 'glob', spec: 'logs/**/*.log', state: 'following', detail: '3 files; new matches are followed too' });
  });

  it('follows at most MAX_GLOB_FILES, and says how many more there are, once', async () => {
    const cwd = makeTempDir('live-sessions-glob-');
    for (let i = 0; i < MAX_GLOB_FILES; i++) writeFileSync(join(cwd, `f${String(i).padStart(3, '0')}.log`), 'x\n');
    const { g, added, logged } = start('*.log', cwd);
    expect(added.length).toBe(MAX_GLOB_FILES);
    expect(g.info.state).toBe('following');
    writeFileSync(join(cwd, 'late-1.log'), 'x\n');
    writeFileSync(join(cwd, 'late-2.log'), 'x\n');
    await until(() => g.info.detail.includes('2 more'), 'the bound to be said');
    expect(g.info).toMatchObject({ state: 'error', detail: `following ${MAX_GLOB_FILES} files; 2 more not followed (${MAX_GLOB_FILES} files per pattern at most)` });
    g.scan();
    expect(logged.length).toBe(1);
    expect(logged[0]).toMatch(/^log \*\.log: 2 matching files are not followed/);
    expect(added.length).toBe(MAX_GLOB_FILES);
  });

  it('says so when the host has no room for another source', () => {
    const cwd = makeTempDir('live-sessions-glob-');
    for (const n of ['a', 'b', 'c']) writeFileSync(join(cwd, `${n}.log`), 'x\n');
    const { g, added } = start('*.log', cwd, 2);
    expect(added.length).toBe(2);
    expect(g.info.detail).toBe('following 2 files; 1 more not followed (the host follows as many log sources as it may)');
  });
});
