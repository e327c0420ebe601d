/**
 * A uPlot plugin that puts markers (commands, checkpoints) on a chart's time axis: one element per
 * marker in uPlot's `over` layer, placed with `valToPos` after every draw, so they move with the
 * data and carry a tooltip (and are found by tests and screen readers like any element).
 */
import type uPlot from 'uplot';
import type { Marker } from './series.ts';

export function markersPlugin(markers: () => Marker[]): uPlot.Plugin {
  let layer: HTMLDivElement | null = null;
  return {
    hooks: {
      init: (u) => {
        layer = document.createElement('div');
        layer.className = 'markers';
        u.over.appendChild(layer);
      },
      draw: (u) => {
        if (!layer) return;
        const width = u.over.clientWidth;
        const items = markers()
          .map((m) => ({ m, x: u.valToPos(m.t / 1000, 'x') }))
          .filter(({ x }) => x >= 0 && x <= width);
        layer.replaceChildren(
          ...items.map(({ m, x }) => {
            const el = document.createElement('div');
            el.className = `marker ${m.kind}${m.failed ? ' failed' : ''}`;
            el.style.left = `${x}px`;
            el.title = m.label;
            el.setAttribute('aria-label', m.label);
            el.dataset.testid = 'metrics-marker';
            el.dataset.kind = m.kind;
            return el;
          })
        );
      }
    }
  };
}
