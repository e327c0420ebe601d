/**
 * The commands capability on the host: follows every terminal's output and its authors' input
 * (from the router's tap, after the role check), tells participants about each command, and puts
 * each one in the record: a marker in the terminal's cast and a line in the audit log.
 */
import { commandsProtocol, type Command } from '../../src/lib/protocol/commands.ts';
import type { Claims } from '../../src/lib/protocol/credentials.ts';
import type { TerminalMessage } from '../../src/lib/protocol/terminal.ts';
import { DisposableStore } from '../../src/lib/mesh/events.ts';
import type { Mesh, MeshPeer } from '../../src/lib/mesh/mesh.ts';
import type { AuditLog } from '../audit.ts';
import type { HostCapability } from '../capability.ts';
import type { TerminalRecorder } from '../record/recorder.ts';
import type { TerminalSet } from '../terminals/terminal-set.ts';
import { CommandTracker } from './tracker.ts';

export class CommandsHost implements HostCapability<typeof commandsProtocol> {
  readonly protocol = commandsProtocol;
  readonly tracker: CommandTracker;
  #peers = new Set<MeshPeer>();
  #store = new DisposableStore();

  /** `integrated`: whether the shells start with our hooks (else every terminal's commands are unknown) */
  constructor(mesh: Mesh, terms: TerminalSet, audit: AuditLog, recorder: TerminalRecorder, integrated = true) {
    const t = (this.tracker = new CommandTracker(integrated));
    // Output is scanned once the turn's output went to peers (setImmediate), not between its
    // frames; input is only counted after all output before it was scanned, so authors stay exact.
    this.#store.addFn(
      terms.onOutput((id, seq, data) => {
        if (!this.#queue.length) this.#timer = setImmediate(() => this.#scan());
        this.#queue.push({ id, seq, data });
      })
    );
    this.#store.addFn(() => clearImmediate(this.#timer));
    this.#store.addFn(terms.onChange(() => t.keep(new Set(terms.list().map((i) => i.id)))));
    this.#store.add(
      t.blindChanged.on((ids) => {
        const bytes = commandsProtocol.write({ type: 'blind', terms: ids });
        for (const p of this.#peers) p.sendEncoded(bytes);
      })
    );
    this.#store.add(
      mesh.router.tapped.on(({ peer, capability, msg }) => {
        const m = msg as TerminalMessage;
        if (capability !== 'terminal' || m.type !== 'input') return;
        this.#scan();
        t.input(m.id, { id: peer.id, name: peer.name, role: peer.role }, m.data);
      })
    );
    this.#store.add(
      t.changed.on((c) => {
        const bytes = commandsProtocol.write({ type: 'update', command: c });
        for (const p of this.#peers) p.sendEncoded(bytes);
        // the marker goes right after the chunk that started the command, even if more is queued
        if (c.end === null) {
          if (!c.inside) recorder.marker(c.term, c.text ?? '(command)', this.#scanning);
        } else audit.record(authorOf(c), { kind: 'command', term: c.term, text: c.text, cwd: c.cwd, exit: c.exit, ms: c.end - c.start, inside: c.inside });
      })
    );
    this.#store.add(t);
  }

  /** output not yet scanned, in order */
  #queue: { id: number; seq: number; data: Uint8Array }[] = [];
  #timer: ReturnType<typeof setImmediate> | undefined;
  /** seq of the chunk being scanned */
  #scanning: number | undefined;

  #scan(): void {
    clearImmediate(this.#timer);
    const q = this.#queue;
    this.#queue = [];
    for (const c of q) {
      this.#scanning = c.seq;
      this.tracker.output(c.id, c.data);
    }
    this.#scanning = undefined;
  }

  addPeer(peer: MeshPeer): void {
    this.#peers.add(peer);
    this.#scan();
    peer.send(commandsProtocol, { type: 'list', commands: this.tracker.commands });
    peer.send(commandsProtocol, { type: 'blind', terms: this.tracker.blind });
  }

  removePeer(peer: MeshPeer): void {
    this.#peers.delete(peer);
  }

  /** participants send nothing on this capability (the router lets nothing through) */
  handle(): void {}

  dispose(): void {
    this.#store.dispose();
    this.#peers.clear();
  }
}

/** The audit line's author: who typed the command (all of them, by name), or nobody known. */
function authorOf(c: Command): Pick<Claims, 'sub' | 'name' | 'role'> {
  const a = c.authors[0];
  return a ? { sub: a.id, name: c.authors.map((x) => x.name).join(' + '), role: a.role } : { sub: '', name: '(not typed here)', role: 'host' };
}
