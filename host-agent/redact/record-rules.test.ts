import { describe, expect, it } from 'vitest';
import { MAX_RULE_CHARS, parseRules, recordRedactor, RULE_MASK } from './record-rules.ts';
import { redactText } from './redact.ts';

describe('redaction rules for the record', () => {
  it('masks the built-in token formats and every match of each --redact rule', () => {
    const r = recordRedactor(parseRules(['ACME-[0-9]{6}', 'internal\\.example\\.com']));
    const gh = `ghp_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'}`;
    const out = r(`push ${gh} to internal.example.com for ACME-123456 and ACME-654321; ACME-12 stays`);
    expect(out).toBe(`push [REDACTED:github-token] to ${RULE_MASK} for ${RULE_MASK} and ${RULE_MASK}; ACME-12 stays`);
    // the same redactor again (global regexes keep no state between calls)
    expect(r('ACME-000001')).toBe(RULE_MASK);
    expect(recordRedactor([])('ls -la && git log 0123456789abcdef0123456789abcdef01234567')).toBe('ls -la && git log 0123456789abcdef0123456789abcdef01234567');
  });

  it('skips the engine only for text it would leave as it is', () => {
    const r = recordRedactor([]);
    const gh = `ghp_${'ab3de5fg7hj9kl1mn3pq5rs7tu9vw1xy3za5b'}`;
    for (const text of [
      `push ${gh} now`,
      'db_password=hunter2 and api_key: "abc"',
      'postgres://user:s3cret@db/x',
      'xoxb-1234567890-abcdefghij',
      'sk_live_abcdefghijklmnop1234',
      'glpat-abcdefghijklmnopqrstu',
      '0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n'.repeat(3)
    ]) {
      expect(r(text), text).toBe(redactText(text).text);
    }
    expect(r(`push ${gh} now`)).toContain('[REDACTED:github-token]');
  });

  it('refuses a bad rule with one line naming the flag', () => {
    expect(() => parseRules(['(unclosed'])).toThrow(/^--redact "\(unclosed" is not a valid regular expression: .+/);
    expect(() => parseRules([''])).toThrow(/^--redact needs a regular expression/);
    expect(() => parseRules(['a*'])).toThrow(/^--redact "a\*" matches the empty string/);
    expect(() => parseRules(['x'.repeat(MAX_RULE_CHARS + 1)])).toThrow(/^--redact: a rule is at most/);
    expect(() => parseRules(Array(65).fill('x'))).toThrow(/^--redact: at most 64 rules/);
    for (const bad of ['(unclosed', '', 'a*']) expect(() => parseRules([bad])).toThrow(/^[^\n]+$/);
  });

  it('with a --redact rule, checks all of the bytes only when the rule matches them', () => {
    const r = recordRedactor(parseRules(['ACME-[0-9]{6}']));
    const enc = new TextEncoder();
    const at = (text: string) => {
      const b = enc.encode(`ls\r\n${text}`);
      return r.firstCandidate!(b, 2, b.length);
    };
    // ordinary output: neither the rule nor the engine finds anything, it goes to the cast as it is
    expect(at('0123456789abcdefghijklmnopqrstuvwxyz\r\n'.repeat(50))).toBe(-1);
    expect(at('héllo ACME-12 wörld\r\n')).toBe(-1);
    // the rule matches: all of it (from `start`), as the rule may match anywhere
    expect(at('x\r\nticket ACME-123456 done\r\n')).toBe(2);
    // only the engine may: from its candidate (the cast writer takes it from that line on)
    const b = enc.encode(`ls\r\npush ghp_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'}\r\n`);
    expect(r.firstCandidate!(b, 0, b.length)).toBe(9);
    // twice the same (a global rule keeps no lastIndex between calls)
    expect(at('ACME-654321')).toBe(2);
    expect(at('ACME-654321')).toBe(2);
  });
});
