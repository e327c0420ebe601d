/**
 * The authoritative record on the box: one asciicast per terminal beside the session's audit log,
 * in the record directory. A host started again in the same directory continues the newest
 * earlier audit log's chain (its last verified hash), so the logs of one box form one chain.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { TerminalSet } from '../terminals/terminal-set.ts';
import type { Redactor } from '../redact/record-rules.ts';
import { CastWriter } from './asciicast.ts';
import { verifyChain } from './chain.ts';

/** The newest `*.jsonl` in `dir` and its last hash, when it verifies. */
export function previousLog(dir: string): { file: string; hash: string } | null {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.jsonl'));
  } catch {
    return null;
  }
  const newest = names.map((n) => ({ n, m: statSync(join(dir, n)).mtimeMs })).sort((a, b) => b.m - a.m)[0];
  if (!newest) return null;
  const v = verifyChain(readFileSync(join(dir, newest.n), 'utf8'));
  return v.ok && v.lines > 0 ? { file: newest.n, hash: v.last } : null;
}

export class TerminalRecorder {
  #casts = new Map<number, { w: CastWriter; cols: number; rows: number }>();
  /** terminals whose cast could not even be created (not tried again on every output) */
  #broken = new Set<number>();
  #offs: (() => void)[] = [];

  /** `onError`: told once, at the first failure of any cast (the session goes on without it). */
  constructor(terms: TerminalSet, dir: string, session: string, onError: (e: Error) => void, redact?: Redactor) {
    let reported = false;
    const report = (e: Error) => {
      if (!reported) onError(e);
      reported = true;
    };
    const cast = (id: number) => {
      let c = this.#casts.get(id);
      if (!c && !this.#broken.has(id)) {
        const t = terms.list().find((x) => x.id === id);
        const cols = t?.cols ?? 80;
        const rows = t?.rows ?? 24;
        try {
          const w = new CastWriter(join(dir, `${session}-terminal-${id}.cast`), { cols, rows, title: t?.title || `terminal ${id}` }, report, redact);
          this.#casts.set(id, (c = { w, cols, rows }));
        } catch (e) {
          // the record directory went bad (removed, replaced, read-only): this terminal goes unrecorded
          this.#broken.add(id);
          report(e as Error);
        }
      }
      return c;
    };
    this.#offs.push(
      terms.onOutput((id, _seq, data) => cast(id)?.w.output(data)),
      terms.onChange(() => {
        for (const t of terms.list()) {
          const c = this.#casts.get(t.id);
          if (!c || (c.cols === t.cols && c.rows === t.rows)) continue;
          c.cols = t.cols;
          c.rows = t.rows;
          c.w.resize(t.cols, t.rows);
        }
      })
    );
  }

  /** A marker in a terminal's cast (a command started). */
  marker(term: number, label: string): void {
    this.#casts.get(term)?.w.marker(label);
  }

  /** The cast files written so far. */
  get files(): string[] {
    return [...this.#casts.values()].map((c) => basename(c.w.path));
  }

  async dispose(): Promise<void> {
    for (const off of this.#offs) off();
    await Promise.all([...this.#casts.values()].map((c) => c.w.close()));
  }
}
