/**
 * A participant's side of the shared logs, without DOM: the sources, the shared filter (and who
 * set it), the matching lines the host sent for it (with "N lines skipped" markers where the host
 * had to drop some), the pinned lines; requests (filter, add source, restart, context, pin) with
 * their answers as promises. The page and the Node tests use it alike.
 */
import { logsProtocol, type LogFilter, type LogLine, type LogsMessage, type LogsDown, type LogsUp, type LogSourceInfo, type Pin, type Author, type LogsFailCode } from '../protocol/logs.ts';
import { DisposableStore, Emitter } from '../mesh/events.ts';
import type { Mesh } from '../mesh/mesh.ts';

/** Lines (and markers) a page keeps; older ones go. */
export const MAX_KEPT = 5000;
export const REQUEST_TIMEOUT_MS = 30_000;

export type LogEntry = LogLine | { skipped: number; t: number };
export const isSkipped = (e: LogEntry): e is { skipped: number; t: number } => 'skipped' in e;

export class LogsError extends Error {
  readonly code: LogsFailCode | 'no-host' | 'timeout';
  constructor(code: LogsError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

type Answer = Extract<LogsDown, { type: 'done' | 'failed' | 'context' }>;
type Body<T> = T extends unknown ? Omit<T, 'req'> : never;

export class LogsClient {
  sources: LogSourceInfo[] = [];
  filter: LogFilter = {};
  gen = 0;
  by: Author | null = null;
  /** when the filter was set, ms */
  time = 0;
  /** why the host changed the filter itself (a regex turned off), if it did */
  note: string | null = null;
  /** the current filter's lines, oldest first, with skipped markers among them */
  entries: LogEntry[] = [];
  pins: Pin[] = [];
  /** lines received for the current filter, and skipped ones the host counted */
  received = 0;
  skipped = 0;
  /** something changed (the page re-reads the fields above) */
  readonly changed = new Emitter<void>();
  /** the shared filter changed (after the first one this client got): who set it and why (replay markers) */
  readonly filterChanged = new Emitter<{ filter: LogFilter; by: Author | null; note: string | null }>();
  #mesh: Mesh;
  #next = 1;
  #pending = new Map<number, { resolve: (a: Answer) => void; reject: (e: LogsError) => void; timer: ReturnType<typeof setTimeout> }>();
  #store = new DisposableStore();

  constructor(mesh: Mesh) {
    this.#mesh = mesh;
    this.#store.add(mesh.router.register(logsProtocol, (_p, m) => this.#receive(m)));
    this.#store.add(
      mesh.peerGone.on(({ peer }) => {
        if (peer.claims.role !== 'host') return;
        for (const p of this.#pending.values()) {
          clearTimeout(p.timer);
          p.reject(new LogsError('no-host', 'The host agent left before answering.'));
        }
        this.#pending.clear();
      })
    );
    this.#store.add(this.changed);
    this.#store.add(this.filterChanged);
  }

  #receive(m: LogsMessage): void {
    switch (m.type) {
      case 'sources':
        this.sources = m.sources;
        break;
      case 'filter':
        if (m.gen !== this.gen) {
          // the host sends a filter (urgent lane) before any line for it (bulk lane)
          this.entries = [];
          this.received = 0;
          this.skipped = 0;
        }
        const first = this.gen === 0;
        const changed = m.gen !== this.gen;
        this.gen = m.gen;
        this.filter = m.filter;
        this.by = m.by;
        this.time = m.time;
        this.note = m.note ?? null;
        if (changed && !first) this.filterChanged.fire({ filter: m.filter, by: m.by, note: this.note });
        break;
      case 'lines':
        if (m.gen < this.gen) return;
        this.#add(m.lines, m.skipped, m.history);
        break;
      case 'pins':
        this.pins = m.pins;
        break;
      case 'context':
      case 'done':
      case 'failed': {
        const p = this.#pending.get(m.req);
        if (!p) return;
        this.#pending.delete(m.req);
        clearTimeout(p.timer);
        if (m.type === 'failed') p.reject(new LogsError(m.code, m.message));
        else p.resolve(m);
        return;
      }
      // requests for the host: the router never hands them to a participant
      case 'set-filter':
      case 'add-source':
      case 'restart':
      case 'get-context':
      case 'pin':
      case 'unpin':
        return;
    }
    this.changed.fire();
  }

  #add(lines: LogLine[], skipped: number, history: boolean): void {
    const add: LogEntry[] = [];
    if (skipped) add.push({ skipped, t: lines[0]?.t ?? Date.now() });
    if (history && this.entries.length) {
      // live lines that came while the host searched its history may be in it too
      const have = new Set(this.entries.map((e) => (isSkipped(e) ? '' : `${e.src}:${e.seq}`)));
      lines = lines.filter((l) => !have.has(`${l.src}:${l.seq}`));
    }
    add.push(...lines);
    // history comes sorted and before live lines of its filter; a late history goes in time order
    let next = history && this.entries.length ? [...add, ...this.entries].sort((a, b) => a.t - b.t) : this.entries.concat(add);
    if (next.length > MAX_KEPT) next = next.slice(-MAX_KEPT);
    this.entries = next;
    this.received += lines.length;
    this.skipped += skipped;
  }

  /** The lines only (no markers). */
  get lines(): LogLine[] {
    return this.entries.filter((e): e is LogLine => !isSkipped(e));
  }

  #request(msg: Body<LogsUp>): Promise<Answer> {
    const host = this.#mesh.host;
    if (!host) return Promise.reject(new LogsError('no-host', 'No host agent is connected: the logs are on the host.'));
    const req = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(req);
        reject(new LogsError('timeout', `The host did not answer within ${REQUEST_TIMEOUT_MS / 1000} s.`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(req, { resolve, reject, timer });
      host.send(logsProtocol, { ...msg, req } as LogsUp);
    });
  }

  /** Sets the shared filter; resolves once the host searched its history for it. */
  async setFilter(filter: LogFilter): Promise<void> {
    await this.#request({ type: 'set-filter', filter });
  }

  async addSource(kind: 'file' | 'cmd', spec: string): Promise<void> {
    await this.#request({ type: 'add-source', kind, spec });
  }

  async restart(src: number): Promise<void> {
    await this.#request({ type: 'restart', src });
  }

  /** `n` lines before and after a line, from the host's history. */
  async context(src: number, seq: number, n: number): Promise<LogLine[]> {
    const a = await this.#request({ type: 'get-context', src, seq, before: n, after: n });
    return a.type === 'context' ? a.lines : [];
  }

  async pin(src: number, seq: number, note = ''): Promise<void> {
    await this.#request({ type: 'pin', src, seq, note });
  }

  async unpin(src: number, seq: number): Promise<void> {
    await this.#request({ type: 'unpin', src, seq });
  }

  dispose(): void {
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
    this.#store.dispose();
  }
}
