/**
 * The /replay/[id] page's state: one Player over one recording, its markers, search hits, and the
 * keyboard shortcuts applied to it. Opening reads only the meta and the marks (streamed replay).
 */
import type { TermInfo } from '../protocol/terminal.ts';
import type { MetricsState } from '../metrics/metrics-client.ts';
import { REPLAY_KEY, replayMetrics } from '../metrics/window.ts';
import type { ReplayDb } from './db.ts';
import type { Person, RecordingMeta } from './events.ts';
import { asciicast, type CastVersion } from './asciicast.ts';
import { download } from './download.ts';
import { exportParts, fileName } from './file-format.ts';
import { markerFrom, type PlayerKey } from './keys.ts';
import { markersOf, type Marker } from './markers.ts';
import { Player, SPEEDS } from './player.ts';
import { RecordingReader } from './reader.ts';
import { search, type Hit } from './search.ts';
import { segmented } from './segmented.ts';
import { downloadZip } from 'client-zip';

export class PlayerState {
  meta = $state<RecordingMeta | null>(null);
  error = $state<string | null>(null);
  markers = $state<Marker[]>([]);
  hits = $state<Hit[]>([]);
  t = $state(0);
  playing = $state(false);
  speed = $state(1);
  skipIdle = $state(false);
  people = $state<Person[]>([]);
  self = $state<Person | null>(null);
  terminals = $state<TermInfo[]>([]);
  /** the host's metrics around the position, when the recording has them */
  metrics = $state.raw<MetricsState | null>(null);
  /** ms from opening to the first frame applied (for the benchmark) */
  firstFrameMs = $state<number | null>(null);
  player = $state.raw<Player | null>(null);
  #reader: RecordingReader;

  constructor(db: ReplayDb, id: string) {
    this.#reader = new RecordingReader(db, id);
    void this.#open().catch((e: Error) => (this.error = `Cannot open this recording: ${e.message}`));
  }

  async #open(): Promise<void> {
    const started = performance.now();
    const meta = await this.#reader.meta();
    if (!meta) {
      this.error = 'There is no such recording on this browser.';
      return;
    }
    this.meta = meta;
    const player = new Player(this.#reader, meta.length);
    let lastWindow: unknown;
    player.changed.on((v) => {
      this.t = v.t;
      this.playing = v.playing;
      // replaced only when they changed: a new list re-renders the people and every terminal view
      // (a layout read in the next frame), which a seek would otherwise pay each time
      if (!same(this.people, v.people)) this.people = v.people;
      if (!same(this.self, v.self)) this.self = v.self;
      const terminals = v.terminals.length ? v.terminals : this.#fallbackTerminals(player);
      if (!same(this.terminals, terminals)) this.terminals = terminals;
      // a new window object only when a sample was applied: the charts redraw once a second
      if (v.latest[REPLAY_KEY] !== lastWindow) {
        lastWindow = v.latest[REPLAY_KEY];
        this.metrics = replayMetrics(v.latest);
      }
    });
    this.player = player;
    await player.seek((await this.#reader.firstOf('terminal')) ?? 0);
    this.firstFrameMs = performance.now() - started;
    this.markers = markersOf(await this.#reader.marks());
    // after the first frame: seeks then read their keyframe and events at once; without the index
    // (not read yet, or it failed) they look the keyframe up first, as before
    void this.#reader.indexKeyframes().catch(() => {});
  }

  /** Terminals that sent output before the host's list was recorded. */
  #fallbackTerminals(p: Player): TermInfo[] {
    return [...p.screens].map(([id, s]) => ({ id, title: `terminal ${id}`, cols: s.cols, rows: s.rows, exit: null }));
  }

  seek(t: number): Promise<void> {
    return this.player?.seek(t) ?? Promise.resolve();
  }

  toggle(): void {
    this.player?.toggle();
  }

  setSpeed(s: number): void {
    this.speed = s;
    if (this.player) this.player.speed = s;
  }

  setSkipIdle(on: boolean): void {
    this.skipIdle = on;
    if (this.player) this.player.skipIdle = on;
  }

  key(k: PlayerKey): void {
    const len = this.meta?.length ?? 0;
    switch (k.kind) {
      case 'toggle':
        return this.toggle();
      case 'step':
        return void this.seek(this.t + k.ms);
      case 'percent':
        return void this.seek((len * k.pct) / 100);
      case 'marker': {
        const to = markerFrom(this.markers.map((m) => m.t), this.t, k.dir);
        if (to !== null) void this.seek(to);
        return;
      }
      case 'speed': {
        const i = SPEEDS.indexOf(this.speed as (typeof SPEEDS)[number]);
        return this.setSpeed(SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, i + k.dir))]);
      }
    }
  }

  async search(q: string): Promise<void> {
    this.hits = q.trim() ? await search(this.#reader, q.trim()) : [];
  }

  async exportFile(): Promise<void> {
    if (this.meta) download(await exportParts(this.#reader), fileName(this.meta), 'application/x-ndjson');
  }

  /** One terminal's track as an asciicast file (v2 plays in asciinema 2 and 3; v3 in asciinema 3). */
  async exportCast(termId: number, version: CastVersion = 2): Promise<void> {
    if (this.meta) download(await asciicast(this.#reader, termId, version), fileName(this.meta).replace(/\.lsrec$/, `-terminal-${termId}${version === 3 ? '-v3' : ''}.cast`), 'application/x-asciicast');
  }

  /** One terminal in asciinema-player's segmented format (segmented.ts), as a zip of its files. */
  async exportSegmented(termId: number): Promise<void> {
    if (!this.meta) return;
    const files = await segmented(this.#reader, termId);
    const zip = await downloadZip(files.map((f) => ({ name: f.name, input: f.text }))).blob();
    download([zip], fileName(this.meta).replace(/\.lsrec$/, `-terminal-${termId}-segmented.zip`), 'application/zip');
  }

  /** Resolves once the last seek is done and every shown terminal parsed what it was given. */
  settled(): Promise<void> {
    return this.player?.settled() ?? Promise.resolve();
  }

  dispose(): void {
    this.player?.dispose();
  }
}

/** Same content (small lists of plain data: people, terminals). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
