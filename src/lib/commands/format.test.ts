import { describe, expect, it } from 'vitest';
import { formatDuration, matches } from './format.ts';

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
});
