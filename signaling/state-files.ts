/**
 * The signaling server's state directory: small JSON files readable by their owner only, replaced
 * atomically (write a temporary file, then rename) so a crash mid-write never leaves half a file.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A state file or directory that cannot be used; the message names it and says what to do. */
export class StateError extends Error {}

function why(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EACCES' || err.code === 'EPERM') return 'permission denied';
  if (err.code === 'ENOSPC') return 'the disk is full';
  if (err.code === 'EROFS') return 'the file system is read-only';
  return err.message ?? String(e);
}

/** Creates the directory (and parents) if needed and makes it private to this user (mode 0700). */
export async function ensureStateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
  } catch (e) {
    throw new StateError(`cannot use the state directory ${dir}: ${why(e)}; pick another with --state DIR`);
  }
}

/**
 * Replaces `file` with `text` atomically, mode 0600, flushed to disk before the rename. With
 * `exclusive`, leaves an existing file alone and returns false (two servers starting at once
 * must not each believe their own new key is the saved one).
 */
export async function writeFileAtomic(file: string, text: string, { exclusive = false } = {}): Promise<boolean> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (!exclusive) {
      await rename(tmp, file);
      return true;
    }
    try {
      await link(tmp, file);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    } finally {
      await rm(tmp, { force: true });
    }
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw new StateError(`cannot write ${file}: ${why(e)}`);
  }
}

/**
 * The parsed JSON in `file`, or undefined when it does not exist. A file larger than `maxBytes`
 * or not JSON is an error naming the file: the server never silently replaces its state.
 */
export async function readJsonFile(file: string, maxBytes: number): Promise<unknown> {
  let text: string;
  try {
    if ((await stat(file)).size > maxBytes) throw new StateError(`${file} is larger than ${maxBytes} bytes: it is not a file this server wrote; move it away`);
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (e instanceof StateError) throw e;
    throw new StateError(`cannot read ${file}: ${why(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt(file, 'it is not valid JSON');
  }
}

export function corrupt(file: string, reason: string): StateError {
  return new StateError(
    `${file} is damaged (${reason}); fix it or move it away (the server then starts with a fresh one), ` +
      `or start with another state directory (--state DIR, in ${dirname(file)} now)`
  );
}
