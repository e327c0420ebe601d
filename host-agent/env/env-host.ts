/**
 * The environment capability on the host: a snapshot when the agent starts, a checkpoint when an
 * editor asks (or `live-sessions checkpoint` runs in a shared shell), the list of snapshots to every
 * participant, and a snapshot to whoever asks for it. Checkpoints go into the audit log with their
 * author. Everything sent was redacted while it was collected (snapshot.ts).
 */
import { envProtocol, MAX_SNAPSHOTS, type EnvMessage, type Snapshot, type SnapshotInfo, type SnapshotSource } from '../../src/lib/protocol/env.ts';
import { Emitter } from '../../src/lib/mesh/events.ts';
import type { MeshPeer } from '../../src/lib/mesh/mesh.ts';
import type { AuditLog } from '../audit.ts';
import type { HostCapability } from '../capability.ts';
import { CHECKPOINT_ENV, CheckpointSocket, type ShellCheckpoint } from './checkpoint-socket.ts';
import { shellEnv } from '../terminals/pty.ts';
import { takeSnapshot, type SnapshotView } from './snapshot.ts';

export interface EnvHostOptions {
  cwd: string;
  /** the agent's (and its shells') environment at start */
  env: Record<string, string | undefined>;
  audit: AuditLog;
  log: (line: string) => void;
}

/** Checkpoints waiting behind the one being taken; more are refused (each one runs ~15 probes). */
const MAX_QUEUED = 3;
/**
 * Snapshots sent to one peer per window: a page asks for each once (they never change), so more is
 * a peer looping or flooding, and each answer is tens to hundreds of KiB queued on the host.
 */
const MAX_GETS_PER_WINDOW = 30;
const GET_WINDOW_MS = 10_000;

export class EnvHost implements HostCapability<typeof envProtocol> {
  readonly protocol = envProtocol;
  /** a snapshot was added (tests and the CLI wait on it) */
  readonly taken = new Emitter<SnapshotInfo>();
  #o: EnvHostOptions;
  #snapshots = new Map<number, Snapshot>();
  #peers = new Set<MeshPeer>();
  /** when each peer was last sent snapshots, within the window */
  #sent = new Map<MeshPeer, number[]>();
  #nextId = 1;
  #queue: Promise<unknown> = Promise.resolve();
  #queued = 0;
  #socket: CheckpointSocket;
  #disposed = false;

  constructor(o: EnvHostOptions) {
    this.#o = o;
    this.#socket = new CheckpointSocket((req) => this.#fromShell(req), o.log);
    void this.checkpoint('start', null, 'start', this.#agentView()).catch((e: Error) => o.log(`start snapshot failed: ${e.message}`));
  }

  /** What the host adds to its shells' environment so `live-sessions checkpoint` finds it. */
  get shellEnv(): Record<string, string> {
    return { [CHECKPOINT_ENV]: this.#socket.path };
  }

  get list(): SnapshotInfo[] {
    return [...this.#snapshots.values()].map((s) => s.info);
  }

  get(id: number): Snapshot | undefined {
    return this.#snapshots.get(id);
  }

  /** Takes a snapshot after those already asked for; resolves with its info once everyone was told. */
  checkpoint(label: string, author: SnapshotInfo['author'], source: SnapshotSource, view: SnapshotView): Promise<SnapshotInfo> {
    if (this.#disposed) return Promise.reject(new Error('the host agent is stopping'));
    if (this.#queued >= MAX_QUEUED) return Promise.reject(new Error('Too many checkpoints at once; wait for the ones being taken.'));
    this.#queued++;
    const run = this.#queue.then(async () => {
      const info: SnapshotInfo = { id: this.#nextId++, label: label || `checkpoint`, time: Date.now(), author, source };
      const snap = await takeSnapshot(view, info);
      this.#add(snap);
      return info;
    });
    this.#queue = run.catch(() => {}).finally(() => this.#queued--);
    return run;
  }

  #add(snap: Snapshot): void {
    if (this.#disposed) return;
    this.#snapshots.set(snap.info.id, snap);
    // the start snapshot stays: "what changed since we started" must always be answerable
    while (this.#snapshots.size > MAX_SNAPSHOTS) {
      const oldest = [...this.#snapshots.keys()].find((id) => this.#snapshots.get(id)?.info.source !== 'start');
      if (oldest === undefined) break;
      this.#snapshots.delete(oldest);
    }
    const { info } = snap;
    const who = info.author ? { sub: info.author.id, name: info.author.name, role: info.author.role } : { sub: 'host', name: info.source === 'shell' ? 'shared shell' : 'host agent', role: 'host' as const };
    this.#o.audit.record(who, { kind: 'checkpoint', id: info.id, label: info.label, source: info.source, redacted: snap.redactions.length });
    this.#o.log(`snapshot ${info.id} "${info.label}" (${info.source}) in ${snap.tookMs} ms, ${snap.redactions.length} redacted`);
    const list = this.list;
    for (const p of this.#peers) p.send(envProtocol, { type: 'list', snapshots: list });
    this.taken.fire(info);
  }

  /**
   * The environment a shell starts with (the agent's, plus what the host sets for its shells), in
   * the shared directory: so that a diff against a checkpoint typed in a shell shows what changed
   * in that shell, not the difference between the agent and a shell.
   */
  #agentView(): SnapshotView {
    const defined: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.#o.env)) if (v !== undefined) defined[k] = v;
    return { cwd: this.#o.cwd, env: { ...shellEnv({ ...defined, ...this.shellEnv }), PWD: this.#o.cwd }, pid: process.pid };
  }

  #fromShell(req: ShellCheckpoint): Promise<SnapshotInfo> {
    return this.checkpoint(req.label || 'from the shell', null, 'shell', { cwd: req.cwd, env: req.env, pid: req.pid });
  }

  addPeer(peer: MeshPeer): void {
    this.#peers.add(peer);
    peer.send(envProtocol, { type: 'list', snapshots: this.list });
  }

  removePeer(peer: MeshPeer): void {
    this.#peers.delete(peer);
    this.#sent.delete(peer);
  }

  /** Counts one snapshot sent to `peer`; false when it had its share of the window. */
  #mayGet(peer: MeshPeer): boolean {
    const now = Date.now();
    const recent = (this.#sent.get(peer) ?? []).filter((t) => now - t < GET_WINDOW_MS);
    this.#sent.set(peer, recent);
    if (recent.length >= MAX_GETS_PER_WINDOW) return false;
    recent.push(now);
    return true;
  }

  handle(peer: MeshPeer, msg: EnvMessage): void {
    switch (msg.type) {
      case 'get': {
        const snap = this.#snapshots.get(msg.id);
        if (!snap) return peer.sendError('not-found', `There is no snapshot ${msg.id} (any more).`);
        if (!this.#mayGet(peer)) return peer.sendError('rate-limited', `Too many snapshots asked for; try again in ${GET_WINDOW_MS / 1000} s.`);
        peer.send(envProtocol, { type: 'snapshot', snapshot: snap });
        return;
      }
      case 'checkpoint': {
        const { sub, name, role } = peer.claims;
        this.checkpoint(msg.label, { id: sub, name, role }, 'request', this.#agentView()).catch((e: Error) => peer.sendError('checkpoint-failed', e.message));
        return;
      }
      // messages from the host: the router never hands them to the host
      case 'list':
      case 'snapshot':
        return;
    }
  }

  dispose(): void {
    this.#disposed = true;
    this.#peers.clear();
    this.#sent.clear();
    this.#socket.dispose();
    this.taken.dispose();
  }
}
