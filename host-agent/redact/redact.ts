/**
 * The redaction engine: secrets are replaced on the box, before anything is sent, recorded or
 * exported. Used by the environment snapshot (variables, process command lines); the recording and
 * the log tail reuse it. It reports *what* it redacted (a kind per hit), never the value.
 *
 * Two questions: does a variable's *name* look secret (`GITHUB_TOKEN`, `DB_PASSWORD`), and does a
 * piece of *text* hold something credential-shaped (an AWS key, a JWT, a URL with a password, a
 * long random string…). Names are split into words so `KEYBOARD` or `PWD` are not mistaken for
 * `KEY` or `PASSWORD`; values are matched by known formats first, then by entropy.
 */

export type SecretKind =
  | 'secret-name'
  | 'private-key'
  | 'aws-access-key'
  | 'jwt'
  | 'github-token'
  | 'gitlab-token'
  | 'slack-token'
  | 'stripe-key'
  | 'google-api-key'
  | 'url-password'
  | 'secret-argument'
  | 'high-entropy';

export const mask = (kind: SecretKind): string => `[REDACTED:${kind}]`;

/** Words that make a variable (or `--flag`) secret wherever they stand in its name. */
const SECRET_WORDS = new Set([
  'TOKEN', 'TOKENS', 'SECRET', 'SECRETS', 'PASSWORD', 'PASSWORDS', 'PASSWD', 'PASS', 'PASSPHRASE', 'PWD_HASH',
  'KEY', 'APIKEY', 'PRIVATEKEY', 'ACCESSKEY', 'SECRETKEY', 'CREDENTIAL', 'CREDENTIALS', 'CREDS',
  'COOKIE', 'AUTHORIZATION', 'BEARER', 'SIGNATURE', 'SESSIONKEY', 'DSN'
]);
/** Glued forms (`MYTOKEN`, `dbPassword` after case folding) end in one of these. */
const SECRET_SUFFIXES = ['TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'APIKEY', 'PASSPHRASE'];
/** Names that contain a secret word but hold a path or a switch, not a secret. */
const NOT_SECRET = /(_FILE|_PATH|_DIR|_SOCK|_URL_PATH|_ENABLED|_DISABLED|_ID|_TYPE|_LENGTH|_SIZE)$|^(KEYTIMEOUT|GPG_KEY_ID)$/;

/** True for names such as `GITHUB_TOKEN`, `db_password`, `apiKey`, `--client-secret`. */
export function isSecretName(name: string): boolean {
  let known = nameCache.get(name);
  if (known === undefined) {
    // logs repeat the same few names: remember answers (bounded, so odd input cannot grow it)
    if (nameCache.size > 4096) nameCache.clear();
    nameCache.set(name, (known = judgeName(name)));
  }
  return known;
}
const nameCache = new Map<string, boolean>();

function judgeName(name: string): boolean {
  // `--client-secret`, `db.password`, `clientSecret` → CLIENT_SECRET, DB_PASSWORD, CLIENT_SECRET
  const upper = name.replace(/^-+/, '').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase().replace(/[-.]/g, '_');
  if (NOT_SECRET.test(upper)) return false;
  for (const w of upper.split(/[^A-Z0-9]+/)) {
    if (!w) continue;
    if (SECRET_WORDS.has(w)) return true;
    if (w.length > 5 && SECRET_SUFFIXES.some((s) => w.endsWith(s) && w !== s)) return true;
  }
  return false;
}

interface Pattern {
  kind: SecretKind;
  re: RegExp;
  /** which capture group is the secret (default: the whole match) */
  group?: number;
}

/** Known credential formats, most specific first (each runs as one global regex pass). */
const PATTERNS: Pattern[] = [
  { kind: 'private-key', re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g },
  { kind: 'aws-access-key', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: 'github-token', re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/g },
  { kind: 'gitlab-token', re: /\bgl(?:pat|dt|rt|ptt|cbt|soat)-[A-Za-z0-9_-]{20,}/g },
  { kind: 'slack-token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}|https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g },
  { kind: 'stripe-key', re: /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g },
  { kind: 'google-api-key', re: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  // scheme://user:PASSWORD@host — only the password goes
  { kind: 'url-password', re: /(?<=[a-zA-Z0-9]):\/\/[^\s:@/]+:([^\s@/]+)@/g, group: 1 }
];

/**
 * `name=value`, `name: value`, `"name": "value"`, `--name value` where the name looks secret. Found
 * from the secret word outwards rather than by matching every `a=b` in the text: logs are full of
 * those, and a regex over all of them ran at a third of the speed.
 */
const NAME_WORD = /token|secret|pass|key|cred|cookie|authorization|bearer|signature|dsn/gi;
const NAME_CHAR = /[A-Za-z0-9_.-]/;

function redactArguments(text: string, hit: (k: SecretKind) => void): string {
  let out = '';
  let copied = 0;
  NAME_WORD.lastIndex = 0;
  for (let m = NAME_WORD.exec(text); m; m = NAME_WORD.exec(text)) {
    let start = m.index;
    let end = m.index + m[0].length;
    while (start > copied && NAME_CHAR.test(text[start - 1])) start--;
    while (end < text.length && NAME_CHAR.test(text[end])) end++;
    NAME_WORD.lastIndex = end;
    const name = text.slice(start, end);
    if (!/^-{0,2}[A-Za-z_]/.test(name) || !isSecretName(name)) continue;
    const value = valueAfter(text, end, name.startsWith('-'));
    if (!value || text.startsWith('[REDACTED:', value.start)) continue;
    hit('secret-argument');
    out += text.slice(copied, value.start) + mask('secret-argument');
    copied = value.end;
    NAME_WORD.lastIndex = value.end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Where the value after a name is: `=v`, `: v`, `": "v"`, or (for a `--flag`) ` v`. */
function valueAfter(text: string, at: number, flag: boolean): { start: number; end: number } | null {
  let i = at;
  if (text[i] === '"' || text[i] === "'") i++;
  while (text[i] === ' ' || text[i] === '\t') i++;
  const sep = text[i];
  if (sep === '=' || sep === ':') {
    i++;
    while (text[i] === ' ' || text[i] === '\t') i++;
  } else if (!flag || i === at || sep === '-' || sep === undefined || sep === '\n') return null;
  const q = text[i];
  if (q === '"' || q === "'") {
    const close = text.indexOf(q, i + 1);
    if (close < 0 || close === i + 1) return null;
    return { start: i + 1, end: close };
  }
  let end = i;
  while (end < text.length && !/[\s"',;&]/.test(text[end])) end++;
  return end > i ? { start: i, end } : null;
}

/** Characters of base64/hex-ish tokens, by char code: 1 other, 2 lower, 4 upper, 8 digit. */
const TOKEN_CHAR = new Uint8Array(128);
for (const c of '+/=_-') TOKEN_CHAR[c.charCodeAt(0)] = 1;
for (const c of 'abcdefghijklmnopqrstuvwxyz') TOKEN_CHAR[c.charCodeAt(0)] = 2;
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') TOKEN_CHAR[c.charCodeAt(0)] = 4;
for (const c of '0123456789') TOKEN_CHAR[c.charCodeAt(0)] = 8;
/** Shorter runs are not worth the entropy test. */
const MIN_RANDOM_CHARS = 24;
/** A random-looking run has a piece at least this long between separators (looksRandom). */
const MIN_PIECE_CHARS = 12;
/** lower, upper and digit: a run without all three is no generated secret (looksRandom) */
const MIXED = 2 | 4 | 8;

/**
 * Replaces random-looking runs of token characters. A plain loop over char codes: the regex for
 * "runs of 24 or more" restarted at every character and was the slowest part of the engine; the
 * character classes seen are collected on the way, so most runs are passed over without a copy.
 */
function redactRandom(text: string, hit: (k: SecretKind) => void): string {
  let out = '';
  let copied = 0;
  let start = -1;
  let seen = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    const k = c < 128 ? TOKEN_CHAR[c] : 0;
    if (k !== 0) {
      if (start < 0) {
        start = i;
        seen = 0;
      }
      seen |= k;
      continue;
    }
    if (start >= 0 && i - start >= MIN_RANDOM_CHARS && (seen & MIXED) === MIXED) {
      const run = text.slice(start, i);
      if (looksRandom(run)) {
        hit('high-entropy');
        out += text.slice(copied, start) + mask('high-entropy');
        copied = i;
      }
    }
    start = -1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Shannon entropy, bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * A random-looking token: letters of both cases and digits, and more bits per character than hex
 * can have (so git hashes, UUIDs and checksums stay), and not a path.
 */
export function looksRandom(s: string): boolean {
  if (UUID.test(s) || /^[0-9a-f]+$/i.test(s)) return false;
  if (s.includes('/') && s.split('/').every((seg) => seg.length < 24)) return false;
  // words joined by separators, like a temp dir's `live-sessions-tests-aB3dE9` (a base64url secret
  // has a separator every 32 characters on average: one with only short pieces is rare)
  if (s.split(/[-_./]/).every((piece) => piece.length < MIN_PIECE_CHARS)) return false;
  if (!/[a-z]/.test(s) || !/[A-Z]/.test(s) || !/[0-9]/.test(s)) return false;
  return entropy(s) >= (s.length >= 40 ? 4.3 : 4.0);
}

export interface Redacted {
  text: string;
  /** the kinds found, each once, in the order found */
  kinds: SecretKind[];
}

/**
 * Every way a known format or a secret name can start (each pattern above has one of these
 * literally in its match, NAME_START is NAME_WORD). A line without any of them, and without a
 * run long enough to be a random token, has nothing to redact: most log lines, passed over with
 * one scan instead of ten (the log pipeline's largest cost per line).
 */
const FORMAT_START = /-----BEGIN|A(?:KIA|SIA|GPA|IDA|ROA|NPA|NVA|IPA)|eyJ|gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt|cbt|soat)-|xox|hooks\.slack|[sr]k_(?:live|test)_|AIza|:\/\//;
/** NAME_WORD spelled case by case: without the `i` flag the scan is several times faster. */
const NAME_START = /[Tt][Oo][Kk][Ee][Nn]|[Ss][Ee][Cc][Rr][Ee][Tt]|[Pp][Aa][Ss][Ss]|[Kk][Ee][Yy]|[Cc][Rr][Ee][Dd]|[Cc][Oo][Oo][Kk][Ii][Ee]|[Aa][Uu][Tt][Hh][Oo][Rr][Ii][Zz][Aa][Tt][Ii][Oo][Nn]|[Bb][Ee][Aa][Rr][Ee][Rr]|[Ss][Ii][Gg][Nn][Aa][Tt][Uu][Rr][Ee]|[Dd][Ss][Nn]/;

/** True when `text` has a run of MIN_RANDOM_CHARS token characters with lower, upper and digit. */
function hasRandomCandidate(text: string): boolean {
  let run = 0;
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const k = c < 128 ? TOKEN_CHAR[c] : 0;
    if (k === 0) {
      if (run >= MIN_RANDOM_CHARS && (seen & MIXED) === MIXED) return true;
      run = 0;
      seen = 0;
    } else {
      run++;
      seen |= k;
    }
  }
  return run >= MIN_RANDOM_CHARS && (seen & MIXED) === MIXED;
}

/** True when redactText may change `text`; false means it certainly would not. */
export function mayHoldSecret(text: string): boolean {
  return FORMAT_START.test(text) || NAME_START.test(text) || hasRandomCandidate(text);
}

/** Replaces every credential-shaped piece of `text` with a mask naming its kind. */
export function redactText(text: string): Redacted {
  if (!mayHoldSecret(text)) return { text, kinds: [] };
  const kinds: SecretKind[] = [];
  const hit = (k: SecretKind) => void (kinds.includes(k) || kinds.push(k));
  let out = text;
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    out = out.replace(p.re, (whole: string, g1?: string, g2?: string) => {
      if (p.group === undefined) {
        hit(p.kind);
        return mask(p.kind);
      }
      let secret = (p.group === 1 ? g1 : g2) as string;
      // a quoted value keeps its quotes, so JSON and shell lines stay readable
      const q = secret.charCodeAt(0);
      if ((q === 34 || q === 39) && secret.length > 1 && secret.charCodeAt(secret.length - 1) === q) secret = secret.slice(1, -1);
      if (!secret || secret.startsWith('[REDACTED:')) return whole;
      hit(p.kind);
      const at = whole.lastIndexOf(secret);
      return whole.slice(0, at) + mask(p.kind) + whole.slice(at + secret.length);
    });
  }
  out = redactArguments(out, hit);
  out = redactRandom(out, hit);
  return { text: out, kinds };
}

/** A variable's value: all of it when the name looks secret, else the secret-shaped parts. */
export function redactVariable(name: string, value: string): Redacted {
  if (value !== '' && isSecretName(name)) return { text: mask('secret-name'), kinds: ['secret-name'] };
  return redactText(value);
}
