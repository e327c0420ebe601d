import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MAX_MEMORY_FILES, MemoryFiles, memoryName, memoryNameProblem, memoryPath } from './memory-files.ts';

/** two documents that exchange every update, like two peers */
function pair() {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on('update', (u: Uint8Array, o: unknown) => o !== 'b' && Y.applyUpdate(b, u, 'a'));
  b.on('update', (u: Uint8Array, o: unknown) => o !== 'a' && Y.applyUpdate(a, u, 'b'));
  return [new MemoryFiles(a), new MemoryFiles(b)] as const;
}

describe('in-memory files', () => {
  it('are created, edited, renamed and deleted by any writer, and everyone sees the same', () => {
    const [a, b] = pair();
    a.create('plan.md');
    b.text('plan.md')!.insert(0, 'check disk');
    expect(a.text('plan.md')!.toString()).toBe('check disk');
    b.rename('plan.md', 'todo.md');
    expect(a.names()).toEqual(['todo.md']);
    expect(a.text('todo.md')!.toString()).toBe('check disk');
    a.remove('todo.md');
    expect(b.names()).toEqual([]);
  });

  it('never replaces an existing file, and refuses names that are not names', () => {
    const [a] = pair();
    a.create('x.txt', 'keep');
    expect(() => a.create('x.txt')).toThrow(/already exists/);
    expect(a.text('x.txt')!.toString()).toBe('keep');
    for (const bad of ['', ' x', 'a/b', '..', 'a\\b', 'a\u0000', 'x'.repeat(101), 'evil\u202etxt']) expect(memoryNameProblem(bad), JSON.stringify(bad)).not.toBeNull();
    expect(() => a.rename('x.txt', 'a/b')).toThrow(/cannot contain/);
    expect(a.names()).toEqual(['x.txt']);
  });

  it("lists only valid entries a misbehaving writer put in the map, and at most MAX_MEMORY_FILES", () => {
    const [a, b] = pair();
    b.map.set('../etc/passwd', new Y.Text('x'));
    b.map.set('ok.txt', new Y.Text('y'));
    expect(a.names()).toEqual(['ok.txt']);
    expect(a.text('../etc/passwd')).toBeNull();
    for (let i = 0; i < MAX_MEMORY_FILES + 5; i++) b.map.set(`f${i}`, new Y.Text(''));
    expect(a.names()).toHaveLength(MAX_MEMORY_FILES);
    expect(() => a.create('one-more')).toThrow(/at most/);
  });

  it('has editor paths no host path can take', () => {
    expect(memoryName(memoryPath('a.md'))).toBe('a.md');
    expect(memoryName('src/a.md')).toBeNull();
    expect(memoryName(null)).toBeNull();
  });
});
