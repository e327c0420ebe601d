/**
 * What each participant is doing, from the shared document's awareness: their colour, the file they
 * have open, the terminal tab they look at, and the terminal they are typing in (for a couple of
 * seconds after a keystroke). Peers write these states, so every field is checked here.
 */
import type { Awareness } from 'y-protocols/awareness';
import { safeColor } from '../editor/cursor-style.ts';

/** how long after the last keystroke someone counts as typing, ms */
export const TYPING_MS = 2_000;

export interface Activity {
  color: string;
  /** editor path (`/notes.md`, `/memory/NAME` or a host path) */
  file: string | null;
  term: number | null;
  typing: number | null;
  /** their own round trip to the host, ms (what their page measured), null when not known */
  hostRttMs: number | null;
}

/** a round trip a peer tells about itself: a number of ms below a minute, else unknown */
const rttMs = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 60_000 ? Math.round(v) : null);
const termId = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 65536 ? v : null);

/** Activity by participant id (the `user.id` each peer's awareness carries), this participant's own included. */
export function activityOf(awareness: Awareness): Record<string, Activity> {
  const out: Record<string, Activity> = {};
  for (const s of awareness.getStates().values()) {
    const user = (s as { user?: { id?: unknown; color?: unknown } }).user;
    if (typeof user?.id !== 'string' || user.id.length > 64) continue;
    const { file, term, typing, hostRtt } = s as { file?: unknown; term?: unknown; typing?: unknown; hostRtt?: unknown };
    out[user.id] = { color: safeColor(user.color), file: typeof file === 'string' ? file.slice(0, 1024) : null, term: termId(term), typing: termId(typing), hostRttMs: rttMs(hostRtt) };
  }
  return out;
}

/** One line for a person in the participants list: what they have open, and where they type. */
export function describeActivity(a: Activity | undefined, terminalTitle: (id: number) => string | null): { open: string | null; typing: string | null } {
  if (!a) return { open: null, typing: null };
  const term = a.term === null ? null : terminalTitle(a.term);
  const file = a.file === '/notes.md' ? 'notes' : a.file?.startsWith('/memory/') ? a.file.slice('/memory/'.length) : a.file;
  return { open: file ?? (term ? `terminal ${term}` : null), typing: a.typing === null ? null : (terminalTitle(a.typing) ?? `terminal ${a.typing}`) };
}
