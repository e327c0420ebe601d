import { describe, expect, it } from 'vitest';
import type { Command } from '../protocol/commands.ts';
import type { SnapshotInfo } from '../protocol/env.ts';
import type { Sample } from '../protocol/metrics.ts';
import { bytes, columns, markersIn } from './series.ts';

const cmd = (id: number, start: number, exit: number | null): Command => ({ id, term: 1, text: `cmd ${id}`, authors: [], cwd: null, start, end: exit === null ? null : start + 5, exit });
const snap = (id: number, time: number): SnapshotInfo => ({ id, label: `cp ${id}`, time, author: null, source: 'request' });

describe('metrics series', () => {
  it('keeps only the markers inside the window, in time order, failed commands flagged', () => {
    const m = markersIn([cmd(1, 500, 0), cmd(2, 2000, 1), cmd(3, 1500, null)], [snap(1, 1200), snap(2, 9000)], 1000, 3000);
    expect(m).toEqual([
      { t: 1200, kind: 'checkpoint', label: 'checkpoint: cp 1' },
      { t: 1500, kind: 'command', label: 'cmd 3', failed: false },
      { t: 2000, kind: 'command', label: 'cmd 2', failed: true }
    ]);
  });

  it('lays samples out as columns in seconds, and prints sizes', () => {
    const s = { t: 2000, cpu: 5 } as Sample;
    expect(columns([s, { ...s, t: 3000, cpu: 7 }], (x) => x.cpu)).toEqual([[2, 3], [5, 7]]);
    expect([bytes(0), bytes(1536), bytes(5 * 1024 ** 3)]).toEqual(['0 B', '1.5 KiB', '5.0 GiB']);
  });
});
