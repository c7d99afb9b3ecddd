// Browser side of the report: draws every chart the page declares with drawChart (chart.js,
// inlined before this script, with uPlot). The chart specs are data built in Node
// (apps/report/build.ts): this file knows nothing of FF.
/* global uPlot, drawChart */
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  for (const spec of data.charts) {
    const el = document.getElementById(spec.id);
    if (el) drawChart(uPlot, spec, el);
  }
  document.body.dataset.chartsDrawn = String(data.charts.length);
})();
