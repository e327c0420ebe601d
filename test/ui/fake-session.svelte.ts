/**
 * A SessionView without a network, for the UI test page (test/ui/; never in the product build):
 * a few participants, two terminals that print a prompt and echo what an editor types, `exit [N]`
 * ends a shell, and restart brings it back. Every call to `input` is recorded in `inputs` so tests can check that
 * a viewer's keystrokes are never sent.
 */
import type { Command } from '../../src/lib/protocol/commands.ts';
import type { TermInfo } from '../../src/lib/protocol/terminal.ts';
import { canWrite, type Role } from '../../src/lib/protocol/roles.ts';
import type { Snapshot, SnapshotInfo } from '../../src/lib/protocol/env.ts';
import { fakeSnapshots } from '../helpers/env-fixtures.ts';
import type { JoinStatus, Participant, SessionView, SignalingStatus, TerminalSink } from '../../src/lib/session/view.ts';

export interface FakeOptions {
  role?: Role;
  status?: JoinStatus;
  signaling?: SignalingStatus;
  hostConnected?: boolean;
  /** start with the first terminal's shell exited with this code */
  exitCode?: number;
  error?: string | null;
  /** the host's terminal size, cells */
  cols?: number;
  rows?: number;
}

const PROMPT = '\x1b[1;32moncall@debug-box\x1b[0m:\x1b[1;34m~/service\x1b[0m$ ';
const encoder = new TextEncoder();

interface FakeTerm {
  /** everything written so far: the "snapshot" a late attach gets */
  history: string;
  line: string;
  sinks: Set<TerminalSink>;
}

