import { describe, expect, it } from 'vitest';
import { MAX_RULE_CHARS, parseRules, recordRedactor, RULE_MASK } from './record-rules.ts';

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

  it('refuses a bad rule with one line naming the flag', () => {
    expect(() => parseRules(['(unclosed'])).toThrow(/^--redact "\(unclosed" is not a valid regular expression: .+/);
    expect(() => parseRules([''])).toThrow(/^--redact needs a regular expression/);
    expect(() => parseRules(['a*'])).toThrow(/^--redact "a\*" matches the empty string/);
    expect(() => parseRules(['x'.repeat(MAX_RULE_CHARS + 1)])).toThrow(/^--redact: a rule is at most/);
    expect(() => parseRules(Array(65).fill('x'))).toThrow(/^--redact: at most 64 rules/);
    for (const bad of ['(unclosed', '', 'a*']) expect(() => parseRules([bad])).toThrow(/^[^\n]+$/);
  });
});
