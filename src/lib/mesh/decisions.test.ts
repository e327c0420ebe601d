import { describe, expect, it } from 'vitest';
import type { SessionControl } from '../protocol/session.ts';
import type { Decision, Statement } from '../protocol/statements.ts';
import { Decisions, MAX_STATEMENTS } from './decisions.ts';

let n = 0;
function statement(d: Decision, iat: number): [Statement, SessionControl] {
  const jti = `j${n++}`;
  return [{ ...d, iss: 'owner', aud: 's', iat, jti }, { type: 'control', statement: jti, owner: 'o' }];
}

describe('the owner decisions a peer keeps', () => {
  it('takes the latest decision per participant, a removal for good, each statement once', () => {
    const d = new Decisions();
    const later = statement({ act: 'role', sub: 'p1', role: 'editor' }, 20);
    expect(d.apply(...later)).toBe(true);
    expect(d.apply(...later)).toBe(false);
    expect(d.apply(...statement({ act: 'role', sub: 'p1', role: 'viewer' }, 10))).toBe(false);
    expect(d.roleOf('p1')).toBe('editor');
    expect(d.apply(...statement({ act: 'remove', sub: 'p1' }, 30))).toBe(true);
    expect(d.isRemoved('p1')).toBe(true);
    expect(d.apply(...statement({ act: 'role', sub: 'p1', role: 'editor' }, 40))).toBe(false);
    expect(d.roleOf('p1')).toBeUndefined();
    expect([...d.statements()]).toHaveLength(4);
  });

  it('relay-only: once and for good, and never evicted from what is passed on', () => {
    const d = new Decisions();
    expect(d.relayOnly).toBe(false);
    const relay = statement({ act: 'relay-only', sub: 's' }, 5);
    expect(d.apply(...relay)).toBe(true);
    expect(d.apply(...statement({ act: 'relay-only', sub: 's' }, 6))).toBe(false);
    expect(d.relayOnly).toBe(true);
    for (let i = 0; i <= MAX_STATEMENTS; i++) d.apply(...statement({ act: 'role', sub: `p${i}`, role: 'viewer' }, 1));
    const kept = [...d.statements()];
    expect(kept[0]).toBe(relay[1]);
    expect(kept).toHaveLength(MAX_STATEMENTS + 1);
    expect(d.roleOf('s')).toBeUndefined();
  });

  it('remembers at most MAX_STATEMENTS statements, the oldest going first', () => {
    const d = new Decisions();
    const first = statement({ act: 'role', sub: 'p0', role: 'viewer' }, 1);
    d.apply(...first);
    for (let i = 1; i <= MAX_STATEMENTS; i++) d.apply(...statement({ act: 'role', sub: `p${i}`, role: 'viewer' }, 1));
    const kept = [...d.statements()];
    expect(kept).toHaveLength(MAX_STATEMENTS);
    expect(kept).not.toContain(first[1]);
  });
});
