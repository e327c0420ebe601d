/**
 * Whether a terminal waits for a password (`sudo`, `read -s`, `ssh`: line mode with echo off), so the audit log
 * records that input happened, and who typed it, but not what. Read with `stty -F /dev/pts/N`
 * once output has been quiet for QUIET_MS (a prompt was printed and the program waits), so the
 * state is known before the first keystroke; never on the keystroke's path (the PTY gets the
 * input first, the audit record follows).
 */
import { execFile } from 'node:child_process';

/** Output quiet this long before the echo state is (re)read, ms. */
export const QUIET_MS = 40;
/** Only for terminals someone typed into this recently (nobody types into `top`), ms. */
export const TYPING_MS = 60_000;
/** A reading asked for while output is fresh waits this long (the keystroke's echo goes first), ms. */
export const DEFER_MS = 15;

export class EchoState {
  #pts: () => string | null;
  #known: Promise<boolean> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #typedAt = 0;
  #deferred: Promise<boolean> | null = null;

  constructor(pts: () => string | null) {
    this.#pts = pts;
  }

  /** Output arrived: the program may have changed the terminal; read it again once quiet. */
  output(): void {
    this.#known = null;
    clearTimeout(this.#timer);
    if (Date.now() - this.#typedAt < TYPING_MS) this.#timer = setTimeout(() => void this.#read(), QUIET_MS);
  }

  /** Whether echo is off now (the last reading since output went quiet); called for each input.
   * When output came a moment ago (nothing is known), it is read DEFER_MS later: spawning `stty`
   * holds the event loop ~1–3 ms, and the echo of this very keystroke would wait behind it. */
  echoOff(): Promise<boolean> {
    this.#typedAt = Date.now();
    if (this.#known) return this.#known;
    return (this.#deferred ??= new Promise((resolve) => {
      // not cleared by dispose: the input is recorded either way
      setTimeout(() => {
        this.#deferred = null;
        resolve(this.#read());
      }, DEFER_MS);
    }));
  }

  #read(): Promise<boolean> {
    this.#known ??= read(this.#pts());
    return this.#known;
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }
}

function read(pts: string | null): Promise<boolean> {
  if (!pts) return Promise.resolve(false);
  return new Promise((resolve) =>
    // A password prompt reads whole lines with echo off (`icanon -echo`); readline and full-screen
    // programs turn both off (`-icanon -echo`) and echo themselves: those keystrokes are recorded.
    execFile('stty', ['-F', pts, '-a'], { timeout: 2_000 }, (err, stdout) => resolve(!err && /(^|\s)-echo(\s|;|$)/m.test(stdout) && !/(^|\s)-icanon(\s|;|$)/m.test(stdout)))
  );
}
