/**
 * Who ran what, without DOM: the host's list of commands, kept up to date (a started command is
 * replaced by its finished self). The page and Node tests use it alike.
 */
import { commandsProtocol, MAX_COMMANDS, type Command, type CommandsDown } from '../protocol/commands.ts';
import { DisposableStore, Emitter } from '../mesh/events.ts';
import type { Mesh } from '../mesh/mesh.ts';

export class CommandsClient {
  /** oldest first */
  commands: Command[] = [];
  /** terminals whose commands are unknown here (no shell integration) */
  blind: number[] = [];
  readonly changed = new Emitter<Command[]>();
  readonly blindChanged = new Emitter<number[]>();
  #store = new DisposableStore();

  constructor(mesh: Mesh) {
    this.#store.add(mesh.router.register(commandsProtocol, (_p, m) => this.#receive(m)));
    this.#store.add(this.changed);
    this.#store.add(this.blindChanged);
  }

  #receive(m: CommandsDown): void {
    if (m.type === 'blind') {
      this.blind = m.terms;
      return this.blindChanged.fire(m.terms);
    }
    if (m.type === 'list') this.commands = m.commands;
    else {
      const i = this.commands.findIndex((c) => c.id === m.command.id);
      if (i >= 0) this.commands = this.commands.with(i, m.command);
      else this.commands = [...this.commands, m.command].slice(-MAX_COMMANDS);
    }
    this.changed.fire(this.commands);
  }

  dispose(): void {
    this.#store.dispose();
  }
}
