/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The playground's page: a run that starts when the page opens (play / pause / one step / reset,
// its settings in the URL), the Learn view's explainer with its live views (live-charts.ts,
// live-draw.ts), the drawing pad, download and upload, the step-through. It computes nothing of
// FF: every number comes from the training worker (train-worker.ts), which runs the library in a
// Web Worker so that the page never freezes. Views: Learn, Draw, Load / save, Step through.
import { MODE_DEFAULT_PRESET, PRESETS, type Config, type Mode } from './api.ts';
import { makeCurves, makeHistograms } from './live-charts.ts';
import { showGoodnessTable, showNetwork, showRows, type Hover } from './live-draw.ts';
import type { LiveView } from './live-view.ts';
import type { Fields, FromWorker, RunFlags, RunSpec, ToWorker } from './messages.ts';
import { showStep } from './step-view.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const pct = (x: number | null): string => (x === null ? '–' : `${(100 * x).toFixed(2)}%`);

const worker = new Worker('train-worker.js', { type: 'module', name: 'train' });
const send = (m: ToWorker, transfer?: Transferable[]): void => worker.postMessage(m, transfer ?? []);

// --- views ---
function show(view: string): void {
  for (const o of document.querySelectorAll<HTMLButtonElement>('nav button')) o.classList.toggle('on', o.dataset.view === view);
  for (const s of document.querySelectorAll('section')) s.hidden = s.id !== `view-${view}`;
  clearError(); // an error belongs to the view it came from
}
for (const b of document.querySelectorAll<HTMLButtonElement>('nav button')) b.onclick = () => show(b.dataset.view!);
function status(text: string, error = false): void {
  $('status').textContent = text;
  $('status').className = error ? 'err' : 'note';
}
/** Take a shown error off the status line (after a success, or on leaving its view). */
function clearError(): void {
  if ($('status').className === 'err') status('');
}

// --- Settings: the form, the URL, the command ---
/** The live run's settings as train.ts flags, where the URL does not say otherwise: a small net that learns in seconds. */
const LIVE: Record<string, string> = {
  layers: '784,100,100', epochs: '40', 'batch-size': '100', 'train-limit': '5000', 'test-limit': '1000', seed: '1',
};
/** Each box of the form and the train.ts flag it carries (also its key in the URL). */
const BOXES: Record<string, string> = {
  layers: 'layers', lr: 'lr', epochs: 'epochs', 'batch-size': 'batch', 'train-limit': 'train-limit', 'test-limit': 'test-limit', seed: 'seed',
};
const modeSel = $<HTMLSelectElement>('mode'), presetSel = $<HTMLSelectElement>('preset');
const fillPresets = (preset?: string): void => {
  const mode = modeSel.value as Mode;
  presetSel.innerHTML = Object.entries(PRESETS).filter(([, p]) => p.mode === mode)
    .map(([k, p]) => `<option value="${k}" title="${p.about.replace(/"/g, '&quot;')}">${k}</option>`).join('');
  presetSel.value = preset !== undefined && PRESETS[preset]?.mode === mode ? preset : MODE_DEFAULT_PRESET[mode];
};

function runFlags(): RunFlags {
  const f: RunFlags = { mode: modeSel.value, preset: presetSel.value };
  for (const [flag, id] of Object.entries(BOXES)) {
    const v = $<HTMLInputElement>(id).value.trim();
    if (v !== '') f[flag] = v;
  }
  return f;
}
const more = (): string => $<HTMLInputElement>('more').value.trim().split(/\s+/).filter(Boolean).join(' ');
const runSpec = (): RunSpec => ({ flags: runFlags(), more: more() });
/** Threads for a run: the box's value where the page is cross-origin isolated, else 1 (the worker pool needs shared memory). */
const threads = (): number => (crossOriginIsolated ? Math.max(1, Number($<HTMLInputElement>('threads').value) || 1) : 1);
const viewsOn = (): boolean => $<HTMLInputElement>('views').checked;

