/**
 * Where in a terminal's output bytes the redaction engine (redact.ts) could find anything: one
 * pass over the bytes, before any text is made of them, so output that holds nothing
 * credential-shaped (most of it, coloured or not) goes to the cast as it is. Sound by construction:
 * every way the engine masks something starts from one of these —
 * - a known format's fixed part (NEEDLES: `ghp_`, `AKIA`, `eyJ`, `://`, `BEGIN`…), or a secret
 *   word of a `name=value` (NAME_WORDS, any case), looked for only where its first two bytes stand
 *   (a 64 K table of byte pairs: most pairs of ordinary text are none of them);
 * - a run of 24 or more token characters mixing lower case, upper case and digits (redactRandom's
 *   own precondition, with the same character classes).
 * The regex it replaced ran `[A-Z]|token|…` over the text: 5 ms/MB, and any colour escape
 * (`ESC[0m`, `ESC[K`) has an upper-case letter, so coloured output went through the whole engine.
 */

/** Found wherever they stand, in any case (redact.ts NAME_WORD: the start of a `name=value`). */
const NAME_WORDS = ['token', 'secret', 'pass', 'key', 'cred', 'cookie', 'authorization', 'bearer', 'signature', 'dsn'];
/** A fixed part of each built-in format (redact.ts PATTERNS), exactly as written. */
const NEEDLES = [
  'BEGIN', // -----BEGIN … PRIVATE KEY-----
  'AKIA', 'ASIA', 'AGPA', 'AIDA', 'AROA', 'ANPA', 'ANVA', 'AIPA',
  'eyJ',
  'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_',
  'glpat-', 'gldt-', 'glrt-', 'glptt-', 'glcbt-', 'glsoat-',
  'xox',
  'hooks.slack.com',
  'sk_live_', 'sk_test_', 'rk_live_', 'rk_test_',
  'AIza',
  '://'
];

interface Needle {
  bytes: Uint8Array;
  /** compared without case (ASCII letters) */
  fold: boolean;
}

/** byte pair (first << 8 | second) → 1 + index into BUCKETS of the needles starting with it */
const PAIRS = new Uint8Array(65536);
const BUCKETS: Needle[][] = [];


function addPair(a: number, b: number, n: Needle): void {
  const pair = (a << 8) | b;
  if (PAIRS[pair] === 0) {
    BUCKETS.push([]);
    PAIRS[pair] = BUCKETS.length;
  }
  BUCKETS[PAIRS[pair] - 1].push(n);
}

function allowNext(): Uint8Array {
  const NEXT = new Uint8Array((BUCKETS.length + 1) * 512);
  BUCKETS.forEach((needles, i) => {
    for (const n of needles) {
      for (const k of [2, 3]) {
        const at = (i + 1) * 512 + (k - 2) * 256;
        if (k >= n.bytes.length) NEXT.fill(1, at, at + 256);
        else for (const c of n.fold ? cases(n.bytes[k]) : [n.bytes[k]]) NEXT[at + c] = 1;
      }
    }
  });
  return NEXT;
}
const cases = (c: number): number[] => (c >= 0x61 && c <= 0x7a ? [c, c - 0x20] : [c]);
for (const w of NAME_WORDS) {
  const n = { bytes: new TextEncoder().encode(w), fold: true };
  for (const a of cases(n.bytes[0])) for (const b of cases(n.bytes[1])) addPair(a, b, n);
}
for (const w of NEEDLES) {
  const n = { bytes: new TextEncoder().encode(w), fold: false };
  addPair(n.bytes[0], n.bytes[1], n);
}

/** bucket * 512 + byte: whether a needle of the bucket may have that byte third (+ 256: fourth) */
const NEXT = allowNext();

/** Token characters by byte, as redact.ts TOKEN_CHAR: 1 other, 2 lower, 4 upper, 8 digit. */
const TOKEN = new Uint8Array(256);
for (const c of '+/=_-') TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 2;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 4;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 8;
/** redact.ts MIN_RANDOM_CHARS */
const RANDOM_RUN = 24;
const MIXED = 2 | 4 | 8;
/** Both tables in one lookup per byte: bucket << 4 | the first byte's token class. */
const PAIR_TOKEN = new Uint16Array(65536);
for (let p = 0; p < 65536; p++) PAIR_TOKEN[p] = (PAIRS[p] << 4) | TOKEN[p >> 8];

/** Whether a needle of the byte pair at `i` stands there whole. */
function needleAt(b: Uint8Array, i: number, end: number, bucket: number): boolean {
  for (const n of BUCKETS[bucket - 1]) {
    const w = n.bytes;
    if (i + w.length > end) continue;
    let k = 2;
    for (; k < w.length; k++) {
      const c = b[i + k];
      // (folded needles are lower case: an upper-case letter of the text matches its lower case)
      if (c !== w[k] && !(n.fold && c >= 0x41 && c <= 0x5a && c + 0x20 === w[k])) break;
    }
    if (k === w.length) return true;
  }
  return false;
}

/**
 * The index in `b[start, end)` from which the engine may find something (the start of the run or
 * the needle found first; everything before it needs nothing), or -1 when all of it passes as is.
 */
export function firstCandidate(b: Uint8Array, start: number, end: number): number {
  if (end <= start) return -1;
  // First the needles, a byte pair at a time (`c` and the byte after it), noting on the way
  // whether any upper-case letter is there: without one there is no random token (most output).
  let upper = 0;
  let next = b[start];
  const last = end - 1;
  let found = -1;
  for (let i = start; i < last; i++) {
    const c = next;
    next = b[i + 1];
    const v = PAIR_TOKEN[(c << 8) | next];
    upper |= v;
    // (the third and fourth bytes are looked at before any needle: 'gh' starts ghp_ but also ghi)
    if (v > 15 && NEXT[(v >> 4) * 512 + (i + 2 < end ? b[i + 2] : 0)] === 1 && NEXT[(v >> 4) * 512 + 256 + (i + 3 < end ? b[i + 3] : 0)] === 1 && needleAt(b, i, end, v >> 4)) {
      found = i;
      break;
    }
  }
  upper |= TOKEN[next];
  if ((upper & 4) === 0) return found;
  const random = firstRandom(b, start, found < 0 ? end : found);
  return random < 0 ? found : random;
}

/** The start of the first run of RANDOM_RUN token characters or more mixing the three classes. */
function firstRandom(b: Uint8Array, start: number, end: number): number {
  let runStart = start;
  let seen = 0;
  for (let i = start; i < end; i++) {
    const k = TOKEN[b[i]];
    if (k !== 0) {
      seen |= k;
      continue;
    }
    if ((seen & MIXED) === MIXED && i - runStart >= RANDOM_RUN) return runStart;
    seen = 0;
    runStart = i + 1;
  }
  return (seen & MIXED) === MIXED && end - runStart >= RANDOM_RUN ? runStart : -1;
}
