/**
 * What the session page shows and what it can ask for. The real implementation is the
 * `SessionState` class (session.svelte.ts, which composes the capability clients); components
 * receive this interface (or the parts they need as props) so they can be built and tested
 * without a mesh.
 */
import type { Command } from '../protocol/commands.ts';
import type { Snapshot, SnapshotInfo } from '../protocol/env.ts';
import type { ShareLinks } from '../protocol/session.ts';
import type { InviteList } from './invites.svelte.ts';
import type { TermInfo } from '../protocol/terminal.ts';
import type { SignalingStatus } from '../mesh/signaling-client.ts';
import type { Participant } from '../presence/presence-client.ts';
import type { TerminalSink } from '../terminal/output-stream.ts';
import type { EditorClient } from '../editor/editor-client.ts';
import type { FilesClient } from '../files/files-client.ts';
import type { LogsClient } from '../logs/logs-client.ts';
import type { RecorderStatus } from '../replay/recorder.ts';
import type { ConnectionPath } from '../mesh/connection-path.ts';
import type { MetricsState } from '../metrics/metrics-client.ts';
import type { Activity } from '../presence/activity.ts';
import type { Arrival } from '../presence/arrivals.ts';

export type { Participant, SignalingStatus, TerminalSink };

/** `removed`: the owner removed this participant (final, also after a reload) */
export type JoinStatus = 'joining' | 'joined' | 'failed' | 'ended' | 'removed';

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
  /** who ran what, oldest first */
  readonly commands: Command[];
  /** terminals whose commands are unknown (no shell integration) */
  readonly blindTerms: number[];
  /** links this participant may share, when this browser knows them (owners: all; editors: the viewer link) */
  readonly links: ShareLinks;
  /** an owner's invite links (make, list, revoke); null for everyone else */
  readonly invites: InviteList | null;
  /** the session's shared document, once joined (absent where there is no mesh, as in UI tests) */
  readonly editor?: EditorClient | null;
  /** the host's files, once joined */
  readonly files?: FilesClient | null;
  /** the host's logs, once joined */
  readonly logs?: LogsClient | null;
  /** this browser's recording of the session, once it started (replay/recorder.ts) */
  readonly recording?: RecorderStatus | null;
  /** how each connected peer is reached (direct, STUN, TURN relay) and its RTT, by participant id */
  readonly paths?: Record<string, ConnectionPath>;
  /** this page's round trip to the host, ms (terminals predict echo over slow links) */
  readonly hostRttMs?: number | null;
  /** why a connection to someone did not open, until it does */
  readonly connectProblem?: string | null;
  /** every connection goes through the TURN relay (the host started it so, or the owner decided) */
  readonly relayOnly?: boolean;
  /** the signaling server offers a TURN relay (so the owner can make the session relay-only) */
  readonly relayAvailable?: boolean;
  /** owners: make the session relay-only, at every peer, for good */
  makeRelayOnly?(): void;
  /** the host's live metrics (and its trace id), once it sent them */
  readonly metrics?: MetricsState | null;
  /** what each participant has open and where they type, by id (absent without a mesh) */
  readonly activity?: Record<string, Activity>;
  /** joins and leaves to announce briefly */
  readonly arrivals?: Arrival[];
  /** tells everyone which terminal tab this participant looks at */
  setActiveTerminal?(id: number | null): void;

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
  /** owners: make a participant an editor or a viewer, at every peer */
  setRole(id: string, role: 'editor' | 'viewer'): void;
  /** owners: remove a participant; every peer drops it and never takes it back; `revokeLink` also
   * revokes the invite link it came through */
  remove(id: string, revokeLink?: boolean): void;
  /** the host's environment snapshots, oldest first */
  readonly snapshots: SnapshotInfo[];
  /** one snapshot, fetched from the host the first time */
  getSnapshot(id: number): Promise<Snapshot>;
  /** ask the host for an environment checkpoint (editors and owners; never sent for a viewer) */
  checkpoint(label: string): void;
}
