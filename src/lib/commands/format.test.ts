import { afterEach, describe, expect, it, vi } from 'vitest';
import { durationText, formatDuration, matches, shortCwd, ticking, TICK_MS } from './format.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('commands panel formatting', () => {
  it('reads durations at every scale', () => {
    expect([850, 12_345, 245_000, 7_380_000].map(formatDuration)).toEqual(['850 ms', '12.3 s', '4 min 05 s', '2 h 03 min']);
  });
  it('filters by text, cwd and author, every word', () => {
    const c = { text: 'kubectl get pods', cwd: '/srv/app', authors: [{ name: 'Alice' }] };
    expect(matches(c, 'alice pods')).toBe(true);
    expect(matches(c, 'srv')).toBe(true);
    expect(matches(c, 'bob')).toBe(false);
    expect(matches({ text: null, cwd: null, authors: [] }, '')).toBe(true);
  });
  it('shortens a cwd to its last folders', () => {
    expect(['/', '/srv', '/srv/app', '/home/ann/work/app/src', '/tmp/dir with space/x/'].map((p) => shortCwd(p))).toEqual(['/', '/srv', '/srv/app', '…/app/src', '…/dir with space/x']);
    expect(shortCwd('/a/b/c/d', 1)).toBe('…/d');
  });
});

describe('the duration of a running command', () => {
  it('ticks every second while it runs, then stands at its run time', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const c: { start: number; end: number | null } = { start: Date.now() - 400, end: null };
    const shown: string[] = [];
    const stop = ticking((now) => shown.push(durationText(c, now)));
    vi.advanceTimersByTime(3 * TICK_MS);
    expect(shown).toEqual(['1.4 s…', '2.4 s…', '3.4 s…']);
    c.end = Date.now() + 250;
    stop();
    vi.advanceTimersByTime(5 * TICK_MS);
    expect(shown).toHaveLength(3);
    expect(durationText(c, Date.now() + 60_000)).toBe('3.6 s');
  });
  it('reads 0 ms, not a negative time, when a clock is behind the host', () => {
    expect(durationText({ start: 5000, end: null }, 4000)).toBe('0 ms…');
  });
});
