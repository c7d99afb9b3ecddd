/// <reference lib="dom" />
// The Learn view's pictures, page side: the positive and negative rows of the step with each
// layer's goodness of both against θ, the network as strips of units (layer 1's tiles are its
// weights) with a unit's details on hover, and the per-label goodness table that also shows a
// drawn digit's prediction. Presentation only: every number comes from a LiveView (live-view.ts)
// or a prediction of the worker; the one figure made here is a unit's share yⱼ² / Σ y² of a row's
// goodness, read off the activities it shows.
import type { RgbPixels } from './api.ts';
import { TILE_COLUMNS, type Decision, type LiveRow, type LiveView } from './live-view.ts';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const num = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));

/** A canvas of a row as a gray image (its largest value white), `zoom` CSS pixels per pixel. */
function grayImage(values: Float32Array, rows: number, cols: number, zoom: number): HTMLCanvasElement {
  const cv = document.createElement('canvas');
  cv.width = cols; cv.height = rows;
  cv.style.width = `${cols * zoom}px`; cv.style.height = `${rows * zoom}px`;
  let hi = 1e-12;
  for (let i = 0; i < rows * cols; i++) hi = Math.max(hi, values[i]!);
  const img = cv.getContext('2d')!.createImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const g = Math.round(255 * Math.max(0, values[i]!) / hi);
    img.data[4 * i] = g; img.data[4 * i + 1] = g; img.data[4 * i + 2] = g; img.data[4 * i + 3] = 255;
  }
  cv.getContext('2d')!.putImageData(img, 0, 0);
  return cv;
}

/** A canvas of RGB pixels, `zoom` CSS pixels per pixel. */
export function rgbCanvas(px: RgbPixels, zoom: number, x0 = 0, y0 = 0, w = px.width, h = px.height): HTMLCanvasElement {
  const cv = document.createElement('canvas');
  cv.width = w; cv.height = h;
  cv.style.width = `${w * zoom}px`; cv.style.height = `${h * zoom}px`;
  const img = cv.getContext('2d')!.createImageData(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 3 * ((y0 + y) * px.width + x0 + x), j = 4 * (y * w + x);
      img.data[j] = px.rgb[i]!; img.data[j + 1] = px.rgb[i + 1]!; img.data[j + 2] = px.rgb[i + 2]!; img.data[j + 3] = 255;
    }
  }
  cv.getContext('2d')!.putImageData(img, 0, 0);
  return cv;
}

/** How the step made this image's negative row, in words. */
function negativeWords(row: LiveRow, mode: string): string {
  if (row.wrong !== null) return mode === 'recurrent' ? `label ${row.wrong} clamped at the top` : `wrong label ${row.wrong}`;
  if (row.partner !== null) return `made with image ${row.partner} of the batch`;
  return 'negative row';
}

/** The four images of the step: positive and negative rows, and per layer G⁺ and G⁻ as bars against θ. */
export function showRows(el: HTMLElement, view: LiveView, mode: string, select: number, onSelect: (row: number) => void): void {
  const [ir, ic] = view.imageShape;
  el.innerHTML = '';
  view.rows.forEach((row, r) => {
    const box = document.createElement('div');
    box.className = `img${r === select ? ' sel' : ''}`;
    box.dataset.row = String(r);
    box.onclick = () => onSelect(r);
    const pics = document.createElement('div');
    pics.style.display = 'flex'; pics.style.gap = '8px';
    pics.append(grayImage(row.pos, ir, ic, 3), grayImage(row.neg, ir, ic, 3));
    const words = document.createElement('div');
    words.className = 'note';
    words.innerHTML = `<span style="color:#2a9d4b">positive: label ${row.label}</span> · ` +
      `<span style="color:#d1495b">${esc(negativeWords(row, mode))}</span>`;
    box.append(pics, words);
    view.layers.forEach((L, l) => {
      const gp = row.gPos[l]!, gn = row.gNeg[l]!, scale = Math.max(2 * L.theta, gp, gn);
      const bar = (g: number, kind: string): string =>
        `<div class="gbar" title="${kind === 'pos' ? 'G⁺' : 'G⁻'} = ${num(g)}"><i class="${kind}" style="width:${(100 * g) / scale}%"></i>` +
        `<b style="left:${(100 * L.theta) / scale}%"></b></div>`;
      const div = document.createElement('div');
      div.className = 'note';
      div.dataset.layer = String(l + 1);
      div.innerHTML = `layer ${l + 1}: G⁺ ${num(gp)}, G⁻ ${num(gn)}, θ ${num(L.theta)}${bar(gp, 'pos')}${bar(gn, 'neg')}`;
      box.append(div);
    });
    el.append(box);
  });
}

