import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from '../../test/helpers/tmp.ts';
import { FileError, resolveInside } from './paths.ts';
import { readText } from './read.ts';
import { TEMP_PREFIX, writeAtomic } from './write.ts';

afterAll(removeTempDirs);

const root = realpathSync(makeTempDir('live-sessions-files-'));
const outside = realpathSync(makeTempDir('live-sessions-outside-'));
writeFileSync(join(outside, 'secret'), 'top secret');
mkdirSync(join(root, 'src'));
writeFileSync(join(root, 'src', 'a.ts'), 'a');
symlinkSync(join(outside, 'secret'), join(root, 'to-secret'));
symlinkSync(outside, join(root, 'to-outside'));
symlinkSync('../../' + outside.split('/').pop(), join(root, 'src', 'relative-out'));
symlinkSync(join(root, 'src'), join(root, 'to-src'));
symlinkSync(join(outside, 'nothing-yet'), join(root, 'dangling-out'));

async function refused(rel: string): Promise<FileError> {
  const e = await resolveInside(root, rel).then(
    () => null,
    (e: unknown) => e
  );
  expect(e, `"${rel}" must be refused`).toBeInstanceOf(FileError);
  return e as FileError;
}

describe('paths below the shared root', () => {
  it('refuses `..` and absolute paths in every form, saying why', async () => {
    for (const rel of ['..', '../x', 'src/../../x', 'src/..', './..', 'src/./../..', '..\u002f..', 'a/b/../../..']) {
      expect((await refused(rel)).message).toMatch(/contains ".."/);
    }
    for (const rel of ['/etc/passwd', '//etc/passwd', '\\etc', 'C:/x', '~/x']) {
      expect((await refused(rel)).message).toMatch(/absolute path/);
    }
  });

  it('refuses symbolic links that lead outside, to files, folders, relatively, through folders and dangling', async () => {
    for (const rel of ['to-secret', 'to-outside', 'to-outside/secret', 'to-outside/new-file', 'src/relative-out', 'src/relative-out/secret', 'dangling-out']) {
      const e = await refused(rel);
      expect(e.code).toBe('outside');
      expect(e.message).toMatch(/outside the shared folder/);
    }
  });

  it('follows links that stay inside and allows files that do not exist yet', async () => {
    expect(await resolveInside(root, 'to-src/a.ts')).toBe(join(root, 'src', 'a.ts'));
    expect(await resolveInside(root, 'src//./new/deeper.txt')).toBe(join(root, 'src', 'new', 'deeper.txt'));
    expect(await resolveInside(root, '')).toBe(root);
  });
});

describe('reading text', () => {
  it('refuses FIFOs without blocking, folders, devices, oversized and binary files, each with a clear message', async () => {
    execFileSync('mkfifo', [join(root, 'pipe')]);
    await expect(readText(join(root, 'pipe'), 'pipe', 1000)).rejects.toThrow(/"pipe" is a FIFO \(named pipe\): only regular files/);
    await expect(readText(join(root, 'src'), 'src', 1000)).rejects.toThrow(/is a folder/);
    await expect(readText('/dev/zero', 'zero', 1000)).rejects.toThrow(/is a device/);
    writeFileSync(join(root, 'big.log'), 'x'.repeat(5 * 1024 * 1024));
    await expect(readText(join(root, 'big.log'), 'big.log', 4 * 1024 * 1024)).rejects.toThrow(/"big.log" is 5.0 MiB: files over 4.0 MiB are not opened/);
    writeFileSync(join(root, 'app.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]));
    await expect(readText(join(root, 'app.bin'), 'app.bin', 1000)).rejects.toMatchObject({ code: 'binary' });
    writeFileSync(join(root, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    await expect(readText(join(root, 'latin1.txt'), 'latin1.txt', 1000)).rejects.toThrow(/not UTF-8 text/);
    await expect(readText(join(root, 'missing'), 'missing', 1000)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('keeps CRLF as it is and names the line endings', async () => {
    writeFileSync(join(root, 'win.txt'), 'one\r\ntwo\r\n');
    const f = await readText(join(root, 'win.txt'), 'win.txt', 1000);
    expect(f).toMatchObject({ text: 'one\r\ntwo\r\n', eol: 'crlf', size: 10 });
  });
});

describe('saving', () => {
  it('replaces the file atomically, keeps its mode and leaves no temporary file', async () => {
    const p = join(root, 'run.sh');
    writeFileSync(p, 'old');
    chmodSync(p, 0o750);
    await writeAtomic(p, 'new text\r\n');
    expect(readFileSync(p, 'utf8')).toBe('new text\r\n');
    expect(statSync(p).mode & 0o7777).toBe(0o750);
    expect(readdirSync(root).filter((n) => n.startsWith(TEMP_PREFIX))).toEqual([]);
  });
});
