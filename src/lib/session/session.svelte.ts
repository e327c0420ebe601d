/**
 * PLACEHOLDER, to be replaced by the real network-backed SessionState (mesh + signaling).
 * It exists so the session route builds; it reports that joining is not implemented.
 */
import type { TermInfo } from '../protocol/control.ts';
import type { JoinStatus, Participant, SessionView, SignalingStatus, TerminalSink } from './view.ts';

export interface SessionOptions {
  session: string;
  invite: string;
  key: string;
  name: string | null;
  origin: string;
}

export class SessionState implements SessionView {
  status = $state<JoinStatus>('failed');
  error = $state<string | null>('Joining a session is not implemented in this build yet.');
  signaling = $state<SignalingStatus>('connecting');
  self: Participant;
  participants = $state<Participant[]>([]);
  hostConnected = $state(false);
  terminals = $state<TermInfo[]>([]);
  links = $state<SessionView['links']>({});

  constructor(opts: SessionOptions) {
    this.self = { id: 'self', name: opts.name ?? 'Guest', role: 'viewer', self: true, connected: true, color: '#4f9dff' };
    this.participants = [this.self];
  }

  rename(_name: string): void {}
  openTerminal(_cols: number, _rows: number): void {}
  closeTerminal(_id: number): void {}
  restartTerminal(_id: number): void {}
  attachTerminal(_id: number, _sink: TerminalSink): () => void {
    return () => {};
  }
  input(_id: number, _data: string): void {}
  resize(_id: number, _cols: number, _rows: number): void {}
  dispose(): void {}
}
