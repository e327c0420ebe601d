/**
 * Where a participant's path lands on the box, or a refusal a person can read. A path is relative
 * to the shared root, `/`-separated; absolute paths and `..` are refused outright, and the real
 * location (every symbolic link resolved, for the part that exists) must stay below the root's
 * real location — so a link pointing outside cannot be listed, read, written or renamed through.
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { FailCode } from '../../src/lib/protocol/files.ts';

export class FileError extends Error {
  readonly code: FailCode;
  constructor(code: FailCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The path's segments, or a refusal for absolute paths and `..`. */
export function segments(rel: string): string[] {
  if (rel.startsWith('/') || rel.startsWith('\\') || /^[A-Za-z]:/.test(rel) || rel.startsWith('~')) {
    throw new FileError('outside', `"${rel}" is an absolute path: give a path relative to the shared folder.`);
  }
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new FileError('outside', `"${rel}" contains "..": only files below the shared folder can be reached.`);
  return parts;
}

/** `a/b/c` written the one way (no `./`, no doubled or trailing slashes). */
export function clean(rel: string): string {
  return segments(rel).join('/');
}

export function isBelow(root: string, abs: string): boolean {
  return abs === root || abs.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The real absolute path for `rel` below `realRoot` (itself a real path). The part that exists is
 * resolved with realpath (links followed); what does not exist yet (a file to create) is appended.
 */
export async function resolveInside(realRoot: string, rel: string): Promise<string> {
  const parts = segments(rel);
  let existing = join(realRoot, ...parts);
  const missing: string[] = [];
  for (;;) {
    try {
      const real = await realpath(existing);
      if (!isBelow(realRoot, real)) throw new FileError('outside', `"${rel}" leads outside the shared folder (through a symbolic link).`);
      return join(real, ...missing);
    } catch (e) {
      if (e instanceof FileError) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || existing === realRoot) throw new FileError('io', `"${rel}": ${(e as Error).message}`);
      await refuseDangling(realRoot, existing, rel);
      missing.unshift(basename(existing));
      existing = dirname(existing);
    }
  }
}

/** A link to something missing: refused, as outside when it points there (writing through it would create the target). */
async function refuseDangling(realRoot: string, path: string, rel: string): Promise<void> {
  const st = await lstat(path).catch(() => null);
  if (!st?.isSymbolicLink()) return;
  const target = resolve(dirname(path), await readlink(path));
  if (!isBelow(realRoot, target)) throw new FileError('outside', `"${rel}" leads outside the shared folder (through a symbolic link).`);
  throw new FileError('not-found', `"${rel}" goes through a symbolic link to something that does not exist.`);
}
