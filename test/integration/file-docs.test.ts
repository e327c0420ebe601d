/**
 * One document per open file, through real parts (host agent, Node participants over real
 * WebRTC): a file's text and changes reach only the peers that have it open; a late opener and a
 * reconnect converge; a closed file's changes stop coming.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EditorClient } from '../../src/lib/editor/editor-client.ts';
import { editorProtocol } from '../../src/lib/protocol/editor.ts';
import { SEED_SLICE_CHARS } from '../../src/lib/editor/file-docs.ts';
import { FilesClient } from '../../src/lib/files/files-client.ts';
import type { Routed } from '../../src/lib/mesh/router.ts';
import { useStack } from '../helpers/stack.ts';
import { until } from '../helpers/wait.ts';

const stack = useStack();
const clients: { dispose(): void }[] = [];

async function participant(role: 'editor' | 'viewer', name: string) {
  const p = await stack.join(role, name);
  const editor = new EditorClient(p.mesh, p.cred.role);
  const files = new FilesClient(p.mesh);
  clients.push(editor, files);
  await p.peer('host');
  /** editor messages about `path` this participant received, by type */
  const seen = (path: string) => got.filter((m) => m.path === path).map((m) => m.type);
  const got: { type: string; path: string }[] = [];
  p.mesh.router.tapped.on((r: Routed) => {
    const m = r.msg as { type: string; path?: unknown };
    if (typeof m.path === 'string' && m.type.startsWith('file-')) got.push({ type: m.type, path: m.path });
  });
  return { p, editor, files, seen };
}

const text = (e: EditorClient, path: string) => e.files.get(path)?.toString();

afterAll(() => {
  for (const c of clients) c.dispose();
});

