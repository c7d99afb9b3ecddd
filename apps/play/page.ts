/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The playground's page: controls, charts (drawChart from the report's chart.js, with uPlot),
// receptive fields, the drawing pad, download and upload. It computes nothing of FF: every number
// comes from the training worker (train-worker.ts), which runs the library in a Web Worker so that
// the page never freezes. Views: Train, Draw, Load / save, Step through.
import uPlot from 'uplot';
import { drawChart, LAYER_COLOURS as COLOURS } from '../report/chart.js';
import { epochTrained, MODE_DEFAULT_PRESET, PRESETS, type Config, type EpochReport, type Mode, type TestErrors } from './api.ts';
import type { Fields, FromWorker, RunFlags, RunSpec, ToWorker } from './messages.ts';
import { showStep } from './step-view.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const pct = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(2)}%`);

const worker = new Worker('train-worker.js', { type: 'module', name: 'train' });
const send = (m: ToWorker, transfer?: Transferable[]): void => worker.postMessage(m, transfer ?? []);

// --- views ---
for (const b of document.querySelectorAll<HTMLButtonElement>('nav button')) {
  b.onclick = () => {
    for (const o of document.querySelectorAll<HTMLButtonElement>('nav button')) o.classList.toggle('on', o === b);
    for (const s of document.querySelectorAll('section')) s.hidden = s.id !== `view-${b.dataset.view}`;
    clearError(); // an error belongs to the view it came from
  };
}
function status(text: string, error = false): void {
  $('status').textContent = text;
  $('status').className = error ? 'err' : 'note';
}
/** Take a shown error off the status line (after a success, or on leaving its view). */
function clearError(): void {
  if ($('status').className === 'err') status('');
}

// --- Train ---
const modeSel = $<HTMLSelectElement>('mode'), presetSel = $<HTMLSelectElement>('preset');
const fillPresets = (): void => {
  const mode = modeSel.value as Mode;
  presetSel.innerHTML = Object.entries(PRESETS).filter(([, p]) => p.mode === mode)
    .map(([k, p]) => `<option value="${k}" title="${p.about.replace(/"/g, '&quot;')}">${k}</option>`).join('');
  presetSel.value = MODE_DEFAULT_PRESET[mode];
};
modeSel.onchange = () => { fillPresets(); showCommand(); };
fillPresets();

function runFlags(): RunFlags {
  const f: RunFlags = { mode: modeSel.value, preset: presetSel.value };
  const put = (flag: string, id: string): void => {
    const v = $<HTMLInputElement>(id).value.trim();
    if (v !== '') f[flag] = v;
  };
  put('layers', 'layers'); put('lr', 'lr'); put('epochs', 'epochs'); put('batch-size', 'batch');
  put('train-limit', 'train-limit'); put('test-limit', 'test-limit'); put('seed', 'seed');
  return f;
}
const more = (): string => $<HTMLInputElement>('more').value.trim().split(/\s+/).filter(Boolean).join(' ');
const runSpec = (): RunSpec => ({ flags: runFlags(), more: more() });
/** Threads for a run: the box's value where the page is cross-origin isolated, else 1 (the worker pool needs shared memory). */
const threads = (): number => (crossOriginIsolated ? Math.max(1, Number($<HTMLInputElement>('threads').value) || 1) : 1);
function showCommand(): void {
  const words = [...Object.entries(runFlags()).map(([k, v]) => `--${k} ${v}`), more(), `--threads ${threads()}`].filter(Boolean);
  $('command').textContent = `npx tsx scripts/train.ts ${words.join(' ')}`;
}
for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('#view-train input, #view-train select')) {
  el.addEventListener('input', showCommand);
}
showCommand();

interface Run { cfg: Config | null; epochs: EpochReport[]; tests: TestErrors[]; charts: uPlot[] }
const run: Run = { cfg: null, epochs: [], tests: [], charts: [] };

