/**
 * The host's side of shared terminals: streams each terminal's sequence-numbered output to the
 * peers that subscribed, writes editors' input to the PTY in arrival order, and refuses input and
 * terminal changes from viewers — here, where the input lands, whatever the viewer's UI did.
 *
 * Backpressure: a peer whose backlog passes MAX_PEER_BACKLOG_BYTES stops receiving live output
 * (so it cannot grow host memory or slow the others); once it drained it resumes from the ring
 * buffer (tail) when that still covers the gap, else from a fresh snapshot.
 */
import { parseToHost, type GuestMessage, type HostMessage } from '../src/lib/protocol/control.ts';
import { FRAME, writeTermOutput, type Frame } from '../src/lib/protocol/frames.ts';
import { canWrite } from '../src/lib/protocol/roles.ts';
import { ProtocolError } from '../src/lib/protocol/validate.ts';
import type { MeshPeer } from '../src/lib/mesh/mesh.ts';
import type { AuditLog } from './audit.ts';
import type { HostTerminal } from './terminals/terminal.ts';
import type { TerminalSet } from './terminals/terminal-set.ts';

/** Past this many unsent bytes a peer is considered stalled, bytes. */
export const MAX_PEER_BACKLOG_BYTES = 4 * 1024 * 1024;

const decoder = new TextDecoder();

type SubState = 'live' | 'catching-up' | 'stalled';
interface Sub {
  state: SubState;
  /** next output seq this peer needs */
  next: number;
}

interface PeerState {
  peer: MeshPeer;
  subs: Map<number, Sub>;
  refusedInput: number;
  stopDrain: () => void;
}

export interface HubStats {
  refusedInputs: number;
  resyncs: number;
}

export class TerminalHub {
  #terms: TerminalSet;
  #audit: AuditLog;
  #log: (line: string) => void;
  #peers = new Map<string, PeerState>();
  #off: (() => void)[] = [];
  stats: HubStats = { refusedInputs: 0, resyncs: 0 };

  constructor(terms: TerminalSet, audit: AuditLog, log: (line: string) => void) {
    this.#terms = terms;
    this.#audit = audit;
    this.#log = log;
    this.#off.push(
      terms.onOutput((id, seq, data) => this.#fanOut(id, seq, data)),
      terms.onChange(() => {
        const list = terms.list();
        for (const st of this.#peers.values()) for (const id of st.subs.keys()) if (!list.some((t) => t.id === id)) st.subs.delete(id);
        this.#broadcast({ type: 'terms', list });
      })
    );
  }

  addPeer(peer: MeshPeer): void {
    const st: PeerState = { peer, subs: new Map(), refusedInput: 0, stopDrain: () => {} };
    st.stopDrain = peer.onDrain(() => this.#resume(st));
    this.#peers.set(peer.id, st);
    this.#send(peer, { type: 'terms', list: this.#terms.list() });
  }

  removePeer(peer: MeshPeer): void {
    this.#peers.get(peer.id)?.stopDrain();
    this.#peers.delete(peer.id);
  }

  /** Every frame from an admitted peer. */
  handle(peer: MeshPeer, f: Frame): void {
    const st = this.#peers.get(peer.id);
    if (!st) return;
    if (f.kind === FRAME.TERM_INPUT) return this.#input(st, f.id, f.data);
    if (f.kind !== FRAME.CONTROL) return peer.strike(new ProtocolError('bad-frame', 'only the host sends terminal output'));
    let m;
    try {
      m = parseToHost(f.json);
    } catch (e) {
      return peer.strike(e instanceof ProtocolError ? e : new ProtocolError('bad-message', String(e)));
    }
    switch (m.type) {
      case 'hello':
      case 'rename':
      case 'error':
        return;
      case 'bye':
        return peer.close(`bye: ${m.reason}`);
      case 'term-sub':
        return void this.#subscribe(st, m.id, m.from);
      default:
        return this.#manage(st, m);
    }
  }

  #input(st: PeerState, id: number, data: Uint8Array): void {
    const { claims } = st.peer;
    if (!canWrite(claims.role)) {
      this.stats.refusedInputs++;
      if (st.refusedInput++ === 0) {
        st.peer.control({ type: 'error', code: 'forbidden', message: 'You are a viewer: your keystrokes are not sent to the terminal.' });
      }
      this.#log(`refused ${data.length} bytes of terminal input from viewer ${claims.name} (${claims.sub}), ${st.refusedInput} so far`);
      this.#audit.record(claims, { kind: 'refused', what: 'input', term: id, bytes: data.length });
      return;
    }
    const term = this.#terms.get(id);
    if (!term) return st.peer.strike(new ProtocolError('no-terminal', `terminal ${id} does not exist`));
    term.write(data);
    this.#audit.record(claims, { kind: 'input', term: id, data: decoder.decode(data) });
  }

  #manage(st: PeerState, m: Exclude<GuestMessage, { type: 'term-sub' }>): void {
    const { claims } = st.peer;
    const action = m.type.slice(5) as 'open' | 'close' | 'restart' | 'resize';
    if (!canWrite(claims.role)) {
      this.#audit.record(claims, { kind: 'refused', what: m.type });
      return st.peer.control({ type: 'error', code: 'forbidden', message: `Viewers cannot ${action} terminals.` });
    }
    try {
      if (m.type === 'term-open') {
        const t = this.#terms.open(m.cols, m.rows);
        return this.#audit.record(claims, { kind: 'terminal', action, term: t.id });
      }
      const t = this.#terms.get(m.id);
      if (!t) throw new Error(`terminal ${m.id} does not exist (any more)`);
      if (m.type === 'term-close') this.#terms.close(m.id);
      else if (m.type === 'term-restart') t.restart();
      else t.resize(m.cols, m.rows);
      this.#audit.record(claims, { kind: 'terminal', action, term: m.id });
    } catch (e) {
      st.peer.control({ type: 'error', code: 'terminal', message: (e as Error).message });
    }
  }

