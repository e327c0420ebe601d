/** The screen-reader mode remembered in this browser (an explicit choice is kept; `?a11y=1`
 * alone turns it on for that page only). */

const KEY = 'live-sessions:a11y';

export function readScreenReader(fromUrl: boolean): boolean {
  try {
    return fromUrl || localStorage.getItem(KEY) === '1';
  } catch {
    return fromUrl;
  }
}

export function saveScreenReader(on: boolean): void {
  try {
    localStorage.setItem(KEY, on ? '1' : '0');
  } catch {
    // storage disabled: the setting lasts for this page only
  }
}
