/// <reference lib="dom" />
// The Learn view's charts, page side: the curves (every step's statistics, and the running test
// error) and the goodness histograms of each layer, drawn with the report's chart.js (uPlot) and
// updated in place (setData) at most every REDRAW_MS, in an animation frame. Presentation only:
// every number comes from the training worker's messages.
import uPlot from 'uplot';
import { drawChart, LAYER_COLOURS as COLOURS, type ChartSpec } from '../report/chart.js';
import type { TestErrors } from './api.ts';
import type { LiveLayer } from './live-view.ts';
import type { StepPoint } from './messages.ts';

const colour = (l: number): string => COLOURS[l % COLOURS.length]!;
/** The curves redraw at most this often: the training worker shares the machine's cores with the page. */
const REDRAW_MS = 250;

/** A chart made on first data and updated in place afterwards; its element's data-points counts its x values. */
function liveChart(el: HTMLElement): { show(spec: ChartSpec): void; clear(): void } {
  let chart: uPlot | null = null, shape = '';
  return {
    show(spec) {
      const key = spec.series.map((s) => s.label).join('|');
      if (!chart || key !== shape) {
        chart?.destroy();
        el.innerHTML = '';
        chart = drawChart(uPlot, spec, el);
        shape = key;
      } else chart.setData([spec.x, ...spec.series.map((s) => s.values)] as uPlot.AlignedData);
      el.dataset.points = String(spec.x.length);
    },
    clear() {
      chart?.destroy();
      chart = null;
      el.innerHTML = '';
      el.dataset.points = '0';
    },
  };
}

export interface Curves {
  /** Forget the run's points (a new run). */
  reset(): void;
  add(points: StepPoint[]): void;
  test(step: number, errors: TestErrors): void;
  /** Draw what has come, now (the run has ended). */
  flush(): void;
}

export function makeCurves(ids: { loss: string; good: string; pair: string; test: string }): Curves {
  const el = (id: string): HTMLElement => document.getElementById(id)!;
  const charts = { loss: liveChart(el(ids.loss)), good: liveChart(el(ids.good)), pair: liveChart(el(ids.pair)), test: liveChart(el(ids.test)) };
  let steps: number[] = [], points: StepPoint[] = [], tests: { step: number; errors: TestErrors }[] = [], queued = false;

  const draw = (): void => {
    queued = false;
    const L = points[0]?.layers.length ?? 0;
    if (L > 0) {
      const perLayer = (f: (p: StepPoint, l: number) => number, dash?: number[], suffix = '') => Array.from({ length: L }, (_, l) => ({
        label: `layer ${l + 1}${suffix}`, colour: colour(l), dash, values: points.map((p) => f(p, l)),
      }));
      const base = { xLabel: 'step', x: steps, points: false };
      charts.loss.show({ ...base, id: ids.loss, title: 'FF loss per layer, and the head', yLabel: 'loss',
        series: [...perLayer((p, l) => p.layers[l]!.loss), { label: 'head', colour: '#444', values: points.map((p) => p.headLoss) }] });
      charts.good.show({ ...base, id: ids.good, title: 'mean goodness: G⁺ solid, G⁻ dashed', yLabel: 'G',
        series: [...perLayer((p, l) => p.layers[l]!.goodPos, undefined, ' G⁺'), ...perLayer((p, l) => p.layers[l]!.goodNeg, [5, 4], ' G⁻')] });
      charts.pair.show({ ...base, id: ids.pair, title: 'pair error per layer (%)', yLabel: '%',
        series: perLayer((p, l) => 100 * p.layers[l]!.pairError) });
    }
    const methods = (['goodness', 'softmax'] as const).filter((m) => tests[0]?.errors[m] != null);
    if (methods.length > 0) {
      charts.test.show({
        id: ids.test, title: 'test error on a fixed sample (%)', xLabel: 'step', yLabel: '%', x: tests.map((t) => t.step), points: tests.length < 30,
        series: methods.map((m, i) => ({ label: m, colour: i === 0 ? '#2a9d4b' : '#d1495b', values: tests.map((t) => 100 * (t.errors[m] ?? NaN)) })),
      });
    }
  };
  const queue = (): void => {
    if (!queued) { queued = true; setTimeout(() => requestAnimationFrame(draw), REDRAW_MS); }
  };
  return {
    reset() {
      steps = []; points = []; tests = [];
      for (const c of Object.values(charts)) c.clear();
    },
    add(more) {
      for (const p of more) { steps.push(p.step); points.push(p); }
      queue();
    },
    test(step, errors) {
      tests.push({ step, errors });
      queue();
    },
    flush: () => draw(),
  };
}

/** The goodness histograms, one chart per layer (created on the first view, updated in place). */
export function makeHistograms(container: HTMLElement): { show(layers: LiveLayer[]): void; clear(): void } {
  let charts: ReturnType<typeof liveChart>[] = [];
  return {
    show(layers) {
      if (charts.length !== layers.length) {
        container.innerHTML = layers.map((_, l) => `<div class="chart" id="hist-${l + 1}"></div>`).join('');
        charts = layers.map((_, l) => liveChart(document.getElementById(`hist-${l + 1}`)!));
      }
      layers.forEach((L, l) => {
        const h = L.histogram, x = h.edges.slice(0, -1).map((e, i) => (e + h.edges[i + 1]!) / 2);
        charts[l]!.show({
          id: `hist-${l + 1}`, title: `layer ${l + 1}: G of positive and negative rows`, xLabel: 'G', yLabel: 'fraction', x, bars: true,
          vline: { at: L.theta, label: `θ = ${L.theta}` },
          series: [{ label: 'positive', colour: '#2a9d4b', values: h.pos }, { label: 'negative', colour: '#d1495b', values: h.neg }],
        });
      });
    },
    clear() {
      for (const c of charts) c.clear();
      charts = [];
      container.innerHTML = '';
    },
  };
}
