/**
 * A participant's side of environment snapshots, without DOM: the page and the Node test peers use
 * it alike. Keeps the host's list of snapshots, fetches a snapshot when asked (once: snapshots never
 * change after they are taken, so each is kept), and asks the host for checkpoints. Roles are the
 * host's to check; the page only hides the button from viewers.
 */
import { envProtocol, type EnvMessage, type Snapshot, type SnapshotInfo } from '../protocol/env.ts';
import { DisposableStore, Emitter } from '../mesh/events.ts';
import type { Mesh } from '../mesh/mesh.ts';

/** How long a snapshot may take to arrive before `get` gives up, ms. */
export const GET_TIMEOUT_MS = 30_000;

interface Waiter {
  resolve: (s: Snapshot) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class EnvClient {
  /** the host's snapshots, oldest first */
  snapshots: SnapshotInfo[] = [];
  readonly changed = new Emitter<SnapshotInfo[]>();
  #mesh: Mesh;
  #cache = new Map<number, Snapshot>();
  #waiting = new Map<number, Waiter[]>();
  #store = new DisposableStore();

  constructor(mesh: Mesh) {
    this.#mesh = mesh;
    this.#store.add(mesh.router.register(envProtocol, (_p, m) => this.#receive(m)));
    // a host that comes back may have lost nothing, but answers nothing asked of the old connection
    this.#store.add(mesh.peerJoined.on((p) => p.claims.role === 'host' && this.#reask()));
    this.#store.add(this.changed);
  }

  #receive(m: EnvMessage): void {
    switch (m.type) {
      case 'list':
        this.snapshots = m.snapshots;
        return this.changed.fire(m.snapshots);
      case 'snapshot': {
        const id = m.snapshot.info.id;
        this.#cache.set(id, m.snapshot);
        for (const w of this.#waiting.get(id) ?? []) w.resolve(m.snapshot);
        this.#waiting.delete(id);
        return;
      }
      // messages for the host: the router never hands them to a participant
      case 'get':
      case 'checkpoint':
        return;
    }
  }

  #reask(): void {
    for (const id of this.#waiting.keys()) this.#mesh.host?.send(envProtocol, { type: 'get', id });
  }

  /** The snapshot `id`, from the host the first time. Rejects when no host answers in time. */
  get(id: number): Promise<Snapshot> {
    const cached = this.#cache.get(id);
    if (cached) return Promise.resolve(cached);
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        resolve: (s) => (clearTimeout(w.timer), resolve(s)),
        reject: (e) => (clearTimeout(w.timer), reject(e)),
        timer: setTimeout(() => {
          const list = this.#waiting.get(id) ?? [];
          if (list.includes(w)) list.splice(list.indexOf(w), 1);
          if (list.length === 0) this.#waiting.delete(id);
          reject(new Error(`Snapshot ${id} did not arrive within ${GET_TIMEOUT_MS / 1000} s.`));
        }, GET_TIMEOUT_MS)
      };
      const waiters = this.#waiting.get(id);
      if (waiters) return void waiters.push(w);
      this.#waiting.set(id, [w]);
      this.#mesh.host?.send(envProtocol, { type: 'get', id });
    });
  }

  /** Asks the host for a checkpoint; false when no host is there. It shows up in `snapshots`. */
  checkpoint(label: string): boolean {
    const host = this.#mesh.host;
    host?.send(envProtocol, { type: 'checkpoint', label: label.slice(0, 200) });
    return !!host;
  }

  dispose(): void {
    for (const list of this.#waiting.values()) for (const w of list) w.reject(new Error('The session was closed.'));
    this.#waiting.clear();
    this.#store.dispose();
  }
}
