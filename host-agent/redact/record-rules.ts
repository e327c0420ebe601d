/**
 * Redaction for the record on the box (audit log and casts): the engine's built-in patterns
 * (redact.ts: cloud keys, tokens, JWTs, private keys, URL passwords, secret-named arguments, long
 * random strings) plus the host's own `--redact REGEX` rules, applied before anything is written.
 */
import { firstCandidate } from './record-candidates.ts';
import { redactText } from './redact.ts';

/** What a `--redact` match becomes. */
export const RULE_MASK = '[REDACTED:rule]';
/** A rule longer than this is refused (a regex is a program; keep it small). */
export const MAX_RULE_CHARS = 1_000;
/** At most this many rules. */
export const MAX_RULES = 64;

/** Compiles `--redact` values; throws one line naming the flag and the rule for a bad one. */
export function parseRules(sources: string[]): RegExp[] {
  if (sources.length > MAX_RULES) throw new Error(`--redact: at most ${MAX_RULES} rules, not ${sources.length}`);
  return sources.map((src) => {
    if (!src) throw new Error('--redact needs a regular expression, not an empty string');
    if (src.length > MAX_RULE_CHARS) throw new Error(`--redact: a rule is at most ${MAX_RULE_CHARS} characters (this one has ${src.length})`);
    let re: RegExp;
    try {
      re = new RegExp(src, 'gu');
    } catch (e) {
      throw new Error(`--redact ${JSON.stringify(src)} is not a valid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
    }
    if (re.test('')) throw new Error(`--redact ${JSON.stringify(src)} matches the empty string; it would mark every position`);
    return re;
  });
}

/** Text as it may be written to the record. `firstCandidate`, for bytes (UTF-8): the index from
 * which their text may change, or -1 when it passes as it is (no text needs to be made of it). */
export type Redactor = ((text: string) => string) & { firstCandidate?: (b: Uint8Array, start: number, end: number) => number };

/**
 * Text without an upper-case letter can only hold what these find (every built-in format but these
 * needs one: AKIA…, eyJ…, AIza…, BEGIN, and a random token mixes cases): such text, most of a
 * build log or `yes` output, skips the engine.
 */
const LOWER_CASE_CANDIDATE = /token|secret|pass|key|cred|cookie|authorization|bearer|signature|dsn|:\/\/|gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt|cbt|soat)-|xox|hooks\.slack|[sr]k_(?:live|test)_/;

/** Both tests in one pass over the text (two passes were a third of the cast writer's time). */
const CANDIDATE = new RegExp(`[A-Z]|${LOWER_CASE_CANDIDATE.source}`);

/**
 * With `--redact` rules, bytes are text to check from their start when a rule matches them (a
 * rule can match anything, anywhere: the whole of it then goes through the engine and the rules,
 * as before), else only where the engine could find something. One scan per rule over the text,
 * instead of the engine over all of it (its candidate test alone was 4 ms/MB of output).
 * (A rule that would only match text the engine's masks made is still applied: the masks are
 * from the engine's candidate on, and the text checked is from that line on.)
 */
function withRules(rules: RegExp[]): NonNullable<Redactor['firstCandidate']> {
  return (b, start, end) => {
    const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8', start, end);
    for (const re of rules) {
      re.lastIndex = 0;
      const hit = re.test(text);
      re.lastIndex = 0;
      if (hit) return start;
    }
    return firstCandidate(b, start, end);
  };
}

export function recordRedactor(rules: RegExp[]): Redactor {
  const candidates = rules.length ? withRules(rules) : firstCandidate;
  return Object.assign((text: string) => {
    let out = CANDIDATE.test(text) ? redactText(text).text : text;
    for (const re of rules) {
      re.lastIndex = 0;
      out = out.replace(re, RULE_MASK);
    }
    return out;
  }, { firstCandidate: candidates });
}
