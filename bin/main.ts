/**
 * `live-sessions` command dispatch. `bin/` is the composition root: the only place that imports
 * both the signaling server and the host agent.
 */
import { commandHelp, UsageError, versionLine } from './args.ts';
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
    // audit and checkpoint take arguments, not flags: their help and version are answered here
    if ((cmd === 'audit' || cmd === 'checkpoint') && (rest[0] === '--help' || rest[0] === '-h')) return void console.log(commandHelp(USAGE, cmd));
    if ((cmd === 'audit' || cmd === 'checkpoint') && (rest[0] === '--version' || rest[0] === '-V')) return void console.log(versionLine());
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
      case '--version':
      case '-V':
      case 'version':
        return void console.log(versionLine());
      default:
        throw new UsageError(`unknown command ${JSON.stringify(cmd)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      // one line naming what is wrong, not the whole usage text
      const known = ['signal', 'host', 'start', 'audit', 'checkpoint'].includes(cmd);
      console.error(`live-sessions${known ? ` ${cmd}` : ''}: ${e.message} (see: live-sessions ${known ? `${cmd} ` : ''}--help)`);
      process.exit(2);
    }
    console.error(`live-sessions: ${(e as Error).message}`);
    process.exit(1);
  }
}
