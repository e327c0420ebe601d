/**
 * Keeps, for every admitted peer, how the connection reaches it and its round-trip time
 * (connection-path.ts), read from getStats every PATH_POLL_MS; and the last reason a connection to
 * someone never opened, until that peer is admitted after all.
 */
import type { ConnectionPath } from './connection-path.ts';
import { DisposableStore, Emitter } from './events.ts';
import type { Mesh } from './mesh.ts';

/** How often the paths are read, ms (getStats is cheap, RTT changes slowly). */
export const PATH_POLL_MS = 2_000;

export interface PathState {
  paths: Record<string, ConnectionPath>;
  /** why a connection did not open (the latest), null once everyone known is connected */
  problem: string | null;
}

export class PathWatcher {
  readonly changed = new Emitter<PathState>();
  #mesh: Mesh;
  #state: PathState = { paths: {}, problem: null };
  #failed = new Set<string>();
  #store = new DisposableStore();
  #timer: ReturnType<typeof setInterval>;

  constructor(mesh: Mesh, pollMs = PATH_POLL_MS) {
    this.#mesh = mesh;
    this.#store.add(
      mesh.unreachable.on(({ id, detail }) => {
        this.#failed.add(id);
        this.#set({ ...this.#state, problem: detail });
      })
    );
    this.#store.add(
      mesh.peerJoined.on((p) => {
        this.#failed.delete(p.id);
        if (this.#failed.size === 0 && this.#state.problem) this.#set({ ...this.#state, problem: null });
        void this.poll();
      })
    );
    this.#timer = setInterval(() => void this.poll(), pollMs);
  }

  get state(): PathState {
    return this.#state;
  }

  /** Reads every peer's path now. */
  async poll(): Promise<void> {
    const peers = this.#mesh.peers;
    const found = await Promise.all(peers.map(async (p) => [p.id, await p.path()] as const));
    const paths: Record<string, ConnectionPath> = {};
    for (const [id, path] of found) if (path) paths[id] = path;
    if (JSON.stringify(paths) !== JSON.stringify(this.#state.paths)) this.#set({ ...this.#state, paths });
  }

  #set(s: PathState): void {
    this.#state = s;
    this.changed.fire(s);
  }

  dispose(): void {
    clearInterval(this.#timer);
    this.#store.dispose();
    this.changed.dispose();
  }
}

/** A freshly admitted peer's path: the pair is selected as the channel opens, but stats can lag
 * it a moment, so this asks again (every 50 ms, up to `ms`). */
export async function settledPath(peer: { path(): Promise<ConnectionPath | null> }, ms = 10_000): Promise<ConnectionPath | null> {
  const end = Date.now() + ms;
  let path: ConnectionPath | null;
  while (!(path = await peer.path()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return path;
}