/** What the hover tooltip shows of unit j of layer l for the selected image. */
function unitDetails(view: LiveView, l: number, j: number, r: number): string {
  const L = view.layers[l]!, H = L.H;
  const yp = L.yPos[r * H + j]!, yn = L.yNeg[r * H + j]!;
  const gp = view.rows[r]!.gPos[l]!, gn = view.rows[r]!.gNeg[l]!;
  const share = (y: number, g: number): string => (g > 0 ? `${((100 * y * y) / g).toFixed(1)}%` : '–');
  // G is Σ y² ('sum') or its mean ('mean'); the share of the sum is y² / Σ y² either way.
  let sp = 0, sn = 0;
  for (let k = 0; k < H; k++) { sp += L.yPos[r * H + k]! ** 2; sn += L.yNeg[r * H + k]! ** 2; }
  return `<b>layer ${l + 1}, unit ${j}</b><br>activity y on the positive row ${yp.toFixed(3)}, on the negative row ${yn.toFixed(3)}<br>` +
    `share of the goodness: ${share(yp, sp)} of G⁺ (${num(gp)}), ${share(yn, sn)} of G⁻ (${num(gn)})`;
}

const tileSize = (view: LiveView): [number, number] => view.imageShape;

/** The unit under the mouse (layer l, unit j) and where the mouse is, kept by the page across views. */
export interface Hover { unit: { l: number; j: number; x: number; y: number } | null }

/** How the page wants the network drawn: the selected image and the hovered unit. */
export interface NetworkLook { select: number; hover: Hover }

/** The tooltip of `hover`'s unit in `view`, or none. */
function showTip(tip: HTMLElement, view: LiveView, r: number, look: NetworkLook): void {
  const u = look.hover.unit;
  if (!u) { tip.style.display = 'none'; return; }
  tip.innerHTML = unitDetails(view, u.l, u.j, r);
  tip.dataset.unit = `${u.l + 1}:${u.j}`;
  if (u.l === 0) {
    const [tr, tc] = tileSize(view);
    tip.prepend(rgbCanvas(view.tiles, 5, 1 + (u.j % TILE_COLUMNS) * (tc + 1), 1 + Math.floor(u.j / TILE_COLUMNS) * (tr + 1), tc, tr));
  }
  tip.style.display = 'block';
  tip.style.left = `${Math.min(u.x + 14, innerWidth - 280)}px`;
  tip.style.top = `${u.y + 14}px`;
}

/**
 * The network: layer 1's weight tiles framed by activity, the layers above as activity squares;
 * hovering a unit shows its details, kept up to date as new views come while the mouse rests.
 */
