import { describe, expect, it } from 'vitest';
import { highlight, MAX_MARKS } from './highlight.ts';

const marked = (pieces: { text: string; match: boolean }[]) => pieces.map((p) => (p.match ? `[${p.text}]` : p.text)).join('');

describe('highlight', () => {
  it('marks every occurrence, keeping the line as it was written', () => {
    expect(marked(highlight('Error: error in errand', 'error', false))).toBe('[Error]: [error] in errand');
    expect(marked(highlight('Error: error in errand', 'error', true))).toBe('Error: [error] in errand');
    expect(marked(highlight('x', 'y', false))).toBe('x');
    expect(marked(highlight('abc', '', false))).toBe('abc');
  });

  it('marks a bounded number of occurrences (a one-letter query on a long line)', () => {
    const pieces = highlight('a'.repeat(1000), 'a', true);
    expect(pieces.filter((p) => p.match)).toHaveLength(MAX_MARKS);
    expect(pieces.map((p) => p.text).join('')).toBe('a'.repeat(1000));
  });
});
