import { describe, expect, it } from 'vitest';
import { isTerminalReply } from './replies.ts';

describe('isTerminalReply', () => {
  it("recognises xterm's automatic answers", () => {
    for (const r of ['\x1b[?1;2c', '\x1b[>0;276;0c', '\x1b[12;40R', '\x1b[0n', '\x1b[?2004;1$y', '\x1b[8;24;80t', '\x1b]11;rgb:0000/0000/0000\x1b\\', '\x1bP1$r0m\x1b\\']) {
      expect(isTerminalReply(r), JSON.stringify(r)).toBe(true);
    }
  });
  it('lets every keystroke, paste and mouse or focus event through', () => {
    for (const k of ['a', 'ls\r', '\x1b', '\x1b[A', '\x1b[1;5C', '\x1bOP', '\x1b[3~', '\x1b[200~pasted\x1b[201~', '\x1b[<0;10;5M', '\x1b[I', '\x03', '\x1b[15~']) {
      expect(isTerminalReply(k), JSON.stringify(k)).toBe(false);
    }
  });
});
