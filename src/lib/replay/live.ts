/**
 * The page's side of recording: batches written by a worker (recorder-worker.ts; in the page,
 * with xterm.js's own Terminal never opened as the keyframe model, where there is no Worker),
 * persistent storage asked for, and a storage watch that stops recording before the quota is hit
 * rather than after. Started by the session with its mesh.
 */
import { Terminal } from '@xterm/xterm';
import { SerializeAddon } from '@xterm/addon-serialize';
import { replayDb } from './db.ts';
import type { Person } from './events.ts';
import type { RecordingMeta } from './events.ts';
import { FULL, Recorder, type RecorderSource, type RecorderStatus } from './recorder.ts';
import { PortSink } from './worker-sink.ts';
import { BatchWriter, type BatchSink } from './batch-writer.ts';
import { askPersistent, storageInfo } from './storage.ts';
import type { XtermKit } from './term-model.ts';

/** How often the storage estimate is checked, ms. */
const STORAGE_CHECK_MS = 30_000;
/** Above this share of the quota, recording stops on its own (other pages of this origin need room too). */
const STORAGE_FULL_RATIO = 0.98;

export const browserKit = { Terminal, SerializeAddon } as unknown as XtermKit;

export interface LiveRecording {
  readonly recorder: Recorder;
  dispose(): Promise<void>;
}

/** A sink in a worker of its own, terminated with the recording; the page's own without Worker. */
function workerSink(meta: RecordingMeta): BatchSink {
  if (typeof Worker === 'undefined') return new BatchWriter(replayDb(), meta, browserKit);
  const worker = new Worker(new URL('./recorder-worker.ts', import.meta.url), { type: 'module', name: 'recorder' });
  const sink = new PortSink(worker, meta, () => worker.terminate());
  worker.addEventListener('error', (e) => sink.fail(`the recording’s worker failed: ${e.message || 'could not start'}`));
  return sink;
}

export function startRecording(source: RecorderSource, session: string, self: Person, onStatus: (s: RecorderStatus) => void): LiveRecording {
  const recorder = new Recorder({ db: replayDb(), source, session, self, kit: browserKit, sink: workerSink });
  recorder.status.on(onStatus);
  void askPersistent();
  const check = setInterval(() => {
    void storageInfo().then((s) => {
      if (s && s.quota && s.usage / s.quota > STORAGE_FULL_RATIO) void recorder.flush().then(() => recorder.stop('full', FULL));
    });
  }, STORAGE_CHECK_MS);
  return {
    recorder,
    dispose: async () => {
      clearInterval(check);
      await recorder.dispose();
    }
  };
}
