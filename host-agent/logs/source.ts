/**
 * One log source on the host: a followed file or a command. Its raw lines go to the log pipeline
 * (pipeline-client.ts), which redacts, stamps and keeps them off the main loop; here is what the
 * source list shows (its state, lines read) and the gate: a command's output is paused while the
 * host cannot take more.
 */
import type { Author, LogSourceInfo, AddKind } from '../../src/lib/protocol/logs.ts';
import { CommandFollower } from './follow-command.ts';
import { FileFollower } from './follow-file.ts';

export interface SourceOptions {
  id: number;
  kind: AddKind;
  /** for a file, its absolute path; for a command, its command line */
  spec: string;
  by: Author | null;
  cwd: string;
  /** a file starts with its last this many bytes */
  historyBytes: number;
  /** raw lines, in the order read (unredacted: they go to the pipeline only) */
  lines: (src: LogSource, raw: string[]) => void;
  changed: (src: LogSource) => void;
  /** see FollowEvents.gate */
  gate: () => Promise<void> | null;
}

export class LogSource {
  readonly info: LogSourceInfo;
  #o: SourceOptions;
  #follower: FileFollower | CommandFollower;
  #paused = false;

  constructor(o: SourceOptions) {
    this.#o = o;
    this.info = { id: o.id, kind: o.kind, spec: o.spec, state: 'waiting', detail: 'starting', lines: 0, by: o.by };
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
    this.info.lines += raw.length;
    this.#o.lines(this, raw);
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
