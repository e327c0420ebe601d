/**
 * The page's side of recording: one database per page, xterm.js's own Terminal (never opened) as
 * the keyframe model, persistent storage asked for, and a storage watch that stops recording
 * before the quota is hit rather than after. Started by the session with its mesh.
 */
import { Terminal } from '@xterm/xterm';
import { SerializeAddon } from '@xterm/addon-serialize';
import { replayDb } from './db.ts';
import type { Person } from './events.ts';
import { FULL, Recorder, type RecorderSource, type RecorderStatus } from './recorder.ts';
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

export function startRecording(source: RecorderSource, session: string, self: Person, onStatus: (s: RecorderStatus) => void): LiveRecording {
  const recorder = new Recorder({ db: replayDb(), source, session, self, kit: browserKit });
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
