import { afterEach, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { MAX_TERMINALS } from '../../src/lib/protocol/terminal.ts';
import { TerminalSet } from './terminal-set.ts';
import { pidGone, waitFor } from './testing.ts';

const sets: TerminalSet[] = [];
afterEach(() => {
  for (const s of sets.splice(0)) s.dispose();
});

function set(shell = '/bin/bash'): TerminalSet {
  const s = new TerminalSet({ shell, cwd: tmpdir(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PS1: '$ ', HOME: tmpdir() } });
  sets.push(s);
  return s;
}

describe('TerminalSet', () => {
  it('opens, lists, forwards output with the terminal id, reports changes and closes', async () => {
    const s = set();
    let changes = 0;
    s.onChange(() => changes++);
    const out: { id: number; seq: number; text: string }[] = [];
    s.onOutput((id, seq, data) => out.push({ id, seq, text: Buffer.from(data).toString() }));
    const a = s.open(100, 30);
    const b = s.open();
    expect(changes).toBe(2);
    expect(s.list()).toEqual([
      { id: a.id, title: 'bash', cols: 100, rows: 30, exit: null },
      { id: b.id, title: 'bash', cols: 80, rows: 24, exit: null }
    ]);
    expect(s.get(b.id)).toBe(b);
    s.get(b.id)!.write('echo set-$((1+1))\r');
    await waitFor('output of b', () => out.some((o) => o.id === b.id && o.text.includes('set-2')));
    const bSeqs = out.filter((o) => o.id === b.id).map((o) => o.seq);
    expect(bSeqs).toEqual(bSeqs.map((_, i) => i + 1));
    a.resize(90, 20);
    expect(changes).toBe(3);
    a.write('exit 4\r');
    await waitFor('a to exit', () => s.list()[0].exit !== null);
    expect(s.list()[0].exit).toEqual({ code: 4, signal: 0 });
    expect(changes).toBe(4);
    expect(s.close(a.id)).toBe(true);
    expect(changes).toBe(5);
    expect(s.close(a.id)).toBe(false);
    expect(s.get(a.id)).toBeUndefined();
    expect(s.list().map((t) => t.id)).toEqual([b.id]);
  });

  it(`refuses a terminal past MAX_TERMINALS (${MAX_TERMINALS}) with a clear message and never reuses ids`, () => {
    const s = set('/bin/cat');
    const ids = Array.from({ length: MAX_TERMINALS }, () => s.open().id);
    expect(new Set(ids).size).toBe(MAX_TERMINALS);
    expect(() => s.open()).toThrow(`A session can have at most ${MAX_TERMINALS} terminals; close one before opening another.`);
    expect(s.list().length).toBe(MAX_TERMINALS);
    s.close(ids[3]);
    const again = s.open();
    expect(ids).not.toContain(again.id);
    expect(s.list().length).toBe(MAX_TERMINALS);
  });

  it('dispose kills every terminal and refuses new ones', async () => {
    const s = set('/bin/cat');
    const pids = [s.open().pid!, s.open().pid!, s.open().pid!];
    expect(pids.every((p) => !pidGone(p))).toBe(true);
    s.dispose();
    await waitFor('every shell to end', () => pids.every(pidGone), 4000);
    expect(s.list()).toEqual([]);
    expect(() => s.open()).toThrow(/closed/);
  });
});
