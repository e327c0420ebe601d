/**
 * What the session page shows and what it can ask for. The real implementation is the
 * `SessionState` class (session.svelte.ts, the only code that touches the network); components
 * receive this interface so they can be built and tested without a mesh.
 */
import type { TermInfo } from '../protocol/control.ts';
import type { Role } from '../protocol/roles.ts';

export type JoinStatus = 'joining' | 'joined' | 'failed' | 'ended';
export type SignalingStatus = 'connecting' | 'online' | 'offline';

export interface Participant {
  id: string;
  name: string;
  role: Role;
  /** true for this browser's own entry */
  self: boolean;
  /** a peer connection is open and its credential verified (always true for self) */
  connected: boolean;
  /** stable colour for avatars and cursors, a CSS colour */
  color: string;
}

/** Where one terminal's output goes (an xterm in the page). */
export interface TerminalSink {
  /** replace the screen with a serialized snapshot (screen + scrollback) */
  reset(snapshot: string, cols: number, rows: number): void;
  /** append live output; `done` fires once the terminal parsed it */
  write(data: Uint8Array, done?: () => void): void;
  /** the terminal size changed for everyone */
  resize(cols: number, rows: number): void;
}

export interface SessionView {
  readonly status: JoinStatus;
  /** a sentence a user can act on, when status is 'failed' or something went wrong */
  readonly error: string | null;
  readonly signaling: SignalingStatus;
  readonly self: Participant;
  /** everyone this browser knows of, self first */
  readonly participants: Participant[];
  readonly hostConnected: boolean;
  readonly terminals: TermInfo[];
  /** links the owner may share, when this browser knows them (owner only) */
  readonly links: Partial<Record<'owner' | 'editor' | 'viewer', string>>;

  rename(name: string): void;
  openTerminal(cols: number, rows: number): void;
  closeTerminal(id: number): void;
  restartTerminal(id: number): void;
  /** start receiving a terminal's output into `sink`; returns a function that stops it */
  attachTerminal(id: number, sink: TerminalSink): () => void;
  /** keystrokes or a paste; dropped (and never sent) for viewers */
  input(id: number, data: string): void;
  /** ask the host to resize a terminal (editors and owners) */
  resize(id: number, cols: number, rows: number): void;
}
