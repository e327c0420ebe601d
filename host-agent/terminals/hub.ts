/**
 * The host's side of shared terminals: streams each terminal's sequence-numbered output to the
 * peers that subscribed, and writes input to the PTY in arrival order. Viewers' input and terminal
 * changes never get here: the host's router refuses them against TERMINAL_RULES, where the input
 * lands, whatever the viewer's UI did.
 *
 * Backpressure: a peer whose backlog passes MAX_PEER_BACKLOG_BYTES stops receiving live output
 * (so it cannot grow host memory or slow the others); once it drained it resumes from the ring
 * buffer (tail) when that still covers the gap, else from a fresh snapshot.
 *
 * Flow control with the page: the host also counts what a page was sent but has not yet
 * acknowledged as parsed (PageBacklog, `ack` in terminal.ts). A page more than
 * PAGE_HIGH_WATER_BYTES behind, or any page while its terminal floods (FLOOD_BYTES), stops
 * receiving live output and is brought back with screen frames and snapshots (BehindPage,
 * page-catch-up.ts).
 */
import { terminalProtocol, type TerminalDown, type TerminalMessage, type TerminalUp } from '../../src/lib/protocol/terminal.ts';
import { ProtocolError } from '../../src/lib/protocol/validate.ts';
import { DisposableStore } from '../../src/lib/mesh/events.ts';
import type { MeshPeer } from '../../src/lib/mesh/mesh.ts';
import { who, type AuditLog } from '../audit.ts';
import { EchoState } from '../echo-state.ts';
import type { HostCapability } from '../capability.ts';
import type { HostTerminal } from './terminal.ts';
import { PageBacklog } from './page-backlog.ts';
import { BehindPage, OutputMeter, PAGE_FRAME_MS, PAGE_HIGH_WATER_BYTES, PAGE_IDLE_SNAPSHOT_MS } from './page-catch-up.ts';
import type { TerminalSet } from './terminal-set.ts';

/** Past this many unsent bytes a peer is considered stalled, bytes. */
export const MAX_PEER_BACKLOG_BYTES = 4 * 1024 * 1024;
export { PAGE_HIGH_WATER_BYTES } from './page-catch-up.ts';

/** A peer's subs to one terminal are served at most this often; repeats in between are merged, ms. */
export const RESUB_MS = 500;

/** `stalled`: the peer's connection backed up; `behind`: its page has not parsed what it got */
type SubState = 'live' | 'catching-up' | 'stalled' | 'behind';
interface Sub {
  state: SubState;
  /** next output seq this peer needs */
  next: number;
  flow: PageBacklog;
  /** when it was asked for, ms */
  at: number;
  /** a sub that came too soon after this one, served RESUB_MS later */
  again?: { from: number | undefined };
  /** started by the host when the peer connected: its snapshot is on the way */
  unasked?: boolean;
  /** while behind: its frames and snapshot */
  behind?: BehindPage;
  /** how long the terminal must be quiet before this page's snapshot, ms: doubles each time the
   * burst turned out not to be over (PAGE_IDLE_SNAPSHOT_MS up to PAGE_FRAME_MS) */
  idleMs?: number;
}

interface PeerState {
  peer: MeshPeer;
  subs: Map<number, Sub>;
  stopDrain: () => void;
}

export interface HubStats {
  resyncs: number;
  /** times a page fell behind its own terminal's parsing and was brought back with a snapshot */
  pageResyncs: number;
  /** snapshots sent, to anyone */
  snapshots: number;
  /** screen frames sent to pages that are behind while output keeps coming */
  pageFrames: number;
  /** times a live page stopped getting every byte because its terminal flooded */
  floodSkips: number;
}

export class TerminalHub implements HostCapability<typeof terminalProtocol> {
  readonly protocol = terminalProtocol;
  #terms: TerminalSet;
  #audit: AuditLog;
  #log: (line: string) => void;
  #peers = new Map<string, PeerState>();
  /** participants this host has connected with (ids are per join, so this stays small) */
  #met = new Set<string>();
  #store = new DisposableStore();
  stats: HubStats = { resyncs: 0, pageResyncs: 0, snapshots: 0, pageFrames: 0, floodSkips: 0 };
  /** per terminal: is echo off (password prompt)? for the audit */
  #echoes = new Map<number, EchoState>();
  /** per terminal, the last keystroke's audit record still waiting for its echo state */
  #inputOrder = new Map<number, Promise<void>>();
  /** per terminal: output so far and its rate (which decides when pages skip and go live again) */
  #meters = new Map<number, OutputMeter>();

