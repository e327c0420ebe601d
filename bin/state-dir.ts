/**
 * Where Live Sessions keeps state on this machine: $LIVE_SESSIONS_STATE_DIR, else
 * ${XDG_STATE_HOME:-~/.local/state}/live-sessions. The signaling server keeps its key and
 * sessions in `signaling/` below it, the host agent one folder per session (its audit log).
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  const own = env.LIVE_SESSIONS_STATE_DIR;
  if (own) return own;
  const xdg = env.XDG_STATE_HOME;
  // The XDG spec says to ignore a relative XDG_STATE_HOME.
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'state'), 'live-sessions');
}

/** The signaling server's default state directory (`live-sessions signal --state`). */
export function signalingStateDir(root = stateRoot()): string {
  return join(root, 'signaling');
}
