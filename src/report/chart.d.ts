// The type of chart.js's one export, for TypeScript callers (the playground).
import type uPlot from 'uplot';

export interface ChartSpec {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  x: number[];
  series: { label: string; values: number[]; colour: string }[];
  bars?: boolean;
  vline?: { at: number; label: string };
  xWhole?: boolean;
}

export function drawChart(u: typeof uPlot, spec: ChartSpec, el: HTMLElement): uPlot;
