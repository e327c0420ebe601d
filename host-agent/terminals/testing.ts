/** Helpers for this folder's tests: replaying output into a fresh headless terminal, waiting. */
import headless from '@xterm/headless';
import serializeAddon from '@xterm/addon-serialize';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const { Terminal } = headless;
const { SerializeAddon } = serializeAddon;

export interface Screen {
  /** every buffer line (scrollback + viewport), right-trimmed */
  lines: string[];
  cursor: [number, number];
  /** what the serialize addon makes of the whole state */
  serialized: string;
}

/** Writes the parts, in order, into a fresh terminal and reads back its state. */
export async function replay(cols: number, rows: number, parts: (string | Uint8Array)[], scrollback = 5000): Promise<Screen> {
  const term = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
  const ser = new SerializeAddon();
  term.loadAddon(ser as never);
  for (const p of parts) term.write(p);
  await new Promise<void>((r) => term.write('', r));
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
  const screen: Screen = { lines, cursor: [buf.cursorX, buf.cursorY], serialized: ser.serialize() };
  term.dispose();
  return screen;
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A pid is gone when it no longer exists or is a zombie nobody reaped yet. */
export function pidGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/**
 * The name of the process a terminal's Ctrl+C signals: the leader of its foreground process group
 * (the tpgid in its shell's /proc stat), e.g. `sleep` once a job has the terminal and has started,
 * the shell itself at the prompt; null when unknown (the shell gone).
 */
export function foregroundName(shellPid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${shellPid}/stat`, 'utf8');
    // fields after "(comm)": state ppid pgrp session tty_nr tpgid …
    const tpgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[5]);
    return tpgid > 0 ? readFileSync(`/proc/${tpgid}/comm`, 'utf8').trim() : null;
  } catch {
    return null;
  }
}

/** Whether a line editor (readline, zle, fish) is reading the terminal: its tty is out of line mode (`-icanon`). */
export function lineEditing(pts: string): boolean {
  return /(^|\s)-icanon(\s|$)/.test(execFileSync('stty', ['-F', pts, '-a'], { encoding: 'utf8' }));
}
