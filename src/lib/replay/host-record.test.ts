import { afterEach, describe, expect, it } from 'vitest';
import type { ReplayDb } from './db.ts';
import { importHostRecord, type RecordFile } from './host-record.ts';
import { markersOf } from './markers.ts';
import { Player } from './player.ts';
import { RecordingReader } from './reader.ts';
import { search } from './search.ts';
import { headlessKit, memoryDb } from './testing.ts';

let dbs: ReplayDb[] = [];
afterEach(() => {
  for (const d of dbs) d.close();
  dbs = [];
});

const file = (name: string, text: string): RecordFile => {
  const blob = new Blob([text]);
  return { name, size: blob.size, stream: () => blob.stream() };
};
const T0 = Date.parse('2026-12-01T10:00:00Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const cast = (lines: unknown[]) => [JSON.stringify({ version: 2, width: 80, height: 24, timestamp: T0 / 1000, title: 'bash' }), ...lines.map((l) => JSON.stringify(l))].join('\n') + '\n';
const eddie = { id: 'p2', name: 'Eddie', role: 'editor' };
const audit = (lines: object[]) => lines.map((l, i) => JSON.stringify({ ...l, seq: i + 1, prev: '0', hash: '0' })).join('\n') + '\n';

function db(): ReplayDb {
  const d = memoryDb();
  dbs.push(d);
  return d;
}

describe('host record import', () => {
  it('merges the casts and the audit log into one timeline with authors, markers and screens', async () => {
    const d = db();
    const files = [
      file('s1-terminal-1.cast', cast([[0.5, 'o', '$ make\r\n'], [2, 'o', 'Error 2\r\n$ '], [3, 'r', '100x30'], [4, 'o', 'after-resize\r\n']])),
      file('s1-terminal-2.cast', cast([[1, 'o', 'second terminal\r\n'], [5, 'i', 'ignored input']])),
      file('s1.jsonl', audit([
        { t: iso(100), who: { ...eddie, name: 'guest' }, kind: 'join' },
        { t: iso(200), who: eddie, kind: 'input', term: 1, data: 'm' },
        { t: iso(2100), who: eddie, kind: 'command', term: 1, text: 'make', cwd: '/', exit: 2, ms: 1600 },
        { t: iso(2500), who: eddie, kind: 'checkpoint', id: 2, label: 'before fix', source: 'request', redacted: 0 },
        { t: iso(2600), who: eddie, kind: 'input', term: 1, data: 'x' },
        { t: iso(3000), who: { ...eddie, name: 'Ed' }, kind: 'rename', from: 'Eddie' },
        { t: iso(4500), who: { ...eddie, name: 'Ed' }, kind: 'leave' }
      ]) + '{"t":"2026-12-01T10:00:05Z","who":{"id":')
    ];
    const meta = await importHostRecord(d, files, headlessKit);
    expect(meta).toMatchObject({ session: 's1', started: T0, imported: true, words: true, participants: ['the box', 'guest', 'Eddie', 'Ed'] });
    expect(meta.length).toBe(4500); // the leave; input events are not replayed
    const reader = new RecordingReader(d, meta.id);
    expect(markersOf(await reader.marks()).map((m) => [m.t, m.kind, m.label])).toEqual([
      [100, 'join', 'guest joined (editor)'],
      [200, 'rename', 'guest is now Eddie'],
      [2100, 'command-failed', '$ make → exit 2 (Eddie)'],
      [2500, 'checkpoint', 'Checkpoint: before fix (Eddie)'],
      [3000, 'rename', 'Eddie is now Ed'],
      [4500, 'leave', 'Ed left']
    ]);
    expect((await search(reader, 'error')).map((h) => [h.t, h.term])).toEqual([[2000, 1]]);
    const player = new Player(reader, meta.length);
    await player.seek(4200);
    expect(player.view().terminals.map((t) => [t.id, t.cols, t.rows])).toEqual([[1, 100, 30], [2, 80, 24]]);
    expect(player.view().people.map((p) => p.name)).toEqual(['Ed']);
    player.dispose();
  });

  it('refuses bad files with the file, the line and the reason, and keeps nothing', async () => {
    const d = db();
    const ok = file('s-terminal-1.cast', cast([[1, 'o', 'hi']]));
    const refused = (files: RecordFile[]) => importHostRecord(d, files, headlessKit).then(() => 'imported', (e: Error) => e.message);
    expect(await refused([file('notes.txt', 'x')])).toMatch(/notes.txt is not part of a host record/);
    expect(await refused([file('s.jsonl', '')])).toMatch(/at least one .cast file/);
    expect(await refused([file('a.cast', '<script>alert(1)</script>\n')])).toMatch(/a.cast is not an asciicast file/);
    expect(await refused([file('a.cast', JSON.stringify({ version: 2, width: 99999, height: 24 }) + '\n')])).toMatch(/width and height/);
    expect(await refused([file('a.cast', cast([[2, 'o', 'x'], [1, 'o', 'y'], [3, 'o', 'z']]))])).toMatch(/a.cast line 3: the time must be a number that never goes back/);
    expect(await refused([file('a.cast', cast([[1, 'o', 'x'], 'nope', [3, 'o', 'z']]))])).toMatch(/a.cast line 3: an event must be/);
    expect(await refused([file('a.cast', cast([[1, 'x', 'x'], [2, 'o', 'z']]))])).toMatch(/unknown event code/);
    expect(await refused([ok, file('s.jsonl', audit([{ t: 'yesterday', who: eddie, kind: 'join' }]))])).toMatch(/s.jsonl line 1: "t" is not a time/);
    expect(await refused([ok, file('s.jsonl', '{not json}\n{"t":"x"}\n')])).toMatch(/s.jsonl line 1: not valid JSON/);
    expect(await refused([ok, file('a.jsonl', ''), file('b.jsonl', '')])).toMatch(/one audit log/);
    expect(await d.recordings.count()).toBe(0);
    expect(await d.events.count()).toBe(0);
  });
});
