// The terminal output of the throughput bench, and the limits it meets before any network:
// how fast a PTY delivers it to node-pty (raw_pty_cmd_mb_s), and how fast the host's headless
// mirror (host-agent/terminals/mirror.ts, the same class the host uses) parses it
// (mirror_parse_mb_s). The host pauses the PTY while its mirror lags by more than 1 MiB, so the
// mirror's rate bounds what any peer can receive.
import pty from 'node-pty';
import { TerminalMirror } from '../../host-agent/terminals/mirror.ts';
import { DEFAULT_SCROLLBACK_LINES, MAX_CHUNK_BYTES, MIRROR_HIGH_WATER_BYTES, MIRROR_LOW_WATER_BYTES } from '../../host-agent/terminals/terminal.ts';

/** Printable payload bytes (50 MiB ≥ 50 MB); the PTY adds a CR per line (ONLCR). */
export const PAYLOAD_BYTES = 50 * 1024 * 1024;
/** Printed after the payload; the typed command itself never contains it. */
export const END_MARKER = 'BENCH-END';
/** One line of 73 characters, lower case and digits only: xterm's fast path for printable ASCII. */
export const PAYLOAD_COMMAND = `yes ${'0123456789abcdefghijklmnopqrstuvwxyz'.repeat(2)} | head -c ${PAYLOAD_BYTES}; printf 'BENCH-%s\\n' END`;
/** Size of the host terminal while measuring (what the editor's 1280×720 page asks for is similar). */
const COLS = 100;
const ROWS = 30;

export interface PtyRun {
  bytes: number;
  ms: number;
  /** the output as node-pty delivered it */
  chunks: Buffer[];
}

/** Runs `command` (PAYLOAD_COMMAND) in a PTY and reads all of it in this process. */
export function runInPty(timeoutMs: number, command = PAYLOAD_COMMAND): Promise<PtyRun> {
  const term = pty.spawn('/bin/bash', ['--norc', '--noprofile', '-c', command], { cols: COLS, rows: ROWS, encoding: null });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let t0 = 0;
    let last = 0;
    const timer = setTimeout(() => {
      term.kill();
      reject(new Error(`the PTY delivered only ${bytes} bytes in ${timeoutMs} ms`));
    }, timeoutMs);
    term.onData((d) => {
      const b = d as unknown as Buffer;
      last = performance.now();
      if (bytes === 0) t0 = last;
      bytes += b.length;
      chunks.push(b);
    });
    term.onExit(() => {
      clearTimeout(timer);
      resolve({ bytes, ms: last - t0, chunks });
    });
  });
}

/**
 * Feeds `chunks` to a host mirror in MAX_CHUNK_BYTES pieces with the host's own flow control
 * (pause above MIRROR_HIGH_WATER_BYTES unparsed, go on below the low mark); resolves with the
 * time until everything is parsed, ms.
 */
export async function parseInMirror(chunks: Buffer[]): Promise<number> {
  const mirror = new TerminalMirror(COLS, ROWS, DEFAULT_SCROLLBACK_LINES);
  let wake: (() => void) | null = null;
  const off = mirror.onParsed(() => wake?.());
  const until = (test: () => boolean) =>
    new Promise<void>((resolve) => {
      wake = () => {
        if (!test()) return;
        wake = null;
        resolve();
      };
      wake();
    });
  try {
    const t0 = performance.now();
    let seq = 0;
    for (const c of chunks) {
      for (let at = 0; at < c.length; at += MAX_CHUNK_BYTES) {
        mirror.write(++seq, c.subarray(at, at + MAX_CHUNK_BYTES));
        if (mirror.pendingBytes > MIRROR_HIGH_WATER_BYTES) await until(() => mirror.pendingBytes <= MIRROR_LOW_WATER_BYTES);
      }
    }
    const last = seq;
    await until(() => mirror.parsedSeq === last);
    return performance.now() - t0;
  } finally {
    off();
    mirror.dispose();
  }
}
