/** Commands from a real bash in a real PTY, started with our shell integration. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../../src/lib/protocol/commands.ts';
import { shellTestEnv } from '../../test/helpers/processes.ts';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { TerminalSet } from '../terminals/terminal-set.ts';
import { replay, waitFor } from '../terminals/testing.ts';
import { shellLaunch } from './shell-integration.ts';
import { CommandTracker } from './tracker.ts';

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

function start() {
  const cwd = makeTempDir('commands-');
  const launch = shellLaunch('/bin/bash');
  const env = { ...(process.env as Record<string, string>), ...shellTestEnv() };
  const terms = new TerminalSet({ shell: '/bin/bash', args: launch.args, cwd, env });
  const tracker = new CommandTracker();
  terms.onOutput((id, _seq, data) => tracker.output(id, data));
  const term = terms.open(100, 30);
  let screen = '';
  const dec = new TextDecoder();
  terms.onOutput((_id, _seq, data) => (screen += dec.decode(data, { stream: true })));
  cleanup.push(() => terms.dispose(), () => launch.dispose());
  const prompt = () => waitFor('the first prompt', () => screen.includes('\x1b]133;A'), 10_000);
  const done = (n: number) => waitFor(`${n} finished commands`, () => tracker.commands.filter((c) => c.end !== null).length >= n, 10_000);
  return { cwd, term, tracker, done, prompt, screen: () => screen };
}

describe('commands from shell integration', () => {
  it('knows each command: text, authors, cwd, exit code, duration; the prompt looks the same', async () => {
    const { cwd, term, tracker, done, prompt, screen } = start();
    await prompt();
    const alice = { id: 'p_a', name: 'Alice', role: 'editor' as const };
    const bob = { id: 'p_b', name: 'Bob', role: 'owner' as const };
    tracker.input(term.id, alice);
    tracker.input(term.id, bob);
    term.write('mkdir sub && cd sub && echo "two words"\r');
    await done(1);
    tracker.input(term.id, alice);
    term.write('sleep 0.2; (exit 3)\r');
    await done(2);
    term.write('echo one \\\r');
    term.write('two\r');
    await done(3);
    const [a, b, c] = tracker.commands as Command[];
    expect(a).toMatchObject({ text: 'mkdir sub && cd sub && echo "two words"', exit: 0, cwd, authors: [alice, bob] });
    expect(b).toMatchObject({ text: 'sleep 0.2; (exit 3)', exit: 3, cwd: join(cwd, 'sub'), authors: [alice] });
    expect(b.end! - b.start).toBeGreaterThanOrEqual(180);
    expect(c).toMatchObject({ exit: 0, authors: [] });
    expect(c.text).toBe('echo one two'); // bash's history joins the continued line
    // the marks are invisible: rendered, the screen shows prompts and output and nothing of them
    const shown = (await replay(100, 30, [screen()])).lines.join('\n');
    expect(shown).toContain('two words');
    expect(shown).not.toMatch(/133;|\]7;|file:\/\//);
    expect(shown.match(/[#$] /g)?.length, shown).toBeGreaterThanOrEqual(3);
  });

  it('ends nothing on Enter at an empty prompt or Ctrl+C, and a restarted shell ends what ran', async () => {
    const { term, tracker, done, prompt, screen } = start();
    await prompt();
    const prompts = () => screen().split('\x1b]133;A').length - 1;
    term.write('\r');
    await waitFor('a prompt after Enter', () => prompts() >= 2);
    term.write('half typed\x03');
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
