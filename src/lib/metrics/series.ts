/**
 * What the metrics charts plot, from the samples, without DOM: uPlot's column data (seconds on the
 * x axis), the markers that fall inside the window, and units for humans. Pure, tested beside.
 */
import type { Command } from '../protocol/commands.ts';
import type { SnapshotInfo } from '../protocol/env.ts';
import type { Sample } from '../protocol/metrics.ts';

export interface Marker {
  /** ms since the epoch */
  t: number;
  kind: 'command' | 'checkpoint';
  label: string;
  /** a failed command */
  failed?: boolean;
}

export type Columns = [number[], ...number[][]];

/** uPlot data: x in seconds, then one column per picked value. */
export function columns(samples: Sample[], ...pick: ((s: Sample) => number)[]): Columns {
  return [samples.map((s) => s.t / 1000), ...pick.map((f) => samples.map(f))];
}

/** Commands (at their start) and checkpoints within [from, to] ms. */
export function markersIn(commands: Command[], snapshots: SnapshotInfo[], from: number, to: number): Marker[] {
  const inside = (t: number) => t >= from && t <= to;
  return [
    ...commands.filter((c) => inside(c.start)).map((c): Marker => ({ t: c.start, kind: 'command', label: c.text ?? '(command)', failed: c.exit !== null && c.exit !== 0 })),
    ...snapshots.filter((s) => inside(s.time)).map((s): Marker => ({ t: s.time, kind: 'checkpoint', label: `checkpoint: ${s.label}` }))
  ].sort((a, b) => a.t - b.t);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB" */
export function bytes(n: number): string {
  let i = 0;
  while (n >= 1024 && i < UNITS.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n >= 100 || i === 0 ? Math.round(n) : n.toFixed(1)} ${UNITS[i]}`;
}

/** A replay's timeline markers (t from the recording's start) that belong on its metrics charts:
 * commands (failed ones marked) and checkpoints within [from, to] ms since the epoch. */
export function timelineMarkers(marks: { t: number; kind: string; label: string }[], started: number, from: number, to: number): Marker[] {
  const out: Marker[] = [];
  for (const m of marks) {
    const t = started + m.t;
    if (t < from || t > to) continue;
    if (m.kind === 'command' || m.kind === 'command-failed') out.push({ t, kind: 'command', label: m.label, failed: m.kind === 'command-failed' });
    else if (m.kind === 'checkpoint') out.push({ t, kind: 'checkpoint', label: m.label });
  }
  return out;
}
