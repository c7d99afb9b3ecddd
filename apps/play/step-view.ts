/// <reference lib="dom" />
// The Step through view: draws a StepRecord (step-observer.ts) as a table per layer, each quantity
// beside its formula, its positive row and its negative row as heatmaps (a row of an image's
// length as the image, other rows as a strip), matrices as heatmaps, scalars as numbers.
// Presentation only: every number comes from the record.
import type { StepPanel, StepRecord } from './step-observer.ts';

const CELL = 6; // CSS pixels per value of a strip
const MAX_STRIP = 128; // values shown of a long row (the rest summarised)

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (x: number): string => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : x.toFixed(4));

/** A canvas of `values` as rows×cols sign colours (red > 0, blue < 0, white 0), scaled by the largest |value|. */
function heatmap(values: number[], rows: number, cols: number, zoom: number): HTMLCanvasElement {
  const cv = document.createElement('canvas');
  cv.width = cols; cv.height = rows;
  cv.style.width = `${cols * zoom}px`; cv.style.height = `${rows * zoom}px`;
  cv.style.imageRendering = 'pixelated';
  let s = 0;
  for (const v of values) s = Math.max(s, Math.abs(v));
  const ctx = cv.getContext('2d')!, img = ctx.createImageData(cols, rows);
  values.forEach((v, i) => {
    const a = s > 0 ? v / s : 0, fade = Math.round(255 * (1 - Math.abs(a)));
    img.data.set([a >= 0 ? 255 : fade, fade, a >= 0 ? fade : 255, 255], 4 * i);
  });
  ctx.putImageData(img, 0, 0);
  cv.title = `${values.length} values, |max| ${fmt(s)}`;
  return cv;
}

function cell(p: StepPanel, values: number[] | null): HTMLTableCellElement {
  const td = document.createElement('td');
  if (values === null) return td;
  if (p.shape.length === 0) {
    td.textContent = fmt(values[0]!);
  } else if (p.image && values.length === p.image[0] * p.image[1]) {
    td.append(heatmap(values, p.image[0], p.image[1], 3));
  } else if (p.shape.length === 2) {
    const [r, c] = p.shape as [number, number];
    td.append(heatmap(values, r, c, Math.max(1, Math.min(4, Math.floor(240 / Math.max(r, c))))));
  } else {
    td.append(heatmap(values.slice(0, MAX_STRIP), 1, Math.min(values.length, MAX_STRIP), CELL));
    if (values.length > MAX_STRIP) td.append(` … ${values.length} values`);
  }
  return td;
}

function table(panels: StepPanel[]): HTMLTableElement {
  const t = document.createElement('table');
  t.className = 'step';
  t.innerHTML = '<tr><th>quantity</th><th>formula</th><th>positive row</th><th>negative row</th></tr>';
  for (const p of panels) {
    const tr = document.createElement('tr');
    tr.dataset.name = p.name;
    tr.innerHTML = `<td><b>${esc(p.name)}</b></td><td class="formula">${esc(p.formula)}</td>`;
    if (p.negative === null) {
      const td = cell(p, p.positive);
      td.colSpan = 2;
      tr.append(td);
    } else tr.append(cell(p, p.positive), cell(p, p.negative));
    t.append(tr);
  }
  return t;
}

/** Replace `el`'s content with the record. */
export function showStep(el: HTMLElement, r: StepRecord): void {
  el.innerHTML = '';
  const about = document.createElement('p');
  about.textContent = r.about;
  el.append(about, table([r.input]));
  for (const l of r.layers) {
    const h = document.createElement('h2');
    h.textContent = `layer ${l.layer} (${l.D} → ${l.H}, θ = ${l.theta})`;
    el.append(h, table(l.panels));
  }
  if (r.head.length > 0) {
    const h = document.createElement('h2');
    h.textContent = 'softmax head';
    el.append(h, table(r.head));
  }
}
