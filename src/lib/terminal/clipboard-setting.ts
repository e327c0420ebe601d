/**
 * The per-browser setting that lets programs in the shared terminal set this person's clipboard
 * (OSC 52). Off by default: otherwise `cat app.log` could put `curl … | sh` in everyone's clipboard.
 * Its own tiny module so the top bar's toggle does not pull xterm into its chunk.
 */
import { readFlag, writeFlag } from '../stored-flag.ts';

export const OSC52_KEY = 'live-sessions:osc52';

export const clipboardWritesAllowed = (): boolean => readFlag(OSC52_KEY);

export const allowClipboardWrites = (on: boolean): void => writeFlag(OSC52_KEY, on);
