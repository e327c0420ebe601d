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

/**
 * A real PTY running `script`, wired to an EchoState as the hub wires it (its output goes to the
 * state; `type` writes to the PTY and asks the state about that input); resolves once it printed `ready`.
 */
async function pty(script: string) {
  const p = spawnPty({ shell: '/bin/sh', args: ['-c', script], cwd: '/', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, cols: 80, rows: 24 });
  ptys.push(p);
  const pts = (p as unknown as { ptsName: string }).ptsName;
  const state = new EchoState(() => pts);
  states.push(state);
  let out = '';
  p.onData((d) => {
    out += d.toString();
    state.output(Buffer.from(d));
  });
  await until(() => out.includes('ready'), 'the shell to start');
  const type = (s: string) => {
    p.write(s);
    return state.echoOff(Buffer.from(s));
  };
  const echoOff = () => / -echo /.test(` ${execFileSync('stty', ['-F', pts, '-a'], { encoding: 'utf8' }).replace(/\n/g, ' ')} `);
  return { pts, state, type, echoOff, printed: (s: string) => out.includes(s) };
}

const states: EchoState[] = [];
afterEach(() => {
  for (const s of states.splice(0)) s.dispose();
});

describe('echo state', () => {
  it('tells a password prompt (line mode, echo off) from a shell with echo on and from a raw-mode program', async () => {
    const prompt = await pty('stty -echo; echo ready; sleep 30');
    const shell = await pty('echo ready; sleep 30');
    const raw = await pty('stty raw -echo; echo ready; sleep 30');
    expect(await Promise.all([prompt, shell, raw].map((t) => t.type('x')))).toEqual([true, false, false]);
  });

  it('reads again once output changed the terminal, and answers "echo on" for a terminal it cannot read', async () => {
    const prompt = await pty('echo ready; read x; stty -echo; echo asking; sleep 30');
    expect(await prompt.type('g')).toBe(false);
    void prompt.type('o\r'); // read after the program turned echo off, or before: either is safe
    await until(() => prompt.printed('asking'), 'the program to turn echo off');
    expect(await prompt.type('secret')).toBe(true);
    const gone = new EchoState(() => '/dev/pts/does-not-exist');
    states.push(gone);
    expect(await gone.echoOff(Buffer.from('x'))).toBe(false);
  });

  it('reads again when nothing followed an input read as "echo on": a prompt printed before echo went off', async () => {
    // bash's `read -s -p` prints its prompt, then turns echo off: a reading between the two is stale
    const prompt = await pty('echo ready; read x; printf "pw: "; sleep 0.3; stty -echo; sleep 30');
    expect(await prompt.type('go\r')).toBe(false);
    await until(() => prompt.printed('pw: '), 'the prompt');
    expect(await prompt.type('a')).toBe(false); // typed before echo went off: echoed
    await until(prompt.echoOff, 'the program to turn echo off');
    expect(await prompt.type('b')).toBe(true); // no output since: the stale "on" is read again
  });

  it('does not take the output of Enter for the echo of a password typed under a stale "echo on"', async () => {
    // CI, on a loaded box: keys typed 20 ms apart under a stale reading were "confirmed" by the output
    // that followed Enter, and part of a password went into the audit log
    const prompt = await pty('echo ready; printf "pw: "; sleep 0.3; stty -echo; read x; stty echo; echo; echo got-${#x}-chars; sleep 30');
    expect(await prompt.type('a')).toBe(false);
    await until(prompt.echoOff, 'the program to turn echo off');
    const hidden: Promise<boolean>[] = [];
    for (const ch of 'hunter2') {
      hidden.push(prompt.type(ch));
      await new Promise((r) => setTimeout(r, 20)); // typed the way people type: a key at a time
    }
    prompt.type('\r');
    await until(() => prompt.printed('got-8-chars'), 'the program to read the line');
    expect(await Promise.all(hidden)).toEqual(Array(7).fill(true));
  });

  it('takes the echo of keys typed faster than it comes back, and of a long paste echoed in parts', async () => {
    const cat = await pty('echo ready; cat >/dev/null');
    const keys = ['l', 's', ' ', '-', 'l'].map((k) => cat.type(k));
    expect(await Promise.all(keys)).toEqual([false, false, false, false, false]);
    expect(await cat.type('x'.repeat(3000))).toBe(false);
  });
});
