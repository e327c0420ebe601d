import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { FileDocs, SEED_SLICE_CHARS } from './file-docs.ts';
import { editorProtocol, type FileDocMessage } from '../protocol/editor.ts';
import { inflate } from './deflate.ts';
import type { Mesh, MeshPeer } from '../mesh/mesh.ts';

/** A mesh with no peers (what is sent is not looked at here). */
const mesh = { broadcast: () => {} } as unknown as Mesh;

/** A mesh whose one peer has every file open: what is broadcast to it, decoded, in order. */
function meshTo(sent: FileDocMessage[]): Mesh {
  return { broadcast: (_p: unknown, m: FileDocMessage, to?: (p: MeshPeer) => boolean) => (!to || to(peer)) && sent.push(editorProtocol.read(editorProtocol.write(m).subarray(1)) as FileDocMessage) } as unknown as Mesh;
}
const peer = { role: 'editor', strike: () => {} } as unknown as MeshPeer;

describe('file documents', () => {
  it("tell the whole text's length with its first slice, so a page knows a large file before the rest arrives", async () => {
    const host = new FileDocs(mesh, true);
    const updates: Uint8Array[] = [];
    host.open('big.js').on('update', (u: Uint8Array) => updates.push(u));
    const text = 'const x = 1;\n'.repeat(Math.ceil((2.5 * SEED_SLICE_CHARS) / 13));
    const seeding = host.seed('big.js', text);
    // the first slice is in (synchronously), the rest comes a slice per task
    expect(host.get('big.js')!.length).toBe(SEED_SLICE_CHARS);
    expect(host.seededLength('big.js')).toBe(text.length);
    await seeding;
    expect(host.get('big.js')!.toString()).toBe(text);

    // a page that has only the first update knows the length too
    const page = new Y.Doc();
    Y.applyUpdate(page, updates[0]);
    expect(page.getMap('file').get('length')).toBe(text.length);
    expect((page.getMap('file').get('text') as Y.Text).length).toBe(SEED_SLICE_CHARS);
    host.dispose();
  });

  it('count a text without the entry (a host of a previous version) as of unknown length', () => {
    const docs = new FileDocs(mesh, false);
    const doc = docs.open('a.txt');
    doc.getMap('file').set('text', new Y.Text('hi'));
    expect(docs.seededLength('a.txt')).toBe(0);
    doc.getMap('file').set('length', 'lots');
    expect(docs.seededLength('a.txt')).toBe(0);
    docs.dispose();
  });

  it("send a seed's slices in the order they were made, so that a peer never holds one waiting for another", async () => {
    const sent: FileDocMessage[] = [];
    const host = new FileDocs(meshTo(sent), true);
    host.receive(peer, { type: 'file-sync1', path: 'big.js', data: Y.encodeStateVector(new Y.Doc()) });
    // different slices (deflated in the thread pool, the small ones finish first)
    const text = Array.from({ length: 12 }, (_, i) => (i % 2 ? 'x'.repeat(SEED_SLICE_CHARS) : Array.from({ length: SEED_SLICE_CHARS / 8 }, (_, j) => `${j}`.padStart(8)).join(''))).join('');
    await host.seed('big.js', text);
    await expect.poll(() => sent.filter((m) => m.type === 'file-big').length, { timeout: 10_000 }).toBe(12);
    const page = new Y.Doc();
    for (const m of sent) {
      if (m.type !== 'file-big' && m.type !== 'file-update') continue;
      Y.applyUpdate(page, m.type === 'file-big' ? await inflate(m.data) : m.data);
      expect(page.store.pendingStructs).toBeNull();
    }
    expect((page.getMap('file').get('text') as Y.Text).toString()).toBe(text);
    host.dispose();
  });
});