/** The settings into the form: the URL's (keys are train.ts's flags, plus threads, more and views), else LIVE's. */
function readUrl(): void {
  const q = new URLSearchParams(location.search);
  modeSel.value = ['supervised', 'unsupervised', 'recurrent'].includes(q.get('mode') ?? '') ? q.get('mode')! : 'supervised';
  fillPresets(q.get('preset') ?? undefined);
  for (const [flag, id] of Object.entries(BOXES)) $<HTMLInputElement>(id).value = q.get(flag) ?? LIVE[flag] ?? '';
  $<HTMLInputElement>('threads').value = q.get('threads') ?? '2';
  $<HTMLInputElement>('more').value = q.get('more') ?? '';
  $<HTMLInputElement>('views').checked = q.get('views') !== '0';
}
/** The form into the URL (replacing the history entry), so that the address shares the run. */
function writeUrl(): void {
  const q = new URLSearchParams({ ...runFlags(), threads: String(threads()) });
  if (more()) q.set('more', more());
  if (!viewsOn()) q.set('views', '0');
  history.replaceState(null, '', `${location.pathname}?${q}`);
}
function showCommand(): void {
  const words = [...Object.entries(runFlags()).map(([k, v]) => `--${k} ${v}`), more(), `--threads ${threads()}`].filter(Boolean);
  $('command').textContent = `npx tsx scripts/train.ts ${words.join(' ')}`;
}
for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('#view-learn input, #view-learn select')) {
  el.addEventListener('input', showCommand);
}

// --- The live run: play / pause / one step / reset, and its views ---
const curves = makeCurves({ loss: 'chart-loss', good: 'chart-good', pair: 'chart-pair', test: 'chart-test' });
const hists = makeHistograms($('hists'));
const hover: Hover = { unit: null };
const live = { cfg: null as Config | null, step: 0, select: 0, view: null as LiveView | null, training: false, paused: false };

const buttons = (): void => {
  $('play-pause').textContent = live.training && !live.paused ? 'Pause' : 'Play';
  $<HTMLButtonElement>('play-pause').disabled = !live.training;
  $<HTMLButtonElement>('step-once').disabled = !live.training || !live.paused;
};
function start(): void {
  writeUrl();
  showCommand();
  for (const m of document.querySelectorAll<HTMLElement>('.mode')) m.classList.toggle('current', m.dataset.mode === modeSel.value);
  for (const m of document.querySelectorAll<HTMLElement>('.decide')) m.hidden = m.dataset.mode !== modeSel.value;
  curves.reset();
  hists.clear();
  Object.assign(live, { cfg: null, step: 0, view: null, training: true, paused: false });
  $('test-error').textContent = '';
  delete $('test-error').dataset.final;
  buttons();
  send({ type: 'train', run: runSpec(), threads: threads(), views: viewsOn(), learned: $<HTMLSelectElement>('tiles').value === 'learned' });
}
$('start').onclick = start;
$('reset').onclick = start;
modeSel.onchange = () => { fillPresets(); start(); };
$('play-pause').onclick = () => send({ type: live.paused ? 'resume' : 'pause' });
$('step-once').onclick = () => send({ type: 'step-once' });
$('tiles').onchange = () => send({ type: 'tiles', learned: $<HTMLSelectElement>('tiles').value === 'learned' });
$('views').onchange = () => { send({ type: 'views', on: viewsOn() }); writeUrl(); };
const select = (row: number): void => {
  live.select = row;
  send({ type: 'select', row });
  if (live.view) showView(live.view);
};

function showView(v: LiveView): void {
  live.view = v;
  showRows($('rows-view'), v, live.cfg?.mode ?? 'supervised', live.select, select);
  hists.show(v.layers);
  showNetwork($('net'), $('unit-tip'), v, { select: live.select, hover });
  const d = v.decision, row = v.rows[d.row];
  showGoodnessTable($('decide'), $('decide-probs'), d, row ? row.label : null);
  $('rows-view').dataset.step = String(v.step);
}

