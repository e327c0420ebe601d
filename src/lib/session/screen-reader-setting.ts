/** The screen-reader mode remembered in this browser (an explicit choice is kept; `?a11y=1`
 * alone turns it on for that page only). */
import { readFlag, writeFlag } from '../stored-flag.ts';

const KEY = 'live-sessions:a11y';

export const readScreenReader = (fromUrl: boolean): boolean => fromUrl || readFlag(KEY);

export const saveScreenReader = (on: boolean): void => writeFlag(KEY, on);