export function showNetwork(el: HTMLElement, tip: HTMLElement, view: LiveView, look: NetworkLook): void {
  el.innerHTML = '';
  const r = Math.min(look.select, view.rows.length - 1), hover = look.hover;
  el.onmouseleave = () => { hover.unit = null; showTip(tip, view, r, look); };
  view.layers.forEach((L, l) => {
    const strip = document.createElement('div');
    strip.className = 'layerstrip';
    strip.dataset.layer = String(l + 1);
    const title = document.createElement('div');
    title.className = 'note';
    title.textContent = `layer ${l + 1}: ${L.H} units, θ = ${num(L.theta)}`;
    let cv: HTMLCanvasElement, unitAt: (x: number, y: number) => number;
    let maxY = 1e-12;
    for (let j = 0; j < L.H; j++) maxY = Math.max(maxY, L.yPos[r * L.H + j]!, L.yNeg[r * L.H + j]!);
    if (l === 0) {
      const [tr, tc] = tileSize(view), zoom = 2;
      cv = rgbCanvas(view.tiles, zoom);
      const g = cv.getContext('2d')!;
      for (let j = 0; j < L.H; j++) { // a frame per tile, as strong as the unit's activity on the positive row
        const x0 = 1 + (j % TILE_COLUMNS) * (tc + 1), y0 = 1 + Math.floor(j / TILE_COLUMNS) * (tr + 1);
        g.strokeStyle = `rgba(255, 170, 0, ${L.yPos[r * L.H + j]! / maxY})`;
        g.lineWidth = 1;
        g.strokeRect(x0 - 0.5, y0 - 0.5, tc + 1, tr + 1);
      }
      unitAt = (x, y) => {
        const c = Math.floor((x / zoom - 1) / (tc + 1)), rr = Math.floor((y / zoom - 1) / (tr + 1));
        return c >= 0 && c < TILE_COLUMNS ? rr * TILE_COLUMNS + c : -1;
      };
    } else {
      const S = 12, perRow = Math.min(L.H, 50), rowsN = Math.ceil(L.H / perRow);
      cv = document.createElement('canvas');
      cv.width = perRow * S; cv.height = 2 * rowsN * S + 4;
      const g = cv.getContext('2d')!;
      for (let j = 0; j < L.H; j++) {
        const x = (j % perRow) * S, y = Math.floor(j / perRow) * S;
        for (const [k, yv] of [[0, L.yPos[r * L.H + j]!], [1, L.yNeg[r * L.H + j]!]] as const) {
          const v = Math.round(255 * (1 - yv / maxY));
          g.fillStyle = k === 0 ? `rgb(${v}, 255, ${v})` : `rgb(255, ${v}, ${v})`;
          g.fillRect(x, y + k * (rowsN * S + 4), S - 1, S - 1);
        }
      }
      unitAt = (x, y) => {
        const yy = y % (rowsN * S + 4);
        const j = Math.floor(yy / S) * perRow + Math.floor(x / S);
        return x >= 0 && x < perRow * S ? j : -1;
      };
    }
    cv.onmousemove = (e) => {
      const b = cv.getBoundingClientRect(), j = unitAt(e.clientX - b.left, e.clientY - b.top);
      hover.unit = j >= 0 && j < L.H ? { l, j, x: e.clientX, y: e.clientY } : null;
      showTip(tip, view, r, look);
    };
    strip.append(title, cv);
    el.append(strip);
  });
  showTip(tip, view, r, look);
}

/** The table of each layer's goodness of every label and the summed score, and the head's probabilities. */
export function showGoodnessTable(table: HTMLElement, probs: HTMLElement, d: Omit<Decision, 'row'>, trueLabel: number | null): void {
  const argmax = (v: number[]): number => v.indexOf(Math.max(...v));
  if (d.perLayer) {
    const best = d.perLayer.map(argmax), pred = d.scores ? argmax(d.scores) : null;
    const heads = d.perLayer.map((_, l) => `<th>layer ${l + 1}</th>`).join('');
    const rows = Array.from({ length: d.perLayer[0]!.length }, (_, c) =>
      `<tr class="${c === trueLabel ? 'true' : ''}"><td>${c}</td>` +
      d.perLayer!.map((g, l) => `<td class="${best[l] === c ? 'best' : ''}">${g[c]!.toFixed(1)}</td>`).join('') +
      (d.scores ? `<td class="${pred === c ? 'best' : ''}">${d.scores[c]!.toFixed(1)}</td>` : '') + '</tr>').join('');
    table.innerHTML = `<table><caption>goodness of each label${trueLabel !== null ? ` (true label ${trueLabel} in bold)` : ''}</caption>` +
      `<tr><th>label</th>${heads}${d.scores ? '<th>score</th>' : ''}</tr>${rows}</table>`;
  } else table.innerHTML = '<p class="note">this mode does not score labels by goodness: the softmax head reads the digit</p>';
  probs.innerHTML = d.probs
    ? '<p>softmax head</p>' + d.probs
      .map((p, c) => `<div class="bar"><span>${c}</span><i style="width:${Math.round(160 * p)}px"></i><em>${(100 * p).toFixed(1)}%</em></div>`)
      .join('')
    : '';
}
