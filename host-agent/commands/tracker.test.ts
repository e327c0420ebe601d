/** Commands from a real bash, zsh and fish in a real PTY, started with our shell integration. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../../src/lib/protocol/commands.ts';
import { shellTestEnv } from '../../test/helpers/processes.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { TerminalSet } from '../terminals/terminal-set.ts';
import { foregroundName, lineEditing, replay, waitFor } from '../terminals/testing.ts';
import { shellLaunch } from './shell-integration.ts';
import { CommandTracker } from './tracker.ts';

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

type Shell = 'bash' | 'zsh' | 'fish';

/** The user's own startup files, each setting the prompt `mine$ ` and an alias: they must load. */
const USER_FILES: Record<Shell, [string, string][]> = {
  // (set -u: the hooks must not trip over a user's nounset)
  bash: [['.bashrc', "set -u\nPS1='mine$ '\nalias hi='echo hi from bashrc'\n"]],
  zsh: [
    ['.zshenv', 'export FROM_ZSHENV=yes\n'],
    ['.zshrc', "PROMPT='mine$ '\nalias hi='echo hi from zshrc'\n"]
  ],
  fish: [['.config/fish/config.fish', "function fish_prompt; echo -n 'mine$ '; end\nfunction fish_greeting; end\nalias hi 'echo hi from config.fish'\n"]]
};

function start(shell: Shell, extraEnv: Record<string, string> = {}) {
  const cwd = makeTempDir('commands-');
  const env = { ...(process.env as Record<string, string>), ...shellTestEnv(), ...extraEnv };
  const home = env.ZDOTDIR ?? env.HOME;
  for (const [name, text] of USER_FILES[shell]) {
    mkdirSync(join(home, name, '..'), { recursive: true });
    writeFileSync(join(home, name), text);
  }
  const launch = shellLaunch(`/usr/bin/${shell}`, env);
  const terms = new TerminalSet({ shell: `/usr/bin/${shell}`, args: launch.args, cwd, env: { ...env, ...launch.env } });
  const tracker = new CommandTracker();
  terms.onOutput((id, _seq, data) => tracker.output(id, data));
  const term = terms.open(100, 30);
  let screen = '';
  const dec = new TextDecoder();
  terms.onOutput((_id, _seq, data) => (screen += dec.decode(data, { stream: true })));
  cleanup.push(() => terms.dispose(), () => launch.dispose());
  const prompts = () => screen.split('\x1b]133;A').length - 1;
  const prompt = () => waitFor('the first prompt', () => prompts() >= 1, 10_000);
  const done = (n: number) => waitFor(`${n} finished commands`, () => tracker.commands.filter((c) => c.end !== null).length >= n, 10_000);
  return { cwd, home, term, tracker, done, prompt, prompts, screen: () => screen };
}

describe.each(['bash', 'zsh', 'fish'] as const)('commands from %s with shell integration', (shell) => {
  it('knows each command: text, authors, cwd, exit code, duration; the prompt and the rc files are the user\'s', async () => {
    const { cwd, home, term, tracker, done, prompt, screen } = start(shell);
    const before = USER_FILES[shell].map(([n]) => readFileSync(join(home, n), 'utf8'));
    await prompt();
    const alice = { id: 'p_a', name: 'Alice', role: 'editor' as const };
    const bob = { id: 'p_b', name: 'Bob', role: 'owner' as const };
    tracker.input(term.id, alice);
    tracker.input(term.id, bob);
    term.write('mkdir sub && cd sub && echo "two words"\r');
    await done(1);
    tracker.input(term.id, alice);
    term.write('sleep 0.2; sh -c "exit 3"\r');
    await done(2);
    term.write('hi\r');
    await done(3);
    term.write('echo one \\\r');
    term.write('two\r');
    await done(4);
    const [a, b, c, d] = tracker.commands as Command[];
    expect(a).toMatchObject({ text: 'mkdir sub && cd sub && echo "two words"', exit: 0, cwd, authors: [alice, bob] });
    expect(b).toMatchObject({ text: 'sleep 0.2; sh -c "exit 3"', exit: 3, cwd: join(cwd, 'sub'), authors: [alice] });
    expect(b.end! - b.start).toBeGreaterThanOrEqual(180);
    expect(c).toMatchObject({ text: 'hi', exit: 0, authors: [] });
    expect(d).toMatchObject({ exit: 0, authors: [] });
    // bash's history joins the continued line; zsh and fish report it as typed
    expect(d.text).toBe(shell === 'bash' ? 'echo one two' : 'echo one \\\ntwo');
    // the marks are invisible: rendered, the screen shows the user's prompt and output and nothing of them
    const shown = (await replay(100, 30, [screen()])).lines.join('\n');
    expect(shown).toContain('two words');
    expect(shown).toContain({ bash: 'hi from bashrc', zsh: 'hi from zshrc', fish: 'hi from config.fish' }[shell]);
    expect(shown).not.toMatch(/133;|\]7;|file:\/\//);
    expect(shown.match(/^mine\$ /gm)?.length, shown).toBeGreaterThanOrEqual(4);
    // the user's files are as they were
    expect(USER_FILES[shell].map(([n]) => readFileSync(join(home, n), 'utf8'))).toEqual(before);
  });

  it('ends nothing on Enter at an empty prompt or Ctrl+C, and a restarted shell ends what ran', async () => {
    const { term, tracker, done, prompt, prompts, screen } = start(shell);
    await prompt();
    term.write('\r');
    await waitFor('a prompt after Enter', () => prompts() >= 2);
    term.write('half typed');
    // (typed ahead together, the terminal's Ctrl+C would discard the unread text before the shell saw it)
    await waitFor('the echo', () => screen().includes('typed'));
    // at the prompt: the shell's line editor has the terminal (the echo may be the kernel's, in line
    // mode, before it took over: a Ctrl+C then interrupts the shell, not the prompt)
    await waitFor('the line editor to read', () => lineEditing(term.ptsName!));
    term.write('\x03');
    await waitFor('a prompt after Ctrl+C', () => prompts() >= 3);
    term.write('true\r');
    await done(1);
    expect(tracker.commands.map((c) => c.text)).toEqual(['true']);
    term.write('sleep 30\r');
    await waitFor('sleep to start', () => tracker.commands.length === 2);
    tracker.reset(term.id);
    expect(tracker.commands[1]).toMatchObject({ text: 'sleep 30', exit: null });
    expect(tracker.commands[1].end).not.toBeNull();
  });
});