// Every formula opens the Step through view on the live run's current step and selected image.
for (const a of document.querySelectorAll<HTMLAnchorElement>('a.formula')) {
  a.onclick = (e) => {
    e.preventDefault();
    if (!live.cfg || live.step < 1) return;
    $<HTMLInputElement>('step-layers').value = live.cfg.layers.join(',');
    $<HTMLInputElement>('step-batch').value = String(live.cfg.batchSize);
    $<HTMLInputElement>('step-k').value = String(live.view?.step ?? live.step);
    $<HTMLInputElement>('step-row').value = String(live.select);
    $('step').dataset.panel = a.dataset.panel ?? '';
    show('step');
    $('step-go').click();
  };
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
  showGoodnessTable($('goodness'), $('probs'), m, null);
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
      live.cfg = m.cfg;
      status(`training ${m.cfg.mode} ${m.cfg.layers.join('-')} on ${m.trainCount} images, ${m.epochsTotal} epoch(s) of ${m.stepsPerEpoch} steps; ` +
        `${m.backend} backend, ${m.threads} thread(s)`);
      break;
    case 'points': curves.add(m.points); live.step = m.points[m.points.length - 1]?.step ?? live.step; break;
    case 'progress':
      $('progress').textContent = `step ${m.step} of ${m.steps}, epoch ${m.epoch}` +
        (m.examplesPerSecond > 0 ? `, ${m.examplesPerSecond.toFixed(0)} examples/s` : '');
      break;
    case 'view': showView(m.view); break;
    case 'test': curves.test(m.step, m.errors); break;
    case 'epoch': break; // the curves have every step
    case 'paused':
      live.paused = m.paused;
      buttons();
      status(m.paused ? `paused after step ${m.step}` : 'training');
      break;
    case 'done':
      curves.flush();
      live.training = false;
      live.paused = false;
      buttons();
      $('test-error').textContent = `test error on ${m.testImages} images: goodness ${pct(m.test.goodness)}, softmax ${pct(m.test.softmax)} ` +
        `(${m.examplesPerSecond.toFixed(0)} training examples/s on ${m.threads} thread(s), ${m.seconds.toFixed(1)} s in all)`;
      $('test-error').dataset.final = JSON.stringify({
        test: m.test, examplesPerSecond: m.examplesPerSecond, wallExamplesPerSecond: m.wallExamplesPerSecond, threads: m.threads,
        workerJobs: m.workerJobs,
      });
      showFields(m.fields, 'fields');
      $('fields-note').textContent =
        `layer 1: the ${m.fields.units.length} units with the strongest weights from the image; red positive, blue negative`;
      status('trained: draw a digit, download the model, or press Reset');
      break;
    case 'prediction': showPrediction(m); break;
    case 'step': {
      showStep($('step'), m.record);
      $('step').dataset.shown = '1';
      const panel = $('step').dataset.panel; // opened from a formula: show its row
      if (panel) document.querySelector(`#step tr[data-name="${panel}"]`)?.scrollIntoView({ block: 'center' });
      break;
    }
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
      if (m.about === 'train') { live.training = false; buttons(); }
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
/**
 * On a host without the isolation headers, a site built with --service-worker adds them itself
 * (coi-worker.js): register it and reload once under it. True if the page is about to reload.
 * Tried once per tab (sessionStorage), so a browser where it does not isolate stays on one thread.
 */
async function isolateByServiceWorker(): Promise<boolean> {
  if (crossOriginIsolated || !('serviceWorker' in navigator) || !isSecureContext || sessionStorage.getItem('ff-sw-tried')) return false;
  const info = await fetch('play.json').then((r) => r.json() as Promise<{ serviceWorker?: boolean }>).catch(() => null);
  if (!info?.serviceWorker) return false; // a site without it
  sessionStorage.setItem('ff-sw-tried', '1');
  await navigator.serviceWorker.register('coi-worker.js');
  await navigator.serviceWorker.ready;
  status('reloading under the service worker that makes this page cross-origin isolated…');
  location.reload();
  return true;
}

readUrl();
if (!crossOriginIsolated) {
  // A static host without the COOP/COEP headers: the kernel runs, on this page's training worker alone.
  $<HTMLInputElement>('threads').value = '1';
  $<HTMLInputElement>('threads').disabled = true;
  $('threads-note').textContent = 'one thread: this page is not cross-origin isolated (served without COOP/COEP headers), ' +
    'so the wasm kernel cannot share memory with more workers';
}
void isolateByServiceWorker().then((reloading) => {
  if (!reloading) start(); // it learns from the moment the page opens
});
