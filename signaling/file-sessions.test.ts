import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileSessionStore, type FileStoreOptions } from './file-sessions.ts';
import { StateError } from './state-files.ts';

const dirs: string[] = [];
const stores: FileSessionStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function sessionsFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ls-sessions-'));
  dirs.push(dir);
  return join(dir, 'sessions.json');
}

async function open(file: string, opts: FileStoreOptions = {}): Promise<FileSessionStore> {
  const s = await FileSessionStore.open(file, opts);
  stores.push(s);
  return s;
}

describe('FileSessionStore', () => {
  it('saves a new session before returning it (hashes only, mode 0600) and loads it again', async () => {
    const file = sessionsFile();
    const a = await open(file);
    const created = await a.create();
    const text = readFileSync(file, 'utf8');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(file, '..'))).toEqual(['sessions.json']);
    expect(text).toContain(created.id);
    for (const secret of Object.values(created.invites)) expect(text).not.toContain(secret);

    const b = await open(file);
    expect(await b.has(created.id)).toBe(true);
    expect(await b.inviteRole(created.id, created.invites.owner)).toBe('owner');
    expect(await b.inviteRole(created.id, created.invites.viewer)).toBe('viewer');
    expect(await b.inviteRole(created.id, 'not-the-invite')).toBeUndefined();
  });

  it('saves sessions created at the same time, whatever order their writes finish in', async () => {
    const file = sessionsFile();
    const a = await open(file);
    const created = await Promise.all(Array.from({ length: 8 }, () => a.create()));
    const b = await open(file);
    expect(b.size).toBe(8);
    for (const c of created) expect(await b.inviteRole(c.id, c.invites.editor)).toBe('editor');
  });

  it('saves uses at most once per touchSaveMs, and the rest on close()', async () => {
    const file = sessionsFile();
    let now = 1_000;
    const s = await open(file, { touchSaveMs: 50, now: () => now });
    const { id } = await s.create();
    const lastUsed = () => (JSON.parse(readFileSync(file, 'utf8')).sessions as { id: string; lastUsed: number }[]).find((x) => x.id === id)?.lastUsed;
    const t0 = Date.now();
    now = 2_000;
    await s.touch(id);
    now = 3_000;
    await s.touch(id);
    expect(lastUsed()).toBe(1_000);
    // one save for both touches, and not before touchSaveMs: saving each touch at once would
    // have reached 3_000 sooner
    await vi.waitFor(() => expect(lastUsed()).toBe(3_000), { timeout: 2000, interval: 5 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50 - 1);
    now = 4_000;
    await s.touch(id);
    await s.close();
    expect(lastUsed()).toBe(4_000);
  });

  it('drops idle sessions when loading, and keeps only the most recently used past the limit', async () => {
    const file = sessionsFile();
    let now = 0;
    const a = await open(file, { now: () => now });
    const old = await a.create();
    now = 50;
    const mid = await a.create();
    now = 100;
    const recent = await a.create();
    await a.close();

    now = 120;
    const b = await open(file, { idleMs: 100, maxSessions: 1, now: () => now });
    expect(b.size).toBe(1);
    expect(await b.has(recent.id)).toBe(true);
    expect(await b.has(mid.id)).toBe(false);
    expect(await b.has(old.id)).toBe(false);
  });

  it('refuses a damaged or oversized file with an error naming it', async () => {
    const file = sessionsFile();
    const cases: [string, RegExp][] = [
      ['{"version":1,"sessions":[', /not valid JSON/],
      ['{"version":2,"sessions":[]}', /not a version 1 sessions file/],
      ['{"version":1,"sessions":[{"id":"../../etc","lastUsed":1,"invites":{}}]}', /session 0 is malformed/],
      ['{"version":1,"sessions":[{"id":"abcdefghij","lastUsed":1,"invites":{"host":"' + 'A'.repeat(43) + '"}}]}', /session 0 is malformed/],
      [' '.repeat(1024 + 2 * 400 + 1), /larger than/]
    ];
    for (const [text, reason] of cases) {
      writeFileSync(file, text);
      const err = await FileSessionStore.open(file, { maxSessions: 2 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateError);
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toMatch(reason);
    }
  });
});
