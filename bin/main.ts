/**
 * `live-sessions` command dispatch. `bin/` is the composition root: the only place that imports
 * both the signaling server and the host agent.
 */
import { UsageError } from './args.ts';
import { audit } from './audit.ts';
import { checkpoint } from './checkpoint.ts';
import { doctor } from './doctor.ts';
import { host } from './host.ts';
import { runSignal } from './signal.ts';
import { start } from './start.ts';
import { USAGE } from './usage.ts';

export async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'signal':
        return await runSignal(rest);
      case 'host':
        return await host(rest);
      case 'start':
        return await start(rest);
      case 'audit':
        return process.exit(audit(rest));
      case 'checkpoint':
        return await checkpoint(rest);
      case 'doctor':
        return process.exit(await doctor(rest));
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
