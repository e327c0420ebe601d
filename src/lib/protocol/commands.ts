/**
 * Who ran what (capability byte CAP.COMMANDS): the host follows each terminal's shell through its
 * integration marks (OSC 133) and tells everyone about each command: its text, who typed it, where,
 * when, how long, and its exit code. A late joiner gets the list; later changes come one by one.
 *
 *   list   [0] {commands: Command[]}   host → guests, on join (the newest MAX_COMMANDS)
 *   update [1] {command: Command}      host → guests, when a command starts and when it ends
 *   blind  [2] {terms: number[]}       host → guests, on join and change: terminals whose commands
 *                                      are unknown (no shell integration: a shell we do not hook,
 *                                      or lines typed and never a mark)
 */
import { GUESTS, HOST, readJson, typeOf, writeJson, type Protocol, type Rules } from './capability.ts';
import { MAX_NAME_CHARS } from './credentials.ts';
import { CAP } from './frames.ts';
import { MAX_TERMINALS } from './terminal.ts';
import { isRole, type Role } from './roles.ts';
import { fail, int, obj, str } from './validate.ts';

/** Commands a list holds at most (the newest). */
export const MAX_COMMANDS = 1000;
/** Longest command text kept, characters (the host cuts longer ones). */
export const MAX_COMMAND_CHARS = 4096;
export const MAX_AUTHORS = 8;

export interface CommandAuthor {
  id: string;
  name: string;
  role: Role;
}

export interface Command {
  /** unique in the session, increasing */
  id: number;
  term: number;
  /** null when the shell did not say (no integration, or cut) */
  text: string | null;
  /** who typed the line; empty when nobody did here (a script, or typed before joining) */
  authors: CommandAuthor[];
  cwd: string | null;
  /** ms since the epoch */
  start: number;
  end: number | null;
  exit: number | null;
  /**
   * Lines typed into it while it ran (Enter presses), when any: commands inside it (ssh to a box
   * without integration, a nested shell, a REPL) that the host cannot see one by one.
   */
  inside?: number;
}

export type CommandsDown = { type: 'list'; commands: Command[] } | { type: 'update'; command: Command } | { type: 'blind'; terms: number[] };
export type CommandsUp = never;

const TYPES = ['list', 'update', 'blind'] as const satisfies readonly CommandsDown['type'][];
const MAX_TIME = 8.64e15;

function nullable<T>(v: unknown, read: () => T): T | null {
  return v === null || v === undefined ? null : read();
}

function command(v: unknown): Command {
  const o = obj(v, 'command');
  if (!Array.isArray(o.authors) || o.authors.length > MAX_AUTHORS) fail(`"authors" must be a list of at most ${MAX_AUTHORS}`);
  return {
    id: int(o, 'id', 0, Number.MAX_SAFE_INTEGER),
    term: int(o, 'term', 0, 0xffff),
    text: nullable(o.text, () => str(o, 'text', MAX_COMMAND_CHARS)),
    authors: o.authors.map((a) => {
      const ao = obj(a, 'author');
      if (!isRole(ao.role)) fail('"role" must be a role');
      return { id: str(ao, 'id', 64), name: str(ao, 'name', MAX_NAME_CHARS), role: ao.role };
    }),
    cwd: nullable(o.cwd, () => str(o, 'cwd', 4096)),
    start: int(o, 'start', 0, MAX_TIME),
    end: nullable(o.end, () => int(o, 'end', 0, MAX_TIME)),
    exit: nullable(o.exit, () => int(o, 'exit', -1, 255)),
    ...(o.inside === undefined ? {} : { inside: int(o, 'inside', 1, Number.MAX_SAFE_INTEGER) })
  };
}

export function writeCommands(m: CommandsDown): Uint8Array {
  const { type, ...fields } = m;
  return writeJson(CAP.COMMANDS, TYPES.indexOf(type), fields);
}

export function readCommands(body: Uint8Array): CommandsDown {
  const type = typeOf(body, TYPES, 'commands');
  const o = readJson(body);
  switch (type) {
    case 'list':
      if (!Array.isArray(o.commands) || o.commands.length > MAX_COMMANDS) fail(`"commands" must hold at most ${MAX_COMMANDS}`);
      return { type, commands: o.commands.map(command) };
    case 'update':
      return { type, command: command(o.command) };
    case 'blind':
      if (!Array.isArray(o.terms) || o.terms.length > MAX_TERMINALS || o.terms.some((t) => !Number.isInteger(t) || t < 0 || t > 0xffff)) fail(`"terms" must be at most ${MAX_TERMINALS} terminal ids`);
      return { type, terms: o.terms as number[] };
  }
}

const fromHost = { from: HOST, to: GUESTS };
// both urgent: an update must never overtake the list it follows
export const COMMANDS_RULES: Rules<CommandsDown> = { list: fromHost, update: fromHost, blind: fromHost };

export const commandsProtocol: Protocol<CommandsUp, CommandsDown> = {
  cap: CAP.COMMANDS,
  name: 'commands',
  write: writeCommands,
  read: readCommands,
  rules: COMMANDS_RULES
};
