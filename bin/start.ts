/**
 * `live-sessions start [--port N] [--cwd DIR] [--shell CMD]`: a signaling server on this machine
 * and a host agent attached to it, in one process. The TURN flags are signal's (turn-flags.ts);
 * --relay-only is host's.
 */
import { DEFAULT_LIMITS } from '../signaling/http-api.ts';
import { startSignaling } from '../signaling/server.ts';
import { HostAgent } from '../host-agent/agent.ts';
import { commandHelp, parseFlags, parsePort, versionLine } from './args.ts';
import { hostDefaults, runHost, stopSignal } from './host.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from './signal.ts';
import { signalingStateDir } from './state-dir.ts';
import { TURN_FLAGS, turnConfig } from './turn-flags.ts';
import { USAGE } from './usage.ts';

const FLAGS = { port: 'string', cwd: 'string', shell: 'string', name: 'string', 'record-dir': 'string', redact: 'strings', help: 'boolean', 'relay-only': 'boolean', ...TURN_FLAGS } as const;

export async function start(argv: string[]): Promise<void> {
  const f = parseFlags(argv, FLAGS);
  if (f.help) return void console.log(commandHelp(USAGE, 'start'));
  if (f.version) return void console.log(versionLine());
  const defaults = hostDefaults(f);
  const port = parsePort(f.port, DEFAULT_PORT);
  const stop = stopSignal();
  const turn = turnConfig(f);
  const opts = { host: DEFAULT_HOST, stateDir: signalingStateDir(defaults.stateDir), limits: DEFAULT_LIMITS, turn };
  const server = await startSignaling({ port, ...opts }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EADDRINUSE' || port === 0) throw e;
    console.error(`port ${port} is busy; using a free port instead`);
    return startSignaling({ port: 0, ...opts });
  });
  console.log(`listening on ${server.url}`);
  if (turn) console.log(`ice: ${[...turn.stunUrls, ...turn.turnUrls].join(' ')}`);
  const agent = await HostAgent.start({ signaling: server.url, ...defaults, relayOnly: !!f['relay-only'] });
  await runHost(agent, false, stop, () => server.close());
  process.exit(0);
}
