/** People in the audit log under their own names: a page joins with a placeholder (the server is
 * told nothing more) and names itself to peers right after; renames are records of their own. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../test/helpers/tmp.ts';
import { until } from '../test/helpers/wait.ts';
import { UNDISCLOSED_NAME } from '../src/lib/protocol/credentials.ts';
import { AuditLog } from './audit.ts';
import { verifyChain } from './record/chain-verify.ts';

type Line = { kind: string; who: { id: string; name: string }; from?: string; data?: string };
const guest = (sub: string) => ({ sub, name: UNDISCLOSED_NAME, role: 'editor' as const });
const named = (sub: string, name: string) => ({ sub, name, role: 'editor' as const });

function open() {
  const path = join(makeTempDir('audit-names-'), 'audit.jsonl');
  const log = new AuditLog(path);
  const lines = () =>
    (existsSync(path) ? readFileSync(path, 'utf8') : '')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
  const seen = () => lines().map((l) => `${l.who.name} ${l.kind}${l.from ? ` from ${l.from}` : ''}`);
  return { path, log, lines, seen };
}

describe('names in the audit log', () => {
  it('writes a join under the name the page gives next, and a later rename as its own record', async () => {
    const { path, log, seen } = open();
    log.record(guest('p_a'), { kind: 'join' });
    log.record(named('p_b', 'Bob'), { kind: 'join' });
    log.renamed(named('p_a', 'Ann'));
    log.input(named('p_a', 'Ann'), 1, new TextEncoder().encode('ls\r'), false);
    log.renamed(named('p_a', 'Ann')); // the same name again: nothing to record
    log.renamed(named('p_a', 'Annie'));
    log.record(named('p_a', 'Annie'), { kind: 'leave' });
    await log.close();
    expect(seen()).toEqual(['Bob join', 'Ann join', 'Ann input', 'Annie rename from Ann', 'Annie leave']);
    expect(verifyChain(readFileSync(path, 'utf8'))).toMatchObject({ ok: true, lines: 5 });
  });

  it('never holds a join back past what the person does, nor past closing', async () => {
    const { log, seen } = open();
    log.record(guest('p_a'), { kind: 'join' });
    log.input(guest('p_a'), 1, new TextEncoder().encode('x\r'), false); // typed before its name arrived
    log.record(guest('p_c'), { kind: 'join' });
    await log.close();
    expect(seen()).toEqual(['guest join', 'guest input', 'guest join']);
  });

  it('writes a join whose name never comes after a short wait', async () => {
    const { log, lines } = open();
    log.record(guest('p_a'), { kind: 'join' });
    await until(() => lines().length === 1, 'the join written without a name', 10_000);
    expect(lines()[0]).toMatchObject({ kind: 'join', who: { id: 'p_a', name: UNDISCLOSED_NAME } });
    await log.close();
  });
});
