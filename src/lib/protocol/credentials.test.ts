import { describe, expect, it } from 'vitest';
import { nameProblem } from './credentials.ts';
import { readMesh, writeMesh } from './mesh.ts';

describe('display names', () => {
  it('cannot impersonate a role nor hide characters; plain names pass', () => {
    for (const bad of ['laptop (host)', 'Eve [owner]', 'x {Editor}', 'a\u202Eb', 'tab\there', ' ', 'y'.repeat(65)]) expect(nameProblem(bad), bad).not.toBeNull();
    for (const ok of ['Olivia', 'Host-box 3', 'Zoë (ops)', 'editor-in-chief']) expect(nameProblem(ok), ok).toBeNull();
    const body = writeMesh({ type: 'rename', name: 'laptop (host)' }).subarray(1);
    expect(() => readMesh(body)).toThrow(/look like a role/);
  });
});
