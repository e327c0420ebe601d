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
