/**
 * The host's side of shared terminals: streams each terminal's sequence-numbered output to the
 * peers that subscribed, and writes input to the PTY in arrival order. Viewers' input and terminal
 * changes never get here: the host's router refuses them against TERMINAL_RULES, where the input
 * lands, whatever the viewer's UI did.
 *
 * Backpressure: a peer whose backlog passes MAX_PEER_BACKLOG_BYTES stops receiving live output
 * (so it cannot grow host memory or slow the others); once it drained it resumes from the ring
 * buffer (tail) when that still covers the gap, else from a fresh snapshot.
 */
import { terminalProtocol, type TerminalDown, type TerminalMessage, type TerminalUp } from '../../src/lib/protocol/terminal.ts';
import { ProtocolError } from '../../src/lib/protocol/validate.ts';
import { DisposableStore } from '../../src/lib/mesh/events.ts';
import type { MeshPeer } from '../../src/lib/mesh/mesh.ts';
import { who, type AuditLog } from '../audit.ts';
import { EchoState } from '../echo-state.ts';
import type { HostCapability } from '../capability.ts';
import type { HostTerminal } from './terminal.ts';
import type { TerminalSet } from './terminal-set.ts';

/** Past this many unsent bytes a peer is considered stalled, bytes. */
export const MAX_PEER_BACKLOG_BYTES = 4 * 1024 * 1024;

/** A peer's subs to one terminal are served at most this often; repeats in between are merged, ms. */
export const RESUB_MS = 500;

const decoder = new TextDecoder();

type SubState = 'live' | 'catching-up' | 'stalled';
interface Sub {
  state: SubState;
  /** next output seq this peer needs */
  next: number;
  /** when it was asked for, ms */
  at: number;
  /** a sub that came too soon after this one, served RESUB_MS later */
  again?: { from: number | undefined };
}

interface PeerState {
  peer: MeshPeer;
  subs: Map<number, Sub>;
  stopDrain: () => void;
}

export interface HubStats {
  resyncs: number;
  /** snapshots sent, to anyone */
  snapshots: number;
}

export class TerminalHub implements HostCapability<typeof terminalProtocol> {
  readonly protocol = terminalProtocol;
  #terms: TerminalSet;
  #audit: AuditLog;
  #log: (line: string) => void;
  #peers = new Map<string, PeerState>();
  #store = new DisposableStore();
  stats: HubStats = { resyncs: 0, snapshots: 0 };
  /** per terminal: is echo off (password prompt)? for the audit */
  #echoes = new Map<number, EchoState>();

