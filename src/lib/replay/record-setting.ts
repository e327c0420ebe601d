/** Whether this browser records the sessions its person joins (the /replay page's checkbox). */

/** localStorage key: "off" when this person turned recording off on this browser. */
export const RECORD_SETTING = 'live-sessions.replay.record';

/** Whether sessions are recorded on this browser (on unless turned off on the /replay page). */
export function recordingEnabled(): boolean {
  try {
    return localStorage.getItem(RECORD_SETTING) !== 'off';
  } catch {
    return true; // storage blocked: recording then fails on its own and says so
  }
}

export function setRecordingEnabled(on: boolean): void {
  if (on) localStorage.removeItem(RECORD_SETTING);
  else localStorage.setItem(RECORD_SETTING, 'off');
}
