import { describe, expect, it } from 'vitest';
import { colorFor, distinctColor, generatedName, PALETTE, pickName } from './names.ts';

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

  it('settles on distinct colours: the smaller id keeps a contested one, everyone applies the same rule', () => {
    expect(new Set(PALETTE).size).toBe(12);
    // ids whose first colour collides
    const ids = Array.from({ length: 200 }, (_, i) => `p_${i}`);
    const [a, b] = ids.filter((id) => colorFor(id) === colorFor(ids[0]));
    expect(b).toBeDefined();
    const ca = colorFor(a);
    expect(distinctColor(a, ca, [{ id: b, color: ca }])).toBe(ca);
    const cb = distinctColor(b, ca, [{ id: a, color: ca }]);
    expect(cb).not.toBe(ca);
    // twenty people joining at once, each re-picking until nobody changes: all distinct
    const people = ids.slice(0, 20).map((id) => ({ id, color: colorFor(id) }));
    for (let round = 0; round < 25; round++) {
      let changed = false;
      for (const p of people) {
        const next = distinctColor(p.id, p.color, people.filter((o) => o !== p));
        if (next !== p.color) (p.color = next), (changed = true);
      }
      if (!changed) break;
    }
    expect(new Set(people.map((p) => p.color)).size).toBe(20);
  });
});
