// The types of chart.js's exports, for TypeScript callers (the report's render.ts, the playground).
import type uPlot from 'uplot';

export interface ChartSpec {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  x: number[];
  series: { label: string; values: (number | null)[]; colour: string; dash?: number[] }[];
  bars?: boolean;
  vline?: { at: number; label: string };
  xWhole?: boolean; // x counts epochs, layers or iterations: whole-number ticks
  points?: boolean; // markers on the points (default: under 30 points, not for bars)
}

export const LAYER_COLOURS: string[];

export function drawChart(u: typeof uPlot, spec: ChartSpec, el: HTMLElement): uPlot;
