/**
 * Timeline markers. Presence events are markers of their own; any capability can put one on the
 * timeline by recording a `marker` event (the commands capability will: command, exit code).
 */
import type { Person, Stored } from './events.ts';

export interface Marker {
  seq: number;
  t: number;
  /** `join`, `leave`, `rename`, or a capability's own kind (`command`, `save`, …) */
  kind: string;
  label: string;
}

/** Events kept in the `marks` table: the markers, and `self` so that names resolve. */
export function isMark(e: Stored): boolean {
  return e.k === 'self' || e.k === 'join' || e.k === 'leave' || e.k === 'rename' || e.k === 'marker';
}

/** Markers from stored marks, in order; names resolved as known at each point. */
export function markersOf(marks: Stored[]): Marker[] {
  const names = new Map<string, string>();
  const out: Marker[] = [];
  for (const e of marks) {
    const at = { seq: e.seq, t: e.t };
    switch (e.k) {
      case 'self':
        names.set(e.who.id, e.who.name);
        break;
      case 'join':
        names.set(e.who.id, e.who.name);
        out.push({ ...at, kind: 'join', label: `${e.who.name} joined (${e.who.role})` });
        break;
      case 'leave':
        out.push({ ...at, kind: 'leave', label: `${names.get(e.id) ?? e.id} left` });
        break;
      case 'rename':
        out.push({ ...at, kind: 'rename', label: `${names.get(e.id) ?? e.id} is now ${e.name}` });
        names.set(e.id, e.name);
        break;
      case 'marker':
        out.push({ ...at, kind: e.kind, label: e.label });
        break;
    }
  }
  return out;
}

export type { Person };
