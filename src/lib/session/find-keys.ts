/**
 * The workspace's find shortcuts: Ctrl/Cmd+P (quick open) and Ctrl/Cmd+Shift+F (search in files).
 * Not inside a terminal: there Ctrl+P is the shell's (previous command) and must reach it.
 */
export type FindKey = 'quick-open' | 'search';

export function findKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey' | 'target'>): FindKey | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const t = e.target as { closest?: (s: string) => unknown } | null;
  if (t?.closest?.('[data-testid="terminal"]')) return null;
  const key = e.key.toLowerCase();
  if (key === 'p' && !e.shiftKey) return 'quick-open';
  if (key === 'f' && e.shiftKey) return 'search';
  return null;
}
