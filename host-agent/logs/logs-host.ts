/**
 * The logs capability on the host: follows the sources it was given (`--log`, `--log-cmd`) and
 * those editors add, keeps each one's recent history, and applies the session's shared filter
 * here, so only matching lines go out — each participant at its own rate (feed.ts). A new filter
 * searches the history first (newest matches), then goes on with live lines. The work per line
 * (redaction, parsing, the histories, the filter) runs in the log pipeline's thread
 * (pipeline-client.ts), so a flood never holds the loop that serves the terminal and the mesh;
 * while it is behind, the sources wait. User regexes run with a time budget (regex-worker.ts); one
 * that is too slow is turned off and everyone is told why. Filter changes, added sources,
 * restarts and pins are in the audit log.
 */
import { realpath } from 'node:fs/promises';
import { logsProtocol, MAX_LINES_PER_MESSAGE, MAX_PINS, MAX_SOURCES, MAX_SPEC_CHARS, type Author, type LogFilter, type LogLine, type LogsFailCode, type LogsMessage, type LogsUp, type Pin, type AddKind, type LogSourceInfo } from '../../src/lib/protocol/logs.ts';
import { Emitter } from '../../src/lib/mesh/events.ts';
import type { MeshPeer } from '../../src/lib/mesh/mesh.ts';
import { who, type AuditLog } from '../audit.ts';
import type { HostCapability } from '../capability.ts';
import { FileError, resolveInside } from '../files/paths.ts';
import { PeerFeed } from './feed.ts';
import { LogPipeline, PipelineError } from './pipeline-client.ts';
import { regexProblem, SlowRegexError } from './regex-worker.ts';
import { LogSource } from './source.ts';
import { GlobSource } from './glob-source.ts';

export interface LogsOptions {
  /** absolute paths of files to follow (globs already expanded) */
  files: string[];
  /** `--log` patterns (glob-source.ts): what they match now and later is followed */
  globs?: string[];
  commands: string[];
  /** the shared folder: files added from the page must be below it; commands run in it */
  cwd: string;
  audit: AuditLog;
  log: (line: string) => void;
  /** each source's history, bytes (default 64 MiB) */
  historyBytes?: number;
  /** lines a second one participant gets at most (default 2000) */
  ratePerS?: number;
  regexBudgetMs?: number;
}

export const DEFAULT_HISTORY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_RATE_PER_S = 2000;
/** Newest matches of the history sent for a filter. */
export const HISTORY_MATCHES = MAX_LINES_PER_MESSAGE;
/** Context requests one participant may make per window. */
const CONTEXT_PER_WINDOW = 30;
const CONTEXT_WINDOW_MS = 10_000;
/** A participant's unsent bytes past which it counts as behind (file sources wait while all are). */
const GATE_BACKLOG_BYTES = 1024 * 1024;

const authorOf = (p: MeshPeer): Author => ({ id: p.id, name: p.name, role: p.role });

export class LogsHost implements HostCapability<typeof logsProtocol> {
  readonly protocol = logsProtocol;
  /** the history's matches for a filter went out (gen); tests and the bench wait on it */
  readonly scanned = new Emitter<{ gen: number; lines: number; ms: number }>();
  #o: LogsOptions;
  #sources = new Map<number, LogSource>();
  #globs: GlobSource[] = [];
  #nextSource = 1;
  #feeds = new Map<MeshPeer, PeerFeed>();
  #filter: LogFilter = {};
  #gen = 1;
  #by: Author | null = null;
  #time = Date.now();
  #note: string | undefined;
  #pins: Pin[] = [];
  #pipeline: LogPipeline;
  #contextAsks = new Map<MeshPeer, number[]>();
  #realRoot: Promise<string>;
  #disposed = false;

