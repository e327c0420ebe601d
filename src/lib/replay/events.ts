/**
 * What a recording holds, version 1. A recording is what one browser saw of one session, from the
 * moment it joined: a sequence of events (seq from 1, t in ms since the recording started) plus
 * keyframes (the whole replayable state after some event) so that a seek starts from the nearest
 * keyframe instead of the beginning.
 *
 * Capability messages are recorded generically, as the router's tap handed them over (`msg`
 * events, by capability name): a capability added later is recorded without touching this file.
 * The mesh's own messages are not (a `hello` carries a credential): its joins, leaves and renames
 * are recorded as presence events instead. Markers are generic too: `marker` events, and
 * `markersOf()` in markers.ts turns presence events into markers.
 */
import type { Typed } from '../protocol/capability.ts';

/** Bumped whenever the shape of events, keyframes or the export file changes. */
export const RECORDING_VERSION = 1;

export interface Person {
  id: string;
  name: string;
  role: string;
}

export type RecEvent =
  /** a decoded capability message from a peer (Uint8Arrays inside are copies, never views) */
  | { k: 'msg'; cap: string; from: string; msg: Typed }
  /** this browser's own participant, at the start and after its own renames */
  | { k: 'self'; who: Person }
  | { k: 'join'; who: Person }
  | { k: 'leave'; id: string; reason: string }
  | { k: 'rename'; id: string; name: string }
  /** a point of interest another capability wants on the timeline (commands, saves, …) */
  | { k: 'marker'; kind: string; label: string };

export type RecKind = RecEvent['k'];

/** One stored event: the event plus where it is in its recording. */
export type Stored = RecEvent & { rec: string; seq: number; t: number };

/** A terminal's serialized screen and scrollback at a keyframe. */
export interface Screen {
  id: number;
  cols: number;
  rows: number;
  data: string;
}

/** Everything the player shows, after event `seq` (a keyframe, or the player's running state). */
export interface ReplayState {
  people: Person[];
  self: Person | null;
  /** the last message of each (capability, type) that describes shared state (the terminal list) */
  latest: Record<string, Typed>;
  screens: Screen[];
}

export interface Keyframe extends ReplayState {
  rec: string;
  seq: number;
  t: number;
}

export interface RecordingMeta {
  id: string;
  v: number;
  session: string;
  /** wall clock at t = 0, ms since the epoch */
  started: number;
  /** t of the last stored event, ms */
  length: number;
  events: number;
  /** bytes stored, approximately (events and keyframes) */
  bytes: number;
  /** everyone seen, by name */
  participants: string[];
  /** why recording stopped early, when it did ("storage full") */
  stopped?: string;
  /** has a word index of its terminal text (search-index.ts); older recordings are searched through */
  words?: boolean;
  /** seq of the last event the word index and the keyframes cover (a recording whose page closed
   * before its model caught up ends after it); all of them when absent */
  indexed?: number;
  /** imported from a file rather than recorded here */
  imported?: boolean;
}

/** Copies typed arrays so a stored message never keeps a whole received frame alive (a subarray
 * is cloned by IndexedDB together with its entire buffer). */
export function detach<T>(v: T): T {
  if (v instanceof Uint8Array) return v.slice() as T;
  if (Array.isArray(v)) return v.map(detach) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = detach(x);
    return out as T;
  }
  return v;
}

/** Approximate stored size of a value, bytes (strings as UTF-16 would overcount; count chars). */
export function sizeOf(v: unknown): number {
  if (v instanceof Uint8Array) return v.length;
  if (typeof v === 'string') return v.length;
  if (typeof v === 'number' || typeof v === 'boolean' || v == null) return 8;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + sizeOf(x), 8);
  let n = 8;
  for (const [k, x] of Object.entries(v as object)) n += k.length + sizeOf(x);
  return n;
}
