import { describe, expect, it } from 'vitest';
import { permits } from './capability.ts';
import { EDITOR_RULES, MAX_DOC_PATH_BYTES, readEditor, updateMessage, writeEditor, BIG_UPDATE_BYTES, type EditorMessage } from './editor.ts';
import { FrameReader, split } from './frames.ts';
import { FILES_RULES, readFiles, writeFiles, type FilesMessage } from './files.ts';

function body(bytes: Uint8Array): Uint8Array {
  const r = new FrameReader();
  let m = null;
  for (const f of split(bytes)) m = r.read(f);
  return m!.body;
}

describe('files protocol', () => {
  it('round-trips every message; disk text travels as raw utf-8, CRLF and all', () => {
    const all: FilesMessage[] = [
      { type: 'list', req: 1, path: '' },
      { type: 'open', req: 2, path: 'src/a.ts' },
      { type: 'save', req: 3, path: 'a', force: true },
      { type: 'create', req: 4, path: 'd', dir: true },
      { type: 'rename', req: 5, from: 'a', to: 'b' },
      { type: 'delete', req: 6, path: 'b' },
      { type: 'reload', req: 7, path: 'b' },
      { type: 'listing', req: 1, path: '', entries: [{ name: 'a.ts', kind: 'file', size: 3 }], truncated: false },
      { type: 'opened', req: 2, path: 'a', version: 'abc', size: 3, eol: 'crlf' },
      { type: 'done', req: 3, version: null },
      { type: 'failed', req: 3, code: 'conflict', message: 'changed on disk' },
      { type: 'disk', req: 3, path: 'a', version: 'v', message: 'changed on disk', text: 'line 1\r\nzwei ✓\r\n' + 'x'.repeat(100_000) },
      { type: 'changed', paths: ['a', 'src/b'] },
      { type: 'find', req: 8, query: 'brdg' },
      { type: 'found', req: 8, paths: ['host-agent/files/bridge.ts'], truncated: true },
      { type: 'search', req: 9, query: 'TODO(', caseSensitive: true },
      { type: 'cancel', req: 9 },
      { type: 'hits', req: 9, hits: [{ path: 'a.ts', line: 3, col: 7, text: '  // TODO(me)' }], files: 12, stopped: 'cancelled' },
      { type: 'hits', req: 10, hits: [], files: 0, stopped: null }
    ];
    for (const m of all) expect(readFiles(body(writeFiles(m)))).toEqual(m);
  });

  it('refuses malformed requests with a message a developer can act on', () => {
    const enc = new TextEncoder();
    expect(() => readFiles(new Uint8Array([1, ...enc.encode('{"req":1,"path":"a\\u0000b"}')]))).toThrow(/NUL/);
    expect(() => readFiles(new Uint8Array([1, ...enc.encode('{"req":1}')]))).toThrow(/"path" must be a string/);
    expect(() => readFiles(new Uint8Array([99]))).toThrow(/unknown files message type 99/);
    expect(() => readFiles(new Uint8Array([10, 0, 0, 0, 99]))).toThrow(/truncated/);
    const msg = (type: number, o: object) => new Uint8Array([type, ...enc.encode(JSON.stringify(o))]);
    expect(() => readFiles(msg(15, { req: 1, query: '' }))).toThrow(/"query"/);
    expect(() => readFiles(msg(15, { req: 1, query: 'x'.repeat(201) }))).toThrow(/"query"/);
    expect(() => readFiles(msg(14, { req: 1, paths: Array(51).fill('a') }))).toThrow(/at most 50/);
    expect(() => readFiles(msg(16, { req: 1, hits: [], files: 0, stopped: 'bored' }))).toThrow(/stopped/);
  });

  it('lets viewers list and open but not change files; contents go on the bulk lane', () => {
    expect(permits(FILES_RULES.open, 'viewer', 'host')).toBe(true);
    expect(permits(FILES_RULES.save, 'viewer', 'host')).toBe(false);
    expect(FILES_RULES.save.denied).toMatch(/viewer/);
    expect(permits(FILES_RULES.save, 'editor', 'editor')).toBe(false);
    expect(permits(FILES_RULES.disk, 'editor', 'viewer')).toBe(false);
    expect(FILES_RULES.disk.lane).toBe('bulk');
    // finding and searching change nothing: viewers may; only the host answers
    for (const t of ['find', 'search', 'cancel'] as const) expect(permits(FILES_RULES[t], 'viewer', 'host')).toBe(true);
    expect(permits(FILES_RULES.hits, 'editor', 'viewer')).toBe(false);
    expect(FILES_RULES.hits.lane).toBe('bulk');
  });
});

