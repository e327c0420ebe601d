/**
 * Quick open and search in files, on the host, below the shared root only: a walk that never
 * follows symbolic links (so it cannot leave the root), skips `.git` and `node_modules` and the
 * bridge's temp files, and stops at MAX_WALK_ENTRIES. Search is for literal text (a participant's
 * regular expression never runs here), in regular text files up to the editor's size limit, and
 * stops at MAX_HITS hits, MAX_SEARCH_FILES files or MAX_SEARCH_MS — whichever comes first — or
 * when its AbortSignal fires. Everything is read through non-blocking opens (readBytes).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_FOUND, MAX_HIT_TEXT_CHARS, MAX_HITS, type Hit, type SearchStop } from '../../src/lib/protocol/files.ts';
import { decodeText, readBytes } from './read.ts';
import { TEMP_PREFIX } from './write.ts';

/** Most directory entries one walk looks at. */
export const MAX_WALK_ENTRIES = 50_000;
export const MAX_SEARCH_FILES = 10_000;
export const MAX_SEARCH_MS = 10_000;
const SKIP_DIRS = new Set(['.git', 'node_modules']);

/** Relative paths of the regular files below `root`, breadth first; `truncated` when the walk was cut. */
export async function walkFiles(root: string, signal?: AbortSignal): Promise<{ paths: string[]; truncated: boolean }> {
  const paths: string[] = [];
  const dirs = [''];
  let seen = 0;
  while (dirs.length) {
    if (signal?.aborted) return { paths, truncated: true };
    const dir = dirs.shift()!;
    const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (++seen > MAX_WALK_ENTRIES) return { paths, truncated: true };
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory() && !SKIP_DIRS.has(e.name)) dirs.push(rel);
      else if (e.isFile() && !e.name.startsWith(TEMP_PREFIX)) paths.push(rel);
    }
  }
  return { paths, truncated: false };
}

/**
 * How well `path` matches `query` as a subsequence (case-insensitive), higher is better; null when
 * it does not. Runs of consecutive characters, matches at the start of a name or word, and matches
 * in the file's own name (not its folders) count more; long paths a little less.
 */
export function fuzzyScore(query: string, path: string): number | null {
  const q = query.toLowerCase().replaceAll(' ', '');
  if (!q) return -path.length;
  const p = path.toLowerCase();
  const nameStart = path.lastIndexOf('/') + 1;
  let score = 0;
  let at = -1;
  let run = 0;
  for (const ch of q) {
    const i = p.indexOf(ch, at + 1);
    if (i < 0) return null;
    run = i === at + 1 ? run + 1 : 1;
    score += run * 2;
    const prev = path[i - 1];
    if (i === 0 || prev === '/' || prev === '_' || prev === '-' || prev === '.' || (prev === prev?.toLowerCase() && path[i] !== path[i].toLowerCase())) score += 6;
    if (i >= nameStart) score += 3;
    at = i;
  }
  return score - path.length * 0.05;
}

/** The best MAX_FOUND paths for `query`. */
export function rank(query: string, paths: readonly string[]): { paths: string[]; truncated: boolean } {
  const scored: [number, string][] = [];
  for (const p of paths) {
    const s = fuzzyScore(query, p);
    if (s !== null) scored.push([s, p]);
  }
  scored.sort((a, b) => b[0] - a[0] || a[1].localeCompare(b[1]));
  return { paths: scored.slice(0, MAX_FOUND).map(([, p]) => p), truncated: scored.length > MAX_FOUND };
}

/** The line around a match, at most MAX_HIT_TEXT_CHARS. */
function excerpt(line: string, col: number): string {
  if (line.length <= MAX_HIT_TEXT_CHARS) return line;
  const start = Math.max(0, Math.min(col - 40, line.length - MAX_HIT_TEXT_CHARS));
  return line.slice(start, start + MAX_HIT_TEXT_CHARS);
}

export interface SearchResult {
  hits: Hit[];
  files: number;
  stopped: SearchStop;
}

/** Literal `query` in the text files below `root` (binary, oversized and unreadable files are skipped). */
export async function searchFiles(root: string, query: string, o: { caseSensitive: boolean; maxFileBytes: number; signal: AbortSignal; now?: () => number }): Promise<SearchResult> {
  const now = o.now ?? Date.now;
  const deadline = now() + MAX_SEARCH_MS;
  const needle = o.caseSensitive ? query : query.toLowerCase();
  const hits: Hit[] = [];
  const { paths, truncated } = await walkFiles(root, o.signal);
  let files = 0;
  for (const path of paths) {
    if (o.signal.aborted) return { hits, files, stopped: 'cancelled' };
    if (now() > deadline) return { hits, files, stopped: 'time' };
    if (files >= MAX_SEARCH_FILES) return { hits, files, stopped: 'files' };
    const text = await readBytes(join(root, path), path, o.maxFileBytes)
      .then((bytes) => decodeText(bytes, path))
      .catch(() => null);
    files++;
    if (text === null) continue;
    const hay = o.caseSensitive ? text : text.toLowerCase();
    let from = 0;
    let lineNo = 1;
    let counted = 0;
    for (;;) {
      const i = hay.indexOf(needle, from);
      if (i < 0) break;
      const lineStart = text.lastIndexOf('\n', i - 1) + 1;
      const lineEnd = text.indexOf('\n', i);
      const line = text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).replace(/\r$/, '');
      lineNo += newlines(text, counted, lineStart);
      counted = lineStart;
      hits.push({ path, line: lineNo, col: i - lineStart + 1, text: excerpt(line, i - lineStart) });
      if (hits.length >= MAX_HITS) return { hits, files, stopped: 'hits' };
      // one hit per line is enough to find it
      from = lineEnd < 0 ? hay.length : lineEnd + 1;
    }
    // let other work (terminal output) run between files
    await new Promise((r) => setImmediate(r));
  }
  return { hits, files, stopped: o.signal.aborted ? 'cancelled' : truncated ? 'files' : null };
}

/** Newlines in text[from, to). */
function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
