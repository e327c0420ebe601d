import pty from 'node-pty';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { asciicast } from './asciicast.ts';
import { exportParts, headerLine } from './file-format.ts';
import { importRecording, ImportError } from './import.ts';
import { markersOf } from './markers.ts';
import { RecordingReader } from './reader.ts';
import { Recorder, KEYFRAME_BYTES } from './recorder.ts';
import { clock, FakeSource, fakePeer, headlessKit, memoryDb } from './testing.ts';

const host = fakePeer('h', 'box', 'host');
const enc = new TextEncoder();

async function recorded() {
  const db = memoryDb();
  const src = new FakeSource();
  const c = clock();
  const rec = new Recorder({ db, source: src, session: 'S9', self: { id: 'me', name: 'Me', role: 'owner' }, kit: headlessKit, now: c.now, flushMs: 3_600_000 });
  src.msg(host, 'terminal', { type: 'terms', list: [{ id: 1, title: 'sh', cols: 50, rows: 6, exit: null }] } as never);
  src.msg(host, 'terminal', { type: 'snapshot', id: 1, seq: 0, cols: 50, rows: 6, data: '$ ' } as never);
  for (let i = 1; i <= 40; i++) {
    c.advance(250);
    src.msg(host, 'terminal', { type: 'output', id: 1, seq: i, data: enc.encode(`ünïcode ${i} ${'z'.repeat(KEYFRAME_BYTES / 20)}\r\n`) } as never);
    if (i === 10) src.peerJoined.fire(fakePeer('p2', '<img src=x onerror=alert(1)>'));
    if (i % 10 === 0) await rec.flush();
  }
  src.msg(host, 'terminal', { type: 'terms', list: [{ id: 1, title: 'sh', cols: 70, rows: 9, exit: null }] } as never);
  await rec.dispose();
  return { db, reader: new RecordingReader(db, rec.id) };
}

async function* linesFrom(text: string) {
  for (const l of text.split('\n')) yield l;
}

async function dump(reader: RecordingReader) {
  const events: unknown[] = [];
  await reader.each((e) => void events.push({ ...e, rec: '' }));
  const kfs: unknown[] = [];
  await reader.eachKeyframe((k) => void kfs.push({ ...k, rec: '' }));
  return { events, kfs, marks: markersOf(await reader.marks()) };
}

describe('export and import', () => {
  it('an exported recording imports into another database as the same replay', async () => {
    const { reader } = await recorded();
    const file = (await exportParts(reader)).join('');
    const other = memoryDb();
    const meta = await importRecording(other, linesFrom(file));
    expect(meta).toMatchObject({ session: 'S9', imported: true, length: 10_000, events: 45 });
    const copy = new RecordingReader(other, meta.id);
    expect(await dump(copy)).toEqual(await dump(reader));
    expect((await dump(copy)).kfs.length).toBeGreaterThan(0);
  });

  it('refuses bad files with the line and the reason, and keeps nothing of them', async () => {
    const { reader } = await recorded();
    const lines = (await exportParts(reader)).join('').split('\n');
    const other = memoryDb();
    const bad = async (text: string, why: RegExp) => {
      await expect(importRecording(other, linesFrom(text))).rejects.toThrow(why);
      expect(await other.events.count()).toBe(0);
      expect(await other.recordings.count()).toBe(0);
    };
    await bad('', /empty/);
    await bad('#!/bin/sh\nrm -rf /', /not a Live Sessions recording/);
    await bad(lines[0].replace('"version":1', '"version":7') + '\n' + lines[1], /version 7.*version 1 only/);
    const ev = (o: object) => JSON.stringify({ e: o });
    const h = lines[0];
    await bad([h, lines[1], lines[2], lines[1]].join('\n'), /line 4: "seq" must be an integer from 3/);
    await bad([h, ev({ seq: 1, t: 0, k: 'script', src: 'x' })].join('\n'), /line 2: an event of unknown kind/);
    await bad([h, ev({ seq: 1, t: 0, k: 'msg', cap: 'terminal', from: 'h', msg: { type: 'output', id: 1, seq: 1, data: 'not bytes' } })].join('\n'), /line 2: a terminal "output" message that cannot be encoded/);
    await bad([h, ev({ seq: 1, t: 0, k: 'msg', cap: 'terminal', from: 'h', msg: { type: 'resize', id: 1, cols: 99999, rows: 5 } })].join('\n'), /line 2: "cols" must be an integer/);
    await bad([h, ev({ seq: 1, t: 0, k: 'msg', cap: 'mesh', from: 'h', msg: { type: 'hello', token: 't' } })].join('\n'), /never part of a recording/);
    await bad([h, lines[1], '{"e": {'].join('\n'), /line 3: not valid JSON/);
    await bad([h, lines[1], lines[2], '{"kf":{"seq":1,"t":0,"people":[],"self":null,"latest":{},"screens":[{"id":1,"cols":0,"rows":5,"data":""}]}}'].join('\n'), /"cols" must be an integer from 1/);
    // a newer capability's messages are kept as plain data
    const meta = await importRecording(other, linesFrom([h, ev({ seq: 1, t: 5, k: 'msg', cap: 'editor', from: 'p', msg: { type: 'update', data: { $b64: 'AAE=' } } })].join('\n')));
    expect(meta.events).toBe(1);
    expect(headerLine(meta)).toContain('"version":1');
  });
});

