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
  const upper = name.replace(/^-+/, '').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
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
  { kind: 'github-token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { kind: 'gitlab-token', re: /\bgl(?:pat|dt|rt|ptt|cbt|soat)-[A-Za-z0-9_-]{20,}/g },
  { kind: 'slack-token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}|https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]+/g },
  { kind: 'stripe-key', re: /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g },
  { kind: 'google-api-key', re: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  // scheme://user:PASSWORD@host — only the password goes
  { kind: 'url-password', re: /\b[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s:@/]+:([^\s@/]+)@/g, group: 1 },
  // name=value, name: value, --name=value where the name looks secret
  { kind: 'secret-argument', re: /(?:^|[\s"'{,;&?])-{0,2}([A-Za-z_][A-Za-z0-9_.-]*)"?\s*[=:]\s*("[^"]*"|'[^']*'|[^\s"',;&]+)/g, group: 2 },
  // --name value (a command line's flag followed by its value)
  { kind: 'secret-argument', re: /(?:^|\s)--?([A-Za-z][A-Za-z0-9_.-]*)\s+("[^"]*"|'[^']*'|[^\s"'-][^\s"']*)/g, group: 2 }
];

/** Runs of base64/hex-ish characters long enough to be a generated secret. */
const CANDIDATE = /[A-Za-z0-9+/=_-]{24,}/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MASKED = /\[REDACTED:[a-z-]+\]/;

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
  if (!/[a-z]/.test(s) || !/[A-Z]/.test(s) || !/[0-9]/.test(s)) return false;
  return entropy(s) >= (s.length >= 40 ? 4.3 : 4.0);
}

export interface Redacted {
  text: string;
  /** the kinds found, each once, in the order found */
  kinds: SecretKind[];
}

/** Replaces every credential-shaped piece of `text` with a mask naming its kind. */
export function redactText(text: string): Redacted {
  const kinds: SecretKind[] = [];
  const hit = (k: SecretKind) => void (kinds.includes(k) || kinds.push(k));
  let out = text;
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    if (!p.re.test(out)) continue;
    p.re.lastIndex = 0;
    out = out.replace(p.re, (whole: string, ...groups: unknown[]) => {
      if (p.kind === 'secret-argument' && !isSecretName(groups[0] as string)) return whole;
      if (p.group === undefined) {
        hit(p.kind);
        return mask(p.kind);
      }
      let secret = groups[p.group - 1] as string;
      // a quoted value keeps its quotes, so JSON and shell lines stay readable
      if (/^(["']).*\1$/s.test(secret)) secret = secret.slice(1, -1);
      if (!secret || MASKED.test(secret)) return whole;
      hit(p.kind);
      const at = whole.lastIndexOf(secret);
      return whole.slice(0, at) + mask(p.kind) + whole.slice(at + secret.length);
    });
  }
  out = out.replace(CANDIDATE, (c) => {
    if (!looksRandom(c)) return c;
    hit('high-entropy');
    return mask('high-entropy');
  });
  return { text: out, kinds };
}

/** A variable's value: all of it when the name looks secret, else the secret-shaped parts. */
export function redactVariable(name: string, value: string): Redacted {
  if (value !== '' && isSecretName(name)) return { text: mask('secret-name'), kinds: ['secret-name'] };
  return redactText(value);
}
