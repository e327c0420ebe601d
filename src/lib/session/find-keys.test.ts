import { describe, expect, it } from 'vitest';
import { findKey } from './find-keys.ts';

const key = (key: string, mods: { ctrlKey?: boolean; metaKey?: boolean; shiftKey?: boolean; altKey?: boolean } = {}, inTerminal = false) =>
  findKey({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods, target: { closest: (s: string) => (inTerminal && s.includes('terminal') ? {} : null) } as unknown as EventTarget });

describe('find shortcuts', () => {
  it('Ctrl/Cmd+P opens quick open, Ctrl/Cmd+Shift+F searches in files', () => {
    expect(key('p', { ctrlKey: true })).toBe('quick-open');
    expect(key('p', { metaKey: true })).toBe('quick-open');
    expect(key('F', { ctrlKey: true, shiftKey: true })).toBe('search');
    expect(key('f', { ctrlKey: true })).toBeNull();
    expect(key('p')).toBeNull();
    expect(key('p', { ctrlKey: true, altKey: true })).toBeNull();
  });

  it("leaves a terminal its Ctrl+P (the shell's previous command)", () => {
    expect(key('p', { ctrlKey: true }, true)).toBeNull();
    expect(key('F', { ctrlKey: true, shiftKey: true }, true)).toBeNull();
  });
});
