/** Every `live-sessions` command: its own --help, --version, and one line for a bad flag. */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli, stopAll } from '../test/helpers/processes.ts';

afterEach(stopAll);

async function run(args: string[]) {
  const p = spawnCli(args);
  const { code } = await p.exited;
  return { code, stdout: p.stdout.join('\n'), stderr: p.stderr.join('\n') };
}

describe('live-sessions --help and --version', () => {
  it.each(['host', 'start', 'audit', 'checkpoint'])('%s --help shows that command only', async (cmd) => {
    const r = await run([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage:\\n +live-sessions ${cmd}\\b`));
    const others = ['host', 'start', 'audit', 'checkpoint', 'signal'].filter((c) => c !== cmd);
    for (const other of others) expect(r.stdout).not.toMatch(new RegExp(`live-sessions ${other}\\b`));
    expect(r.stdout).toMatch(/-V, --version/);
  });

  it.each([[['--version']], [['-V']], [['host', '--version']], [['start', '-V']], [['signal', '--version']], [['audit', '--version']]])('%j prints the version', async (args) => {
    const r = await run(args);
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^live-sessions \d+\.\d+\.\d+$/) });
  });

  it.each([
    [['host', '--nope'], 'live-sessions host: unknown option "--nope" (see: live-sessions host --help)'],
    [['host', '--signaling'], 'live-sessions host: --signaling needs a value (see: live-sessions host --help)'],
    [['host', '--json=1'], 'live-sessions host: --json takes no value (see: live-sessions host --help)'],
    [['start', '--port', 'x'], 'live-sessions start: --port must be a number from 0 to 65535, not "x" (see: live-sessions start --help)'],
    [['frobnicate'], 'live-sessions: unknown command "frobnicate" (see: live-sessions --help)']
  ])('%j is one line naming what is wrong, exit 2', async (args, line) => {
    const r = await run(args);
    expect(r).toMatchObject({ code: 2, stderr: line });
  });
});
