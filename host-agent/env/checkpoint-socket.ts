/**
 * How `live-sessions checkpoint`, typed in a shared shell, reaches the host agent: a Unix socket in
 * a private directory (mode 0700, so only this user's processes can connect) whose path the host
 * exports into the shells it spawns as LIVE_SESSIONS_CHECKPOINT. The command sends its own
 * environment, cwd and its shell's pid, so the checkpoint sees what that shell sees (a variable
 * exported a minute ago), not only what the agent started with.
 *
 *   request   one line of JSON  {label, cwd, env, pid}
 *   answer    one line of JSON  {ok: true, id, label} | {ok: false, error}
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHECKPOINT_ENV = 'LIVE_SESSIONS_CHECKPOINT';
/** A request carries a whole environment; more than this is not one. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export interface ShellCheckpoint {
  label: string;
  cwd: string;
  env: Record<string, string>;
  pid: number;
}

export type CheckpointAnswer = { ok: true; id: number; label: string } | { ok: false; error: string };

/** Checks a request line; throws with a sentence the command prints. */
export function parseShellCheckpoint(line: string): ShellCheckpoint {
  const o = JSON.parse(line) as Record<string, unknown>;
  const env = o.env as Record<string, unknown>;
  if (typeof o.label !== 'string' || typeof o.cwd !== 'string' || !Number.isInteger(o.pid) || typeof env !== 'object' || env === null) {
    throw new Error('malformed checkpoint request');
  }
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') clean[k] = v;
  return { label: o.label.slice(0, 200), cwd: o.cwd, env: clean, pid: o.pid as number };
}

export class CheckpointSocket {
  readonly path: string;
  #dir: string;
  #server: Server;
  #sockets = new Set<Socket>();

  constructor(take: (req: ShellCheckpoint) => Promise<{ id: number; label: string }>, log: (line: string) => void) {
    this.#dir = mkdtempSync(join(tmpdir(), 'live-sessions-cp-'));
    this.path = join(this.#dir, 'sock');
    this.#server = createServer((sock) => {
      this.#sockets.add(sock);
      sock.on('close', () => this.#sockets.delete(sock));
      sock.on('error', () => sock.destroy());
      let buf = '';
      sock.setEncoding('utf8');
      sock.on('data', (chunk: string) => {
        buf += chunk;
        if (buf.length > MAX_REQUEST_BYTES) return answer(sock, { ok: false, error: 'request too large' });
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        sock.removeAllListeners('data');
        let req: ShellCheckpoint;
        try {
          req = parseShellCheckpoint(buf.slice(0, nl));
        } catch (e) {
          return answer(sock, { ok: false, error: (e as Error).message });
        }
        take(req).then(
          (r) => answer(sock, { ok: true, ...r }),
          (e: Error) => answer(sock, { ok: false, error: e.message })
        );
      });
    });
    this.#server.on('error', (e) => log(`checkpoint socket: ${e.message}`));
    this.#server.listen(this.path);
  }

  dispose(): void {
    for (const s of this.#sockets) s.destroy();
    this.#server.close();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

function answer(sock: Socket, a: CheckpointAnswer): void {
  sock.end(JSON.stringify(a) + '\n');
}
