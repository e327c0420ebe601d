/**
 * Noticing changes on disk: one non-recursive watch per folder someone listed or opened a file in
 * (a recursive watch of a working directory with node_modules would cost thousands of inotify
 * watches), at most MAX_WATCHED_DIRS. Events are collected for DEBOUNCE_MS and reported once, as
 * paths relative to the root — an editor's save or `sed -i` makes several events per file.
 */
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export const DEBOUNCE_MS = 150;
export const MAX_WATCHED_DIRS = 256;

export class DiskWatcher {
  #root: string;
  #onChange: (paths: string[]) => void;
  #watchers = new Map<string, FSWatcher>();
  #pending = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** `root` is the real path of the shared folder; `onChange` gets relative paths. */
  constructor(root: string, onChange: (paths: string[]) => void) {
    this.#root = root;
    this.#onChange = onChange;
  }

  /** Watches folder `dir` (relative, '' = root). */
  watchDir(dir: string): void {
    if (this.#watchers.has(dir) || this.#watchers.size >= MAX_WATCHED_DIRS) return;
    try {
      const w = watch(join(this.#root, dir), { persistent: false }, (_event, name) => {
        this.#note(dir);
        if (name) this.#note(dir ? `${dir}/${name}` : String(name));
      });
      w.on('error', () => this.unwatchDir(dir));
      this.#watchers.set(dir, w);
    } catch {
      // the folder went away or cannot be watched: changes there are not noticed
    }
  }

  unwatchDir(dir: string): void {
    this.#watchers.get(dir)?.close();
    this.#watchers.delete(dir);
  }

  #note(path: string): void {
    this.#pending.add(path);
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      const paths = [...this.#pending];
      this.#pending.clear();
      this.#onChange(paths);
    }, DEBOUNCE_MS);
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
  }
}
