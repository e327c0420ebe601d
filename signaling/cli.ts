/** `live-sessions signal [--port N] [--host ADDR]`: runs the signaling server until SIGINT/SIGTERM. */
import { startSignaling } from './server.ts';

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';

const USAGE = `Usage: live-sessions signal [--port N] [--host ADDR]

Runs the Live Sessions signaling server: the HTTP API, /.well-known/jwks.json, the ws relay at
/signal, and the built web app.

  --port N      port to listen on (0 picks a free one; default ${DEFAULT_PORT})
  --host ADDR   address to bind (default ${DEFAULT_HOST}; 0.0.0.0 for every interface)
  -h, --help    show this help
`;

class UsageError extends Error {}

export function parseSignalArgs(argv: string[]): { port: number; host: string; help: boolean } {
  const out = { port: DEFAULT_PORT, host: DEFAULT_HOST, help: false };
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
  let server;
  try {
    server = await startSignaling({ port: args.port, host: args.host });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE' ? `port ${args.port} is already in use: pick another with --port`
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
