import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { IPty } from 'node-pty';
import { EchoState } from './echo-state.ts';
import { spawnPty } from './terminals/pty.ts';
import { until } from '../test/helpers/wait.ts';

const ptys: IPty[] = [];
afterEach(() => {
  for (const p of ptys.splice(0)) p.kill();
});

/** A real PTY running `script`; resolves once it printed `ready`. */
async function pty(script: string): Promise<{ pts: string; pty: IPty; printed: (s: string) => boolean }> {
  const p = spawnPty({ shell: '/bin/sh', args: ['-c', script], cwd: '/', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, cols: 80, rows: 24 });
  ptys.push(p);
  let out = '';
  p.onData((d) => (out += d.toString()));
  await until(() => out.includes('ready'), 'the shell to start');
  return { pts: (p as unknown as { ptsName: string }).ptsName, pty: p, printed: (s: string) => out.includes(s) };
}

describe('echo state', () => {
  it('tells a password prompt (line mode, echo off) from a shell with echo on and from a raw-mode program', async () => {
    const prompt = await pty('stty -echo; echo ready; sleep 30');
    const shell = await pty('echo ready; sleep 30');
    const raw = await pty('stty raw -echo; echo ready; sleep 30');
    const states = [new EchoState(() => prompt.pts), new EchoState(() => shell.pts), new EchoState(() => raw.pts)];
    expect(await Promise.all(states.map((s) => s.echoOff()))).toEqual([true, false, false]);
    for (const s of states) s.dispose();
  });

  it('reads again once output changed the terminal, and answers "echo on" for a terminal it cannot read', async () => {
    const prompt = await pty('echo ready; read x; stty -echo; echo asking; sleep 30');
    const state = new EchoState(() => prompt.pts);
    expect(await state.echoOff()).toBe(false);
    prompt.pty.write('go\r');
    await until(() => prompt.printed('asking'), 'the program to turn echo off');
    state.output();
    expect(await state.echoOff()).toBe(true);
    state.dispose();
    const gone = new EchoState(() => '/dev/pts/does-not-exist');
    expect(await gone.echoOff()).toBe(false);
    gone.dispose();
  });

  it('reads again when nothing followed an input read as "echo on": a prompt printed before echo went off', async () => {
    // bash's `read -s -p` prints its prompt, then turns echo off: a reading between the two is stale
    const prompt = await pty('echo ready; read x; printf "pw: "; sleep 0.3; stty -echo; sleep 30');
    const state = new EchoState(() => prompt.pts);
    expect(await state.echoOff()).toBe(false);
    prompt.pty.write('go\r');
    await until(() => prompt.printed('pw: '), 'the prompt');
    state.output();
    expect(await state.echoOff()).toBe(false); // typed before echo went off
    const echoOff = () => / -echo /.test(` ${execFileSync('stty', ['-F', prompt.pts, '-a'], { encoding: 'utf8' }).replace(/\n/g, ' ')} `);
    await until(echoOff, 'the program to turn echo off');
    expect(await state.echoOff()).toBe(true); // no output since: the stale "on" is read again
    state.output();
    state.dispose();
  });
});
