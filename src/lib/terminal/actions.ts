import type { TerminalSink } from './output-stream.ts';

/** What the terminal components may ask of whoever owns the terminals (the session page). */
export interface TerminalActions {
  /** start receiving a terminal's output into `sink`; returns what stops it */
  attach(id: number, sink: TerminalSink): () => void;
  input(id: number, data: string): void;
  resize(id: number, cols: number, rows: number): void;
  restart(id: number): void;
  open(cols: number, rows: number): void;
  close(id: number): void;
}
