// A large generated recording, made by the product's own Recorder (in Node, with @xterm/headless
// for keyframes) and written as an export file: an hour of a shell session with heavy output,
// commands every ~1.8 s whose output lines carry their time ("@<ms>"), a join every few minutes.
import fs from 'node:fs';
import { exportParts } from '../../src/lib/replay/file-format.ts';
import { RecordingReader } from '../../src/lib/replay/reader.ts';
import { Recorder } from '../../src/lib/replay/recorder.ts';
import { clock, FakeSource, fakePeer, headlessKit, memoryDb } from '../../src/lib/replay/testing.ts';

export interface Generated {
  file: string;
  /** the same terminal track as a plain asciicast v2 file (for asciinema-player) */
  cast: string;
  /** t of every output event, ms, ascending */
  times: number[];
  bytes: number;
  length: number;
}

const HOUR_MS = 3_600_000;
const COMMANDS = 2000;

export async function generateRecording(file: string, mb: number): Promise<Generated> {
  const db = memoryDb();
  const src = new FakeSource();
  const c = clock();
  const rec = new Recorder({ db, source: src, session: 'bench', self: { id: 'me', name: 'Bench', role: 'owner' }, kit: headlessKit, now: c.now, flushMs: HOUR_MS * 10 });
  const host = fakePeer('h', 'box', 'host');
  src.msg(host, 'terminal', { type: 'terms', list: [{ id: 1, title: 'bash', cols: 120, rows: 40, exit: null }] } as never);
  src.msg(host, 'terminal', { type: 'snapshot', id: 1, seq: 0, cols: 120, rows: 40, data: '$ ' } as never);
  const total = mb * 1024 * 1024;
  const perCommand = Math.ceil(total / COMMANDS);
  const chunk = Math.min(16 * 1024, perCommand);
  const enc = new TextEncoder();
  const times: number[] = [];
  const cast = fs.createWriteStream(`${file}.cast`);
  const castLine = async (line: string) => {
    if (!cast.write(line + '\n')) await new Promise<void>((r) => cast.once('drain', () => r()));
  };
  await castLine(JSON.stringify({ version: 2, width: 120, height: 40, title: 'bash' }));
  await castLine(JSON.stringify([0, 'o', '$ ']));
  let seq = 0;
  let bytes = 0;
  for (let cmd = 0; cmd < COMMANDS; cmd++) {
    const chunks = Math.ceil(perCommand / chunk);
    for (let i = 0; i < chunks; i++) {
      c.advance(Math.floor(HOUR_MS / COMMANDS / chunks));
      const t = c.now() - 1_700_000_000_000;
      const line = `cmd ${cmd} part ${i} @${t} \x1b[32m${'x'.repeat(90)}\x1b[0m\r\n`;
      const text = line.repeat(Math.floor(chunk / line.length)) + (i === chunks - 1 && cmd % 97 === 0 ? `needle ${cmd}\r\n` : '') + `end @${t}\r\n`;
      const data = enc.encode(text);
      bytes += data.length;
      src.msg(host, 'terminal', { type: 'output', id: 1, seq: ++seq, data } as never);
      times.push(t);
      await castLine(JSON.stringify([t / 1000, 'o', text]));
    }
    if (cmd % 200 === 0) src.peerJoined.fire(fakePeer(`p${cmd}`, `Guest ${cmd}`));
    if (cmd % 20 === 0) await rec.flush();
  }
  await new Promise<void>((r) => cast.end(() => r()));
  await rec.dispose();
  const reader = new RecordingReader(db, rec.id);
  const out = fs.createWriteStream(file);
  for (const part of await exportParts(reader)) if (!out.write(part)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((r) => out.end(() => r()));
  const meta = (await reader.meta())!;
  db.close();
  return { file, cast: `${file}.cast`, times, bytes, length: meta.length };
}
