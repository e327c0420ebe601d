/** An on/off setting kept in this browser's localStorage; with storage disabled it reads as off
 * and a change lasts for this page only. */

export function readFlag(key: string): boolean {
  try {
    return localStorage.getItem(key) === '1';
  } catch {
    return false;
  }
}

export function writeFlag(key: string, on: boolean): void {
  try {
    localStorage.setItem(key, on ? '1' : '0');
  } catch {
    // storage disabled: the setting lasts for this page only
  }
}