describe('a document per open file', () => {
  it('sends a file only to the peers that opened it; a late opener catches up; a closed file stops coming', async () => {
    writeFileSync(join(stack.cwd, 'big.log'), 'line\n'.repeat(100_000));
    const [a, bystander, v] = await Promise.all([participant('editor', 'Ann'), participant('editor', 'Ben'), participant('viewer', 'Val')]);
    await until(() => [a, bystander, v].every((x) => x.p.mesh.peers.length >= 3), 'everyone connected to everyone');
    a.editor.files.open('big.log');
    await a.files.open('big.log');
    await until(() => text(a.editor, 'big.log')?.length === 500_000, "the file at Ann's");
    a.editor.files.get('big.log')!.insert(0, 'edited by Ann\n');
    await until(() => text(stack.agent.editor, 'big.log')?.startsWith('edited by Ann\n') ?? false, "Ann's edit at the host");

    // the viewer opens it late: it gets the text with the edit, then live changes
    v.editor.files.open('big.log');
    await until(() => text(v.editor, 'big.log')?.startsWith('edited by Ann\n') ?? false, 'the file at the late opener');
    a.editor.files.get('big.log')!.insert(0, '2 ');
    await until(() => text(v.editor, 'big.log')?.startsWith('2 edited by Ann\n') ?? false, 'a live change at the viewer');

    // Ann closes it: once the host and the viewer know, their changes stop reaching her
    let told = 0;
    const heard = (r: Routed) => r.peer.id === a.p.cred.participant && r.msg.type === 'file-close' && told++;
    const taps = [stack.agent.mesh.router.tapped.on(heard), v.p.mesh.router.tapped.on(heard)];
    a.editor.files.close('big.log');
    expect(a.editor.files.get('big.log')).toBeUndefined();
    await until(() => told === 2, "Ann's close at the host and the viewer");
    for (const t of taps) t.dispose();
    const before = a.seen('big.log').length;
    stack.agent.editor.files.get('big.log')!.insert(0, '3 ');
    const vt = v.editor.files.get('big.log')!;
    vt.insert(vt.length, 'viewer-local');
    await until(() => text(v.editor, 'big.log')?.startsWith('3 2 edited') ?? false, "the host's change at the viewer");
    // a marker on the same channel, sent after: once it is at Ann's, the change would be too
    stack.agent.editor.notes.insert(0, 'marker after the change ');
    await until(() => a.editor.notes.toString().startsWith('marker after the change '), 'the marker at Ann');
    expect(a.seen('big.log').slice(before)).toEqual([]);
    // (and a viewer's own edit stays its own)
    expect(text(stack.agent.editor, 'big.log')?.endsWith('line\n')).toBe(true);

    // the bystander never had it open: it heard the others open and close it, nothing of its text
    expect(bystander.editor.files.get('big.log')).toBeUndefined();
    expect(bystander.seen('big.log')).toContain('file-sync1');
    expect(bystander.seen('big.log').filter((t) => t !== 'file-sync1' && t !== 'file-close')).toEqual([]);
  });

  it('seeds a file larger than a slice whole: a CRLF and a surrogate pair at slice ends stay intact, a second opener (while it arrives) gets all of it, a save writes the same bytes', async () => {
    const S = SEED_SLICE_CHARS;
    // the first slice would end between \r and \n, the second inside a surrogate pair
    const head = 'a'.repeat(S - 1) + '\r\n';
    const body = head + 'b'.repeat(2 * S - 2 - head.length) + '\u{1F600}';
    const all = body + 'c\r\n'.repeat(S / 2);
    writeFileSync(join(stack.cwd, 'sliced.txt'), all);
    const [k, m] = await Promise.all([participant('editor', 'Kim'), participant('editor', 'Max')]);
    k.editor.files.open('sliced.txt');
    const opened = k.files.open('sliced.txt');
    await until(() => (text(k.editor, 'sliced.txt')?.length ?? 0) > 0, 'the first slice at Kim');
    m.editor.files.open('sliced.txt');
    await opened;
    await until(() => text(k.editor, 'sliced.txt') === all && text(m.editor, 'sliced.txt') === all, 'the whole file at both');
    await k.files.save('sliced.txt');
    expect(readFileSync(join(stack.cwd, 'sliced.txt'), 'utf8')).toBe(all);
  });

  it('converges after a lost connection: edits to an open file made meanwhile arrive through the file handshake', async () => {
    writeFileSync(join(stack.cwd, 'conf.ini'), 'a=1\n');
    const [g, h] = await Promise.all([participant('editor', 'Gil'), participant('editor', 'Hana')]);
    await until(() => g.p.mesh.peers.some((p) => p.id === h.p.cred.participant), 'Gil connected to Hana');
    for (const x of [g, h]) x.editor.files.open('conf.ini');
    await g.files.open('conf.ini');
    await until(() => text(g.editor, 'conf.ini') === 'a=1\n' && text(h.editor, 'conf.ini') === 'a=1\n', 'the file at both');
    const toHana = g.p.mesh.peers.find((p) => p.id === h.p.cred.participant)!;
    const toHost = g.p.mesh.peers.find((p) => p.role === 'host')!;
    const rejoined = new Promise<void>((resolve) => {
      const sub = h.p.mesh.peerJoined.on((p) => p.id === g.p.cred.participant && (sub.dispose(), resolve()));
    });
    toHana.close({ kind: 'lost', detail: 'test: connection dropped' });
    toHost.close({ kind: 'lost', detail: 'test: connection dropped' });
    g.editor.files.get('conf.ini')!.insert(4, 'b=2\n');
    await rejoined;
    await until(() => text(h.editor, 'conf.ini') === 'a=1\nb=2\n' && text(stack.agent.editor, 'conf.ini') === 'a=1\nb=2\n', "Gil's offline edit at Hana and the host");
  });

  it('keeps an open file\'s shared text, with its edits, under its new name after a rename', async () => {
    writeFileSync(join(stack.cwd, 'old.txt'), 'text\n');
    const r = await participant('editor', 'Ray');
    r.editor.files.open('old.txt');
    await r.files.open('old.txt');
    await until(() => text(r.editor, 'old.txt') === 'text\n', 'the file');
    r.editor.files.get('old.txt')!.insert(0, 'unsaved ');
    await until(() => text(stack.agent.editor, 'old.txt') === 'unsaved text\n', 'the edit at the host');
    await r.files.rename('old.txt', 'new.txt');
    // as the page does: the editor follows the file to its new name
    r.editor.files.close('old.txt');
    r.editor.files.open('new.txt');
    await until(() => text(r.editor, 'new.txt') === 'unsaved text\n', 'the edited text under the new name');
    expect(stack.agent.editor.files.paths()).not.toContain('old.txt');
    await r.files.save('new.txt');
    expect(readFileSync(join(stack.cwd, 'new.txt'), 'utf8')).toBe('unsaved text\n');
  });

  it("takes back at the host a file a writer has open that the host does not (a host started again), and only a writer's", async () => {
    const [w, v] = await Promise.all([participant('editor', 'Wes'), participant('viewer', 'Vera')]);
    // as a page whose host restarted: the file's text is here, not at the host
    w.editor.seed('kept.txt', 'edited before the restart\n');
    await until(() => text(stack.agent.editor, 'kept.txt') === 'edited before the restart\n', 'the text back at the host');
    let heard = false;
    const tap = stack.agent.mesh.router.tapped.on((r: Routed) => (heard ||= r.peer.id === v.p.cred.participant && r.msg.type === 'file-sync1'));
    v.editor.files.open('viewer-only.txt');
    // (the tap fires just before the handler runs, in the same task)
    await until(() => heard, "the viewer's file-sync1 at the host");
    tap.dispose();
    expect(stack.agent.editor.files.paths()).toContain('kept.txt');
    expect(stack.agent.editor.files.paths()).not.toContain('viewer-only.txt');
    // a bulk message that does not inflate is a strike, and changes nothing
    w.p.mesh.peers.find((p) => p.role === 'host')!.send(editorProtocol, { type: 'file-big', path: 'kept.txt', data: new Uint8Array([0xff, 0xff, 0xff, 1]) });
    await until(() => w.p.errors.some((e) => /malformed editor file-big/.test(e.message)), 'the strike told to Wes');
    expect(text(stack.agent.editor, 'kept.txt')).toBe('edited before the restart\n');
  });
});