  constructor(terms: TerminalSet, audit: AuditLog, log: (line: string) => void) {
    this.#terms = terms;
    this.#audit = audit;
    this.#log = log;
    this.#store.addFn(
      terms.onOutput((id, seq, data) => {
        this.#echoes.get(id)?.output();
        this.#fanOut(id, seq, data);
      })
    );
    this.#store.addFn(
      terms.onChange(() => {
        const list = terms.list();
        for (const st of this.#peers.values()) for (const id of st.subs.keys()) if (!list.some((t) => t.id === id)) st.subs.delete(id);
        this.#broadcast({ type: 'terms', list });
      })
    );
  }

  addPeer(peer: MeshPeer): void {
    const st: PeerState = { peer, subs: new Map(), stopDrain: () => {} };
    st.stopDrain = peer.onDrain(() => this.#resume(st));
    this.#peers.set(peer.id, st);
    this.#send(peer, { type: 'terms', list: this.#terms.list() });
  }

  removePeer(peer: MeshPeer): void {
    this.#peers.get(peer.id)?.stopDrain();
    this.#peers.delete(peer.id);
  }

  /** A message the router allowed: input and changes come from owners and editors only. */
  handle(peer: MeshPeer, m: TerminalMessage): void {
    const st = this.#peers.get(peer.id);
    if (!st) return;
    switch (m.type) {
      case 'input':
        return this.#input(st, m.id, m.data);
      case 'sub':
        return void this.#subscribe(st, m.id, m.from);
      case 'open':
      case 'close':
      case 'restart':
      case 'resize':
        return this.#manage(st, m);
      // the host's own messages: the router never hands them to the host
      case 'output':
      case 'snapshot':
      case 'terms':
        return;
    }
  }

  #input(st: PeerState, id: number, data: Uint8Array): void {
    const term = this.#terms.get(id);
    if (!term) return st.peer.strike(new ProtocolError('no-terminal', `terminal ${id} does not exist`));
    term.write(data);
    const by = who(st.peer);
    void this.#echo(term).echoOff().then((off) =>
      this.#audit.record(by, off ? { kind: 'input', term: id, hidden: true, bytes: data.length } : { kind: 'input', term: id, data: decoder.decode(data) })
    );
  }

  #manage(st: PeerState, m: Extract<TerminalUp, { type: 'open' | 'close' | 'restart' | 'resize' }>): void {
    const claims = who(st.peer);
    try {
      if (m.type === 'open') {
        const t = this.#terms.open(m.cols, m.rows);
        return this.#audit.record(claims, { kind: 'terminal', action: m.type, term: t.id });
      }
      const t = this.#terms.get(m.id);
      if (!t) throw new Error(`terminal ${m.id} does not exist (any more)`);
      if (m.type === 'close') this.#terms.close(m.id);
      else if (m.type === 'restart') t.restart();
      else t.resize(m.cols, m.rows);
      this.#audit.record(claims, { kind: 'terminal', action: m.type, term: m.id });
    } catch (e) {
      st.peer.sendError('terminal', (e as Error).message);
    }
  }

  async #subscribe(st: PeerState, id: number, from: number | undefined): Promise<void> {
    const term = this.#terms.get(id);
    if (!term) return st.peer.sendError('no-terminal', `terminal ${id} does not exist`);
    // Repeats within RESUB_MS (or during a catch-up) are merged into one, served when it is over
    // (the last asked for): a flood of subs costs the host one snapshot per terminal per RESUB_MS.
    const current = st.subs.get(id);
    if (current && (current.state === 'catching-up' || Date.now() - current.at < RESUB_MS)) {
      if (!current.again) setTimeout(() => this.#again(st, id, current), RESUB_MS);
      current.again = { from };
      return;
    }
    const sub: Sub = { state: 'catching-up', next: from ?? 0, at: Date.now() };
    st.subs.set(id, sub);
    await this.#catchUp(st, term, sub, from === undefined);
  }

  #again(st: PeerState, id: number, sub: Sub): void {
    const again = sub.again;
    sub.again = undefined;
    if (again && st.subs.get(id) === sub && this.#peers.get(st.peer.id) === st) void this.#subscribe(st, id, again.from);
  }

  /** Brings a subscriber to live: from the ring when it covers `sub.next`, else a snapshot. */
  async #catchUp(st: PeerState, term: HostTerminal, sub: Sub, forceSnapshot: boolean): Promise<void> {
    sub.state = 'catching-up';
    let tail = forceSnapshot ? null : term.tail(sub.next);
    if (!tail) {
      const snap = await term.snapshot();
      if (st.subs.get(term.id) !== sub || this.#peers.get(st.peer.id) !== st) return;
      this.#send(st.peer, { type: 'snapshot', id: term.id, seq: snap.seq, cols: snap.cols, rows: snap.rows, data: snap.data });
      this.stats.snapshots++;
      sub.next = snap.seq + 1;
      tail = term.tail(sub.next) ?? [];
    }
    for (const c of tail) st.peer.send(terminalProtocol, { type: 'output', id: term.id, seq: c.seq, data: c.data });
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
      frame ??= terminalProtocol.write({ type: 'output', id, seq, data });
      st.peer.sendEncoded(frame);
      sub.next = seq + 1;
    }
  }

  #echo(term: HostTerminal): EchoState {
    let e = this.#echoes.get(term.id);
    if (!e) this.#echoes.set(term.id, (e = new EchoState(() => term.ptsName)));
    return e;
  }

  #resume(st: PeerState): void {
    for (const [id, sub] of st.subs) {
      const term = this.#terms.get(id);
      if (sub.state !== 'stalled' || !term) continue;
      this.stats.resyncs++;
      void this.#catchUp(st, term, sub, false);
    }
  }

  #send(peer: MeshPeer, m: TerminalDown): void {
    peer.send(terminalProtocol, m);
  }

  #broadcast(m: TerminalDown): void {
    const bytes = terminalProtocol.write(m);
    for (const st of this.#peers.values()) st.peer.sendEncoded(bytes);
  }

  dispose(): void {
    this.#store.dispose();
    for (const e of this.#echoes.values()) e.dispose();
    for (const st of this.#peers.values()) st.stopDrain();
    this.#peers.clear();
  }
}

