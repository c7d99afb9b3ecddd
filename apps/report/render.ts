// The report as one self-contained HTML file: tables and pictures written here, charts declared as
// data and drawn in the browser by uPlot (inlined from node_modules, with page.js), pictures as
// PNG data URLs. It opens from disk with no network and no server. Presentation only: every
// number comes from build.ts. Sections carry ids (run, curves, histograms, fields, trained-on,
// confusion, wrong, layers, iterations) that the browser test looks for.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { pct } from '../cli/report.ts';
import type { ReportContent } from './build.ts';
import type { Picture } from './pictures.ts';
import { epochTrained } from '../../src/model/run-record.ts';
import { LAYER_COLOURS, type ChartSpec } from './chart.js';

export type { ChartSpec } from './chart.js';
const POS = '#2a9d4b', NEG = '#d1495b';
const colour = (l: number): string => LAYER_COLOURS[l % LAYER_COLOURS.length]!;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const img = (p: Picture, alt: string): string => `<img src="${p.src}" width="${p.width}" height="${p.height}" alt="${esc(alt)}">`;
const num = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/** The uPlot script and style, read from the installed package. */
function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const js = require.resolve('uplot/dist/uPlot.iife.min.js');
  return { js: readFileSync(js, 'utf8'), css: readFileSync(js.replace(/uPlot\.iife\.min\.js$/, 'uPlot.min.css'), 'utf8') };
}

function table(head: string[], rows: string[][]): string {
  const headCells = head.map((h) => `<th>${h}</th>`).join('');
  const bodyRows = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${headCells}</tr></thead><tbody>${bodyRows}</tbody></table>`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${esc(title)}</h2>${body}</section>`;
}

const chartDiv = (c: ChartSpec): string => `<div class="chart" id="${c.id}"></div>`;

/** The report's own style, after uPlot's: one CSS line per element. */
const STYLE = [
  'body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1120px; padding: 0 16px 48px; color: #222; }',
  'h1 { font-size: 22px; margin: 20px 0 4px; } h2 { font-size: 17px; border-bottom: 1px solid #ddd; padding-bottom: 3px; margin-top: 28px; }',
  'table { border-collapse: collapse; margin: 6px 0; } td, th { border: 1px solid #ddd; padding: 2px 7px; text-align: right; } ' +
    'td:first-child { text-align: left; }',
  '.facts td { text-align: left; } .facts thead { display: none; } .note { color: #555; font-size: 13px; } ' +
    '.grid { display: flex; flex-wrap: wrap; gap: 12px; } .side { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; }',
  '.chart { width: 520px; min-height: 250px; } figure { margin: 6px 0; } figcaption { font-size: 12px; color: #555; max-width: 560px; }',
  'img { image-rendering: pixelated; } .cell { display: block; min-width: 28px; }',
  '.wrong { display: flex; flex-wrap: wrap; gap: 14px; } .case { width: 170px; font-size: 12px; } .case p { margin: 2px 0; }',
  '.bar { display: flex; align-items: center; gap: 4px; height: 13px; } .bar span { width: 10px; } ' +
    '.bar i { display: block; height: 9px; background: #bbb; } .bar em { font-style: normal; color: #666; }',
  `.bar.true i { background: ${POS}; } .bar.pred i { background: ${NEG}; }`,
].join('\n');