function drawCharts(): void {
  for (const c of run.charts) c.destroy();
  run.charts = [];
  const x = run.epochs.map((e) => e.epoch);
  const L = run.epochs[0]?.layers.length ?? 0;
  // A gap where an epoch did not train the layer (a readout epoch, another layer's greedy epoch).
  const layers = (f: (e: EpochReport, l: number) => number) => Array.from({ length: L }, (_, l) => ({
    label: `layer ${l + 1}`, colour: COLOURS[l % COLOURS.length]!, values: run.epochs.map((e) => (epochTrained(e, l) ? f(e, l) : null)),
  }));
  const specs = [
    { id: 'chart-loss', title: 'FF loss per layer, and the head', xLabel: 'epoch', xWhole: true, yLabel: 'loss', x,
      series: [...layers((e, l) => e.layers[l]!.loss), { label: 'head', colour: '#444', values: run.epochs.map((e) => e.headLoss) }] },
    { id: 'chart-pair', title: 'pair error per layer (%)', xLabel: 'epoch', xWhole: true, yLabel: '%', x,
      series: layers((e, l) => 100 * e.layers[l]!.pairError) },
    { id: 'chart-test', title: 'test error after each epoch (%)', xLabel: 'epoch', xWhole: true, yLabel: '%', x,
      series: (['goodness', 'softmax'] as const).filter((m) => run.tests[0]?.[m] != null)
        .map((m, i) => ({ label: m, colour: i === 0 ? '#2a9d4b' : '#d1495b', values: run.tests.map((t) => 100 * (t[m] ?? NaN)) })) },
  ];
  for (const s of specs) {
    const el = $(s.id);
    el.innerHTML = '';
    run.charts.push(drawChart(uPlot, s, el));
    el.dataset.points = String(x.length);
  }
}

function showFields(f: Fields, canvasId: string): void {
  const cv = $<HTMLCanvasElement>(canvasId), zoom = 2;
  cv.width = f.width; cv.height = f.height;
  cv.style.width = `${f.width * zoom}px`; cv.style.height = `${f.height * zoom}px`;
  const img = cv.getContext('2d')!.createImageData(f.width, f.height);
  for (let i = 0, j = 0; i < f.rgb.length; i += 3, j += 4) {
    img.data[j] = f.rgb[i]!; img.data[j + 1] = f.rgb[i + 1]!; img.data[j + 2] = f.rgb[i + 2]!; img.data[j + 3] = 255;
  }
  cv.getContext('2d')!.putImageData(img, 0, 0);
}

const buttons = (training: boolean, paused: boolean): void => {
  $<HTMLButtonElement>('start').disabled = training;
  $<HTMLButtonElement>('pause').disabled = !training || paused;
  $<HTMLButtonElement>('resume').disabled = !training || !paused;
};
$('start').onclick = () => {
  Object.assign(run, { cfg: null, epochs: [], tests: [] });
  drawCharts();
  $('test-error').textContent = '';
  delete $('test-error').dataset.final;
  buttons(true, false);
  send({ type: 'train', run: runSpec(), threads: threads() });
};
$('pause').onclick = () => send({ type: 'pause' });
$('resume').onclick = () => send({ type: 'resume' });

// --- Draw ---
const pad = $<HTMLCanvasElement>('pad'), ink = pad.getContext('2d')!;
const clearPad = (): void => { ink.fillStyle = '#000'; ink.fillRect(0, 0, pad.width, pad.height); };
clearPad();
let drawing = false, last: [number, number] | null = null, pending = false;
const at = (e: MouseEvent): [number, number] => {
  const r = pad.getBoundingClientRect();
  return [(e.clientX - r.left) * (pad.width / r.width), (e.clientY - r.top) * (pad.height / r.height)];
};
pad.onmousedown = (e) => { drawing = true; last = at(e); stroke(at(e)); };
pad.onmousemove = (e) => { if (drawing) stroke(at(e)); };
window.addEventListener('mouseup', () => { if (drawing) { drawing = false; last = null; predict(); } });
function stroke(p: [number, number]): void {
  ink.strokeStyle = '#fff'; ink.lineWidth = 20; ink.lineCap = 'round'; ink.lineJoin = 'round';
  ink.beginPath(); ink.moveTo(...(last ?? p)); ink.lineTo(...p); ink.stroke();
  last = p;
  if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; predict(); }); }
}
$('clear').onclick = () => { clearPad(); $('prediction').textContent = ''; $('goodness').innerHTML = ''; $('probs').innerHTML = ''; };

