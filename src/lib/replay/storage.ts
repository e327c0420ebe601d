/**
 * This origin's storage, as the browser reports it: how much is used of how much, and whether it
 * was made persistent (so the browser does not evict recordings under pressure).
 */
export interface StorageInfo {
  usage: number;
  quota: number;
  persisted: boolean;
}

export async function storageInfo(): Promise<StorageInfo | null> {
  const s = globalThis.navigator?.storage;
  if (!s?.estimate) return null;
  const [e, persisted] = await Promise.all([s.estimate(), s.persisted?.().catch(() => false) ?? false]);
  return { usage: e.usage ?? 0, quota: e.quota ?? 0, persisted };
}

/** Asks once per page; browsers grant it silently or not at all (no prompt in Chromium). */
export async function askPersistent(): Promise<boolean> {
  try {
    const s = globalThis.navigator?.storage;
    return (await s?.persisted?.()) || ((await s?.persist?.()) ?? false);
  } catch {
    return false;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (x: number) => String(x).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}
