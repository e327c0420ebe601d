/**
 * What a Node test peer "sees" of one terminal: a TerminalSink over the product's TerminalClient
 * (the same client the page uses), keeping the last snapshot and the live output after it.
 */
import type { TerminalSink } from '../../src/lib/terminal/output-stream.ts';
import type { TerminalClient } from '../../src/lib/terminal/terminal-client.ts';
import { until } from './wait.ts';

export class TermScreen implements TerminalSink {
  snapshots: string[] = [];
  /** live output after the last snapshot, decoded */
  live = '';
  #dec = new TextDecoder();
  readonly stop: () => void;

  constructor(client: TerminalClient, id: number) {
    this.stop = client.attach(id, this);
  }

  reset(snapshot: string): void {
    this.snapshots.push(snapshot);
    this.live = '';
  }

  write(data: Uint8Array, done: () => void): void {
    this.live += this.#dec.decode(data, { stream: true });
    done();
  }

  resize(): void {}

  /** Everything this screen has seen: last snapshot plus live output since. */
  get text(): string {
    return (this.snapshots.at(-1) ?? '') + this.live;
  }

  waitFor(re: RegExp, ms = 10_000): Promise<void> {
    return until(() => re.test(this.text), `the terminal to show ${re}`, ms).catch(() => {
      throw new Error(`terminal never showed ${re}; it shows: ${JSON.stringify(this.text.slice(-500))}`);
    });
  }
}
