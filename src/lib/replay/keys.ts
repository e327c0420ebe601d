/**
 * The player's keyboard shortcuts, as data: which key does what. Space plays and pauses, arrows
 * step (Shift for a bigger step), `[` / `]` go to the previous / next marker, digits jump to that
 * tenth of the recording (Home / End: start / end), `+` / `-` change speed.
 */
export type PlayerKey =
  | { kind: 'toggle' }
  | { kind: 'step'; ms: number }
  | { kind: 'marker'; dir: -1 | 1 }
  /** 0–100 % of the recording (digits; Home and End) */
  | { kind: 'percent'; pct: number }
  | { kind: 'speed'; dir: -1 | 1 };

/** One arrow press, ms (Shift: BIG_STEP_MS). */
export const STEP_MS = 5_000;
export const BIG_STEP_MS = 30_000;

export function playerKey(e: { key: string; shiftKey: boolean; ctrlKey: boolean; altKey: boolean; metaKey: boolean }): PlayerKey | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  const step = e.shiftKey ? BIG_STEP_MS : STEP_MS;
  switch (e.key) {
    case ' ':
    case 'k':
      return { kind: 'toggle' };
    case 'ArrowLeft':
      return { kind: 'step', ms: -step };
    case 'ArrowRight':
      return { kind: 'step', ms: step };
    case '[':
      return { kind: 'marker', dir: -1 };
    case ']':
      return { kind: 'marker', dir: 1 };
    case 'Home':
      return { kind: 'percent', pct: 0 };
    case 'End':
      return { kind: 'percent', pct: 100 };
    case '+':
    case '>':
      return { kind: 'speed', dir: 1 };
    case '-':
    case '<':
      return { kind: 'speed', dir: -1 };
  }
  if (/^[0-9]$/.test(e.key)) return { kind: 'percent', pct: Number(e.key) * 10 };
  return null;
}

/** The marker time `[` or `]` goes to from t (a marker less than half a second behind counts as
 * the current one, so that pressing `[` twice goes back twice). */
export function markerFrom(times: number[], t: number, dir: -1 | 1): number | null {
  if (dir > 0) return times.find((m) => m > t + 1) ?? null;
  for (let i = times.length - 1; i >= 0; i--) if (times[i] < t - 500) return times[i];
  return null;
}