describe('zsh integration and the user\'s ZDOTDIR', () => {
  it('hands the user\'s ZDOTDIR back and loads their files from it', async () => {
    const zdot = makeTempDir('zdotdir-');
    const { term, tracker, done, prompt, screen } = start('zsh', { ZDOTDIR: zdot });
    await prompt();
    term.write('echo "[$ZDOTDIR $FROM_ZSHENV ${LIVE_SESSIONS_ZDOTDIR-unset}]"\r');
    await done(1);
    expect(tracker.commands[0].exit).toBe(0);
    const shown = (await replay(100, 30, [screen()])).lines.join('\n');
    expect(shown).toContain(`[${zdot} yes unset]`);
    expect(shown).toMatch(/^mine\$ /m);
  });
});

describe('what the shell does around commands (bash, real PTY)', () => {
  it('a nested shell without integration is one command, ended by its exit; what ran inside is not made up', async () => {
    const { term, tracker, done, prompt } = start('bash');
    await prompt();
    term.write('bash --norc -i\r');
    await waitFor('the nested shell to start', () => tracker.commands.length === 1);
    const updates: number[] = [];
    tracker.changed.on((c) => updates.push(c.inside ?? 0));
    const enc = new TextEncoder();
    for (const line of ['echo inside-$((6*7))\r', 'exit 3\r']) {
      tracker.input(term.id, { id: 'p_a', name: 'Alice', role: 'editor' }, enc.encode(line));
      term.write(line);
    }
    await done(1);
    // said once while it runs (lines typed inside: commands unseen), and counted at its end
    expect(updates).toEqual([1, 2]);
    expect(tracker.commands[0].inside).toBe(2);
    term.write('true\r');
    await done(2);
    expect(tracker.commands.map((c) => [c.text, c.exit])).toEqual([
      ['bash --norc -i', 3],
      ['true', 0]
    ]);
  });

  it('a nested shell with integration reports its own commands; the command that started it ends there, exit unknown', async () => {
    const { term, tracker, done, prompt } = start('bash');
    await prompt();
    const inner = shellLaunch('/bin/bash');
    cleanup.push(() => inner.dispose());
    term.write(`bash ${inner.args.join(' ')}\r`);
    await waitFor('the nested shell to start', () => tracker.commands.length === 1);
    term.write('echo inner\r');
    await waitFor('the inner command', () => tracker.commands.some((c) => c.text === 'echo inner' && c.end !== null));
    term.write('exit 4\r');
    term.write('echo outer\r');
    await waitFor('the outer command', () => tracker.commands.some((c) => c.text === 'echo outer' && c.end !== null));
    const texts = tracker.commands.map((c) => c.text);
    expect(tracker.commands[0]).toMatchObject({ text: `bash ${inner.args.join(' ')}`, exit: null });
    expect(tracker.commands[0].end).not.toBeNull();
    expect(texts).toContain('echo inner');
    expect(texts).toContain('exit 4');
    expect(texts.at(-1)).toBe('echo outer');
  });

  it('cuts a very long command line, keeps one too long to report as a command without text, and ends a Ctrl+C\'d command', async () => {
    const { term, tracker, done, prompt, screen } = start('bash');
    await prompt();
    // A comes from PROMPT_COMMAND while the tty is still canonical, which keeps 4095 bytes of a
    // line; B is in PS1, drawn by readline once it has put the tty in raw mode
    await waitFor('readline to draw the prompt', () => screen().includes('\x1b]133;B'));
    const long = `echo ${'x'.repeat(6000)}`;
    term.write(`${long}\r`);
    await done(1);
    expect(tracker.commands[0].text).toBe(long.slice(0, 4096));
    // more than the scanner keeps of one mark (its base64 > 64 KiB): a command, its text unknown
    term.write(`: ${'y'.repeat(50_000)}\r`);
    await done(2);
    expect(tracker.commands[1]).toMatchObject({ text: null, exit: 0 });
    term.write('sleep 30\r');
    await waitFor('sleep to start', () => tracker.commands.length === 3);
    // the C mark comes before bash forks: Ctrl+C before sleep has the terminal would go to bash
    // (which leaves a job it has not started yet running), so wait until sleep has it
    await waitFor('sleep to have the terminal', () => foregroundName(term.pid!) === 'sleep');
    term.write('\x03');
    await done(3);
    expect(tracker.commands[2]).toMatchObject({ text: 'sleep 30', exit: 130 });
    term.write('for i in 1 2; do\r');
    term.write('echo "n$i"\r');
    term.write('done\r');
    await done(4);
    expect(tracker.commands[3]).toMatchObject({ exit: 0 });
    expect(tracker.commands[3].text).toMatch(/^for i in 1 2; do\s+echo "n\$i"[;\s]+done$/);
  });
});