export function renderReport(r: ReportContent): string {
  const charts: ChartSpec[] = [];
  const add = (c: ChartSpec): string => {
    charts.push(c);
    return chartDiv(c);
  };
  const rec = r.record, cfg = r.config, L = r.widths.length - 1;
  const epochs = rec.epochs.map((e) => e.epoch);
  const status = r.finished ? 'finished' : `training: ${rec.epochs.length} of ${r.epochsTotal} epochs done (reload to update)`;

  // Run.
  const errs = rec.test
    ? [
      rec.test.goodness !== null ? `goodness ${pct(rec.test.goodness)}` : null,
      rec.test.softmax !== null ? `softmax ${pct(rec.test.softmax)}` : null,
    ].filter(Boolean).join(', ')
    : 'after the last epoch';
  const facts: [string, string][] = [
    ['status', esc(status)],
    ['mode / preset', `${esc(cfg.mode)} / ${esc(cfg.preset)}`],
    ['layers', esc(cfg.layers.join('-'))],
    ['data', `${esc(rec.source)}: ${rec.trainCount} training images per epoch, ${rec.testCount} test images`],
    ['test error', errs],
    ['time', rec.trainSeconds === null
      ? 'not stored in a model file (it holds no wall-clock times, so that the same seed gives the same bytes); see the run\'s own --report'
      : rec.seconds !== null
        ? `${num(rec.seconds, 1)} s in all, ${num(rec.trainSeconds, 1)} s training`
        : `${num(rec.trainSeconds, 1)} s training so far`],
    ['training speed', rec.examplesPerSecond === null ? '–' : `${num(rec.examplesPerSecond, 0)} examples/s`],
  ];
  const run = section('run', 'The run', `<div class="facts">${table(['', ''], facts.map(([a, b]) => [a, b]))}</div>` +
    `<details><summary>whole config</summary><pre>${esc(JSON.stringify(cfg, null, 1))}</pre></details>`);

  // Curves.
  // A layer's statistics exist only for the epochs that trained it (epochTrained): a gap, not a 0,
  // for the other layers of a greedy epoch and for every layer of a readout epoch.
  const per = (key: 'loss' | 'goodPos' | 'goodNeg' | 'pairError', scale = 1): ChartSpec['series'] =>
    Array.from({ length: L }, (_, l) => ({
      label: `layer ${l + 1}`, colour: colour(l),
      values: rec.epochs.map((e) => (e.layers[l] && epochTrained(e, l) ? e.layers[l]![key] * scale : null)),
    }));
  let curves = '';
  if (rec.epochs.length === 0) curves = '<p>No epoch has finished yet.</p>';
  else {
    const lossTitle = cfg.loss === 'symba' ? 'SymBa loss per layer (mean over pairs and the epoch)' : 'FF loss per layer (mean over the epoch)';
    curves += add({ id: 'chart-loss', title: lossTitle, xLabel: 'epoch', xWhole: true, yLabel: 'loss', x: epochs, series: per('loss') });
    curves += add({
      id: 'chart-goodness', title: 'mean goodness: positive (solid) and negative rows', xLabel: 'epoch', xWhole: true, yLabel: 'G', x: epochs,
      series: [
        ...per('goodPos').map((s) => ({ ...s, label: `${s.label} G+` })),
        ...per('goodNeg').map((s, l) => ({ ...s, label: `${s.label} G−`, colour: colour(l) + '88' })),
      ],
    });
    curves += add({
      id: 'chart-pairerr', title: 'pair error: negative row as good as its positive (%)', xLabel: 'epoch', xWhole: true, yLabel: '%', x: epochs,
      series: per('pairError', 100),
    });
    curves += add({
      id: 'chart-head', title: 'softmax head loss', xLabel: 'epoch', xWhole: true, yLabel: 'cross-entropy', x: epochs,
      series: [{ label: 'head', colour: '#444', values: rec.epochs.map((e) => e.headLoss) }],
    });
    if (rec.epochs.some((e) => e.validation)) {
      const v = (k: 'goodness' | 'softmax'): (number | null)[] =>
        rec.epochs.map((e) => (e.validation?.[k] ?? null) === null ? null : 100 * e.validation![k]!);
      curves += add({
        id: 'chart-validation', title: 'validation error (%)', xLabel: 'epoch', xWhole: true, yLabel: '%', x: epochs,
        series: [{ label: 'goodness', colour: POS, values: v('goodness') }, { label: 'softmax', colour: '#444', values: v('softmax') }]
          .filter((s) => s.values.some((x) => x !== null)),
      });
    }
  }
  const curvesSec = section('curves', 'Per-epoch curves (training)', `<div class="grid">${curves}</div>`);

  const a = r.analysis;
  const note = `<p class="note">${esc(r.analysisNote)}</p>`;
  const pending = '<p class="note">Computed after the first epoch.</p>';

  // Histograms.
  let hist = pending;
  if (a?.histograms) {
    const seriesNames: [string, string] = r.config.mode !== 'unsupervised' ? ['true label', 'wrong labels']
      : r.config.contrast === 'scff' ? ['image beside itself', 'image beside another'] : ['images', 'hybrids'];
    hist = note + '<div class="grid">' + a.histograms.map((h) => {
      const centres = h.edges.slice(0, -1).map((e, i) => (e + h.edges[i + 1]!) / 2);
      return add({
        id: `chart-hist-${h.layer}`, title: `layer ${h.layer}: goodness (mean ${num(h.posMean, 1)} positive, ${num(h.negMean, 1)} negative)`,
        xLabel: 'goodness', yLabel: 'fraction of rows', x: centres, bars: true,
        vline: { at: h.theta, label: `θ = ${num(h.theta, 1)}${r.config.thresholdNeg != null ? ` (θ⁻ = ${num(r.config.thresholdNeg, 1)})` : ''}` },
        series: [{ label: seriesNames[0], colour: POS, values: h.pos }, { label: seriesNames[1], colour: NEG, values: h.neg }],
      });
    }).join('') + '</div>';
  }
  const histSec = section('histograms', 'Goodness of positive and negative rows, held-out images', hist);

  // Receptive fields.
  const fieldsSec = section('fields', 'What layer 1 looks for',
    `<figure>${img(r.fields.picture, 'receptive fields')}<figcaption>${esc(r.fields.note)}</figcaption></figure>` +
    (r.labelWeights ? `<figure>${img(r.labelWeights.picture, 'label weights')}<figcaption>${esc(r.labelWeights.note)}</figcaption></figure>` : ''));

  // Trained on.
  const t = r.trainedOn;
  const goodCells = (g: number[] | null): string => (g ? g.map((x) => num(x, 1)).join(' / ') : '–');
  const tRows = t.rows.map((row) => [String(row.index), String(row.label), esc(row.negative), goodCells(row.goodPos), goodCells(row.goodNeg)]);
  const trainedSec = section('trained-on', 'What the layers are trained on',
    `<p class="note">${esc(t.note)}</p><div class="side">` +
    `<figure>${img(t.picture, 'training rows')}<figcaption>columns: ${esc(t.columns.join(' | '))}</figcaption></figure>` +
    table(['image', 'label', 'negative row', `G positive (layer 1${L > 1 ? `…${L}` : ''})`, 'G negative'], tRows) + '</div>');

  // Confusion.
  let conf = pending;
  if (a) {
    conf = note + '<div class="side">' + (['goodness', 'softmax'] as const).map((k) => {
      const m = a.confusion[k];
      if (!m) return '';
      const max = Math.max(1, ...m.flatMap((row, i) => row.filter((_, j) => j !== i)));
      const shade = (v: number, i: number, j: number): string => (i === j ? '#e4f3e8' : `rgba(209,73,91,${(v / max).toFixed(3)})`);
      const cells = m.map((row, i) => [`<b>${i}</b>`, ...row.map((v, j) => `<span class="cell" style="background:${shade(v, i, j)}">${v}</span>`)]);
      return `<figure>${table(['true \\ predicted', ...m.map((_, j) => String(j))], cells)}<figcaption>by ${k}</figcaption></figure>`;
    }).join('') + '</div>';
  }
  const confSec = section('confusion', 'Confusion matrices of the test predictions', conf);

  // Confidently wrong.
  let wrong = pending;
  if (a) {
    const barsAre = a.wrong[0]?.method === 'softmax'
      ? 'head probability'
      : 'goodness (summed over the scored layers), from the lowest of the ten to the highest';
    wrong = a.wrong.length === 0 ? '<p>No mistakes.</p>' : note + `<div class="wrong">${a.wrong.map((w, i) => {
      // Bars span the case's own range of scores, so that close goodness values stay apart.
      const lo = w.method === 'softmax' ? 0 : Math.min(...w.scores), span = Math.max(...w.scores) - lo || 1;
      const bars = w.scores.map((s, c) => `<div class="bar${c === w.label ? ' true' : c === w.predicted ? ' pred' : ''}"><span>${c}</span>` +
        `<i style="width:${(4 + 96 * (s - lo) / span).toFixed(1)}%"></i><em>${num(s, w.method === 'softmax' ? 3 : 1)}</em></div>`).join('');
      return `<div class="case">${img(r.wrongPictures[i]!, `test image ${w.index}`)}` +
        `<p>test ${w.index}: true ${w.label}, predicted ${w.predicted}</p>${bars}</div>`;
    }).join('')}</div><p class="note">Bars: per-label ${barsAre}; green = true label, red = predicted.</p>`;
  }
  const wrongSec = section('wrong', 'The most confidently wrong test images', wrong);

  // Per-layer error.
  let layers = pending;
  if (a?.layerErrors) {
    layers = note + table(['scored by', 'test error'], a.layerErrors.map((e, l) => [`layer ${l + 1} alone`, pct(e)])) +
      add({
        id: 'chart-layers', title: 'error when scoring by one layer alone (%)', xLabel: 'layer', xWhole: true, yLabel: '%',
        x: a.layerErrors.map((_, l) => l + 1), bars: true, series: [{ label: 'error', colour: colour(0), values: a.layerErrors.map((e) => 100 * e) }],
      });
  } else if (a) {
    layers = '<p>This mode predicts with the softmax head only; no layer scores labels.</p>';
  }
  const layersSec = section('layers', 'Which layer decides', layers);

  // Recurrent: by iteration.
  let iterSec = '';
  if (r.byIteration) {
    const d = r.byIteration, ts = d.iterations.map((_, tt) => tt);
    const gs: ChartSpec['series'] = [];
    for (let l = 0; l < L; l++) {
      gs.push({ label: `layer ${l + 1} true`, colour: colour(l), values: d.iterations.map((it) => it[l]!.goodTrue) });
      gs.push({ label: `layer ${l + 1} wrong`, colour: colour(l) + '77', values: d.iterations.map((it) => it[l]!.goodWrong) });
    }
    iterSec = section('iterations', 'Recurrent: goodness and error by iteration',
      `<p class="note">${d.count} test images; t = 0 is the bottom-up pass. ` +
      'Goodness with the true label clamped and averaged over the wrong labels; ' +
      'error of each layer\'s goodness alone at each iteration.</p><div class="grid">' +
      add({ id: 'chart-iter-goodness', title: 'goodness by iteration', xLabel: 'iteration', xWhole: true, yLabel: 'G', x: ts, series: gs }) +
      add({
        id: 'chart-iter-error', title: 'error of each layer alone by iteration (%)', xLabel: 'iteration', xWhole: true, yLabel: '%', x: ts,
        series: Array.from({ length: L }, (_, l) => ({
          label: `layer ${l + 1}`, colour: colour(l), values: d.iterations.map((it) => 100 * it[l]!.error),
        })),
      }) +
      `</div><p>Scored prediction (iterations ${cfg.scoreIterations.join('–')}): error ${pct(d.scoredError)}</p>`);
  }

  const { js, css } = uplotAssets();
  const pageJs = readFileSync(fileURLToPath(new URL('./page.js', import.meta.url)), 'utf8');
  // chart.js is an ES module for the playground's bundle; here its `export` keywords are dropped so
  // it runs as a classic script before page.js, which calls its drawChart.
  const chartJs = readFileSync(fileURLToPath(new URL('./chart.js', import.meta.url)), 'utf8').replace(/^export /gm, '');
  const json = JSON.stringify({ charts }).replace(/</g, '\\u003c');
  const title = `FF report: ${cfg.mode} ${cfg.layers.join('-')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${css}
${STYLE}
</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="note">Forward-Forward training report. ${esc(status)}.</p>
${run}
${curvesSec}
${histSec}
${fieldsSec}
${trainedSec}
${confSec}
${wrongSec}
${layersSec}
${iterSec}
<script type="application/json" id="report-data">${json}</script>
<script>${js}</script>
<script>${chartJs}</script>
<script>${pageJs}</script>
</body></html>
`;
}