  constructor(terms: TerminalSet, audit: AuditLog, log: (line: string) => void) {
    this.#terms = terms;
    this.#audit = audit;
    this.#log = log;
    this.#store.addFn(
      terms.onOutput((id, seq, data) => {
        let meter = this.#meters.get(id);
        if (!meter) this.#meters.set(id, (meter = new OutputMeter()));
        this.#fanOut(id, seq, data, meter.add(data.length));
        this.#echoes.get(id)?.output(data);
      })
    );
    this.#store.addFn(
      terms.onChange(() => {
        const list = terms.list();
        for (const st of this.#peers.values()) for (const [id, sub] of st.subs) if (!list.some((t) => t.id === id)) this.#drop(st, id, sub);
        // a closed terminal's echo state goes with it (terminals come and go all session long)
        for (const [id, e] of this.#echoes) {
          if (list.some((t) => t.id === id)) continue;
          e.dispose();
          this.#echoes.delete(id);
        }
        for (const id of this.#meters.keys()) if (!list.some((t) => t.id === id)) this.#meters.delete(id);
        this.#broadcast({ type: 'terms', list });
      })
    );
  }

  addPeer(peer: MeshPeer): void {
    const st: PeerState = { peer, subs: new Map(), stopDrain: () => {} };
    st.stopDrain = peer.onDrain(() => this.#resume(st));
    this.#peers.set(peer.id, st);
    const list = this.#terms.list();
    this.#send(peer, { type: 'terms', list });
    // A participant new to this host gets every terminal's snapshot as soon as the channel is
    // open, without waiting for its page to ask (TerminalClient keeps it until the page attaches).
    // One that reconnects asks to resume where it was instead (`sub {from}`).
    if (this.#met.has(peer.id)) return;
    this.#met.add(peer.id);
    for (const t of list) void this.#subscribe(st, t.id, undefined, true);
  }

  removePeer(peer: MeshPeer): void {
    const st = this.#peers.get(peer.id);
    if (!st) return;
    st.stopDrain();
    for (const [id, sub] of st.subs) this.#drop(st, id, sub);
    this.#peers.delete(peer.id);
  }

  #drop(st: PeerState, id: number, sub: Sub): void {
    sub.behind?.dispose();
    if (st.subs.get(id) === sub) st.subs.delete(id);
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
      case 'ack':
        return this.#ack(st, m.id, m.seq);
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
    // the echo state as of this keystroke, recorded in the order typed (a later reading may come first)
    const off = this.#echo(term).echoOff(data);
    const prev = this.#inputOrder.get(id) ?? Promise.resolve();
    const next = prev.then(() => off).then((hidden) => this.#audit.input(by, id, data, hidden));
    this.#inputOrder.set(id, next);
    void next.finally(() => this.#inputOrder.get(id) === next && this.#inputOrder.delete(id));
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
      else t.resize(m.cols, m.rows, claims.name);
      this.#audit.record(claims, { kind: 'terminal', action: m.type, term: m.id });
    } catch (e) {
      st.peer.sendError('terminal', (e as Error).message);
    }
  }

  async #subscribe(st: PeerState, id: number, from: number | undefined, unasked = false): Promise<void> {
    const term = this.#terms.get(id);
    if (!term) return st.peer.sendError('no-terminal', `terminal ${id} does not exist`);
    const current = st.subs.get(id);
    // A page that attached before the snapshot we sent unasked reached it asks for one: that
    // snapshot, ahead of anything else on the ordered channel, is its answer.
    if (current?.unasked && from === undefined) return void (current.unasked = false);
    // Repeats within RESUB_MS (or during a catch-up) are merged into one, served when it is over
    // (the last asked for): a flood of subs costs the host one snapshot per terminal per RESUB_MS.
    if (!unasked && current && (current.state === 'catching-up' || Date.now() - current.at < RESUB_MS)) {
      if (!current.again) setTimeout(() => this.#again(st, id, current), RESUB_MS);
      current.again = { from };
      return;
    }
    if (current) this.#drop(st, id, current);
    const sub: Sub = { state: 'catching-up', next: from ?? 0, at: Date.now(), flow: new PageBacklog(), unasked };
    st.subs.set(id, sub);
    await this.#catchUp(st, term, sub, from === undefined);
  }

  #again(st: PeerState, id: number, sub: Sub): void {
    const again = sub.again;
    sub.again = undefined;
    if (again && st.subs.get(id) === sub && this.#peers.get(st.peer.id) === st) void this.#subscribe(st, id, again.from);
  }

  /** Brings a subscriber to live: from the ring when it covers `sub.next`, else a snapshot. */
  async #catchUp(st: PeerState, term: HostTerminal, sub: Sub, forceSnapshot: boolean, screenOnly = false): Promise<void> {
    sub.state = 'catching-up';
    let tail = forceSnapshot ? null : term.tail(sub.next);
    if (!tail) {
      let snap: Awaited<ReturnType<HostTerminal['snapshot']>>;
      try {
        snap = await term.snapshot({ screenOnly });
      } catch (e) {
        // the terminal closed meanwhile, or its mirror failed: said to the page, never an
        // unhandled rejection (which would end the host)
        if (st.subs.get(term.id) === sub && this.#peers.get(st.peer.id) === st) st.peer.sendError('terminal', (e as Error).message);
        return;
      }
      if (st.subs.get(term.id) !== sub || this.#peers.get(st.peer.id) !== st) return;
      this.#send(st.peer, { type: 'snapshot', id: term.id, seq: snap.seq, cols: snap.cols, rows: snap.rows, data: snap.data });
      // the page drops what it still had queued for a snapshot, so only the snapshot is in flight
      sub.flow.reset();
      sub.flow.sent(snap.seq, snap.data.length);
      this.stats.snapshots++;
      sub.next = snap.seq + 1;
      tail = term.tail(sub.next) ?? [];
    }
    // The mirror parses on its own thread while the PTY is read on, so a snapshot may be a few
    // MB behind the ring by the time it is ready: the page gets that tail as it gets live output,
    // never more than PAGE_HIGH_WATER_BYTES ahead of its parsing.
    for (const c of tail) {
      if (sub.flow.bytes > PAGE_HIGH_WATER_BYTES) {
        // the burst was not over (a pause of a loaded machine): wait longer for the next snapshot
        // (each one with scrollback is a few ms of the mirror's thread per 1000 lines)
        sub.idleMs = Math.min(2 * (sub.idleMs ?? PAGE_IDLE_SNAPSHOT_MS), PAGE_FRAME_MS);
        return this.#fallBehind(st, term.id, sub);
      }
      st.peer.send(terminalProtocol, { type: 'output', id: term.id, seq: c.seq, data: c.data });
      sub.flow.sent(c.seq, c.data.length);
      sub.next = c.seq + 1;
    }
    sub.state = 'live';
    sub.idleMs = undefined;
  }

  /** The page has not parsed what it got: no live output now; frames of the screen while output
   * keeps coming, a snapshot once it stops. */
  #fallBehind(st: PeerState, id: number, sub: Sub, flooding = false): void {
    sub.state = 'behind';
    sub.behind?.dispose();
    const current = () => sub.state === 'behind' && st.subs.get(id) === sub && this.#peers.get(st.peer.id) === st;
    sub.behind = new BehindPage(
      {
        outBytes: () => this.#meters.get(id)?.total ?? 0,
        backlog: () => sub.flow.bytes,
        flowPaused: () => !!this.#terms.get(id)?.flowPaused,
        frame: async (idle) => {
          const term = this.#terms.get(id);
          if (!term || !current()) return;
          // the screen only; the page gets the scrollback with the snapshot once output stops
          const snap = await term.snapshot({ screenOnly: true }).catch(() => null); // null: the terminal closed
          if (!snap || !current()) return;
          this.#send(st.peer, { type: 'snapshot', id, seq: snap.seq, cols: snap.cols, rows: snap.rows, data: snap.data });
          sub.flow.reset();
          sub.flow.sent(snap.seq, snap.data.length);
          sub.next = snap.seq + 1;
          if (idle) this.stats.pageResyncs++;
          else this.stats.pageFrames++;
          this.stats.snapshots++;
        },
        catchUp: (screenOnly) => {
          const term = this.#terms.get(id);
          if (!term || !current()) return;
          this.stats.pageResyncs++;
          void this.#catchUp(st, term, sub, true, screenOnly);
        }
      },
      sub.idleMs ?? PAGE_IDLE_SNAPSHOT_MS,
      flooding
    );
  }

  /** `flooding`: the terminal writes faster than anyone can read (FLOOD_BYTES): pages skip ahead */
  #fanOut(id: number, seq: number, data: Uint8Array, flooding: boolean): void {
    let frame: Uint8Array | null = null;
    for (const st of this.#peers.values()) {
      const sub = st.subs.get(id);
      if (!sub) continue;
      if (sub.state === 'behind') {
        sub.behind?.output();
        continue;
      }
      if (sub.state !== 'live' || seq < sub.next) continue;
      if (st.peer.backlog > MAX_PEER_BACKLOG_BYTES) {
        sub.state = 'stalled';
        this.#log(`peer ${st.peer.claims.name} fell behind on terminal ${id}; it will be resynchronised`);
        continue;
      }
      if (flooding || sub.flow.bytes > PAGE_HIGH_WATER_BYTES) {
        if (flooding) this.stats.floodSkips++;
        this.#fallBehind(st, id, sub, flooding);
        continue;
      }
      frame ??= terminalProtocol.write({ type: 'output', id, seq, data });
      st.peer.sendEncoded(frame);
      sub.flow.sent(seq, data.length);
      sub.next = seq + 1;
    }
  }

  #ack(st: PeerState, id: number, seq: number): void {
    const sub = st.subs.get(id);
    if (!sub) return;
    sub.unasked = false; // the page has it (it acknowledges every snapshot): a later sub {id} is meant
    sub.flow.ack(seq);
  }

  /** Terminals whose echo state is kept (at most the open ones). */
  get echoStates(): number {
    return this.#echoes.size;
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
    for (const st of this.#peers.values()) {
      st.stopDrain();
      for (const sub of st.subs.values()) sub.behind?.dispose();
    }
    this.#peers.clear();
  }
}