describe('a shell without integration', () => {
  it('lists nothing: its output has no marks, and nothing is made up from it', async () => {
    const cwd = makeTempDir('commands-');
    const launch = shellLaunch('/bin/sh');
    expect(launch).toMatchObject({ args: [], env: {}, integrated: false });
    const terms = new TerminalSet({ shell: '/bin/sh', args: launch.args, cwd, env: { ...(process.env as Record<string, string>), ...shellTestEnv() } });
    cleanup.push(() => terms.dispose());
    const tracker = new CommandTracker();
    let screen = '';
    terms.onOutput((id, _seq, data) => {
      tracker.output(id, data);
      screen += new TextDecoder().decode(data);
    });
    const term = terms.open(80, 24);
    term.write('echo plain-$((2+3)); printf "\\033]133;Z\\007"; exit 9\r');
    await waitFor('the output', () => screen.includes('plain-5'));
    await waitFor('the shell to exit', () => terms.list()[0]?.exit !== undefined && terms.list()[0]?.exit !== null);
    expect(tracker.commands).toEqual([]);
  });
});

describe('terminals whose commands are unknown', () => {
  const enc = new TextEncoder();
  const ed = { id: 'p_e', name: 'Ed', role: 'editor' as const };

  it('a shell we do not hook is said to be one at its first output; a closed one is forgotten', async () => {
    const cwd = makeTempDir('commands-');
    const terms = new TerminalSet({ shell: '/bin/sh', cwd, env: { ...(process.env as Record<string, string>), ...shellTestEnv() } });
    cleanup.push(() => terms.dispose());
    const tracker = new CommandTracker(shellLaunch('/bin/sh').integrated);
    const said: number[][] = [];
    tracker.blindChanged.on((ids) => said.push(ids));
    terms.onOutput((id, _seq, data) => tracker.output(id, data));
    const term = terms.open(80, 24);
    term.write('echo hello-$((1+1))\r');
    await waitFor('the terminal to be said blind', () => said.length > 0);
    expect(tracker.blind).toEqual([term.id]);
    terms.close(term.id);
    tracker.keep(new Set(terms.list().map((t) => t.id)));
    expect(said).toEqual([[term.id], []]);
  });

  it('a hooked shell that never marks anything is said to be one after lines typed; one that marks is not', async () => {
    const cwd = makeTempDir('commands-');
    const env = { ...(process.env as Record<string, string>), ...shellTestEnv() };
    // bash with its integration off (as if a user's rc file threw our hooks away)
    const plain = new TerminalSet({ shell: '/usr/bin/bash', args: ['--norc', '-i'], cwd, env });
    const launch = shellLaunch('/usr/bin/bash', env);
    const hooked = new TerminalSet({ shell: '/usr/bin/bash', args: launch.args, cwd, env: { ...env, ...launch.env } });
    cleanup.push(() => plain.dispose(), () => hooked.dispose(), () => launch.dispose());
    for (const [set, name] of [[plain, 'plain'], [hooked, 'hooked']] as const) {
      const tracker = new CommandTracker(true);
      let screen = '';
      set.onOutput((id, _seq, data) => {
        tracker.output(id, data);
        screen += new TextDecoder().decode(data);
      });
      const term = set.open(80, 24);
      for (const n of [1, 2]) {
        const line = `echo ${name}-$((${n}+40))\r`;
        tracker.input(term.id, ed, enc.encode(line));
        term.write(line);
        await waitFor(`the output of line ${n}`, () => screen.includes(`${name}-${n + 40}`));
      }
      if (name === 'plain') {
        await waitFor('the terminal to be said blind', () => tracker.blind.length > 0);
        expect(tracker.blind).toEqual([term.id]);
        expect(tracker.commands).toEqual([]);
      } else {
        await waitFor('both commands', () => tracker.commands.filter((c) => c.end !== null).length === 2);
        expect(tracker.blind).toEqual([]);
      }
    }
  });
});
