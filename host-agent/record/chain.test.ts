import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/helpers/tmp.ts';
import { ChainVerifier, MAX_LINE_BYTES, verifyChain, verifyFile } from './chain-verify.ts';
import { Chain, GENESIS } from './chain.ts';

function log(n: number, from = new Chain()): string {
  let text = '';
  for (let i = 1; i <= n; i++) text += from.next({ t: `2026-12-01T00:00:0${i}Z`, kind: 'input', who: { name: 'Eve' }, data: `ls ${i}\r` });
  return text;
}

describe('audit hash chain', () => {
  it('verifies an intact log and says where it ends', () => {
    const v = verifyChain(log(5));
    expect(v).toMatchObject({ ok: true, lines: 5, first: GENESIS, cutLast: false });
  });

  it('finds an edited, a deleted, a reordered and a replaced line', () => {
    const lines = log(5).split('\n');
    const edited = [...lines];
    edited[2] = edited[2].replace('ls 3', 'rm 3');
    expect(verifyChain(edited.join('\n'))).toMatchObject({ ok: false, line: 3, why: expect.stringMatching(/edited/) });
    const deleted = lines.filter((_, i) => i !== 1);
    expect(verifyChain(deleted.join('\n'))).toMatchObject({ ok: false, line: 2, why: expect.stringMatching(/does not follow line 1/) });
    const reordered = [lines[0], lines[2], lines[1], ...lines.slice(3)];
    expect(verifyChain(reordered.join('\n'))).toMatchObject({ ok: false, line: 2 });
    expect(verifyChain(lines.slice(1).join('\n'))).toMatchObject({ ok: false, line: 1, why: expect.stringMatching(/seq 2 where 1 was due/) });
  });

  it('takes a line cut by a crash at the end as the end, and refuses one cut in the middle', () => {
    const text = log(4);
    const cut = text.slice(0, text.length - 20);
    expect(verifyChain(cut)).toMatchObject({ ok: true, lines: 3, cutLast: true });
    const lines = text.split('\n');
    lines[1] = lines[1].slice(0, 30);
    expect(verifyChain(lines.join('\n'))).toMatchObject({ ok: false, line: 2, why: expect.stringMatching(/not a complete JSON line/) });
  });

  it('continues a previous log from its last hash', () => {
    const first = new Chain();
    const a = log(3, first);
    const b = log(2, new Chain(first.last));
    expect(verifyChain(b)).toMatchObject({ ok: true, lines: 2, first: first.last });
    expect(verifyChain(a)).toMatchObject({ ok: true, last: first.last });
  });
});

describe('audit hash chain, lines edited into other valid JSON', () => {
  it('finds reordered keys, a changed hash and a line with CRLF as edits', () => {
    const lines = log(3).split('\n');
    const rec = JSON.parse(lines[1]) as Record<string, unknown>;
    const { seq, prev, ...rest } = rec;
    const reordered = [...lines];
    reordered[1] = JSON.stringify({ prev, seq, ...rest });
    expect(verifyChain(reordered.join('\n'))).toMatchObject({ ok: false, line: 2, why: expect.stringMatching(/edited/) });
    const rehashed = [...lines];
    rehashed[1] = lines[1].replace(/"hash":"[0-9a-f]{4}/, '"hash":"0000');
    expect(verifyChain(rehashed.join('\n'))).toMatchObject({ ok: false, line: 2 });
    expect(verifyChain(lines.join('\r\n'))).toMatchObject({ ok: false, line: 1 });
  });
});

describe('audit hash chain, read in pieces', () => {
  it('gives the same verdict whatever the blocks the bytes come in, non-ASCII text included', () => {
    const chain = new Chain();
    let text = '';
    for (let i = 1; i <= 6; i++) text += chain.next({ t: i, kind: 'input', who: { name: 'Zoë' }, data: `echo café 😀 ${i}\r` });
    const bytes = Buffer.from(text);
    const whole = verifyChain(bytes);
    expect(whole).toMatchObject({ ok: true, lines: 6, last: chain.last, cutLast: false });
    for (const size of [1, 7, 100, 333]) {
      const v = new ChainVerifier();
      for (let at = 0; at < bytes.length; at += size) v.push(bytes.subarray(at, at + size));
      expect(v.end(), `blocks of ${size}`).toEqual(whole);
    }
    // an edit in the 5th line, found from a file as from the text
    const edited = text.replace('café 😀 5', 'cafe 😀 5');
    const path = join(makeTempDir('chain-'), 'audit.jsonl');
    writeFileSync(path, edited);
    expect(verifyFile(path)).toEqual(verifyChain(edited));
    expect(verifyFile(path)).toMatchObject({ ok: false, lines: 4, line: 5, why: expect.stringMatching(/edited/) });
  });

  it('refuses a line longer than any the host writes instead of gathering it', () => {
    const v = new ChainVerifier();
    v.push(Buffer.from(log(2)));
    const junk = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i <= MAX_LINE_BYTES / junk.length && !v.broken; i++) v.push(junk);
    expect(v.end()).toMatchObject({ ok: false, lines: 2, line: 3, why: expect.stringMatching(/longer than 16 MiB/) });
  });
});
