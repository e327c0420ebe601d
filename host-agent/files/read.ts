/**
 * Reading a file for the shared editor: regular files only (a FIFO or device is refused before it
 * is opened for reading, so a read never blocks), at most `maxBytes`, and text only — a NUL byte
 * or invalid UTF-8 means binary, which is shown as such rather than opened.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import type { Eol } from '../../src/lib/protocol/files.ts';
import { FileError } from './paths.ts';

/** Default largest file opened in the editor, bytes (a 5-MB file opens; its whole document, one Yjs update for a late opener, stays under MAX_MESSAGE_BYTES). */
export const DEFAULT_MAX_FILE_BYTES = 6 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface TextFile {
  text: string;
  version: string;
  size: number;
  eol: Eol;
}

/** A short name for some content: equal content, equal version. WebCrypto's digest runs on
 * libuv's thread pool, so hashing a 5-MB file does not hold the host's event loop (terminal echo). */
export async function versionOf(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Buffer.from(digest, 0, 8).toString('hex');
}

export function kindName(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** A regular file's bytes, at most `maxBytes` (refused before reading when larger). */
export async function readBytes(abs: string, rel: string, maxBytes: number): Promise<Buffer> {
  let st: Stats;
  try {
    st = await lstat(abs);
  } catch {
    throw new FileError('not-found', `"${rel}" does not exist.`);
  }
  if (!st.isFile()) throw new FileError('not-regular', `"${rel}" is ${kindName(st)}: only regular files open in the editor.`);
  // O_NONBLOCK: should the file have been swapped for a FIFO since, opening it does not hang
  const fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const now = await fh.stat();
    if (!now.isFile()) throw new FileError('not-regular', `"${rel}" is ${kindName(now)}: only regular files open in the editor.`);
    if (now.size > maxBytes) throw new FileError('too-large', `"${rel}" is ${mib(now.size)}: files over ${mib(maxBytes)} are not opened in the editor.`);
    const bytes = await fh.readFile();
    if (bytes.length > maxBytes) throw new FileError('too-large', `"${rel}" is over ${mib(maxBytes)}: not opened in the editor.`);
    return bytes;
  } finally {
    await fh.close();
  }
}

/** The text of a file's bytes; throws on binary (a NUL byte) or invalid UTF-8. */
export function decodeText(bytes: Uint8Array, rel: string): string {
  if (bytes.includes(0)) throw new FileError('binary', `"${rel}" is a binary file: it is not opened as text.`);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new FileError('binary', `"${rel}" is not UTF-8 text (binary?): it is not opened as text.`);
  }
}

export async function readText(abs: string, rel: string, maxBytes: number): Promise<TextFile> {
  const bytes = await readBytes(abs, rel, maxBytes);
  const version = versionOf(bytes);
  const text = decodeText(bytes, rel);
  return { text, version: await version, size: bytes.length, eol: text.includes('\r\n') ? 'crlf' : 'lf' };
}
