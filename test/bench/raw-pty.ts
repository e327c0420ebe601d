// Physical limit of the PTY: node-pty write → onData echo in one process, and PTY throughput.
// The echo goes through `cat` with the terminal in raw mode, the same path a shell's line editor
// takes (the program reads the key and writes it back), without the kernel's own echo.
import pty from 'node-pty';
import { describeLatency, mbPerSecond, percentile, round, type BenchContext, type BenchModule } from './harness.ts';

/** Keystrokes timed (after WARMUP untimed ones). */
const KEYSTROKES = 300;
const WARMUP = 20;
/** Bytes read from /dev/zero through the PTY for the throughput figure. */
const THROUGHPUT_BYTES = 50_000_000;
/** Longest wait for one echo, ms. */
const ECHO_TIMEOUT_MS = 2_000;

async function echoLatencies(): Promise<number[]> {
  const term = pty.spawn('/bin/sh', ['-c', 'stty raw -echo && printf READY && exec cat'], { cols: 80, rows: 24, env: { ...process.env, TERM: 'xterm-256color' } });
  try {
    let waiting: ((data: string) => void) | null = null;
    let seen = '';
    term.onData((data) => {
      seen += data;
      waiting?.(seen);
    });
    const until = (test: (s: string) => boolean) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the PTY did not echo within ${ECHO_TIMEOUT_MS} ms`)), ECHO_TIMEOUT_MS);
        waiting = (s) => {
          if (!test(s)) return;
          clearTimeout(timer);
          waiting = null;
          resolve();
        };
        waiting(seen);
      });
    await until((s) => s.includes('READY'));
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + KEYSTROKES; i++) {
      seen = '';
      const key = String.fromCharCode(97 + (i % 26));
      const t0 = performance.now();
      term.write(key);
      await until((s) => s.includes(key));
      if (i >= WARMUP) samples.push(performance.now() - t0);
    }
    return samples;
  } finally {
    term.kill();
  }
}

async function throughput(): Promise<{ bytes: number; ms: number }> {
  const term = pty.spawn('/bin/sh', ['-c', `exec head -c ${THROUGHPUT_BYTES} /dev/zero`], { cols: 80, rows: 24 });
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let t0 = 0;
    const timer = setTimeout(() => {
      term.kill();
      reject(new Error(`only ${bytes} of ${THROUGHPUT_BYTES} bytes came through the PTY in 60 s`));
    }, 60_000);
    term.onData((data) => {
      if (bytes === 0) t0 = performance.now();
      bytes += data.length; // NUL bytes decode to one char each
      if (bytes >= THROUGHPUT_BYTES) {
        clearTimeout(timer);
        resolve({ bytes, ms: performance.now() - t0 });
        term.kill();
      }
    });
  });
}

export const rawPty: BenchModule = {
  name: 'raw-pty',
  keys: ['raw_pty_echo_p50_ms', 'raw_pty_echo_p99_ms', 'raw_pty_mb_s'],
  budgetMs: 60_000,
  async run(ctx: BenchContext) {
    const echo = await echoLatencies();
    ctx.results.raw_pty_echo_p50_ms = round(percentile(echo, 50));
    ctx.results.raw_pty_echo_p99_ms = round(percentile(echo, 99));
    ctx.log(`echo (node-pty write → onData, raw-mode cat): ${describeLatency(echo)}`);
    const t = await throughput();
    ctx.results.raw_pty_mb_s = round(mbPerSecond(t.bytes, t.ms));
    ctx.log(`throughput (head -c ${t.bytes} /dev/zero): ${round(mbPerSecond(t.bytes, t.ms))} MB/s in ${Math.round(t.ms)} ms`);
  }
};
