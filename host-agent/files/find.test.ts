import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_HITS } from '../../src/lib/protocol/files.ts';
import { makeTempDir, removeTempDirs } from '../../test/helpers/tmp.ts';
import { fuzzyScore, MAX_SEARCH_MS, rank, searchFiles, walkFiles } from './find.ts';

afterAll(removeTempDirs);

function tree(): string {
  const root = makeTempDir('live-sessions-find-');
  const outside = makeTempDir('live-sessions-outside-');
  writeFileSync(join(outside, 'secret.txt'), 'needle in the outside world');
  mkdirSync(join(root, 'src/lib'), { recursive: true });
  mkdirSync(join(root, '.git'));
  mkdirSync(join(root, 'node_modules/dep'), { recursive: true });
  writeFileSync(join(root, 'src/lib/bridge.ts'), 'export const a = 1;\n// TODO: needle here\r\nneedle again, Needle\n');
  writeFileSync(join(root, 'src/readme.md'), 'no match\n'.repeat(3) + 'NEEDLE upper\n');
  writeFileSync(join(root, 'src/blob.bin'), Buffer.from([0x6e, 0x65, 0x65, 0x64, 0x6c, 0x65, 0, 1]));
  writeFileSync(join(root, '.git/config'), 'needle');
  writeFileSync(join(root, 'node_modules/dep/index.js'), 'needle');
  symlinkSync(outside, join(root, 'escape'));
  symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link.txt'));
  return root;
}

describe('quick open', () => {
  it('walks regular files below the root only: no links followed, no .git or node_modules', async () => {
    const { paths, truncated } = await walkFiles(tree());
    expect(paths.sort()).toEqual(['src/blob.bin', 'src/lib/bridge.ts', 'src/readme.md']);
    expect(truncated).toBe(false);
  });

  it('ranks subsequence matches: the file name and word starts first', () => {
    const paths = ['src/lib/editor/editor-client.ts', 'host-agent/files/bridge.ts', 'src/lib/bridge-notes/readme.md', 'bin/host.ts'];
    expect(rank('bridge', paths).paths[0]).toBe('host-agent/files/bridge.ts');
    expect(rank('edcl', paths).paths).toEqual(['src/lib/editor/editor-client.ts']);
    expect(rank('zzz', paths).paths).toEqual([]);
    expect(fuzzyScore('', 'a')).not.toBeNull();
    expect(rank('', paths).paths).toHaveLength(4);
  });
});

describe('search in files', () => {
  const search = (root: string, q: string, caseSensitive = false, signal = new AbortController().signal, now?: () => number) =>
    searchFiles(root, q, { caseSensitive, maxFileBytes: 1024 * 1024, signal, now });

  it('finds literal text with line and column, one hit per line, skipping binary files and anything outside', async () => {
    const root = tree();
    const r = await search(root, 'needle');
    expect(r.stopped).toBeNull();
    expect(r.hits.map((h) => [h.path, h.line, h.col, h.text])).toEqual(
      expect.arrayContaining([
        ['src/lib/bridge.ts', 2, 10, '// TODO: needle here'],
        ['src/lib/bridge.ts', 3, 1, 'needle again, Needle'],
        ['src/readme.md', 4, 1, 'NEEDLE upper']
      ])
    );
    expect(r.hits).toHaveLength(3);
    expect((await search(root, 'Needle', true)).hits.map((h) => h.line)).toEqual([3]);
    // a regular-expression-looking query is only text
    expect((await search(root, 'need.e')).hits).toEqual([]);
  });

  it('stops at MAX_HITS, on cancel and at its time limit, and says why', async () => {
    const root = makeTempDir('live-sessions-find-');
    writeFileSync(join(root, 'many.txt'), 'x\n'.repeat(MAX_HITS + 10));
    writeFileSync(join(root, 'more.txt'), 'x\n');
    const r = await search(root, 'x');
    expect(r).toMatchObject({ stopped: 'hits' });
    expect(r.hits).toHaveLength(MAX_HITS);
    const stop = new AbortController();
    stop.abort();
    expect((await search(root, 'x', false, stop.signal)).stopped).toBe('cancelled');
    // a clock that jumps past the limit after the first file
    const slow = makeTempDir('live-sessions-find-');
    for (const n of ['a', 'b', 'c']) writeFileSync(join(slow, n), 'x\n');
    let t = 0;
    const late = await search(slow, 'x', false, undefined, () => (t += MAX_SEARCH_MS));
    expect(late).toMatchObject({ stopped: 'time', files: 1 });
  });
});
