/** Display names and colours: generated, remembered in this browser, stable per participant. */
const ADJECTIVES = ['Swift', 'Calm', 'Bright', 'Keen', 'Quiet', 'Bold', 'Clever', 'Steady', 'Lucky', 'Brave', 'Witty', 'Nimble'];
const ANIMALS = ['Otter', 'Falcon', 'Lynx', 'Heron', 'Badger', 'Fox', 'Panda', 'Koala', 'Raven', 'Orca', 'Gecko', 'Ibex'];
const STORAGE_KEY = 'live-sessions:name';

export function generatedName(random = Math.random): string {
  return `${ADJECTIVES[Math.floor(random() * ADJECTIVES.length)]} ${ANIMALS[Math.floor(random() * ANIMALS.length)]}`;
}

/** `?name=` wins (and is remembered), then the remembered name, then a generated one. */
export function pickName(fromQuery: string | null, storage: Pick<Storage, 'getItem' | 'setItem'> | null): string {
  const clean = (s: string | null | undefined) => (s ?? '').trim().slice(0, 64);
  const q = clean(fromQuery);
  if (q) {
    storage?.setItem(STORAGE_KEY, q);
    return q;
  }
  const stored = clean(storage?.getItem(STORAGE_KEY));
  if (stored) return stored;
  const name = generatedName();
  storage?.setItem(STORAGE_KEY, name);
  return name;
}

export function rememberName(name: string, storage: Pick<Storage, 'setItem'> | null): void {
  storage?.setItem(STORAGE_KEY, name);
}

/** Twelve colours far apart on the wheel (and readable on the dark theme): one per person. */
export const PALETTE = [0, 210, 120, 45, 280, 175, 330, 90, 240, 20, 150, 305].map((h) => `hsl(${h} 70% 60%)`);

/** A participant's first colour, from its id (peers that have not said theirs yet get this one). */
export function colorFor(id: string): string {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/**
 * This participant's colour, distinct from the others' (the colours they announce in awareness).
 * Whoever has the smaller id keeps a contested colour; the other takes the first free one (past
 * twelve people, hues spaced by the golden angle). Every peer applies the same rule, so two people
 * who joined at once settle on different colours.
 */
export function distinctColor(selfId: string, current: string, others: { id: string; color: string }[]): string {
  if (!others.some((o) => o.color === current && o.id < selfId)) return current;
  const taken = new Set(others.map((o) => o.color));
  const free = PALETTE.find((c) => !taken.has(c));
  if (free) return free;
  for (let i = PALETTE.length; ; i++) {
    const c = `hsl(${Math.round((i * 137.508) % 360)} 65% 62%)`;
    if (!taken.has(c)) return c;
  }
}
