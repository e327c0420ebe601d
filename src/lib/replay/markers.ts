/**
 * Timeline markers. Presence events are markers of their own; a capability puts its moments on
 * the timeline with an entry in MESSAGE_MARKERS (which of its messages are markers), and the
 * recorder records a `marker` event after each such message: commands with their exit codes,
 * environment checkpoints, pinned log lines.
 */
import type { Typed } from '../protocol/capability.ts';
import type { Command } from '../protocol/commands.ts';
import type { SnapshotInfo } from '../protocol/env.ts';
import type { Pin } from '../protocol/logs.ts';
import type { Person, Stored } from './events.ts';

export interface MarkerNote {
  kind: string;
  label: string;
}

/** What a capability's message adds to the timeline; `seen` remembers across messages (lists are
 * sent whole, each time). */
export type MessageMarkers = (msg: Typed, seen: Set<string>) => MarkerNote[];

const by = (a: { name: string } | null | undefined) => (a ? ` (${a.name})` : '');
const MAX_LABEL = 200;

export const MESSAGE_MARKERS: Record<string, MessageMarkers> = {
  /** a finished command, once: `failed` when its exit code is not 0 */
  commands: (msg, seen) => {
    if (msg.type !== 'update') return [];
    const c = (msg as Typed & { command: Command }).command;
    if (c.end === null || seen.has(`commands:${c.id}`)) return [];
    seen.add(`commands:${c.id}`);
    const exit = c.exit === null ? '' : ` → exit ${c.exit}`;
    return [{ kind: c.exit ? 'command-failed' : 'command', label: `$ ${(c.text ?? 'command').slice(0, MAX_LABEL)}${exit}${by(c.authors[0])}` }];
  },
  /** a checkpoint taken while recording (the first list only says what was there before) */
  env: (msg, seen) => {
    if (msg.type !== 'list') return [];
    const list = (msg as Typed & { snapshots: SnapshotInfo[] }).snapshots;
    const first = !seen.has('env:listed');
    seen.add('env:listed');
    const fresh = list.filter((s) => !seen.has(`env:${s.id}`));
    for (const s of fresh) seen.add(`env:${s.id}`);
    if (first) return [];
    return fresh.filter((s) => s.source !== 'start').map((s) => ({ kind: 'checkpoint', label: `Checkpoint: ${s.label.slice(0, MAX_LABEL)}${by(s.author)}` }));
  },
  /** a line pinned while recording (the first list says what was pinned before; filter changes
   * are markers the page records itself, with who set them: session.svelte.ts) */
  logs: (msg, seen) => {
    if (msg.type !== 'pins') return [];
    const pins = (msg as Typed & { pins: Pin[] }).pins;
    const first = !seen.has('logs:listed');
    seen.add('logs:listed');
    const fresh = pins.filter((p) => !seen.has(`logs:${p.src}:${p.seq}`));
    for (const p of fresh) seen.add(`logs:${p.src}:${p.seq}`);
    if (first) return [];
    return fresh.map((p) => ({ kind: 'log-pin', label: `Pinned: ${p.line.text.slice(0, MAX_LABEL)}${by(p.by)}` }));
  }
};

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
