import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs } from './tmp.ts';

describe('temp dirs', () => {
  it('are fresh, distinct directories, all removed with their contents', () => {
    const a = makeTempDir();
    const b = makeTempDir('bench-');
    expect(a).not.toBe(b);
    expect(statSync(a).isDirectory()).toBe(true);
    writeFileSync(join(b, 'f.txt'), 'x');
    removeTempDirs();
    expect(existsSync(a)).toBe(false);
    expect(existsSync(b)).toBe(false);
  });
});
