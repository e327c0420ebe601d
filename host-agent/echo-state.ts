/**
 * Whether a terminal waits for a password (`sudo`, `read -s`, `ssh`: line mode with echo off), so the audit log
 * records that input happened, and who typed it, but not what. Read with `stty -F /dev/pts/N`
 * once output has been quiet for QUIET_MS (a prompt was printed and the program waits), so the
 * state is known before the first keystroke; never on the keystroke's path (the PTY gets the
 * input first, the audit record follows). The readings come from one small `sh` per terminal
 * that runs `stty` for each line it is sent: spawning from the agent forks the agent, which holds
 * its event loop (1–3 ms, much more on a loaded box) while keystrokes and their echoes wait.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Output quiet this long before the echo state is (re)read, ms. */
export const QUIET_MS = 40;
/** Only for terminals someone typed into this recently (nobody types into `top`), ms. */
export const TYPING_MS = 60_000;
/** A reading asked for while output is fresh waits this long (the keystroke's echo goes first), ms. */
export const DEFER_MS = 15;
/** An "echo on" reading stands for an input once output follows it (its echo); else the terminal is read again after this, ms. */
export const ECHO_CONFIRM_MS = 150;
/** A reading that takes longer counts as "echo on", and its reader is restarted, ms. */
export const READ_TIMEOUT_MS = 2_000;

export class EchoState {
  #pts: () => string | null;
  #known: Promise<boolean> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #typedAt = 0;
  #deferred: Promise<boolean> | null = null;
  #reader = new SttyReader();
  /** inputs read as "echo on", waiting for output to confirm it */
  #unconfirmed: (() => void)[] = [];
  /** output chunks so far: output after an input confirms "echo on" */
  #outputs = 0;
  #disposed = false;

  constructor(pts: () => string | null) {
    this.#pts = pts;
  }

  /** Output arrived: the program may have changed the terminal; read it again once quiet. */
  output(): void {
    this.#outputs++;
    for (const confirm of this.#unconfirmed.splice(0)) confirm();
    this.#known = null;
    clearTimeout(this.#timer);
    if (Date.now() - this.#typedAt < TYPING_MS) this.#timer = setTimeout(() => void this.#read(), QUIET_MS);
  }

  /** Whether echo is off now (the last reading since output went quiet); called for each input.
   * When output came a moment ago (nothing is known), it is read DEFER_MS later: spawning `stty`
   * holds the event loop ~1–3 ms, and the echo of this very keystroke would wait behind it. */
  echoOff(): Promise<boolean> {
    this.#typedAt = Date.now();
    const outputs = this.#outputs;
    const reading =
      this.#known ??
      (this.#deferred ??= new Promise((resolve) => {
        // not cleared by dispose: the input is recorded either way
        setTimeout(() => {
          this.#deferred = null;
          resolve(this.#read());
        }, DEFER_MS);
      }));
    return reading.then((off) => off || (this.#outputs > outputs ? false : this.#confirmOn()));
  }

  /**
   * "Echo on" may predate the program turning it off (bash prints `read -s`'s prompt, then turns
   * echo off): with echo on the input's echo follows at once; when no output does, read again.
   */
  #confirmOn(): Promise<boolean> {
    if (this.#disposed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#unconfirmed = this.#unconfirmed.filter((c) => c !== confirmed);
        this.#known = this.#reader.echoOff(this.#pts());
        resolve(this.#known);
      }, ECHO_CONFIRM_MS);
      const confirmed = () => (clearTimeout(timer), resolve(false));
      this.#unconfirmed.push(confirmed);
    });
  }

  #read(): Promise<boolean> {
    this.#known ??= this.#reader.echoOff(this.#pts());
    return this.#known;
  }

  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#timer);
    for (const confirm of this.#unconfirmed.splice(0)) confirm();
    this.#reader.dispose();
  }
}

/** Answers one line of `stty -a` (newlines made spaces; empty when it failed) per pts path written to it. */
const READER_SCRIPT = 'while IFS= read -r p; do stty -F "$p" -a 2>/dev/null | tr "\\n" " "; echo; done';

class SttyReader {
  #proc: ChildProcess | null = null;
  #waiting: ((line: string) => void)[] = [];
  #buffered = '';
  #disposed = false;

  /** Whether the terminal at `pts` has echo off in line mode; false when it cannot be read. */
  async echoOff(pts: string | null): Promise<boolean> {
    if (!pts || this.#disposed || /\n/.test(pts)) return false;
    const stty = await this.#ask(pts);
    // A password prompt reads whole lines with echo off (`icanon -echo`); readline and full-screen
    // programs turn both off (`-icanon -echo`) and echo themselves: those keystrokes are recorded.
    return /(^|\s)-echo(\s|;|$)/.test(stty) && !/(^|\s)-icanon(\s|;|$)/.test(stty);
  }

  #ask(pts: string): Promise<string> {
    const proc = (this.#proc ??= this.#start());
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#stop(proc), READ_TIMEOUT_MS);
      this.#waiting.push((line) => (clearTimeout(timer), resolve(line)));
      proc.stdin!.write(`${pts}\n`);
    });
  }

  #start(): ChildProcess {
    const proc = spawn('sh', ['-c', READER_SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.#buffered = '';
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (d: string) => {
      this.#buffered += d;
      for (let nl = this.#buffered.indexOf('\n'); nl >= 0; nl = this.#buffered.indexOf('\n')) {
        const line = this.#buffered.slice(0, nl);
        this.#buffered = this.#buffered.slice(nl + 1);
        this.#waiting.shift()?.(line);
      }
    });
    proc.stdin!.on('error', () => this.#stop(proc));
    proc.on('error', () => this.#stop(proc));
    proc.on('exit', () => this.#stop(proc));
    return proc;
  }

  /** Ends a reader that failed, hung or is no longer needed: what it still owes reads as "echo on". */
  #stop(proc: ChildProcess): void {
    if (this.#proc !== proc) return;
    this.#proc = null;
    proc.kill();
    for (const w of this.#waiting.splice(0)) w('');
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#proc) this.#stop(this.#proc);
  }
}
