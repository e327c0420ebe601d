/**
 * `live-sessions` command line:
 *   live-sessions signal [--port N] [--host ADDR]
 *   live-sessions host   [--signaling URL] [--cwd DIR] [--shell CMD] [--name NAME] [--json]
 *   live-sessions start  [--port N] [--cwd DIR] [--shell CMD]     (both, in one process)
 */
import { statSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_LIMITS } from '../signaling/http-api.ts';
import { startSignaling } from '../signaling/server.ts';
import { defaultSignalingStateDir, runSignal } from '../signaling/cli.ts';
import { HostAgent } from './agent.ts';
import { parseFlags, parseHttpUrl, parsePort, UsageError } from '../signaling/args.ts';
import { cleanupWebRTC } from './webrtc.ts';

export const DEFAULT_PORT = 8787;

const USAGE = `Live Sessions — shared terminals for debugging together.

Usage:
  live-sessions start  [--port N] [--cwd DIR] [--shell CMD]
      a local signaling server and a host agent; prints the owner, editor and viewer links
  live-sessions signal [--port N] [--host ADDR]
      the signaling server alone (default 127.0.0.1:${DEFAULT_PORT}; --port 0 picks a free port)
  live-sessions host   [--signaling URL] [--cwd DIR] [--shell CMD] [--name NAME] [--json]
      the host agent: shares a shell in DIR through the signaling server at URL
      --json prints one line {"session", "links": {"owner","editor","viewer"}} first on stdout
`;

const HOST_FLAGS = { signaling: 'string', cwd: 'string', shell: 'string', name: 'string', json: 'boolean', help: 'boolean' } as const;
const START_FLAGS = { port: 'string', cwd: 'string', shell: 'string', name: 'string', help: 'boolean' } as const;

function hostDefaults(f: { cwd?: string; shell?: string; name?: string }) {
  // npm scripts run in the package folder; INIT_CWD is where the user typed `npm start`.
  const cwd = resolve(f.cwd ?? process.env.INIT_CWD ?? process.cwd());
  let isDir = false;
  try {
    isDir = statSync(cwd).isDirectory();
  } catch {
    /* reported below */
  }
  if (!isDir) throw new UsageError(`--cwd ${JSON.stringify(cwd)} is not a directory`);
  const shell = f.shell ?? process.env.SHELL ?? '/bin/bash';
  const name = (f.name ?? `${userInfo().username}@${hostname()}`).slice(0, 64);
  return { cwd, shell, name };
}

function printLinks(session: string, links: Record<string, string>, auditPath: string): void {
  console.log(`Session ${session} is live. Share a link (each carries its secret after #):\n`);
  console.log(`  owner   ${links.owner}`);
  console.log(`  editor  ${links.editor}`);
  console.log(`  viewer  ${links.viewer}\n`);
  console.log(`Who typed what: ${auditPath}`);
  console.log('Press Ctrl+C to end the session.');
}

/**
 * Resolves with the first SIGINT/SIGTERM. Installed before anything starts, so a stop that comes
 * early (right after the links are printed, or while starting) still ends the session cleanly;
 * a second signal while ending forces the exit.
 */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    let stopping = false;
    const on = (sig: string) => {
      if (stopping) {
        console.error(`${sig} again: exiting without waiting`);
        process.exit(130);
      }
      stopping = true;
      resolve(sig);
    };
    process.on('SIGINT', () => on('SIGINT'));
    process.on('SIGTERM', () => on('SIGTERM'));
  });
}

async function runHost(agent: HostAgent, json: boolean, stop: Promise<string>, extraClose?: () => Promise<void>): Promise<void> {
  if (json) console.log(JSON.stringify({ session: agent.session, links: agent.links }));
  else printLinks(agent.session, agent.links, agent.audit.path);
  const sig = await stop;
  console.error(`\n${sig}: ending the session…`);
  try {
    await agent.dispose();
    await extraClose?.();
  } finally {
    cleanupWebRTC();
  }
}

const log = (line: string) => console.error(`[host] ${line}`);

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'signal':
        return await runSignal(rest);
      case 'host': {
        const f = parseFlags(rest, HOST_FLAGS);
        if (f.help) return void console.log(USAGE);
        const signaling = parseHttpUrl(f.signaling ?? `http://127.0.0.1:${DEFAULT_PORT}`, '--signaling');
        const stop = stopSignal();
        const agent = await HostAgent.start({ signaling, ...hostDefaults(f), log });
        await runHost(agent, !!f.json, stop);
        return process.exit(0);
      }
      case 'start': {
        const f = parseFlags(rest, START_FLAGS);
        if (f.help) return void console.log(USAGE);
        const defaults = hostDefaults(f);
        const port = parsePort(f.port, DEFAULT_PORT);
        const stop = stopSignal();
        const stateDir = defaultSignalingStateDir();
        const opts = { host: '127.0.0.1', stateDir, limits: DEFAULT_LIMITS };
        const server = await startSignaling({ port, ...opts }).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'EADDRINUSE' || port === 0) throw e;
          console.error(`port ${port} is busy; using a free port instead`);
          return startSignaling({ port: 0, ...opts });
        });
        console.log(`listening on ${server.url}`);
        const agent = await HostAgent.start({ signaling: server.url, ...defaults, log });
        await runHost(agent, false, stop, () => server.close());
        return process.exit(0);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return void console.log(USAGE);
      default:
        throw new UsageError(`unknown command ${JSON.stringify(cmd)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`live-sessions: ${e.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(`live-sessions: ${(e as Error).message}`);
    process.exit(1);
  }
}
