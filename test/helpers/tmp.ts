// Temporary directories for tests and benchmarks. Every directory made here is removed by
// `removeTempDirs()` (call it from `afterAll`/`afterEach`), and, as a safety net, when the process
// exits — so a failing test never leaves its files behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dirs = new Set<string>();

/** Creates a fresh empty directory under the system temp dir and returns its absolute path. */
export function makeTempDir(prefix = 'live-sessions-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

/** Removes every directory made by `makeTempDir()` that still exists. */
export function removeTempDirs(): void {
  for (const dir of dirs) {
    rmSync(dir, { recursive: true, force: true });
    dirs.delete(dir);
  }
}

process.once('exit', removeTempDirs);
