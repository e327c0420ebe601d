import { describe, expect, it } from 'vitest';
import { firstCandidate } from './record-candidates.ts';
import { redactText } from './redact.ts';

const enc = new TextEncoder();
const gh = `ghp_${'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5'}`;

/** What the cast writer does with it: the text before the candidate's line as it is, the rest through the engine. */
function asWritten(text: string): string {
  const b = enc.encode(text);
  const first = firstCandidate(b, 0, b.length);
  if (first < 0) return text;
  let cut = first;
  while (cut > 0 && b[cut - 1] !== 0x0a) cut--;
  const dec = new TextDecoder();
  return dec.decode(b.subarray(0, cut)) + redactText(dec.decode(b.subarray(cut))).text;
}

describe('record redaction candidates (bytes)', () => {
  it('passes ordinary output, coloured or not, without the engine', () => {
    for (const text of [
      '0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n'.repeat(20),
      '\x1b[32m✓\x1b[39m src/lib/foo.test.ts \x1b[2m(12 tests)\x1b[22m \x1b[33m 45ms\x1b[39m Done OK\r\n'.repeat(20),
      'drwxr-xr-x  2 root root 4096 Dec  2 01:00 Documents\r\n\x1b[0m\x1b[01;34mMusic\x1b[0m\r\n',
      'commit 0123456789abcdef0123456789abcdef01234567\r\nAuthor: Pat <pat@example.com>\r\n',
      'héllo wörld ✓ – ünïcödé, 日本語\r\n'
    ]) {
      const b = enc.encode(text);
      expect(firstCandidate(b, 0, b.length), text).toBe(-1);
      expect(redactText(text).text).toBe(text);
    }
  });

  it('finds every kind the engine redacts, in any case for secret words, within the range asked', () => {
    for (const text of [
      `push ${gh} now`,
      'DB_PASSWORD=hunter2',
      'Authorization: Bearer abc.def',
      'postgres://user:s3cret@db/x',
      'AKIAABCDEFGHIJKLMNOP',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijk',
      'xoxb-1234567890-abcdefghij',
      'sk_live_abcdefghijklmnop1234',
      'glpat-abcdefghijklmnopqrstu',
      'AIzaSyA1234567890abcdefghijklmnopqrstuv',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----',
      'random Zq8xW2pL9vK3mN7bR4tY6uI1oP5aS0dF end'
    ]) {
      const b = enc.encode(`ok \x1b[1mfine\x1b[0m\r\n${text}\r\n`);
      const at = firstCandidate(b, 0, b.length);
      expect(at, text).toBeGreaterThanOrEqual(enc.encode('ok \x1b[1mfine\x1b[0m\r\n').length);
      expect(redactText(new TextDecoder().decode(b)).text, text).not.toBe(new TextDecoder().decode(b));
      // outside the range asked, nothing
      expect(firstCandidate(b, 0, 10)).toBe(-1);
    }
  });

  it('writes what the engine would write over the whole text (mixed output, many shapes)', () => {
    const parts = ['ls -la\r\n', '\x1b[31mFAIL\x1b[0m ', 'PASS ', 'token=abc123 ', gh, ' ', 'x'.repeat(30), 'Zq8xW2pL9vK3mN7bR4tY6uI1oP5aS0dF', '\r\n', 'é✓ ', 'https://u:p4ss@h/ ', '--client-secret "a b"\n', 'api_key: "q\nw"', 'AKIAABCDEFGHIJKLMNOP ', 'keyboard ', 'KEY=v ', '\t'];
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let round = 0; round < 400; round++) {
      let text = '';
      for (let i = 0, n = 1 + rand(12); i < n; i++) text += parts[rand(parts.length)];
      expect(asWritten(text), JSON.stringify(text)).toBe(redactText(text).text);
    }
  });
});
