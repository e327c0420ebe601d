/**
 * Keyboard shortcuts of the terminal area. One table so that the xterm key handler (which must
 * let these keys through instead of sending them to the shell) and the tab strip (which acts on
 * them) agree.
 *
 * Note: in a normal Chrome tab, Ctrl+Shift+T and Ctrl+Shift+W are reserved by the browser; they
 * reach the page only in an installed app window or kiosk mode. The buttons always work.
 */
export type Shortcut =
  | { kind: 'new-terminal' }
  | { kind: 'close-terminal' }
  /** 0-based tab index */
  | { kind: 'switch'; index: number }
  | { kind: 'search' }
  | { kind: 'copy' }
  | { kind: 'paste' };

/** The fields of a KeyboardEvent this module reads (plain objects in tests). */
export interface KeyLike {
  key: string;
  code: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

export function shortcutOf(e: KeyLike): Shortcut | null {
  if (e.metaKey) return null;
  if (e.ctrlKey && e.shiftKey && !e.altKey) {
    // `code` is layout independent; `key` is upper case with Shift on most layouts.
    switch (e.code) {
      case 'KeyT':
        return { kind: 'new-terminal' };
      case 'KeyW':
        return { kind: 'close-terminal' };
      case 'KeyF':
        return { kind: 'search' };
      case 'KeyC':
        return { kind: 'copy' };
      case 'KeyV':
        return { kind: 'paste' };
    }
    return null;
  }
  if (e.altKey && !e.ctrlKey && !e.shiftKey) {
    const m = /^Digit([1-9])$/.exec(e.code);
    if (m) return { kind: 'switch', index: Number(m[1]) - 1 };
  }
  return null;
}

/** Shortcuts that belong to the tab strip (the window listener), not to one terminal. */
export function isTabShortcut(s: Shortcut): boolean {
  return s.kind === 'new-terminal' || s.kind === 'close-terminal' || s.kind === 'switch';
}

/** Plain Ctrl+C: a viewer's copy when text is selected (for an editor it is the shell's interrupt). */
export function isPlainCopy(e: KeyLike): boolean {
  return e.ctrlKey && !e.shiftKey && !e.altKey && !e.metaKey && e.code === 'KeyC';
}
