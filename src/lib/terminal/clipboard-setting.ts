/**
 * The per-browser setting that lets programs in the shared terminal set this person's clipboard
 * (OSC 52). Off by default: otherwise `cat app.log` could put `curl … | sh` in everyone's clipboard.
 * Its own tiny module so the top bar's toggle does not pull xterm into its chunk.
 */
export const OSC52_KEY = 'live-sessions:osc52';

export function clipboardWritesAllowed(): boolean {
  try {
    return localStorage.getItem(OSC52_KEY) === '1';
  } catch {
    return false;
  }
}

export function allowClipboardWrites(on: boolean): void {
  try {
    localStorage.setItem(OSC52_KEY, on ? '1' : '0');
  } catch {
    // storage disabled: stays off after a reload
  }
}
