/** Joins and leaves, announced briefly on the session page. */
export interface Arrival {
  key: number;
  /** the participant: their name is shown as it is now (a rename follows right after a join) */
  id: string;
  name: string;
  what: 'joined' | 'left';
  color: string;
}

/** how long one announcement stays, ms */
export const ARRIVAL_SHOW_MS = 4_000;