  async #subscribe(st: PeerState, id: number, from: number | undefined): Promise<void> {
    const term = this.#terms.get(id);
    if (!term) return st.peer.control({ type: 'error', code: 'no-terminal', message: `terminal ${id} does not exist` });
    const sub: Sub = { state: 'catching-up', next: from ?? 0 };
    st.subs.set(id, sub);
    await this.#catchUp(st, term, sub, from === undefined);
  }

  /** Brings a subscriber to live: from the ring when it covers `sub.next`, else a snapshot. */
  async #catchUp(st: PeerState, term: HostTerminal, sub: Sub, forceSnapshot: boolean): Promise<void> {
    sub.state = 'catching-up';
    let tail = forceSnapshot ? null : term.tail(sub.next);
    if (!tail) {
      const snap = await term.snapshot();
      if (st.subs.get(term.id) !== sub || this.#peers.get(st.peer.id) !== st) return;
      this.#send(st.peer, { type: 'term-snapshot', id: term.id, seq: snap.seq, cols: snap.cols, rows: snap.rows, data: snap.data });
      sub.next = snap.seq + 1;
      tail = term.tail(sub.next) ?? [];
    }
    for (const c of tail) st.peer.send(writeTermOutput(term.id, c.seq, c.data));
    if (tail.length) sub.next = tail[tail.length - 1].seq + 1;
    sub.state = 'live';
  }

  #fanOut(id: number, seq: number, data: Uint8Array): void {
    let frame: Uint8Array | null = null;
    for (const st of this.#peers.values()) {
      const sub = st.subs.get(id);
      if (!sub || sub.state !== 'live' || seq < sub.next) continue;
      if (st.peer.backlog > MAX_PEER_BACKLOG_BYTES) {
        sub.state = 'stalled';
        this.#log(`peer ${st.peer.claims.name} fell behind on terminal ${id}; it will be resynchronised`);
        continue;
      }
      frame ??= writeTermOutput(id, seq, data);
      st.peer.send(frame);
      sub.next = seq + 1;
    }
  }

  #resume(st: PeerState): void {
    for (const [id, sub] of st.subs) {
      const term = this.#terms.get(id);
      if (sub.state !== 'stalled' || !term) continue;
      this.stats.resyncs++;
      void this.#catchUp(st, term, sub, false);
    }
  }

  #send(peer: MeshPeer, m: HostMessage): void {
    peer.control(m);
  }

  #broadcast(m: HostMessage): void {
    for (const st of this.#peers.values()) this.#send(st.peer, m);
  }

  dispose(): void {
    for (const off of this.#off) off();
    for (const st of this.#peers.values()) st.stopDrain();
    this.#peers.clear();
  }
}

