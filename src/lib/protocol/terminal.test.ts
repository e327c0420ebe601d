import { describe, expect, it } from 'vitest';
import { permits } from './capability.ts';
import { FrameReader } from './frames.ts';
import { readMesh, writeMesh } from './mesh.ts';
import { MAX_INPUT_BYTES, readTerminal, TERMINAL_RULES, writeTerminal, type TerminalMessage } from './terminal.ts';

const enc = new TextEncoder();
function roundTrip(m: TerminalMessage): TerminalMessage {
  const msg = new FrameReader().read(writeTerminal(m));
  return readTerminal(msg!.body);
}

describe('terminal protocol', () => {
  it('round-trips every message, binary and JSON', () => {
    const all: TerminalMessage[] = [
      { type: 'output', id: 7, seq: 123456, data: enc.encode('hi\r\n') },
      { type: 'input', id: 2, data: enc.encode('ls\r') },
      { type: 'snapshot', id: 1, seq: 9, cols: 80, rows: 24, data: 'screen ✓ \x1b[1mbold' },
      { type: 'terms', list: [{ id: 0, title: 'bash', cols: 80, rows: 24, exit: null }] },
      { type: 'terms', list: [{ id: 1, title: 'top', cols: 120, rows: 40, exit: null, sizedBy: 'Alice' }] },
      { type: 'open', cols: 100, rows: 30 },
      { type: 'close', id: 3 },
      { type: 'restart', id: 3 },
      { type: 'resize', id: 3, cols: 120, rows: 40 },
      { type: 'sub', id: 3, from: 17 },
      { type: 'sub', id: 3, from: undefined },
      { type: 'ack', id: 3, seq: 4294967295 }
    ];
    for (const m of all) expect(roundTrip(m)).toEqual(m);
  });

  it('bounds sizes and refuses what it does not know, with messages a developer can act on', () => {
    const body = (m: TerminalMessage) => new FrameReader().read(writeTerminal(m))!.body;
    expect(() => readTerminal(body({ type: 'resize', id: 0, cols: 100_000, rows: 24 }))).toThrow(/"cols" must be an integer from 1 to 500/);
    expect(() => readTerminal(body({ type: 'input', id: 0, data: new Uint8Array(MAX_INPUT_BYTES + 1) }))).toThrow(/terminal input over 8192 bytes/);
    expect(() => readTerminal(new Uint8Array([99]))).toThrow(/unknown terminal message type 99/);
    expect(() => readTerminal(new Uint8Array([0, 0, 1]))).toThrow(/truncated/);
    expect(() => readTerminal(new Uint8Array([4, ...enc.encode('not json')]))).toThrow(/not valid JSON/);
    expect(() => readTerminal(new Uint8Array([8, ...enc.encode('{"id":-1}')]))).toThrow(/"id"/);
    expect(() => readTerminal(new Uint8Array([9, ...enc.encode('{"id":1}')]))).toThrow(/"seq"/);
    expect(() => readTerminal(new Uint8Array([9, ...enc.encode(`{"id":1,"seq":2,"pad":"${'x'.repeat(64)}"}`)]))).toThrow(/larger than 64 bytes/);
  });

  it('lets only owners and editors type and change terminals, only the host send output', () => {
    expect(permits(TERMINAL_RULES.input, 'editor', 'host')).toBe(true);
    expect(permits(TERMINAL_RULES.input, 'viewer', 'host')).toBe(false);
    expect(permits(TERMINAL_RULES.input, 'editor', 'viewer')).toBe(false);
    expect(permits(TERMINAL_RULES.open, 'viewer', 'host')).toBe(false);
    expect(permits(TERMINAL_RULES.sub, 'viewer', 'host')).toBe(true);
    expect(permits(TERMINAL_RULES.ack, 'viewer', 'host')).toBe(true);
    expect(permits(TERMINAL_RULES.ack, 'viewer', 'editor')).toBe(false);
    expect(permits(TERMINAL_RULES.output, 'host', 'viewer')).toBe(true);
    expect(permits(TERMINAL_RULES.output, 'owner', 'viewer')).toBe(false);
    expect(TERMINAL_RULES.input.denied).toMatch(/viewer/);
  });
});

describe('mesh protocol', () => {
  it('round-trips and bounds its messages', () => {
    const read = (b: Uint8Array) => readMesh(new FrameReader().read(b)!.body);
    expect(read(writeMesh({ type: 'rename', name: 'Bob' }))).toEqual({ type: 'rename', name: 'Bob' });
    expect(read(writeMesh({ type: 'bye', reason: 'left' }))).toEqual({ type: 'bye', reason: 'left' });
    expect(() => read(writeMesh({ type: 'rename', name: 'x'.repeat(65) }))).toThrow(/longer than 64/);
    expect(() => read(writeMesh({ type: 'hello', token: '' }))).toThrow(/"token" must not be empty/);
  });
});
