import { describe, expect, it } from 'vitest';
import { colorFor, generatedName, pickName } from './names.ts';

function memory() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

describe('names', () => {
  it('prefers ?name=, then the remembered name, then a generated one', () => {
    const s = memory();
    const first = pickName(null, s);
    expect(first).toMatch(/^\w+ \w+$/);
    expect(pickName(null, s)).toBe(first);
    expect(pickName('  Alice  ', s)).toBe('Alice');
    expect(pickName(null, s)).toBe('Alice');
    expect(pickName('x'.repeat(100), s)).toHaveLength(64);
  });
  it('generates from the lists and colours ids stably', () => {
    expect(generatedName(() => 0)).toBe('Swift Otter');
    expect(colorFor('p_abc')).toBe(colorFor('p_abc'));
    expect(colorFor('p_abc')).not.toBe(colorFor('p_abd'));
  });
});