export class FakeSession implements SessionView {
  status = $state<JoinStatus>('joined');
  error = $state<string | null>(null);
  signaling = $state<SignalingStatus>('online');
  hostConnected = $state(true);
  participants = $state<Participant[]>([]);
  terminals = $state<TermInfo[]>([]);
  links = $state<SessionView['links']>({});
  blindTerms: number[] = [];
  /** finished commands, to look at the panel: one failed; one by two people that ran an hour (its meta line is the longest) */
  commands = $state<Command[]>([
    { id: 1, term: 1, text: 'systemctl status nginx', authors: [{ id: 'p_ed', name: 'Ed', role: 'editor' }], cwd: '/srv', start: Date.now() - 65_000, end: Date.now() - 64_200, exit: 3 },
    { id: 2, term: 1, text: 'journalctl -u nginx -n 50', authors: [{ id: 'p_ed', name: 'Ed', role: 'editor' }], cwd: '/srv', start: Date.now() - 30_000, end: Date.now() - 29_500, exit: 0 },
    {
      id: 3,
      term: 1,
      text: 'make -j8 all',
      authors: [
        { id: 'p2', name: 'Alice', role: 'editor' },
        { id: 'p_ed', name: 'Ed', role: 'editor' }
      ],
      cwd: '/srv/app',
      start: Date.now() - 3_725_000,
      end: Date.now() - 20_000,
      exit: 127
    }
  ]);
  /** the start snapshot and a checkpoint with something of every kind changed */
  #snapshots: Snapshot[] = fakeSnapshots();
  snapshots = $state<SnapshotInfo[]>(this.#snapshots.map((s) => s.info));
  /** every `input` call, including the ones a viewer should never make */
  readonly inputs: { id: number; data: string }[] = [];

  #terms = new Map<number, FakeTerm>();
  #nextId = 1;

  constructor(opts: FakeOptions = {}) {
    const role = opts.role ?? 'owner';
    this.status = opts.status ?? 'joined';
    this.signaling = opts.signaling ?? 'online';
    this.hostConnected = opts.hostConnected ?? true;
    this.error = opts.error ?? (this.status === 'failed' ? 'The invite link was not accepted: it expired or was revoked. Ask the owner for a new link.' : null);
    this.participants = [
      { id: 'me', name: 'Sam (on call)', role, self: true, connected: true, color: '#4f9dff' },
      { id: 'host', name: 'debug-box', role: 'host', self: false, connected: this.hostConnected, color: '#39c5cf' },
      { id: 'p2', name: 'Alice', role: 'editor', self: false, connected: true, color: '#e3b341' },
      { id: 'p3', name: 'Bob', role: 'viewer', self: false, connected: false, color: '#bc8cff' }
    ];
    if (role === 'owner') {
      const base = `${location.origin}/s/demo#invite=`;
      this.links = { owner: `${base}own123&key=k`, editor: `${base}edit456&key=k`, viewer: `${base}view789&key=k` };
    }
    this.#add(opts.cols ?? 100, opts.rows ?? 30, 'bash');
    this.#add(opts.cols ?? 100, opts.rows ?? 30, 'logs');
    this.#print(2, 'tail -f /var/log/service.log\r\n');
    for (let i = 0; i < 60; i++) {
      const level = i % 7 === 3 ? '\x1b[31mERROR\x1b[0m' : '\x1b[32mINFO\x1b[0m ';
      this.#print(2, `2025-01-01T10:00:${String(i).padStart(2, '0')}Z ${level} request ${1000 + i} handled in ${(i * 37) % 400} ms; trace https://example.com/trace/${i}\r\n`);
    }
    if (opts.exitCode !== undefined) this.#exit(1, opts.exitCode);
  }

  get self(): Participant {
    return this.participants[0];
  }

  rename(name: string): void {
    this.participants[0].name = name;
  }

  openTerminal(cols: number, rows: number): void {
    if (!canWrite(this.self.role)) return;
    this.#add(cols, rows, 'bash');
  }

  closeTerminal(id: number): void {
    if (!canWrite(this.self.role)) return;
    this.terminals = this.terminals.filter((t) => t.id !== id);
    this.#terms.delete(id);
  }

  restartTerminal(id: number): void {
    const t = this.terminals.find((x) => x.id === id);
    const ft = this.#terms.get(id);
    if (!t || !ft || !canWrite(this.self.role)) return;
    t.exit = null;
    ft.history = '';
    for (const s of ft.sinks) s.reset('', t.cols, t.rows);
    this.#print(id, PROMPT);
  }

  attachTerminal(id: number, sink: TerminalSink): () => void {
    const ft = this.#terms.get(id);
    const t = this.terminals.find((x) => x.id === id);
    if (!ft || !t) return () => {};
    ft.sinks.add(sink);
    sink.reset(ft.history, t.cols, t.rows);
    return () => ft.sinks.delete(sink);
  }

  input(id: number, data: string): void {
    this.inputs.push({ id, data });
    if (!canWrite(this.self.role)) return;
    const ft = this.#terms.get(id);
    const t = this.terminals.find((x) => x.id === id);
    if (!ft || !t || t.exit) return;
    for (const ch of data) {
      if (ch === '\r') {
        const cmd = ft.line.trim();
        ft.line = '';
        this.#print(id, '\r\n');
        const m = /^exit(?:\s+(\d+))?$/.exec(cmd);
        if (m) return this.#exit(id, Number(m[1] ?? 0));
        if (cmd) this.#print(id, `fake shell: ${cmd}\r\n`);
        this.#print(id, PROMPT);
      } else if (ch === '\x7f') {
        if (ft.line) {
          ft.line = ft.line.slice(0, -1);
          this.#print(id, '\b \b');
        }
      } else if (ch >= ' ') {
        ft.line += ch;
        this.#print(id, ch);
      }
    }
  }

  invites = null;

  setRole(id: string, role: 'editor' | 'viewer'): void {
    const p = this.participants.find((x) => x.id === id);
    if (p && this.self.role === 'owner') p.role = role;
  }

  remove(id: string, _revokeLink?: boolean): void {
    if (this.self.role === 'owner') this.participants = this.participants.filter((x) => x.id !== id);
  }

  resize(id: number, cols: number, rows: number): void {
    const t = this.terminals.find((x) => x.id === id);
    const ft = this.#terms.get(id);
    if (!t || !ft || !canWrite(this.self.role)) return;
    t.cols = cols;
    t.rows = rows;
    for (const s of ft.sinks) s.resize(cols, rows);
  }

  #add(cols: number, rows: number, title: string): void {
    const id = this.#nextId++;
    this.terminals.push({ id, title: `${title} #${id}`, cols, rows, exit: null });
    this.#terms.set(id, { history: '', line: '', sinks: new Set() });
    this.#print(id, `Welcome to the fake session (terminal ${id}).\r\n${PROMPT}`);
  }

  #print(id: number, text: string): void {
    const ft = this.#terms.get(id);
    if (!ft) return;
    ft.history += text;
    const bytes = encoder.encode(text);
    for (const s of ft.sinks) s.write(bytes, () => {});
  }

  #exit(id: number, code: number): void {
    const t = this.terminals.find((x) => x.id === id);
    if (t) t.exit = { code, signal: 0 };
  }

  getSnapshot(id: number): Promise<Snapshot> {
    const s = this.#snapshots.find((x) => x.info.id === id);
    return s ? Promise.resolve(s) : Promise.reject(new Error(`no snapshot ${id}`));
  }

  checkpoint(label: string): void {
    const last = this.#snapshots.at(-1)!;
    const id = last.info.id + 1;
    const s: Snapshot = { ...last, info: { ...last.info, id, label: label || 'checkpoint', time: Date.now(), source: 'request', author: { id: 'me', name: this.self.name, role: this.self.role } } };
    this.#snapshots.push(s);
    this.snapshots = [...this.snapshots, s.info];
  }
}