/** The drawing as MNIST draws its digits: the ink's box scaled into 20×20, centred in 28×28, gray levels 0..255. */
function drawnPixels(): Uint8Array | null {
  const { data, width: W, height: H } = ink.getImageData(0, 0, pad.width, pad.height);
  let x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (data[(y * W + x) * 4]! > 0) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    }
  }
  if (x1 < 0) return null;
  const w = x1 - x0 + 1, h = y1 - y0 + 1, s = 20 / Math.max(w, h);
  const small = document.createElement('canvas');
  small.width = 28; small.height = 28;
  const g = small.getContext('2d')!;
  g.fillStyle = '#000'; g.fillRect(0, 0, 28, 28);
  g.imageSmoothingEnabled = true; g.imageSmoothingQuality = 'high';
  g.drawImage(pad, x0, y0, w, h, 14 - (w * s) / 2, 14 - (h * s) / 2, w * s, h * s);
  const px = g.getImageData(0, 0, 28, 28).data, out = new Uint8Array(784);
  for (let i = 0; i < 784; i++) out[i] = px[i * 4]!;
  return out;
}
function predict(): void {
  const pixels = drawnPixels();
  if (pixels) send({ type: 'predict', pixels }, [pixels.buffer]);
}
function showPrediction(m: Extract<FromWorker, { type: 'prediction' }>): void {
  const argmax = (v: number[]): number => v.indexOf(Math.max(...v));
  $('prediction').textContent = [m.scores ? `goodness predicts ${argmax(m.scores)}` : '', m.probs ? `softmax predicts ${argmax(m.probs)}` : '']
    .filter(Boolean).join(' · ');
  $('prediction').dataset.prediction = String(m.prediction ?? '');
  if (m.perLayer) {
    const L = m.perLayer.length;
    const best = m.perLayer.map((g) => g.indexOf(Math.max(...g)));
    const layerHeads = Array.from({ length: L }, (_, l) => `<th>layer ${l + 1}</th>`).join('');
    const layerCells = (c: number): string =>
      m.perLayer!.map((g, l) => `<td class="${best[l] === c ? 'best' : ''}">${g[c]!.toFixed(1)}</td>`).join('');
    const scoreCell = (c: number): string => (m.scores ? `<td class="${m.prediction === c ? 'best' : ''}">${m.scores[c]!.toFixed(1)}</td>` : '');
    $('goodness').innerHTML = '<table><caption>goodness of each label</caption>' +
      `<tr><th>label</th>${layerHeads}${m.scores ? '<th>score</th>' : ''}</tr>` +
      Array.from({ length: 10 }, (_, c) => `<tr><td>${c}</td>${layerCells(c)}${scoreCell(c)}</tr>`).join('') + '</table>';
  } else $('goodness').innerHTML = '<p class="note">this mode does not score labels by goodness</p>';
  $('probs').innerHTML = m.probs
    ? '<p>softmax head</p>' + m.probs
      .map((p, c) => `<div class="bar"><span>${c}</span><i style="width:${Math.round(160 * p)}px"></i><em>${(100 * p).toFixed(1)}%</em></div>`)
      .join('')
    : '';
}

// --- Load / save ---
$('save').onclick = () => send({ type: 'save' });
$<HTMLInputElement>('load').onchange = async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  $('load-result').textContent = `reading ${file.name}…`;
  $('load-result').className = 'note';
  const bytes = new Uint8Array(await file.arrayBuffer());
  send({ type: 'load', bytes, name: file.name }, [bytes.buffer]);
};

// --- Step through ---
$('step-go').onclick = () => {
  const value = (id: string): string => $<HTMLInputElement>(id).value.trim();
  const run = { flags: { ...runFlags(), layers: value('step-layers'), 'batch-size': value('step-batch') }, more: more() };
  $('step').textContent = 'stepping…';
  send({ type: 'step', run, threads: threads(), step: Number(value('step-k')), row: Number(value('step-row')) });
};

