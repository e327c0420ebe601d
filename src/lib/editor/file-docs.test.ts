import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { FileDocs, SEED_SLICE_CHARS } from './file-docs.ts';
import type { Mesh } from '../mesh/mesh.ts';

/** A mesh with no peers (what is sent is not looked at here). */
const mesh = { broadcast: () => {} } as unknown as Mesh;

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
});
