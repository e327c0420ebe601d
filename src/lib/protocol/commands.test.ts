import { describe, expect, it } from 'vitest';
import { commandsProtocol, type Command } from './commands.ts';
import { writeJson } from './capability.ts';
import { CAP } from './frames.ts';

const c: Command = { id: 3, term: 1, text: 'ssh box', authors: [{ id: 'p_a', name: 'Ada', role: 'editor' }], cwd: '/tmp', start: 1, end: null, exit: null };

describe('commands protocol', () => {
  it('carries a command both ways, with and without lines typed inside it', () => {
    for (const command of [c, { ...c, inside: 4 }]) {
      expect(commandsProtocol.read(commandsProtocol.write({ type: 'update', command }).subarray(1))).toEqual({ type: 'update', command });
    }
  });

  it('refuses a bad count of lines typed inside, and other bad fields', () => {
    for (const bad of [{ ...c, inside: 0 }, { ...c, inside: -1 }, { ...c, inside: 1.5 }, { ...c, inside: '2' }, { ...c, exit: 300 }, { ...c, authors: 'Ada' }]) {
      expect(() => commandsProtocol.read(writeJson(CAP.COMMANDS, 1, { command: bad }).subarray(1)), JSON.stringify(bad)).toThrow();
    }
  });
});

describe('blind terminals', () => {
  it('carries the terminals whose commands are unknown, and refuses anything but a short list of ids', () => {
    expect(commandsProtocol.read(commandsProtocol.write({ type: 'blind', terms: [1, 3] }).subarray(1))).toEqual({ type: 'blind', terms: [1, 3] });
    for (const terms of [[1.5], [-1], ['1'], Array.from({ length: 17 }, (_, i) => i), 1, null]) {
      expect(() => commandsProtocol.read(writeJson(CAP.COMMANDS, 2, { terms }).subarray(1)), JSON.stringify(terms)).toThrow(/"terms" must be at most 16 terminal ids/);
    }
    expect(commandsProtocol.rules.blind.from).toEqual(['host']);
  });
});