describe('editor protocol', () => {
  it('round-trips each message type with one type byte', () => {
    for (const type of ['sync1', 'sync2', 'update', 'big', 'aware'] as const) {
      const m: EditorMessage = { type, data: new Uint8Array([1, 2, 3]) };
      expect(readEditor(body(writeEditor(m)))).toEqual(m);
    }
    for (const type of ['file-sync1', 'file-sync2', 'file-update', 'file-big'] as const) {
      const m: EditorMessage = { type, path: 'src/ünï.ts', data: new Uint8Array([1, 2, 3]) };
      expect(readEditor(body(writeEditor(m)))).toEqual(m);
    }
    expect(readEditor(body(writeEditor({ type: 'file-close', path: 'a/b.txt' })))).toEqual({ type: 'file-close', path: 'a/b.txt' });
  });

  it("refuses a file message whose path is missing, empty, too long, cut short or not UTF-8, and never writes one", () => {
    const raw = (...b: number[]) => new Uint8Array(b);
    expect(() => readEditor(raw(5))).toThrow(/without a path/);
    expect(() => readEditor(raw(5, 0, 0, 1))).toThrow(/path of 0 bytes/);
    expect(() => readEditor(raw(6, 0x10, 0x01, 65))).toThrow(/path of 4097 bytes/);
    expect(() => readEditor(raw(7, 0, 5, 65, 66))).toThrow(/shorter than its path/);
    expect(() => readEditor(raw(8, 0, 1, 0xff, 1))).toThrow(/not valid UTF-8/);
    expect(() => readEditor(raw(9, 0, 1, 65, 0))).toThrow(/nothing after its path/);
    expect(() => writeEditor({ type: 'file-close', path: '' })).toThrow(RangeError);
    expect(() => writeEditor({ type: 'file-close', path: 'x'.repeat(MAX_DOC_PATH_BYTES + 1) })).toThrow(RangeError);
  });

  it('sends big updates on the bulk lane, and takes document changes from writers only (strikes: no denied text)', () => {
    expect(updateMessage(new Uint8Array(10)).type).toBe('update');
    expect(updateMessage(new Uint8Array(BIG_UPDATE_BYTES + 1)).type).toBe('big');
    expect(EDITOR_RULES.big.lane).toBe('bulk');
    expect(EDITOR_RULES['file-big'].lane).toBe('bulk');
    expect(EDITOR_RULES['file-sync2'].lane).toBe('bulk');
    for (const t of ['file-sync1', 'file-close'] as const) expect(permits(EDITOR_RULES[t], 'viewer', 'host')).toBe(true);
    for (const t of ['sync2', 'update', 'big', 'file-sync2', 'file-update', 'file-big'] as const) {
      expect(permits(EDITOR_RULES[t], 'viewer', 'editor')).toBe(false);
      expect(EDITOR_RULES[t].denied).toBeUndefined();
      expect(permits(EDITOR_RULES[t], 'editor', 'viewer')).toBe(true);
    }
    expect(permits(EDITOR_RULES.aware, 'viewer', 'editor')).toBe(true);
    expect(permits(EDITOR_RULES.sync1, 'viewer', 'host')).toBe(true);
  });
});
