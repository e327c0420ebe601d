/**
 * `live-sessions signal [--port N] [--host ADDR] [--state DIR | --no-state]`: runs the signaling
 * server until SIGINT/SIGTERM.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { startSignaling } from './server.ts';
import { StateError } from './state-files.ts';

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';

/**
 * Where the signaling server keeps its key and sessions by default:
 * $LIVE_SESSIONS_STATE_DIR/signaling, else ${XDG_STATE_HOME:-~/.local/state}/live-sessions/signaling.
 */
export function defaultSignalingStateDir(): string {
  const own = process.env.LIVE_SESSIONS_STATE_DIR;
  if (own) return join(own, 'signaling');
  const xdg = process.env.XDG_STATE_HOME;
  // The XDG spec says to ignore a relative XDG_STATE_HOME.
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'state');
  return join(base, 'live-sessions', 'signaling');
}

const USAGE = `Usage: live-sessions signal [--port N] [--host ADDR] [--state DIR | --no-state]

Runs the Live Sessions signaling server: the HTTP API, /.well-known/jwks.json, the ws relay at
/signal, and the built web app.

  --port N      port to listen on (0 picks a free one; default ${DEFAULT_PORT})
  --host ADDR   address to bind (default ${DEFAULT_HOST}; 0.0.0.0 for every interface)
  --state DIR   keep the signing key and sessions in DIR, so links and credentials survive a
                restart (default $LIVE_SESSIONS_STATE_DIR/signaling, else
                \${XDG_STATE_HOME:-~/.local/state}/live-sessions/signaling)
  --no-state    keep them in memory only: a restart ends every session's links
  -h, --help    show this help
`;

class UsageError extends Error {}

export interface SignalArgs {
  port: number;
  host: string;
  /** null: in memory (--no-state) */
  stateDir: string | null;
  help: boolean;
}

export function parseSignalArgs(argv: string[]): SignalArgs {
  const out: SignalArgs = { port: DEFAULT_PORT, host: DEFAULT_HOST, stateDir: defaultSignalingStateDir(), help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-h':
      case '--help':
        out.help = true;
        break;
      case '--port': {
        const v = value();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${v}"`);
        out.port = n;
        break;
      }
      case '--host':
        out.host = value();
        break;
      case '--state':
        out.stateDir = value();
        break;
      case '--no-state':
        out.stateDir = null;
        break;
      default:
        throw new UsageError(`unknown option "${argv[i]}"`);
    }
  }
  return out;
}

/** Starts the server and resolves once it listens; it stops on SIGINT/SIGTERM. */
export async function runSignal(argv: string[]): Promise<void> {
  let args;
  try {
    args = parseSignalArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`live-sessions signal: ${e.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) return void process.stdout.write(USAGE);
  process.stderr.write(args.stateDir === null ? 'state: in memory only (--no-state)\n' : `state: ${args.stateDir}\n`);
  let server;
  try {
    server = await startSignaling({ port: args.port, host: args.host, stateDir: args.stateDir });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      e instanceof StateError ? e.message
      : code === 'EADDRINUSE' ? `port ${args.port} is already in use: pick another with --port`
      : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? `cannot bind to ${args.host}: use an address of this machine with --host`
      : code === 'EACCES' ? `not allowed to listen on port ${args.port}: use a port above 1023`
      : e instanceof Error ? e.message : String(e);
    process.stderr.write(`live-sessions signal: ${why}\n`);
    process.exit(1);
  }
  process.stdout.write(`listening on ${server.url}\n`);
  const stop = (signal: string): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.stderr.write(`signal: ${signal}, shutting down\n`);
    server.close().catch((e) => {
      process.stderr.write(`live-sessions signal: shutdown failed: ${e}\n`);
      process.exitCode = 1;
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
