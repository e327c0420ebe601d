/**
 * In-memory files: text files that live only in the session's shared document (the `memory` map:
 * name → Y.Text), beside the notes — a browser-only session's scratch files, and scratch files in any
 * session. Every writer can create, rename and delete them; nothing reaches a disk. They last as long
 * as someone in the session holds the document (and in each browser's recording).
 *
 * Names come from peers, so what is listed is checked here: a name is 1–MAX_NAME_CHARS printable
 * characters without `/` or `\`; other entries (a misbehaving writer's) are not listed, and at most
 * MAX_MEMORY_FILES are.
 */
import * as Y from 'yjs';

export const MAX_NAME_CHARS = 100;
export const MAX_MEMORY_FILES = 200;
/** Editor paths of in-memory files start with this (no host path starts with `/`). */
export const MEMORY_PREFIX = '/memory/';

// eslint-disable-next-line no-control-regex
const BAD_CHARS = /[\u0000-\u001f\u007f-\u009f/\\\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Why a name cannot be an in-memory file's, or null. */
export function memoryNameProblem(name: string): string | null {
  if (name.trim() !== name || name.length === 0) return 'A name cannot be empty or start or end with a space.';
  if (name.length > MAX_NAME_CHARS) return `A name is at most ${MAX_NAME_CHARS} characters.`;
  if (BAD_CHARS.test(name)) return 'A name cannot contain / or \\ or control characters.';
  if (name === '.' || name === '..') return 'Pick another name.';
  return null;
}

export const memoryPath = (name: string) => MEMORY_PREFIX + name;
/** The name in an editor path, or null when the path is not an in-memory file's. */
export const memoryName = (path: string | null) => (path?.startsWith(MEMORY_PREFIX) ? path.slice(MEMORY_PREFIX.length) : null);

export class MemoryFiles {
  readonly map: Y.Map<Y.Text>;

  constructor(doc: Y.Doc) {
    this.map = doc.getMap<Y.Text>('memory');
  }

  /** valid names, sorted, at most MAX_MEMORY_FILES */
  names(): string[] {
    const out: string[] = [];
    for (const [name, v] of this.map) if (v instanceof Y.Text && memoryNameProblem(name) === null) out.push(name);
    return out.sort((a, b) => a.localeCompare(b)).slice(0, MAX_MEMORY_FILES);
  }

  text(name: string): Y.Text | null {
    const t = this.map.get(name);
    return t instanceof Y.Text && memoryNameProblem(name) === null ? t : null;
  }

  /** Throws a sentence a person can act on. An existing name is refused (nobody's text is replaced). */
  create(name: string, content = ''): void {
    const problem = memoryNameProblem(name);
    if (problem) throw new Error(problem);
    if (this.map.has(name)) throw new Error(`"${name}" already exists.`);
    if (this.map.size >= MAX_MEMORY_FILES) throw new Error(`A session keeps at most ${MAX_MEMORY_FILES} in-memory files: delete some first.`);
    this.map.set(name, new Y.Text(content));
  }

  /** A Y.Text cannot move: the new name gets a copy of the text, in one transaction. */
  rename(from: string, to: string): void {
    const t = this.text(from);
    if (!t) throw new Error(`"${from}" does not exist any more.`);
    if (from === to) return;
    this.map.doc!.transact(() => {
      this.create(to, t.toString());
      this.map.delete(from);
    });
  }

  remove(name: string): void {
    this.map.delete(name);
  }
}
