import { describe, it, expect } from 'vitest';
import { isPlainCopy, isTabShortcut, shortcutOf, type KeyLike } from './shortcuts.ts';

function key(code: string, mods: Partial<KeyLike> = {}): KeyLike {
  return { key: code.replace(/^Key|^Digit/, ''), code, ctrlKey: false, shiftKey: false, altKey: false, metaKey: false, ...mods };
}

describe('shortcutOf', () => {
  it('maps Ctrl+Shift letters to terminal actions', () => {
    const cs = { ctrlKey: true, shiftKey: true };
    expect(shortcutOf(key('KeyT', cs))).toEqual({ kind: 'new-terminal' });
    expect(shortcutOf(key('KeyW', cs))).toEqual({ kind: 'close-terminal' });
    expect(shortcutOf(key('KeyF', cs))).toEqual({ kind: 'search' });
    expect(shortcutOf(key('KeyC', cs))).toEqual({ kind: 'copy' });
    expect(shortcutOf(key('KeyV', cs))).toEqual({ kind: 'paste' });
  });

  it('maps Alt+1..9 to tab indexes and leaves Alt+0 to the shell', () => {
    expect(shortcutOf(key('Digit1', { altKey: true }))).toEqual({ kind: 'switch', index: 0 });
    expect(shortcutOf(key('Digit9', { altKey: true }))).toEqual({ kind: 'switch', index: 8 });
    expect(shortcutOf(key('Digit0', { altKey: true }))).toBeNull();
  });

  it('leaves ordinary terminal keys alone', () => {
    expect(shortcutOf(key('KeyC', { ctrlKey: true }))).toBeNull(); // ^C must reach the shell
    expect(shortcutOf(key('KeyV', { ctrlKey: true }))).toBeNull();
    expect(shortcutOf(key('KeyT', { ctrlKey: true, shiftKey: true, altKey: true }))).toBeNull();
    expect(shortcutOf(key('Digit1', { altKey: true, metaKey: true }))).toBeNull();
    expect(shortcutOf(key('KeyA'))).toBeNull();
  });

  it('tells tab shortcuts from terminal ones', () => {
    expect(isTabShortcut({ kind: 'switch', index: 2 })).toBe(true);
    expect(isTabShortcut({ kind: 'new-terminal' })).toBe(true);
    expect(isTabShortcut({ kind: 'copy' })).toBe(false);
    expect(isTabShortcut({ kind: 'search' })).toBe(false);
  });

  it('knows plain Ctrl+C (a viewer copies with it) from Ctrl+Shift+C and friends', () => {
    expect(isPlainCopy(key('KeyC', { ctrlKey: true }))).toBe(true);
    expect(isPlainCopy(key('KeyC', { ctrlKey: true, shiftKey: true }))).toBe(false);
    expect(isPlainCopy(key('KeyC', { ctrlKey: true, altKey: true }))).toBe(false);
    expect(isPlainCopy(key('KeyC'))).toBe(false);
  });
});
