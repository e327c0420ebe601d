/**
 * A participant's side of shared terminals, without DOM: the page and the Node test peers use it
 * alike. Keeps the host's terminal list, feeds each attached sink through an OutputStream
 * (snapshot, then live output in order, no gaps or duplicates), re-subscribes from where it left
 * off whenever the host (re)joins, and sends typed requests to the host. It does not check roles:
 * the host does, where the input lands (the page checks before calling, to keep the mesh quiet).
 */
import { MAX_INPUT_BYTES, terminalProtocol, type TermInfo, type TerminalDown, type TerminalMessage, type TerminalUp } from '../protocol/terminal.ts';
import { DisposableStore, Emitter } from '../mesh/events.ts';
import type { Mesh, MeshPeer } from '../mesh/mesh.ts';
import { OutputStream, type TerminalSink } from './output-stream.ts';

const encoder = new TextEncoder();
/** Output kept for a terminal that has a snapshot but no sink yet, bytes; beyond, attach asks afresh. */
const MAX_EARLY_BYTES = 1024 * 1024;

/** What the host sent before the page attached a sink: its snapshot and the output after it. */
interface Early {
  snapshot: Extract<TerminalDown, { type: 'snapshot' }>;
  outputs: { seq: number; data: Uint8Array }[];
  bytes: number;
}

export class TerminalClient {
  /** the host's terminals, as last announced */
  terminals: TermInfo[] = [];
  readonly changed = new Emitter<TermInfo[]>();
  #mesh: Mesh;
  #streams = new Map<number, OutputStream>();
  #early = new Map<number, Early>();
  #store = new DisposableStore();

  constructor(mesh: Mesh) {
    this.#mesh = mesh;
    this.#store.add(mesh.router.register(terminalProtocol, (_p, m) => this.#receive(m)));
    this.#store.add(mesh.peerJoined.on((p) => p.claims.role === 'host' && this.#resubscribe(p)));
    this.#store.add(this.changed);
  }

  #receive(m: TerminalMessage): void {
    switch (m.type) {
      case 'output': {
        const stream = this.#streams.get(m.id);
        if (stream) return stream.output(m.seq, m.data);
        const early = this.#early.get(m.id);
        if (!early) return;
        early.outputs.push({ seq: m.seq, data: m.data });
        early.bytes += m.data.length;
        if (early.bytes > MAX_EARLY_BYTES) this.#early.delete(m.id);
        return;
      }
      case 'snapshot': {
        const stream = this.#streams.get(m.id);
        if (stream) return stream.snapshot(m.seq, m.data, m.cols, m.rows);
        this.#early.set(m.id, { snapshot: m, outputs: [], bytes: 0 });
        return;
      }
      case 'terms':
        this.terminals = m.list;
        for (const id of this.#early.keys()) if (!m.list.some((t) => t.id === id)) this.#early.delete(id);
        return this.changed.fire(m.list);
      // messages for the host: the router never hands them to a participant
      case 'input':
      case 'open':
      case 'close':
      case 'restart':
      case 'resize':
      case 'sub':
      case 'ack':
        return;
    }
  }

  #resubscribe(host: MeshPeer): void {
    for (const [id, s] of this.#streams) host.send(terminalProtocol, { type: 'sub', id, from: s.resumeFrom() });
  }

  #toHost(msg: TerminalUp): boolean {
    const host = this.#mesh.host;
    host?.send(terminalProtocol, msg);
    return !!host;
  }

  /** Starts receiving a terminal's output into `sink`; returns what stops it. */
  attach(id: number, sink: TerminalSink): () => void {
    const stream = new OutputStream(
      sink,
      (from) => this.#toHost({ type: 'sub', id, from }),
      (seq) => this.#toHost({ type: 'ack', id, seq })
    );
    this.#streams.set(id, stream);
    const early = this.#early.get(id);
    this.#early.delete(id);
    if (early) {
      // the host sent it as the channel opened: no round trip to ask for it
      const s = early.snapshot;
      stream.snapshot(s.seq, s.data, s.cols, s.rows);
      for (const o of early.outputs) stream.output(o.seq, o.data);
    } else {
      this.#toHost({ type: 'sub', id });
    }
    return () => {
      if (this.#streams.get(id) === stream) this.#streams.delete(id);
    };
  }

  /** Keystrokes or a paste, split into messages the host accepts. False when no host is there. */
  input(id: number, data: string | Uint8Array): boolean {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    if (!this.#mesh.host) return false;
    for (let at = 0; at < bytes.length; at += MAX_INPUT_BYTES) this.#toHost({ type: 'input', id, data: bytes.subarray(at, at + MAX_INPUT_BYTES) });
    return true;
  }

  open(cols: number, rows: number): boolean {
    return this.#toHost({ type: 'open', cols, rows });
  }

  close(id: number): boolean {
    return this.#toHost({ type: 'close', id });
  }

  restart(id: number): boolean {
    return this.#toHost({ type: 'restart', id });
  }

  resize(id: number, cols: number, rows: number): boolean {
    return this.#toHost({ type: 'resize', id, cols, rows });
  }

  dispose(): void {
    this.#streams.clear();
    this.#early.clear();
    this.#store.dispose();
  }
}
