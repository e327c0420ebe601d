/**
 * Test fixtures for the replay core in Node: a database on fake-indexeddb, @xterm/headless as the
 * xterm kit, and a mesh-shaped event source. Imported by tests only.
 */
import headless from '@xterm/headless';
import serializeAddon from '@xterm/addon-serialize';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import type { Typed } from '../protocol/capability.ts';
import { Emitter } from '../mesh/events.ts';
import type { MeshPeer } from '../mesh/mesh.ts';
import type { Routed } from '../mesh/router.ts';
import { ReplayDb } from './db.ts';
import type { RecorderSource } from './recorder.ts';
import type { XtermKit } from './term-model.ts';

export const headlessKit = { Terminal: headless.Terminal, SerializeAddon: serializeAddon.SerializeAddon } as unknown as XtermKit;

export function memoryDb(): ReplayDb {
  return new ReplayDb(`test-${Math.random()}`, { indexedDB: new IDBFactory(), IDBKeyRange });
}

export function fakePeer(id: string, name: string, role = 'editor'): MeshPeer {
  return { id, name, claims: { role } } as unknown as MeshPeer;
}

export class FakeSource implements RecorderSource {
  readonly tappedE = new Emitter<Routed>();
  router = { tapped: this.tappedE };
  peerJoined = new Emitter<MeshPeer>();
  peerGone = new Emitter<{ peer: MeshPeer; reason: { kind: string } }>();
  peerRenamed = new Emitter<MeshPeer>();

  msg(peer: MeshPeer, capability: string, msg: Typed): void {
    this.tappedE.fire({ peer, capability, msg });
  }
}

/** A manual clock, ms. */
export function clock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}
