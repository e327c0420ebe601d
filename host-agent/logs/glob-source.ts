/**
 * A `--log` glob (`logs/*.log`): the files it matches at start, and those created later (a new
 * day's file, a new worker's), each followed as a file source of its own. The directory under the
 * pattern's first wildcard is watched (recursively when a directory part has one), with a slow
 * look as a fallback for missed events. At most MAX_GLOB_FILES files per glob (and the host's
 * MAX_SOURCES in all): past that, the glob's entry in the source list says how many are not
 * followed, and the host's log says it once.
 */
import { globSync, statSync, watch, type FSWatcher } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';
import type { LogSourceInfo } from '../../src/lib/protocol/logs.ts';

export const MAX_GLOB_FILES = 32;
/** A change in the watched directory is looked at after this, coalesced, ms. */
const SETTLE_MS = 100;
/** Looked at anyway this often (events can be missed: a directory created later), ms. */
export const RESCAN_MS = 2000;

export interface GlobOptions {
  id: number;
  /** as given on the command line */
  pattern: string;
  cwd: string;
  /** follows a new match; false when the host has no room for another source */
  add: (path: string) => boolean;
  changed: () => void;
  log: (line: string) => void;
}

/** The directory a pattern's matches are all below: its path up to the first part with a wildcard. */
export function globBase(pattern: string, cwd: string): { dir: string; deep: boolean } {
  const abs = isAbsolute(pattern) ? pattern : join(cwd, pattern);
  const parts = abs.split(sep);
  const first = parts.findIndex((p) => /[*?[{]/.test(p));
  return { dir: parts.slice(0, first).join(sep) || sep, deep: first < parts.length - 1 };
}

export class GlobSource {
  readonly info: LogSourceInfo;
  #o: GlobOptions;
  #followed = new Set<string>();
  #left = 0;
  #watcher: FSWatcher | null = null;
  #timer: NodeJS.Timeout;
  #settle: NodeJS.Timeout | null = null;

  constructor(o: GlobOptions) {
    this.#o = o;
    this.info = { id: o.id, kind: 'glob', spec: o.pattern, state: 'following', detail: '', lines: 0, by: null };
    this.#timer = setInterval(() => this.scan(), RESCAN_MS);
    this.#timer.unref();
    this.#watch();
    this.scan();
  }

  #watch(): void {
    const { dir, deep } = globBase(this.#o.pattern, this.#o.cwd);
    try {
      this.#watcher = watch(dir, { persistent: false, recursive: deep }, () => this.#soon());
      this.#watcher.on('error', () => {
        this.#watcher?.close();
        this.#watcher = null;
      });
    } catch {
      this.#watcher = null; // not there yet: the slow look covers it, and watches once it is
    }
  }

  #soon(): void {
    this.#settle ??= setTimeout(() => {
      this.#settle = null;
      this.scan();
    }, SETTLE_MS);
  }

  /** Looks for new matches now. */
  scan(): void {
    if (!this.#watcher) this.#watch();
    let found: string[];
    try {
      found = globSync(this.#o.pattern, { cwd: this.#o.cwd }).map((p) => resolve(this.#o.cwd, p));
    } catch (e) {
      return this.#set('error', `cannot list: ${(e as Error).message}`);
    }
    let left = 0;
    for (const path of found.sort()) {
      if (this.#followed.has(path) || !statSync(path, { throwIfNoEntry: false })?.isFile()) continue;
      if (this.#followed.size >= MAX_GLOB_FILES || !this.#o.add(path)) left++;
      else this.#followed.add(path);
    }
    const n = this.#followed.size;
    const files = `${n} file${n === 1 ? '' : 's'}`;
    if (left === 0) {
      this.#left = 0;
      return this.#set('following', `${files}; new matches are followed too`);
    }
    const why = n >= MAX_GLOB_FILES ? `${MAX_GLOB_FILES} files per pattern at most` : 'the host follows as many log sources as it may';
    if (left > this.#left) this.#o.log(`log ${this.#o.pattern}: ${left} matching file${left === 1 ? ' is' : 's are'} not followed (${why}); narrow the pattern or follow them with --log`);
    this.#left = left;
    this.#set('error', `following ${files}; ${left} more not followed (${why})`);
  }

  #set(state: LogSourceInfo['state'], detail: string): void {
    if (state === this.info.state && detail === this.info.detail) return;
    this.info.state = state;
    this.info.detail = detail;
    this.#o.changed();
  }

  dispose(): void {
    clearInterval(this.#timer);
    if (this.#settle) clearTimeout(this.#settle);
    this.#watcher?.close();
  }
}
