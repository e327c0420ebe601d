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

export function colorFor(id: string): string {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `hsl(${h % 360} 70% 60%)`;
}
