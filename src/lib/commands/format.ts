/** How a command's duration reads: 850 ms, 12.3 s, 4 min 05 s, 2 h 03 min. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Whether a command matches a filter: its text, cwd or an author's name contains every word. */
export function matches(c: { text: string | null; cwd: string | null; authors: { name: string }[] }, filter: string): boolean {
  const hay = [c.text ?? '', c.cwd ?? '', ...c.authors.map((a) => a.name)].join('\n').toLowerCase();
  return filter
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((w) => hay.includes(w));
}

/** What a command's duration reads at `now` (ms since the epoch): its run time so far, with "…", while it runs. */
export function durationText(c: { start: number; end: number | null }, now: number): string {
  return c.end === null ? `${formatDuration(now - c.start)}…` : formatDuration(c.end - c.start);
}

/** How often a running command's duration is redrawn, ms. */
export const TICK_MS = 1000;

/** Calls `tick` with the time every TICK_MS until the returned stop is called (the panel runs it while a command runs). */
export function ticking(tick: (now: number) => void, everyMs = TICK_MS): () => void {
  const timer = setInterval(() => tick(Date.now()), everyMs);
  return () => clearInterval(timer);
}

/** The folder a command ran in, short: its last `parts` names ("…/app/src"); a shorter path whole. */
export function shortCwd(cwd: string, parts = 2): string {
  const names = cwd.split('/').filter(Boolean);
  return names.length <= parts ? cwd : `…/${names.slice(-parts).join('/')}`;
}
