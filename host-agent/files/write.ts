/**
 * Saving atomically: the text goes to a temporary file in the same folder (same file system),
 * is flushed, gets the old file's mode (and owner, when running as root), and is renamed over
 * the file — so a reader sees the old content or the new, never half, and a crash leaves the
 * old file intact.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Prefix of temporary files, hidden from listings. */
export const TEMP_PREFIX = '.live-sessions-save-';

export async function writeAtomic(abs: string, data: Uint8Array | string): Promise<void> {
  const old = await lstat(abs).catch(() => null);
  const tmp = join(dirname(abs), `${TEMP_PREFIX}${basename(abs)}.${randomBytes(4).toString('hex')}`);
  const mode = old ? old.mode & 0o7777 : 0o644;
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    await fh.writeFile(data);
    if (old) {
      await fh.chmod(mode);
      if (process.getuid?.() === 0) await fh.chown(old.uid, old.gid);
    }
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, abs);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}
