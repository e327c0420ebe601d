/**
 * One log source on the host: a followed file or a command, every line redacted (the shared
 * engine) and stamped (its own timestamp and level when it has them) as soon as it is read, then
 * kept in the source's bounded history and handed on. Nothing unredacted is kept or sent.
 */
import { MAX_LINE_CHARS, levelNumber, type Author, type LogLine, type LogSourceInfo, type AddKind } from '../../src/lib/protocol/logs.ts';
import { parseLine } from '../../src/lib/logs/parse.ts';
import { redactText } from '../redact/redact.ts';
import { CommandFollower } from './follow-command.ts';
import { FileFollower } from './follow-file.ts';
import { History } from './history.ts';

export interface SourceOptions {
  id: number;
  kind: AddKind;
  /** for a file, its absolute path; for a command, its command line */
  spec: string;
  by: Author | null;
  cwd: string;
  historyBytes: number;
  lines: (src: LogSource, lines: LogLine[]) => void;
  changed: (src: LogSource) => void;
  /** see FollowEvents.gate */
  gate: () => Promise<void> | null;
}

/** A stamp a line may claim, when it is not absurd (a year-1970 or far-future time is the host's clock). */
const SANE_FROM = Date.UTC(2000, 0, 1);
const SANE_SPAN_MS = 366 * 24 * 3600_000;

/** Redacts, cuts and stamps one raw line. */
export function toLogLine(src: number, seq: number, raw: string, now: number): LogLine {
  let text = raw.length > MAX_LINE_CHARS * 2 ? raw.slice(0, MAX_LINE_CHARS * 2) : raw;
  text = redactText(text).text;
  if (text.length > MAX_LINE_CHARS) text = text.slice(0, MAX_LINE_CHARS - 1) + '…';
  const p = parseLine(text);
  const t = p.time !== null && p.time > SANE_FROM && p.time < now + SANE_SPAN_MS ? p.time : now;
  return { src, seq, t, lv: p.level ? levelNumber(p.level) : 0, text };
}

export class LogSource {
  readonly info: LogSourceInfo;
  readonly history: History;
  #o: SourceOptions;
  #follower: FileFollower | CommandFollower;
  #seq = 0;
  #paused = false;

  constructor(o: SourceOptions) {
    this.#o = o;
    this.info = { id: o.id, kind: o.kind, spec: o.spec, state: 'waiting', detail: 'starting', lines: 0, by: o.by };
    this.history = new History(o.historyBytes);
    const ev = {
      lines: (raw: string[]) => this.#ingest(raw),
      gate: o.gate,
      state: (state: LogSourceInfo['state'], detail: string) => {
        this.info.state = state;
        this.info.detail = detail;
        o.changed(this);
      }
    };
    this.#follower = o.kind === 'file' ? new FileFollower(o.spec, o.historyBytes, ev) : new CommandFollower(o.spec, o.cwd, ev);
  }

  get id(): number {
    return this.#o.id;
  }

  #ingest(raw: string[]): void {
    const now = Date.now();
    const out: LogLine[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const line = toLogLine(this.#o.id, ++this.#seq, raw[i], now);
      this.history.push(line);
      out[i] = line;
    }
    this.info.lines = this.#seq;
    this.#o.lines(this, out);
    // a command's pipe is its buffer: while nobody can take more, stop reading it (it blocks)
    const gate = this.#follower instanceof CommandFollower && !this.#paused ? this.#o.gate() : null;
    if (gate) {
      this.#paused = true;
      this.pause(true);
      void gate.then(() => {
        this.#paused = false;
        this.pause(false);
      });
    }
  }

  /** A command starts again; a file is looked at again. */
  restart(): void {
    if (this.#follower instanceof CommandFollower) this.#follower.restart();
    else this.#follower.poke();
  }

  pause(paused: boolean): void {
    if (this.#follower instanceof CommandFollower) this.#follower.pause(paused);
  }

  dispose(): void {
    this.#follower.dispose();
  }
}
