/**
 * `live-sessions host [--signaling URL | --attach LINK] [--cwd DIR] [--shell CMD] [--name NAME] [--json]`, and the
 * parts of running a host agent that `start` shares: defaults, printing the links, ending on
 * SIGINT/SIGTERM.
 */
import { statSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { HostAgent } from '../host-agent/agent.ts';
import { parseRules } from '../host-agent/redact/record-rules.ts';
import { cleanupWebRTC } from '../host-agent/webrtc.ts';
import { settledPath } from '../src/lib/mesh/path-watcher.ts';
import { commandHelp, parseFlags, parseHttpUrl, UsageError, versionLine } from './args.ts';
import { OtlpConfigError, otlpConfig } from '../host-agent/otel/config.ts';
import { readFullLink } from '../src/lib/protocol/links.ts';
import { checkShell } from './executable.ts';
import { LOG_FLAGS, logOptions } from './log-flags.ts';
import { DEFAULT_PORT } from './signal.ts';
import { stateRoot } from './state-dir.ts';
import { USAGE } from './usage.ts';

const FLAGS = { signaling: 'string', attach: 'string', cwd: 'string', shell: 'string', name: 'string', 'record-dir': 'string', json: 'boolean', 'relay-only': 'boolean', otlp: 'string', traceparent: 'string', redact: 'strings', help: 'boolean', ...LOG_FLAGS } as const;

export const hostLog = (line: string) => console.error(`[host] ${line}`);

/** --cwd, --shell and --name with their defaults; `stateDir` receives the audit logs. */
export function hostDefaults(f: { cwd?: string; shell?: string; name?: string; 'record-dir'?: string; otlp?: string; traceparent?: string; redact?: string[] }) {
  // npm scripts run in the package folder; INIT_CWD is where the user typed `npm start`.
  const cwd = resolve(f.cwd ?? process.env.INIT_CWD ?? process.cwd());
  let isDir = false;
  try {
    isDir = statSync(cwd).isDirectory();
  } catch {
    /* reported below */
  }
  if (!isDir) throw new UsageError(`--cwd ${JSON.stringify(cwd)} is not a directory`);
  const shell = checkShell(f.shell ?? process.env.SHELL ?? '/bin/bash');
  const name = (f.name ?? `${userInfo().username}@${hostname()}`).slice(0, 64);
  const recordDir = f['record-dir'] === undefined ? undefined : resolve(f['record-dir']);
  let redact: RegExp[];
  try {
    redact = parseRules(f.redact ?? []);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return { cwd, shell, name, stateDir: stateRoot(), recordDir, redact, log: hostLog, otlp: tracing(f) };
}

/** --otlp / --traceparent, or the standard OTEL_ and TRACEPARENT variables; null = no tracing. */
function tracing(f: { otlp?: string; traceparent?: string }) {
  try {
    return otlpConfig(f, process.env);
  } catch (e) {
    if (e instanceof OtlpConfigError) throw new UsageError(e.message);
    throw e;
  }
}

function printLinks(session: string, links: Record<string, string> | null, auditPath: string): void {
  if (!links) {
    console.log(`Attached to session ${session}: everyone in it sees this box's terminal and files now.\n`);
    console.log(`Who did what (hash-chained; check it with 'live-sessions audit verify FILE'): ${auditPath}`);
    return console.log('Press Ctrl+C to detach (the session goes on in the browsers).');
  }
  console.log(`Session ${session} is live. Share a link (each carries its secret after #):\n`);
  console.log(`  owner   ${links.owner}`);
  console.log(`  editor  ${links.editor}`);
  console.log(`  viewer  ${links.viewer}\n`);
  console.log(`Who did what (hash-chained; check it with 'live-sessions audit verify FILE'): ${auditPath}`);
  console.log('Press Ctrl+C to end the session.');
}

/**
 * Resolves with the first SIGINT/SIGTERM. Installed before anything starts, so a stop that comes
 * early (right after the links are printed, or while starting) still ends the session cleanly;
 * a second signal while ending forces the exit.
 */
export function stopSignal(): Promise<string> {
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

/** What `--json` prints after its first line, one JSON object a line, for programs that drive the host. */
export type HostEvent =
  | { event: 'signaling'; status: 'connecting' | 'online' | 'offline' }
  | { event: 'join'; participant: string; name: string; role: string }
  | { event: 'leave'; participant: string; reason: string }
  /** how the connection to a participant that joined goes (connection-path.ts), once known */
  | { event: 'path'; participant: string; kind: string; transport: string; rttMs: number | null }
  /** a connection that never opened, and why */
  | { event: 'unreachable'; participant: string; detail: string }
  /** tracing is on: the session's trace */
  | { event: 'trace'; traceId: string }
  /** the OTLP receiver stopped taking spans (said once), or takes them again */
  | { event: 'otlp'; status: 'failing'; error: string }
  | { event: 'otlp'; status: 'ok' };

function printEvents(agent: HostAgent): void {
  const print = (e: HostEvent) => console.log(JSON.stringify(e));
  agent.mesh.signalingStatus.on((status) => print({ event: 'signaling', status }));
  agent.mesh.peerJoined.on((p) => print({ event: 'join', participant: p.id, name: p.name, role: p.claims.role }));
  agent.mesh.peerGone.on(({ peer, reason }) => print({ event: 'leave', participant: peer.id, reason: reason.kind }));
  agent.mesh.peerJoined.on((p) => void settledPath(p).then((path) => path && print({ event: 'path', participant: p.id, ...path })));
  agent.mesh.unreachable.on(({ id, detail }) => print({ event: 'unreachable', participant: id, detail }));
  if (agent.telemetry) {
    print({ event: 'trace', traceId: agent.telemetry.traceId });
    agent.telemetry.exporter.status.on((s) => print({ event: 'otlp', ...s }));
  }
}

/** Prints the links, waits for `stop`, then ends the session (and whatever `extraClose` ends). */
export async function runHost(agent: HostAgent, json: boolean, stop: Promise<string>, extraClose?: () => Promise<void>): Promise<void> {
  if (json) {
    console.log(JSON.stringify({ session: agent.session, links: agent.links }));
    printEvents(agent);
  } else printLinks(agent.session, agent.links, agent.audit.path);
  const sig = await stop;
  console.error(`\n${sig}: ending the session…`);
  try {
    await agent.dispose();
    await extraClose?.();
  } finally {
    cleanupWebRTC();
  }
}

export async function host(argv: string[]): Promise<void> {
  const f = parseFlags(argv, FLAGS);
  if (f.help) return void console.log(commandHelp(USAGE, 'host'));
  if (f.version) return void console.log(versionLine());
  const attach = f.attach === undefined ? undefined : attachLink(f.attach);
  if (attach && f.signaling !== undefined) throw new UsageError('--attach takes the server from the link: leave out --signaling');
  const signaling = attach?.origin ?? parseHttpUrl(f.signaling ?? `http://127.0.0.1:${DEFAULT_PORT}`, '--signaling');
  const stop = stopSignal();
  const defaults = hostDefaults(f);
  const agent = await HostAgent.start({ signaling, ...defaults, attach: attach?.href, relayOnly: !!f['relay-only'], logs: logOptions(f, defaults.cwd) });
  await runHost(agent, !!f.json, stop);
  process.exit(0);
}

/** `--attach LINK`: a session link with its #invite=…&key=… (the owner's page shows the command). */
function attachLink(v: string): URL {
  const problem = 'must be the whole link the session page shows, like https://server/s/ID#invite=…&key=… (in quotes: the shell must not cut it at &)';
  let url: URL;
  try {
    url = new URL(v);
    readFullLink(v);
  } catch {
    throw new UsageError(`--attach ${problem}`);
  }
  parseHttpUrl(url.origin, '--attach');
  return url;
}