  constructor(o: LogsOptions) {
    this.#o = o;
    this.#pipeline = new LogPipeline({ regexBudgetMs: o.regexBudgetMs, log: o.log });
    this.#pipeline.setFilter(this.#gen, this.#filter);
    this.#pipeline.matched.on(({ gen, lines }) => gen === this.#gen && this.#deliver(lines));
    this.#pipeline.slowRegex.on(({ gen, message }) => gen === this.#gen && this.#regexTooSlow(message));
    // lines the pipeline failed with: every participant sees them as skipped
    this.#pipeline.lost.on((n) => this.#feeds.forEach((f) => f.push([], n)));
    this.#realRoot = realpath(o.cwd);
    for (const f of o.files) this.#add('file', f, null);
    for (const c of o.commands) this.#add('cmd', c, null);
    for (const pattern of o.globs ?? []) this.#addGlob(pattern);
  }

  #addGlob(pattern: string): void {
    const add = (path: string) => {
      // also given by name (or by another pattern): followed already
      if ([...this.#sources.values()].some((s) => s.info.kind === 'file' && s.info.spec === path)) return true;
      if (this.#disposed || this.#count >= MAX_SOURCES) return false;
      this.#add('file', path, null);
      return true;
    };
    // its id first: the files it finds at once come after it in the list
    const id = this.#nextSource++;
    this.#globs.push(new GlobSource({ id, pattern, cwd: this.#o.cwd, add, changed: () => this.#sendSources(), log: this.#o.log }));
    this.#sendSources();
  }

  /** sources and globs: what MAX_SOURCES bounds */
  get #count(): number {
    return this.#sources.size + this.#globs.length;
  }

  #infos(): LogSourceInfo[] {
    return [...this.#globs.map((g) => g.info), ...this.#sources.values().map((s) => s.info)].sort((a, b) => a.id - b.id).map((i) => ({ ...i }));
  }

  get filter(): LogFilter {
    return this.#filter;
  }

  get gen(): number {
    return this.#gen;
  }

  /** lines sent to each participant so far (history and live), by participant id */
  get sent(): Record<string, number> {
    return Object.fromEntries([...this.#feeds].map(([p, f]) => [p.id, f.sent]));
  }

  #add(kind: AddKind, spec: string, by: Author | null): LogSource {
    const id = this.#nextSource++;
    const historyBytes = this.#o.historyBytes ?? DEFAULT_HISTORY_BYTES;
    this.#pipeline.addSource(id, historyBytes);
    const src = new LogSource({
      id,
      kind,
      spec,
      by,
      cwd: this.#o.cwd,
      historyBytes,
      lines: (_s, raw) => this.#pipeline.ingest(id, raw),
      gate: () => this.#gate(),
      changed: (s) => {
        if (s.info.state !== 'following') this.#o.log(`log ${s.info.spec}: ${s.info.state} ${s.info.detail}`);
        this.#sendSources();
      }
    });
    this.#sources.set(id, src);
    this.#sendSources();
    return src;
  }

  #sendSources(): void {
    const sources = this.#infos();
    for (const p of this.#feeds.keys()) p.send(logsProtocol, { type: 'sources', sources });
  }

  #filterMessage(): LogsMessage {
    return { type: 'filter', gen: this.#gen, filter: this.#filter, by: this.#by, time: this.#time, ...(this.#note ? { note: this.#note } : {}) };
  }

  // ---- live lines ----

  /**
   * While the pipeline is full (pipeline-client.ts bounds its lines and characters in flight), or every participant's connection is
   * behind, a source waits (the file keeps what was not read yet, a command's pipe blocks it)
   * instead of buffering here or reading lines that would only be counted as skipped; it goes on
   * when they drained. With nobody connected, sources read on (into the history).
   */
  #gate(): Promise<void> | null {
    if (this.#disposed) return null;
    if (this.#pipeline.full) return this.#pipeline.drained();
    if (this.#feeds.size === 0) return null;
    for (const p of this.#feeds.keys()) if (p.backlog + p.bulkBacklog < GATE_BACKLOG_BYTES) return null;
    return new Promise((resolve) => {
      const offs: (() => void)[] = [];
      const done = () => {
        offs.forEach((off) => off());
        clearTimeout(timer);
        resolve();
      };
      for (const p of this.#feeds.keys()) offs.push(p.onDrain(done));
      // a participant that leaves never drains: look again after a while
      const timer = setTimeout(done, 1000);
    });
  }

  /** Live lines to every participant. */
  #deliver(lines: LogLine[]): void {
    if (lines.length) for (const f of this.#feeds.values()) f.push(lines);
  }

  // ---- the history ----

  /** The newest HISTORY_MATCHES matches of the filter of `gen`; null when it changed meanwhile. */
  async #matchHistory(gen: number): Promise<LogLine[] | null> {
    const lines = await this.#pipeline.search(gen, HISTORY_MATCHES);
    return gen === this.#gen && !this.#disposed ? lines : null;
  }

  /** Searches the history for the filter of `gen` and sends the matches to everyone; resolves
   * with a refusal text when the regex was too slow. */
  async #scan(gen: number): Promise<string | null> {
    const started = performance.now();
    let lines: LogLine[] | null;
    try {
      lines = await this.#matchHistory(gen);
    } catch (e) {
      if (e instanceof SlowRegexError && gen === this.#gen) {
        this.#regexTooSlow(e.message);
        return e.message;
      }
      if (e instanceof PipelineError && !this.#disposed) this.#o.log(`log filter: the history was not searched: ${e.message}`);
      return null; // superseded or stopping
    }
    if (!lines || gen !== this.#gen) return null;
    for (const f of this.#feeds.values()) f.history(lines);
    this.scanned.fire({ gen, lines: lines.length, ms: performance.now() - started });
    return null;
  }

  #setFilter(filter: LogFilter, by: Author | null, note?: string): number {
    this.#filter = filter;
    this.#gen++;
    this.#pipeline.setFilter(this.#gen, filter);
    this.#by = by;
    this.#time = Date.now();
    this.#note = note;
    const msg = this.#filterMessage();
    for (const [p, f] of this.#feeds) {
      f.reset(this.#gen);
      p.send(logsProtocol, msg);
    }
    return this.#gen;
  }

  #regexTooSlow(message: string): void {
    const rest = { ...this.#filter };
    delete rest.regex;
    this.#o.log(`log filter: ${message}`);
    void this.#scan(this.#setFilter(rest, this.#by, message));
  }

  // ---- participants ----

  addPeer(peer: MeshPeer): void {
    const feed = new PeerFeed(peer, this.#o.ratePerS ?? DEFAULT_RATE_PER_S, this.#gen);
    this.#feeds.set(peer, feed);
    this.#pipeline.live = true;
    peer.send(logsProtocol, { type: 'sources', sources: this.#infos() });
    peer.send(logsProtocol, this.#filterMessage());
    peer.send(logsProtocol, { type: 'pins', pins: this.#pins });
    // its own search of the history: lines keep coming in, so an earlier result may be stale
    const gen = this.#gen;
    void this.#matchHistory(gen).then(
      (lines) => lines && gen === this.#gen && this.#feeds.get(peer) === feed && feed.history(lines),
      () => {} // a slow regex is handled by the scan that set it
    );
  }

  removePeer(peer: MeshPeer): void {
    this.#feeds.get(peer)?.dispose();
    this.#feeds.delete(peer);
    this.#pipeline.live = this.#feeds.size > 0;
    this.#contextAsks.delete(peer);
  }

  handle(peer: MeshPeer, msg: LogsMessage): void {
    const m = msg as LogsUp;
    void this.#handle(peer, m).catch((e: Error) => {
      // the pipeline failed with the request (it was restarted): its history is gone
      if (e instanceof PipelineError) peer.send(logsProtocol, failMsg(m.req, 'not-found', e.message));
      else this.#o.log(`logs: ${e.message}`);
    });
  }

  async #handle(peer: MeshPeer, m: LogsUp): Promise<void> {
    const fail = (code: LogsFailCode, message: string) => peer.send(logsProtocol, failMsg(m.req, code, message));
    const done = () => peer.send(logsProtocol, { type: 'done', req: m.req });
    const audit = (action: 'filter' | 'add-source' | 'restart' | 'pin' | 'unpin', detail: string) => this.#o.audit.record(who(peer), { kind: 'logs', action, detail });
    switch (m.type) {
      case 'set-filter': {
        const problem = m.filter.regex ? regexProblem(m.filter.regex) : null;
        if (problem) return fail('bad-regex', problem);
        audit('filter', JSON.stringify(m.filter));
        const refused = await this.#scan(this.#setFilter(m.filter, authorOf(peer)));
        return refused ? fail('slow-regex', refused) : done();
      }
      case 'add-source': {
        if (this.#count >= MAX_SOURCES) return fail('too-many', `At most ${MAX_SOURCES} log sources.`);
        let spec = m.spec.trim();
        if (m.kind === 'file') {
          try {
            spec = await resolveInside(await this.#realRoot, spec);
          } catch (e) {
            return fail('bad-source', e instanceof FileError ? e.message : `Cannot follow "${m.spec}": ${(e as Error).message}`);
          }
        }
        if (spec.length > MAX_SPEC_CHARS) return fail('bad-source', `The path is longer than ${MAX_SPEC_CHARS} characters.`);
        if ([...this.#sources.values()].some((s) => s.info.kind === m.kind && s.info.spec === spec)) return fail('bad-source', `"${m.spec}" is followed already.`);
        audit('add-source', `${m.kind} ${spec}`);
        this.#add(m.kind, spec, authorOf(peer));
        return done();
      }
      case 'restart': {
        const glob = this.#globs.find((g) => g.info.id === m.src);
        if (glob) {
          glob.scan();
          return done();
        }
        const src = this.#sources.get(m.src);
        if (!src) return fail('not-found', `There is no log source ${m.src}.`);
        audit('restart', src.info.spec);
        src.restart();
        return done();
      }
      case 'get-context': {
        const now = Date.now();
        const asks = (this.#contextAsks.get(peer) ?? []).filter((t) => now - t < CONTEXT_WINDOW_MS);
        if (asks.length >= CONTEXT_PER_WINDOW) return fail('rate-limited', 'Too many context requests; wait a few seconds.');
        this.#contextAsks.set(peer, [...asks, now]);
        const lines = this.#sources.has(m.src) ? await this.#pipeline.context(m.src, m.seq, m.before, m.after) : null;
        if (!lines) return fail('not-found', 'That line is no longer in the host’s history.');
        peer.send(logsProtocol, { type: 'context', req: m.req, src: m.src, seq: m.seq, lines });
        return;
      }
      case 'pin': {
        const line = this.#sources.has(m.src) ? (await this.#pipeline.context(m.src, m.seq, 0, 0))?.[0] : undefined;
        if (!line) return fail('not-found', 'That line is no longer in the host’s history.');
        if (this.#pins.some((p) => p.src === m.src && p.seq === m.seq)) return done();
        if (this.#pins.length >= MAX_PINS) return fail('too-many', `At most ${MAX_PINS} pinned lines; unpin one first.`);
        this.#pins = [...this.#pins, { src: m.src, seq: m.seq, line, note: m.note, by: authorOf(peer) }];
        audit('pin', `${m.src}:${m.seq}`);
        this.#sendPins();
        return done();
      }
      case 'unpin':
        this.#pins = this.#pins.filter((p) => !(p.src === m.src && p.seq === m.seq));
        audit('unpin', `${m.src}:${m.seq}`);
        this.#sendPins();
        return done();
    }
  }

  #sendPins(): void {
    for (const p of this.#feeds.keys()) p.send(logsProtocol, { type: 'pins', pins: this.#pins });
  }

  dispose(): void {
    this.#disposed = true;
    for (const s of this.#sources.values()) s.dispose();
    for (const g of this.#globs) g.dispose();
    for (const f of this.#feeds.values()) f.dispose();
    this.#feeds.clear();
    this.#pipeline.dispose();
    this.scanned.dispose();
  }
}

function failMsg(req: number, code: LogsFailCode, message: string): LogsMessage {
  return { type: 'failed', req, code, message };
}
