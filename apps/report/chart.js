// One chart from a spec, drawn with uPlot: shared by the HTML report (render.ts inlines this file
// as a classic script, dropping its `export` keywords) and the playground (imported and bundled),
// so the two look alike. Knows nothing of FF. A spec:
//   { id, title, xLabel, yLabel, x: number[], series: [{ label, values, colour, dash? }], bars?, vline?, xWhole?, points? }
// bars: draw the series as bars (histograms); vline: { at, label } marks an x value (θ);
// xWhole: x counts things (epochs, layers, iterations), so its ticks are whole numbers; points: draw
// each point's marker (default: when there are fewer than 30); dash: a dashed series' pattern.

/** One colour per series (per layer), in order. */
export const LAYER_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

// A uPlot plugin that draws a dashed vertical line at x = at, labelled.
function vlinePlugin(at, label) {
  return {
    hooks: {
      draw: [(u) => {
        const x = u.valToPos(at, 'x', true);
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = '#222';
        ctx.setLineDash([6, 4]);
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.fillStyle = '#222';
        ctx.font = `${12 * devicePixelRatio}px sans-serif`;
        ctx.fillText(label, x + 4 * devicePixelRatio, u.bbox.top + 14 * devicePixelRatio);
        ctx.restore();
      }],
    },
  };
}

export function drawChart(uPlot, spec, el) {
  const width = Math.max(320, Math.min(520, el.clientWidth || 480));
  const opts = {
    title: spec.title,
    width,
    height: 240,
    scales: { x: spec.bars && spec.xWhole ? { time: false, range: (u, lo, hi) => [lo - 0.5, hi + 0.5] } : { time: false } },
    axes: [{ label: spec.xLabel, incrs: spec.xWhole ? [1, 2, 5, 10, 20, 50, 100, 200, 500] : undefined }, { label: spec.yLabel, size: 60 }],
    legend: { live: false },
    plugins: spec.vline ? [vlinePlugin(spec.vline.at, spec.vline.label)] : [],
    series: [{ label: spec.xLabel }].concat(spec.series.map((s) => ({
      label: s.label,
      stroke: s.colour,
      width: 2,
      dash: s.dash,
      fill: spec.bars ? s.colour + '66' : undefined,
      paths: spec.bars ? uPlot.paths.bars({ size: [0.95, Infinity], align: 0 }) : undefined,
      points: { show: spec.points ?? (!spec.bars && spec.x.length < 30) },
    }))),
  };
  return new uPlot(opts, [spec.x].concat(spec.series.map((s) => s.values)), el);
}

