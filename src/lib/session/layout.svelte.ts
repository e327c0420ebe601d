/**
 * The workspace's pane sizes and arrangement, remembered per browser (localStorage, one key):
 * the file panel's width, the editor's share of the rest, and whether editor and terminals sit
 * side by side or stacked. Bad or missing stored values fall back to the defaults.
 */

const KEY = 'live-sessions:layout';

/** `auto`: side by side when the workspace is wide enough (AUTO_SIDE_MIN_PX), stacked otherwise;
 * `tabbed`: one of editor and terminals at a time, full size, with tabs to switch */
export type Arrangement = 'auto' | 'side' | 'stacked' | 'tabbed';
export const AUTO_SIDE_MIN_PX = 900;

export const FILES_MIN_PX = 120;
export const FILES_MAX_PX = 480;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export class Layout {
  /** width of the file panel, px (0 = hidden) */
  filesPx = $state(200);
  /** the editor's share of the space beside the file panel, 0.15–0.85 */
  editorShare = $state(0.5);
  arrangement = $state<Arrangement>('auto');

  constructor() {
    try {
      const o = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, unknown>;
      if (typeof o.filesPx === 'number') this.filesPx = o.filesPx === 0 ? 0 : clamp(o.filesPx, FILES_MIN_PX, FILES_MAX_PX);
      if (typeof o.editorShare === 'number') this.editorShare = clamp(o.editorShare, 0.15, 0.85);
      if (o.arrangement === 'side' || o.arrangement === 'stacked' || o.arrangement === 'tabbed') this.arrangement = o.arrangement;
    } catch {
      // storage disabled or damaged: defaults for this page
    }
  }

  setFiles(px: number): void {
    this.filesPx = px === 0 ? 0 : clamp(Math.round(px), FILES_MIN_PX, FILES_MAX_PX);
    this.#save();
  }

  setShare(share: number): void {
    this.editorShare = clamp(share, 0.15, 0.85);
    this.#save();
  }

  setArrangement(a: Arrangement): void {
    this.arrangement = a;
    this.#save();
  }

  #save(): void {
    try {
      localStorage.setItem(KEY, JSON.stringify({ filesPx: this.filesPx, editorShare: this.editorShare, arrangement: this.arrangement }));
    } catch {
      // storage disabled: the layout lasts for this page
    }
  }
}
