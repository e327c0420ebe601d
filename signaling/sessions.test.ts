import { afterEach, describe, expect, it } from 'vitest';
import { SESSION_ID_RE } from '../src/lib/protocol/credentials.ts';
import { MemorySessionStore, SessionLimitError } from './sessions.ts';

const stores: MemorySessionStore[] = [];
function store(opts: ConstructorParameters<typeof MemorySessionStore>[0] = {}): MemorySessionStore {
  const s = new MemorySessionStore(opts);
  stores.push(s);
  return s;
}
afterEach(() => stores.splice(0).forEach((s) => s.close()));

describe('MemorySessionStore', () => {
  it('creates sessions whose invites map to their roles, and only theirs', async () => {
    const s = store();
    const a = await s.create();
    const b = await s.create();
    expect(a.id).toMatch(SESSION_ID_RE);
    expect(a.id).not.toBe(b.id);
    expect(await s.inviteRole(a.id, a.invites.owner)).toBe('owner');
    expect(await s.inviteRole(a.id, a.invites.editor)).toBe('editor');
    expect(await s.inviteRole(a.id, a.invites.viewer)).toBe('viewer');
    expect(await s.inviteRole(a.id, b.invites.owner)).toBeUndefined();
    expect(await s.inviteRole(a.id, a.invites.owner.slice(1))).toBeUndefined();
    expect(await s.inviteRole('unknown-id', a.invites.owner)).toBeUndefined();
  });

  it('forgets sessions idle for longer than the idle limit, unless touched', async () => {
    let now = 1_000;
    const s = store({ idleMs: 100, now: () => now });
    const idle = await s.create();
    const used = await s.create();
    now += 80;
    await s.touch(used.id);
    now += 80;
    expect(await s.has(idle.id)).toBe(false);
    expect(await s.has(used.id)).toBe(true);
    expect(await s.inviteRole(idle.id, idle.invites.editor)).toBeUndefined();
  });

  it('refuses new sessions past its limit until idle ones are swept', async () => {
    let now = 0;
    const s = store({ maxSessions: 2, idleMs: 100, now: () => now });
    await s.create();
    await s.create();
    await expect(s.create()).rejects.toBeInstanceOf(SessionLimitError);
    now += 101;
    await expect(s.create()).resolves.toMatchObject({ id: expect.stringMatching(SESSION_ID_RE) });
    expect(s.size).toBe(1);
  });
});
