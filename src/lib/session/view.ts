/**
 * What the session page shows and what it can ask for. The real implementation is the
 * `SessionState` class (session.svelte.ts, which composes the capability clients); components
 * receive this interface (or the parts they need as props) so they can be built and tested
 * without a mesh.
 */
import type { ShareLinks } from '../protocol/session.ts';
import type { TermInfo } from '../protocol/terminal.ts';
import type { SignalingStatus } from '../mesh/signaling-client.ts';
import type { Participant } from '../presence/presence-client.ts';
import type { TerminalSink } from '../terminal/output-stream.ts';
import type { RecorderStatus } from '../replay/recorder.ts';

export type { Participant, SignalingStatus, TerminalSink };

export type JoinStatus = 'joining' | 'joined' | 'failed' | 'ended';

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
  readonly links: ShareLinks;
  /** this browser's recording of the session, once it started (replay/recorder.ts) */
  readonly recording?: RecorderStatus | null;

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
