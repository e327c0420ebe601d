/** Joins and leaves, announced briefly on the session page. */
export interface Arrival {
  key: number;
  text: string;
  color: string;
}

/** how long one announcement stays, ms */
export const ARRIVAL_SHOW_MS = 4_000;
