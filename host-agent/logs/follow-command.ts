/**
 * A command whose output is a log (`journalctl -f -u api`, `kubectl logs -f pod`): run with
 * `sh -c` in the shared folder, stdout and stderr split into lines. When it exits, its exit is
 * shown and it stays stopped until someone restarts it (a command that fails at once must not
 * respawn in a loop). Output is paused while the host has too much of it unprocessed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { MAX_LINE_BYTES, type FollowEvents } from './follow-file.ts';

export interface CommandEvents extends Omit<FollowEvents, 'state'> {
  state(state: 'following' | 'exited' | 'error', detail: string): void;
}

export class CommandFollower {
  #cmd: string;
  #cwd: string;
  #ev: CommandEvents;
  #child: ChildProcess | null = null;
  #disposed = false;

  constructor(cmd: string, cwd: string, ev: CommandEvents) {
    this.#cmd = cmd;
    this.#cwd = cwd;
    this.#ev = ev;
    this.restart();
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** Starts the command again (after it exited); a running one is stopped first. */
  restart(): void {
    if (this.#disposed) return;
    this.#kill();
    const child = spawn('/bin/sh', ['-c', this.#cmd], { cwd: this.#cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.#child = child;
    this.#ev.state('following', `running (pid ${child.pid ?? '?'})`);
    for (const stream of [child.stdout, child.stderr]) {
      const decoder = new StringDecoder('utf8');
      let partial = '';
      stream.on('data', (b: Buffer) => {
        const parts = (partial + decoder.write(b)).split('\n');
        partial = parts.pop() ?? '';
        if (partial.length > MAX_LINE_BYTES) {
          parts.push(partial.slice(0, MAX_LINE_BYTES));
          partial = '';
        }
        const lines = parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
        if (lines.length) this.#ev.lines(lines);
      });
      stream.on('end', () => partial && this.#ev.lines([partial]));
    }
    child.on('error', (e) => {
      if (this.#child === child) this.#child = null;
      this.#ev.state('error', `could not start: ${e.message}`);
    });
    // 'close', not 'exit': its output has been read by then, so the exit is the last thing reported
    child.on('close', (code, signal) => {
      if (this.#child !== child) return;
      this.#child = null;
      if (!this.#disposed) this.#ev.state('exited', signal ? `stopped by ${signal}` : `exited with code ${code}`);
    });
  }

  /** Stops reading while the host catches up (a command that floods), and resumes. */
  pause(paused: boolean): void {
    for (const s of [this.#child?.stdout, this.#child?.stderr]) {
      if (paused) s?.pause();
      else s?.resume();
    }
  }

  #kill(): void {
    const c = this.#child;
    this.#child = null;
    if (c?.pid) {
      try {
        process.kill(-c.pid, 'SIGTERM'); // its whole process group: `sh -c` and what it started
      } catch {
        /* gone already */
      }
    }
  }

  dispose(): void {
    this.#disposed = true;
    this.#kill();
  }
}