// --- messages from the worker ---
let lastError = '';
worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case 'status': status(m.text); break;
    case 'started':
      run.cfg = m.cfg;
      status(`training ${m.cfg.mode} ${m.cfg.layers.join('-')} on ${m.trainCount} images, ${m.epochsTotal} epoch(s) of ${m.stepsPerEpoch} steps; ` +
        `${m.backend} backend, ${m.threads} thread(s)`);
      break;
    case 'progress':
      $('progress').textContent = `epoch ${m.epoch}: ${m.done}/${m.total} images` +
        (m.examplesPerSecond > 0 ? `, ${m.examplesPerSecond.toFixed(0)} examples/s` : '');
      break;
    case 'epoch':
      run.epochs.push(m.report); run.tests.push(m.testError);
      drawCharts();
      $('progress').textContent = `epoch ${m.report.epoch} done: ${m.report.examplesPerSecond.toFixed(0)} examples/s`;
      $('test-error').textContent = `after epoch ${m.report.epoch}, on the first ${m.testImages} test images: ` +
        `goodness ${pct(m.testError.goodness)}, softmax ${pct(m.testError.softmax)}`;
      showFields(m.fields, 'fields');
      $('fields-note').textContent = `layer 1: the ${m.fields.units.length} units with the strongest weights from the image, ` +
        `after epoch ${m.report.epoch}; red positive, blue negative`;
      break;
    case 'paused': buttons(true, m.paused); status(m.paused ? 'paused' : 'training'); break;
    case 'done':
      buttons(false, false);
      $('test-error').textContent = `test error on ${m.testImages} images: goodness ${pct(m.test.goodness)}, softmax ${pct(m.test.softmax)} ` +
        `(${m.examplesPerSecond.toFixed(0)} training examples/s on ${m.threads} thread(s), ${m.seconds.toFixed(1)} s in all)`;
      $('test-error').dataset.final = JSON.stringify({
        test: m.test, examplesPerSecond: m.examplesPerSecond, threads: m.threads, workerJobs: m.workerJobs,
      });
      showFields(m.fields, 'fields');
      status('trained: draw a digit, or download the model');
      break;
    case 'prediction': showPrediction(m); break;
    case 'step': showStep($('step'), m.record); $('step').dataset.shown = '1'; break;
    case 'model': {
      const url = URL.createObjectURL(new Blob([m.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
      const a = Object.assign(document.createElement('a'), { href: url, download: m.name });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      $('saved').textContent = `${m.name}: ${m.bytes.length} bytes, fnv1a ${m.checksum}`;
      $('saved').dataset.checksum = m.checksum;
      break;
    }
    case 'loaded':
      clearError();
      $('load-result').className = '';
      $('load-result').textContent = `loaded ${m.name} (fnv1a ${m.checksum}): ${m.cfg.mode} ${m.cfg.layers.join('-')}` +
        (m.record?.test ? `, test error when saved: goodness ${pct(m.record.test.goodness)}, softmax ${pct(m.record.test.softmax)}` : '') +
        '. Draw a digit to try it.';
      $('load-result').dataset.checksum = m.checksum;
      showFields(m.fields, 'fields');
      break;
    case 'error':
      if (m.about === 'step') { $('step').innerHTML = `<p class="err">${m.message.replace(/</g, '&lt;')}</p>`; break; }
      lastError = m.message;
      buttons(false, false);
      status(lastError, true);
      if (!$('view-files').hidden) {
        $('load-result').textContent = lastError;
        $('load-result').className = 'err';
        delete $('load-result').dataset.checksum;
      }
      break;
  }
};
worker.onerror = (e) => status(`error: the training worker failed: ${e.message}`, true);
if (!crossOriginIsolated) {
  // A static host without the COOP/COEP headers: the kernel runs, on this page's training worker alone.
  $<HTMLInputElement>('threads').value = '1';
  $<HTMLInputElement>('threads').disabled = true;
  $('threads-note').textContent = 'one thread: this page is not cross-origin isolated (served without COOP/COEP headers), ' +
    'so the wasm kernel cannot share memory with more workers';
}
status('ready: choose a run and press Start');
