/**
 * The shared editor on the host's files, through real parts: a host agent with its file bridge,
 * Node participants over real WebRTC, each with the product's EditorClient and FilesClient.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { editorProtocol } from '../../src/lib/protocol/editor.ts';
import { MAX_HITS } from '../../src/lib/protocol/files.ts';
import { EditorClient } from '../../src/lib/editor/editor-client.ts';
import { FilesClient, FilesError } from '../../src/lib/files/files-client.ts';
import type { Routed } from '../../src/lib/mesh/router.ts';
import { useStack } from '../helpers/stack.ts';
import { until } from '../helpers/wait.ts';

const stack = useStack();
const clients: { dispose(): void }[] = [];

async function participant(role: 'owner' | 'editor' | 'viewer', name: string) {
  const p = await stack.join(role, name);
  // registered before any connection opens (nothing has run since the mesh was made)
  const editor = new EditorClient(p.mesh, p.cred.role);
  const files = new FilesClient(p.mesh);
  clients.push(editor, files);
  await p.peer('host');
  /** opens a file as a page does: the host seeds it, and this peer syncs the file's own document */
  const open = async (path: string) => {
    const opened = await files.open(path);
    editor.files.open(opened.path);
    return opened;
  };
  return { p, editor, files, open };
}

const text = (e: EditorClient, path: string) => e.files.get(path)?.toString();
const audit = () =>
  readFileSync(stack.agent.audit.path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

afterAll(() => {
  for (const c of clients) c.dispose();
});

describe('files and the shared document', () => {
  it('lists, opens without duplicating, converges edits, saves CRLF unchanged and audits the author', async () => {
    writeFileSync(join(stack.cwd, 'app.conf'), 'port = 80\r\nhost = a\r\n');
    const [a, b] = await Promise.all([participant('editor', 'Ada'), participant('owner', 'Bob')]);
    expect((await a.files.list('')).entries).toContainEqual({ name: 'app.conf', kind: 'file', size: 21 });
    // both open at once: the host seeds once
    const [oa, ob] = await Promise.all([a.open('app.conf'), b.open('./app.conf')]);
    expect(oa).toMatchObject({ path: 'app.conf', eol: 'crlf' });
    expect(ob.version).toBe(oa.version);
    await until(() => text(a.editor, 'app.conf') !== undefined && text(b.editor, 'app.conf') !== undefined, 'the seeded text at both');
    expect(text(a.editor, 'app.conf')).toBe('port = 80\r\nhost = a\r\n');
    // concurrent edits converge everywhere
    a.editor.files.get('app.conf')!.insert(9, '80');
    b.editor.files.get('app.conf')!.insert(0, '# tuned\r\n');
    const want = '# tuned\r\nport = 8080\r\nhost = a\r\n';
    await until(() => [a, b].every((c) => text(c.editor, 'app.conf') === want) && text(stack.agent.editor, 'app.conf') === want, 'convergence');
    const version = await a.files.save('app.conf');
    expect(readFileSync(join(stack.cwd, 'app.conf'), 'utf8')).toBe(want);
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    await until(() => audit().some((e) => e.kind === 'file' && e.action === 'save' && e.path === 'app.conf' && e.who.name === 'Ada'), 'the audited save');
  });

  it('refuses a save over a file changed on disk, hands over both versions, and resolves without loss', async () => {
    writeFileSync(join(stack.cwd, 'notes.md'), 'one\n');
    const { editor, files, open } = await participant('editor', 'Cy');
    await open('notes.md');
    await until(() => text(editor, 'notes.md') === 'one\n', 'the text');
    const changed: string[][] = [];
    files.changed.on((p) => changed.push(p));
    editor.files.get('notes.md')!.insert(4, 'mine\n');
    writeFileSync(join(stack.cwd, 'notes.md'), 'one\ntheirs (sed)\n');
    await until(() => changed.some((p) => p.includes('notes.md')), 'the disk-change notice');
    const err = (await files.save('notes.md').catch((e) => e)) as FilesError;
    expect(err).toBeInstanceOf(FilesError);
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/changed on disk/);
    expect(err.disk?.text).toBe('one\ntheirs (sed)\n');
    // nothing overwritten, nothing lost
    expect(readFileSync(join(stack.cwd, 'notes.md'), 'utf8')).toBe('one\ntheirs (sed)\n');
    expect(text(editor, 'notes.md')).toBe('one\nmine\n');
    // the user merges in the shared buffer and overwrites
    editor.files.get('notes.md')!.insert(9, 'theirs (sed)\n');
    await files.save('notes.md', true);
    expect(readFileSync(join(stack.cwd, 'notes.md'), 'utf8')).toBe('one\nmine\ntheirs (sed)\n');
    // another disk change, taken this time: the shared text becomes the disk's
    writeFileSync(join(stack.cwd, 'notes.md'), 'reset\n');
    await files.reload('notes.md');
    await until(() => text(editor, 'notes.md') === 'reset\n', 'the reloaded text');
  });

  it('refuses paths outside the root, binary files and viewers, with messages', async () => {
    const { files } = await participant('editor', 'Dee');
    await expect(files.open('../etc/passwd')).rejects.toMatchObject({ code: 'outside' });
    await expect(files.open('/etc/passwd')).rejects.toThrow(/absolute path/);
    writeFileSync(join(stack.cwd, 'a.out'), Buffer.from([1, 0, 2]));
    await expect(files.open('a.out')).rejects.toMatchObject({ code: 'binary' });
    await files.create('dir', true);
    await files.create('dir/new.txt');
    await files.rename('dir/new.txt', 'dir/renamed.txt');
    expect((await files.list('dir')).entries.map((e) => e.name)).toEqual(['renamed.txt']);
    await files.delete('dir');
    await expect(files.list('dir')).rejects.toMatchObject({ code: 'not-found' });
    // a viewer's client asked to save anyway: the host refuses it, says why, and writes nothing
    const v = await participant('viewer', 'Vi');
    const before = readFileSync(join(stack.cwd, 'app.conf'), 'utf8');
    void v.files.save('app.conf').catch(() => {});
    void v.files.delete('app.conf').catch(() => {});
    await until(() => v.p.errors.length >= 2, 'the refusals');
    expect(v.p.errors.map((e) => e.message)).toEqual(['You are a viewer: you cannot save files.', 'You are a viewer: you cannot delete files.']);
    expect(readFileSync(join(stack.cwd, 'app.conf'), 'utf8')).toBe(before);
  }, 60_000);

  it("drops a viewer's crafted document changes at every peer and strikes the viewer", async () => {
    const e = await participant('editor', 'Eve');
    const v = await participant('viewer', 'Vic');
    await until(() => v.p.mesh.peers.some((p) => p.id === e.p.cred.participant), 'the viewer connected to the editor');
    await e.open('app.conf');
    await v.open('app.conf');
    await until(() => text(v.editor, 'app.conf') !== undefined && text(e.editor, 'app.conf') !== undefined, 'the text at both');
    const before = text(e.editor, 'app.conf');
    const refusedAt = { host: [] as Routed[], editor: [] as Routed[] };
    stack.agent.mesh.router.refused.on((r) => r.peer.id === v.p.cred.participant && refusedAt.host.push(r));
    e.p.mesh.router.refused.on((r) => r.peer.id === v.p.cred.participant && refusedAt.editor.push(r));
    // a forged change made in a copy of the file's document, sent the three ways a change can
    // travel (and the session document's three ways, with a change to the notes)
    const own = v.editor.files.open('app.conf');
    const forged = new Y.Doc();
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(own));
    forged.getMap<Y.Text>('file').get('text')!.insert(0, 'rm -rf / # ');
    const update = Y.encodeStateAsUpdate(forged, Y.encodeStateVector(own));
    const notes = new Y.Doc();
    notes.getText('notes').insert(0, 'forged');
    const sessionUpdate = Y.encodeStateAsUpdate(notes);
    for (const p of v.p.mesh.peers) {
      for (const type of ['update', 'sync2', 'big'] as const) p.send(editorProtocol, { type, data: sessionUpdate });
      for (const type of ['file-update', 'file-sync2', 'file-big'] as const) p.send(editorProtocol, { type, path: 'app.conf', data: update });
    }
    const all = ['update', 'sync2', 'big', 'file-update', 'file-sync2', 'file-big'];
    await until(() => refusedAt.host.length === 6 && refusedAt.editor.length === 6, 'the refusals at the host and the editor');
    expect(refusedAt.host.map((r) => r.msg.type)).toEqual(all);
    expect(refusedAt.editor.map((r) => r.msg.type)).toEqual(all);
    await until(() => v.p.errors.filter((x) => x.code === 'forbidden').length >= 12, 'strikes told to the viewer');
    expect(e.editor.notes.toString()).not.toContain('forged');
    expect(text(e.editor, 'app.conf')).toBe(before);
    expect(text(stack.agent.editor, 'app.conf')).toBe(before);
    // and a viewer's own client never sends its local changes
    v.editor.files.get('app.conf')!.insert(0, 'local only ');
    e.editor.files.get('app.conf')!.insert(0, '#');
    await until(() => text(v.editor, 'app.conf')!.startsWith('local only #') || text(v.editor, 'app.conf')!.startsWith('#local only '), 'the editor change at the viewer');
    expect(text(e.editor, 'app.conf')).toBe('#' + before);
  });

  it('brings a late joiner up to date and binds awareness to its peer', async () => {
    const a = await participant('editor', 'Fay');
    a.editor.notes.insert(0, 'incident 42: disk full');
    a.editor.setPresence({ user: { name: 'Fay', color: '#f00', id: a.p.cred.participant }, file: 'notes', sel: [] });
    const late = await participant('viewer', 'Late');
    await until(() => late.editor.notes.toString() === 'incident 42: disk full', 'the notes at the late joiner');
    await until(() => [...late.editor.others().values()].some((s) => s.user.name === 'Fay' && s.file === 'notes'), "Fay's presence");
    await a.p.dispose();
    await until(() => ![...late.editor.others().values()].some((s) => s.user.name === 'Fay'), "Fay's presence gone after she left", 5_000);
  });

  it('sends a cursor again only when it moved: typing at one place shares one selection, not one per key', async () => {
    const [a, b] = await Promise.all([participant('editor', 'Ida'), participant('editor', 'Jon')]);
    await until(() => b.p.mesh.peers.some((p) => p.id === a.p.cred.participant) && a.p.mesh.peers.some((p) => p.id === b.p.cred.participant), 'Ida and Jon connected');
    // Ida's states with her name in them (her greeting, sent on connecting, has none yet)
    const fromIda: string[] = [];
    const tap = b.p.mesh.router.tapped.on((r: Routed) => {
      const state = r.peer.id === a.p.cred.participant && r.msg.type === 'aware' ? new TextDecoder().decode((r.msg as unknown as { data: Uint8Array }).data) : '';
      if (state.includes('"name":"Ida"')) fromIda.push(state);
    });
    const user = { name: 'Ida', color: '#0f0', id: a.p.cred.participant };
    // a text of its own (the notes hold earlier tests' text)
    const [text, seen] = [a.editor.doc.getText('typing'), b.editor.doc.getText('typing')];
    const at = (i: number) => [{ anchor: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, i)), head: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, i)) }];
    text.insert(0, 'ab');
    // Ida's own awareness changes (an unchanged selection is not set again: no event, no work)
    let local = 0;
    const count = (_: unknown, origin: unknown) => void (origin === 'local' && local++);
    a.editor.awareness.on('update', count);
    a.editor.setPresence({ user, file: 'notes', sel: at(1) });
    // typing between a and b, as a page does: an insert, then the selection set again after it
    for (const [i, ch] of [...'xyz'].entries()) {
      text.insert(1 + i, ch);
      a.editor.setPresence({ sel: at(2 + i) });
    }
    a.editor.setPresence({ sel: at(0) });
    a.editor.awareness.off('update', count);
    expect(local).toBe(2);
    await until(() => seen.toString() === 'axyzb', 'the typing at Jon');
    await until(() => [...b.editor.others().values()].some((s) => s.user.name === 'Ida' && JSON.stringify(s.sel) === JSON.stringify(at(0))), "Ida's last cursor at Jon");
    tap.dispose();
    // the first selection and the move to the start; the keystrokes between moved nothing
    expect(fromIda).toHaveLength(2);
  });

  it('converges after a lost connection (edits made meanwhile arrive through the sync handshake), and two seeds never duplicate', async () => {
    const [a, b] = await Promise.all([participant('editor', 'Gus'), participant('editor', 'Hal')]);
    await until(() => a.p.mesh.peers.some((p) => p.id === b.p.cred.participant), 'Gus connected to Hal');
    const toHal = a.p.mesh.peers.find((p) => p.id === b.p.cred.participant)!;
    const rejoined = new Promise<void>((resolve) => {
      const sub = b.p.mesh.peerJoined.on((p) => p.id === a.p.cred.participant && (sub.dispose(), resolve()));
    });
    toHal.close({ kind: 'lost', detail: 'test: connection dropped' });
    a.editor.notes.insert(0, 'typed while Hal was away; ');
    await rejoined;
    await until(() => b.editor.notes.toString().startsWith('typed while Hal was away; '), "Gus's offline edit at Hal after the reconnect");
    // the host and a participant seed the same path at the same moment: one text wins, no duplicate
    b.editor.files.open('seeded.txt');
    stack.agent.editor.seed('seeded.txt', 'hello\n');
    a.editor.seed('seeded.txt', 'hello\n');
    await until(() => [a, b].every((c) => text(c.editor, 'seeded.txt') !== undefined) && text(stack.agent.editor, 'seeded.txt') !== undefined, 'the seed everywhere');
    await until(() => new Set([a, b].map((c) => text(c.editor, 'seeded.txt')).concat(text(stack.agent.editor, 'seeded.txt'))).size === 1, 'one text');
    expect(text(b.editor, 'seeded.txt')).toBe('hello\n');
  });

  it('quick open and search in files answer a viewer too; a new search or a cancel stops the previous one', async () => {
    mkdirSync(join(stack.cwd, 'deep/er'), { recursive: true });
    writeFileSync(join(stack.cwd, 'deep/er/findme-config.yaml'), 'level: 1\nmarker: zebra-7\n');
    for (let i = 0; i < 300; i++) writeFileSync(join(stack.cwd, `deep/filler-${i}.txt`), 'zebra\n'.repeat(5));
    const v = await participant('viewer', 'Vic');
    expect((await v.files.find('fmcfg')).paths[0]).toBe('deep/er/findme-config.yaml');
    const r = await v.files.search('zebra-7').result;
    expect(r).toMatchObject({ stopped: null, hits: [{ path: 'deep/er/findme-config.yaml', line: 2, col: 9, text: 'marker: zebra-7' }] });
    // a second search supersedes the first; a cancel stops the one it names
    const first = v.files.search('zebra');
    const second = v.files.search('ZEBRA', true);
    expect((await first.result).stopped).toBe('cancelled');
    expect((await second.result).hits).toEqual([]);
    const third = v.files.search('zebra');
    third.cancel();
    const cut = await third.result;
    expect(['cancelled', 'hits']).toContain(cut.stopped);
    expect(cut.hits.length).toBeLessThanOrEqual(MAX_HITS);
  });
});
