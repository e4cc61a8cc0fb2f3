// `--report out.html`: the report as one self-contained page — latency percentiles, throughput and
// errors over time, the HDR percentile plot, per-stage and per-step tables, the settings and the
// slowest traces. uPlot (script and stylesheet) is read from node_modules and inlined, and the data
// is embedded as JSON, so the file opens anywhere without a network.
import { readFileSync } from 'node:fs';
import type { Report } from './report.js';

let uplotAssets: { script: string; style: string } | undefined;

function assets(): { script: string; style: string } {
  uplotAssets ??= {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    style: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return uplotAssets;
}

/** Text safe inside a <script> element: no "</script" and no "<!--" can end or confuse it. */
function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export function renderHtmlReport(report: Report): string {
  const { script, style } = assets();
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  const title = `${report.method} @ ${report.target}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)} — feedmesh-loadgen</title>
<style>${style}</style>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
  <h1>${escapeHtml(title)}</h1>
  <p class="sub">${escapeHtml(report.protocol)}, ${escapeHtml(report.mode)}, started ${escapeHtml(report.startedAt)}, ${report.durationS.toFixed(1)} s measured</p>
</header>
<section id="summary" class="cards"></section>
<section class="charts">
  <figure><figcaption>Latency over time (successful calls, per second)</figcaption><div class="chart" id="chart-latency"></div></figure>
  <figure><figcaption>Throughput and errors over time (calls per second)</figcaption><div class="chart" id="chart-throughput"></div></figure>
  <figure><figcaption>Latency distribution (HDR percentile plot, successful calls)</figcaption><div class="chart" id="chart-distribution"></div></figure>
</section>
<section id="tables"></section>
<script type="application/json" id="report-data">${data}</script>
<script>${scriptSafe(script)}</script>
<script>${scriptSafe(PAGE_SCRIPT)}</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const PAGE_STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 auto; padding: 16px 24px; max-width: 1200px; color: #1d2330; }
h1 { font-size: 20px; margin: 0; } h2 { font-size: 16px; margin: 24px 0 8px; }
.sub { color: #5b6475; margin: 4px 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 8px; }
.card { border: 1px solid #d9dde5; border-radius: 6px; padding: 8px 12px; min-width: 110px; }
.card b { display: block; font-size: 18px; } .card span { color: #5b6475; font-size: 12px; }
.card.bad { border-color: #d33; } .card.good { border-color: #2a8; }
.charts { display: grid; grid-template-columns: 1fr; gap: 8px; }
figure { margin: 16px 0 0; } figcaption { font-weight: 600; margin-bottom: 4px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 3px 8px; border-bottom: 1px solid #eceef2; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
th { background: #f4f6f9; font-weight: 600; }
code { font-size: 12px; }
`;

// Runs in the browser: reads the embedded report and draws it.
const PAGE_SCRIPT = String.raw`
(function () {
  var report = JSON.parse(document.getElementById('report-data').textContent);
  var timeline = report.timeline || [];
  var width = function () { return Math.max(480, document.querySelector('.charts').clientWidth - 8); };
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
    (children || []).forEach(function (child) { node.append(child instanceof Node ? child : document.createTextNode(String(child))); });
    return node;
  }
  function fmt(value, digits) { return typeof value === 'number' ? value.toLocaleString('en', { maximumFractionDigits: digits === undefined ? 2 : digits }) : String(value); }
  function codes(map) { var parts = []; for (var key in map || {}) parts.push(key + ' ' + map[key]); return parts.join(', '); }

  // Summary cards.
  var lat = report.latencyMs;
  var cards = [
    ['calls', fmt(report.requests.completed, 0)], ['ok', fmt(report.requests.ok, 0)], ['errors', fmt(report.requests.errors, 0)],
    ['throughput /s', fmt(report.throughputRps, 1)], ['error rate', fmt(report.errorRate * 100, 2) + ' %'],
    ['p50 ms', fmt(lat.p50)], ['p90 ms', fmt(lat.p90)], ['p99 ms', fmt(lat.p99)], ['p99.9 ms', fmt(lat.p999)], ['max ms', fmt(lat.max)]
  ];
  if (report.slo) cards.push(['SLO', report.slo.passed ? 'passed' : 'MISSED']);
  var summary = document.getElementById('summary');
  cards.forEach(function (card) {
    var cls = card[0] === 'SLO' ? (report.slo.passed ? 'card good' : 'card bad') : 'card';
    summary.append(el('div', { class: cls }, [el('b', {}, [card[1]]), el('span', {}, [card[0]])]));
  });

  var t = timeline.map(function (p) { return p.t; });
  var pick = function (key) { return timeline.map(function (p) { return p[key]; }); };
  var rate = function (key) { return timeline.map(function (p, i) { var span = i === 0 ? p.t : p.t - timeline[i - 1].t; return span > 0 ? p[key] / span : p[key]; }); };
  var seconds = { label: 'seconds', values: function (u, ticks) { return ticks.map(function (v) { return v + ' s'; }); } };
  new uPlot({
    width: width(), height: 260, scales: { x: { time: false } },
    axes: [seconds, { label: 'ms' }],
    series: [{ label: 't (s)' },
      { label: 'p50', stroke: '#2b6cb0', width: 1.5 }, { label: 'p90', stroke: '#38a169', width: 1.5 },
      { label: 'p99', stroke: '#dd6b20', width: 1.5 }, { label: 'max', stroke: '#c53030', width: 1, dash: [4, 3] }]
  }, [t, pick('p50Ms'), pick('p90Ms'), pick('p99Ms'), pick('maxMs')], document.getElementById('chart-latency'));
  new uPlot({
    width: width(), height: 220, scales: { x: { time: false } },
    axes: [seconds, { label: 'calls / s' }],
    series: [{ label: 't (s)' },
      { label: 'ok / s', stroke: '#2b6cb0', fill: 'rgba(43,108,176,0.12)', width: 1.5 },
      { label: 'errors / s', stroke: '#c53030', fill: 'rgba(197,48,48,0.15)', width: 1.5 }]
  }, [t, rate('ok'), rate('errors')], document.getElementById('chart-throughput'));

  // Percentile plot: x is 1 / (1 - p) on a log axis, so 90 %, 99 %, 99.9 % are evenly spaced.
  var dist = (report.latencyDistribution || []).filter(function (p) { return p.percentile < 100; });
  var distX = dist.map(function (p) { return 1 / (1 - p.percentile / 100); });
  new uPlot({
    width: width(), height: 260,
    scales: { x: { time: false, distr: 3 }, y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } },
    // One tick per nine (0 %, 90 %, 99 %, ...): uPlot's own log ticks would crowd the axis.
    axes: [{ label: 'percentile', splits: function (u, axis, min, max) { var out = []; for (var v = 1; v <= max * 1.0001; v *= 10) if (v >= min * 0.9999) out.push(v); return out; },
      values: function (u, ticks) { return ticks.map(function (v) { return fmt(100 - 100 / v, 4) + ' %'; }); } }, { label: 'ms' }],
    series: [{ label: 'percentile', value: function (u, v) { return v == null ? '-' : fmt(100 - 100 / v, 4) + ' %'; } },
      { label: 'latency ms', stroke: '#6b46c1', width: 2, points: { show: true, size: 4 } }]
  }, [distX, dist.map(function (p) { return p.ms; })], document.getElementById('chart-distribution'));

  // Tables.
  var tables = document.getElementById('tables');
  function table(title, head, rows, textColumns) {
    if (rows.length === 0) return;
    tables.append(el('h2', {}, [title]));
    var isText = function (i) { return (textColumns || [0]).indexOf(i) >= 0; };
    tables.append(el('table', {}, [
      el('thead', {}, [el('tr', {}, head.map(function (h, i) { return el('th', isText(i) ? { class: 'text' } : {}, [h]); }))]),
      el('tbody', {}, rows.map(function (row) { return el('tr', {}, row.map(function (cell, i) { return el('td', isText(i) ? { class: 'text' } : {}, [cell]); })); }))
    ]));
  }
  var groupCells = function (g) { return [fmt(g.ok, 0), fmt(g.errors, 0), fmt(g.errorRate * 100, 2) + ' %', fmt(g.latencyMs.p50), fmt(g.latencyMs.p90), fmt(g.latencyMs.p99), fmt(g.latencyMs.max), codes(g.errorsByCode)]; };
  var groupHead = ['ok', 'errors', 'error rate', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors by code'];
  table('Per stage', ['stage', 'from s', 'target', 'calls/s'].concat(groupHead),
    (report.stages || []).map(function (s) { return [s.stage, fmt(s.startS, 1), fmt(s.target), fmt(s.throughputRps, 1)].concat(groupCells(s)); }), [0, 11]);
  table('Per journey step', ['journey', 'step', 'method'].concat(groupHead),
    (report.steps || []).map(function (s) { return [s.journey, s.step, s.method].concat(groupCells(s)); }), [0, 1, 2, 10]);
  table('Journeys', ['journey', 'weight', 'started', 'completed', 'failed', 'cut by the end'],
    (report.journeys || []).map(function (j) { return [j.journey, fmt(j.weight), fmt(j.started, 0), fmt(j.completed, 0), fmt(j.failed, 0), fmt(j.cut, 0)]; }));
  table('Errors by code', ['code', 'calls'], Object.keys(report.errorsByCode).map(function (k) { return [k, fmt(report.errorsByCode[k], 0)]; }));
  if (report.slo) table('SLO gates', ['check', 'actual', 'limit', 'verdict'], report.slo.checks.map(function (c) { return [c.name, fmt(c.actual), fmt(c.limit), c.passed ? 'ok' : 'MISSED']; }), [0, 3]);
  var slowRow = function (c) { return [el('code', {}, [c.traceId]), fmt(c.latencyMs, 3), c.code, c.sampled ? 'yes' : 'no']; };
  table('Slowest calls (trace ids)', ['trace id', 'ms', 'code', 'sampled'], report.slowest.map(slowRow), [0, 2, 3]);
  table('Slowest sampled calls (in the trace store under head sampling)', ['trace id', 'ms', 'code', 'sampled'], report.slowestSampled.map(slowRow), [0, 2, 3]);
  var settings = report.settings || {};
  table('Settings', ['setting', 'value'], Object.keys(settings).map(function (k) { return [k, settings[k] === null ? '-' : String(settings[k])]; }), [0, 1]);
  table('Client', ['', 'value'], [['CPU µs per call', fmt(report.clientCpu.usPerRequest, 1)], ['worker threads', String(report.workers)],
    ['sent', fmt(report.requests.sent, 0)], ['dropped', fmt(report.requests.dropped, 0)], ['late', fmt(report.requests.late, 0)], ['waited for a slot', fmt(report.requests.delayedByInflightCap, 0)]]);
})();
`;
