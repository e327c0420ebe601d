/** Input in the audit log: coalesced per author into readable chunks, through a real AuditLog file. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { until } from '../../test/helpers/wait.ts';
import { AuditLog } from '../audit.ts';
import { verifyChain } from './chain-verify.ts';
import { CHUNK_CHARS, IDLE_MS, type Who } from './input-chunks.ts';

const alice: Who = { sub: 'p_a', name: 'Alice', role: 'editor' };
const bob: Who = { sub: 'p_b', name: 'Bob', role: 'owner' };
const enc = new TextEncoder();

function open() {
  const path = join(makeTempDir('input-chunks-'), 'audit.jsonl');
  const log = new AuditLog(path);
  const type = (who: Who, s: string, term = 1, hidden = false) => {
    for (const ch of s) log.input(who, term, enc.encode(ch), hidden);
  };
  const lines = () =>
    (existsSync(path) ? readFileSync(path, 'utf8') : '')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; who: { name: string }; term?: number; data?: string; hidden?: boolean; bytes?: number });
  const inputs = () => lines().filter((l) => l.kind === 'input').map((l) => [l.who.name, l.term, l.hidden ? `(${l.bytes} hidden)` : l.data] as const);
  return { path, log, type, lines, inputs };
}

describe('input in the audit log', () => {
  it('is one line per Enter, per author change and per terminal, not one per keystroke', async () => {
    const { path, log, type, inputs } = open();
    type(alice, 'ls -la\r');
    type(alice, 'ec');
    type(bob, 'ho hi\r'); // Bob finishes Alice's line: two chunks, each with its author
    type(alice, 'top', 1);
    type(bob, 'vim', 2); // another terminal: its own chunk
    type(alice, '\r', 1);
    log.input(bob, 2, enc.encode('a\rb\rc'), false); // a paste: a line per Enter
    log.input(alice, 1, enc.encode('hunter2\r'), true); // echo off: how much, never what
    await log.close();
    expect(inputs()).toEqual([
      ['Alice', 1, 'ls -la\r'],
      ['Alice', 1, 'ec'],
      ['Bob', 1, 'ho hi\r'],
      ['Alice', 1, 'top\r'],
      ['Bob', 2, 'vima\r'],
      ['Bob', 2, 'b\r'],
      ['Alice', 1, '(8 hidden)'],
      ['Bob', 2, 'c']
    ]);
    expect(readFileSync(path, 'utf8')).not.toContain('hunter2');
    expect(verifyChain(readFileSync(path, 'utf8'))).toMatchObject({ ok: true, lines: 8 });
  });

  it('writes what was typed before any other event first, cuts long pastes, and writes a paused chunk by itself', async () => {
    const { log, type, lines, inputs } = open();
    type(alice, 'sudo');
    log.record(bob, { kind: 'join' });
    log.input(bob, 1, enc.encode('x'.repeat(CHUNK_CHARS * 2 + 10)), false);
    type(alice, 'pause');
    const t0 = performance.now();
    await until(() => inputs().some(([, , d]) => d === 'pause'), 'the paused chunk to be written', IDLE_MS * 5);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(lines().map((l) => l.kind)).toEqual(['input', 'join', 'input', 'input', 'input', 'input']);
    expect(inputs().map(([n, , d]) => [n, d?.length])).toEqual([
      ['Alice', 4],
      ['Bob', CHUNK_CHARS],
      ['Bob', CHUNK_CHARS],
      ['Bob', 10],
      ['Alice', 5]
    ]);
    await log.close();
  });

  it('keeps a character whose bytes came in two messages whole, per author and terminal', async () => {
    const { log, inputs } = open();
    const bytes = (s: string) => enc.encode(s);
    const [e1, e2] = [bytes('é').subarray(0, 1), bytes('é').subarray(1)];
    const smile = bytes('😀');
    log.input(alice, 1, bytes('caf'), false);
    log.input(alice, 1, e1, false);
    // Bob's keystroke into another terminal in between, and his own character cut into three
    log.input(bob, 2, smile.subarray(0, 1), false);
    log.input(bob, 2, smile.subarray(1, 3), false);
    log.input(alice, 1, e2, false);
    log.input(bob, 2, smile.subarray(3), false);
    log.input(alice, 1, bytes('\r'), false);
    // a lone continuation byte stays a replacement character, it does not swallow what follows
    log.input(bob, 2, Uint8Array.of(0x80, 0x61, 0x0d), false);
    await log.close();
    expect(inputs()).toEqual([
      ['Alice', 1, 'café\r'],
      ['Bob', 2, '😀\ufffda\r']
    ]);
  });

  it('never cuts a long paste between the two halves of a character outside the BMP', async () => {
    const { log, inputs } = open();
    // the cut at CHUNK_CHARS falls inside the first 😀 (two UTF-16 units)
    const paste = 'x'.repeat(CHUNK_CHARS - 1) + '😀'.repeat(3) + '\r';
    log.input(alice, 1, enc.encode(paste), false);
    await log.close();
    const chunks = inputs().map(([, , d]) => d ?? '');
    expect(chunks.join('')).toBe(paste);
    expect(chunks.map((d) => d.length)).toEqual([CHUNK_CHARS - 1, 7]);
    for (const d of chunks) expect(d.isWellFormed()).toBe(true);
  });
});