/** `asciinema cat FILE` in a real PTY (it reads its controlling terminal). */
function asciinemaCat(file: string): Promise<{ out: string; code: number }> {
  return new Promise((resolve) => {
    const p = pty.spawn('asciinema', ['cat', file], { cols: 80, rows: 24, env: { ...process.env, LANG: 'C.UTF-8' } });
    let out = '';
    p.onData((d) => (out += d));
    p.onExit(({ exitCode }) => resolve({ out, code: exitCode }));
  });
}

describe('asciicast', () => {
  it('exports a terminal that asciinema cat accepts, with the snapshot first and resizes', async () => {
    const { reader } = await recorded();
    const lines = await asciicast(reader, 1);
    const header = JSON.parse(lines[0]);
    expect(header).toMatchObject({ version: 2, width: 50, height: 6 });
    expect(JSON.parse(lines[1])).toEqual([0, 'o', '$ ']);
    expect(lines.some((l) => l.includes('"r","70x9"'))).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cast-'));
    const file = path.join(dir, 't.cast');
    fs.writeFileSync(file, lines.join(''));
    const { out, code } = await asciinemaCat(file);
    expect(code, out).toBe(0);
    expect(out).toContain('ünïcode 40');
    fs.rmSync(dir, { recursive: true });
  });

  it('exports asciicast v3: the size in the header, each event timed from the one before, same events as v2', async () => {
    const { reader } = await recorded();
    const v2 = (await asciicast(reader, 1)).map((l) => JSON.parse(l));
    const v3 = (await asciicast(reader, 1, 3)).map((l) => JSON.parse(l));
    expect(v3[0]).toMatchObject({ version: 3, term: { cols: 50, rows: 6 }, timestamp: v2[0].timestamp, title: v2[0].title });
    expect(v3[0].width).toBeUndefined();
    expect(v3.length).toBe(v2.length);
    let t = 0;
    for (let i = 1; i < v3.length; i++) {
      expect(v3[i][0]).toBeGreaterThanOrEqual(0);
      t += v3[i][0];
      // the running sum of the intervals is v2's time since the start
      expect(Math.round(t * 1000)).toBe(Math.round(v2[i][0] * 1000));
      expect(v3[i].slice(1)).toEqual(v2[i].slice(1));
    }
    expect(v3.some((e) => e[1] === 'r' && e[2] === '70x9')).toBe(true);
  });
});
