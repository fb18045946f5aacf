import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Summary } from '@replstorm/core';
import { CAUSES_SHOWN, CHAIN_CREDIT, moreCausesText, type ActorBlame, type CauseBlame, type Chain } from '../blame.js';
import type { Timeline, TimelineSeries } from './timeline.js';
import { STEPS_SHOWN, type Steps } from './steps.js';
import { conflictDocumentsHeldShown, deletionsUndoneLabel, formatCount, formatVirtualTime, stoppedAtEndOfTime, type DeletionsUndonePair } from '../format.js';

/** One row of the blame table, computed by the caller (blame.ts). */
export type BlameRow = ActorBlame;
/** One input event and the revisions and conflicts behind it (blame.ts). */
export type CauseRow = CauseBlame;
/** A chain of revisions linked by arrivals (blame.ts). */
export type ChainRow = Chain;

/** Everything `--report` shows. Every string may come from a log and is treated as hostile. */
export interface ReportData {
  readonly title: string;
  /** The log file or scenario name the run came from. */
  readonly source: string;
  /** What the blame's line numbers count, when not the lines of the log replayed (a run's: see cmdRun). */
  readonly causeLines?: string;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly summary: Summary;
  readonly timeline: Timeline;
  readonly blame: readonly BlameRow[];
  /** Blame by cause, most revisions first (the report shows the first 20, as the CLI does), and the longest chains. */
  readonly causes?: readonly CauseRow[];
  readonly chains?: readonly ChainRow[];
  /** Chains of two revisions or more not in `chains` (BlameResult.moreChains). */
  readonly moreChains?: number;
  /** A recording's check (replay of a log with derived events): how many were checked, and the first disagreement. */
  readonly recording?: {
    readonly checked: number;
    readonly mismatch?: { readonly line: number; readonly column?: number; readonly message: string };
    /** Blame and the timeline also count what the engine derived past the run's stop, following the file (SimulateResult.outputsPastStop). */
    readonly outputsPastStop?: string;
  };
  /**
   * A counterexample's claim checked again (replay's `reproduced` line): its text, whether the violation happened
   * again, and whether it could be checked.
   */
  readonly claim?: { readonly text: string; readonly reproduced: boolean; readonly checked: boolean };
  /** A second run to compare with, e.g. the same log under another scanner configuration. */
  readonly whatIf?: {
    readonly label: string;
    readonly summary: Summary;
    readonly infectedCopiesLeft?: { readonly base: number; readonly whatIf: number };
    /** Per run, the conflict documents held at the end (a row where either holds other than it made, as the terminal's). */
    readonly conflictDocumentsHeld?: { readonly base: number; readonly whatIf: number };
    /** Per run, the documents deleted, and how many of those are back where they were deleted (R6). */
    readonly deletionsUndone?: DeletionsUndonePair;
    /** What the terminal says under the comparison (no scanner to replace; a schedule the log's scanners did not carry). */
    readonly notes?: readonly string[];
    /** The what-if run was cut short (`run --max-scanner-revisions`; a note says how). */
    readonly cut?: boolean;
    /** The other column's heading, as the terminal's ("as recorded" for a recording the engine agrees with); "this run" if none. */
    readonly baseLabel?: string;
  };
  /**
   * What the terminal's summary says beside its counts (its state line's work pending, copies still infected,
   * deleted documents back, timers not run, conflict documents held, inputs ignored after an end), said under the
   * report's summary table, each label capitalised; `bad` marks a finding.
   */
  readonly summaryLines?: readonly { readonly label: string; readonly text: string; readonly bad?: boolean }[];
  /** Set when the run was cut short by `run --max-scanner-revisions`: what the terminal says of it. */
  readonly cutShort?: string;
  /** Each input and what followed it, in words (listed for a run of at most STEPS_SHOWN inputs). */
  readonly steps?: Steps;
  /**
   * An explore storm log's loop, its claim reproduced: inputs `firstInput` (1-based, as the steps count them) to
   * `firstInput + 2 * length - 1` are the loop's `length` steps run twice. The steps table labels their laps.
   */
  readonly stormLoop?: { readonly firstInput: number; readonly length: number };
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  // Harmless in HTML text, but some tools take them for line ends: the file never holds them raw.
  '\u2028': '&#x2028;',
  '\u2029': '&#x2029;',
};

/**
 * Escapes text for HTML content, and with `breaks` false for a quoted attribute value (`breaks` adds `<wbr>` in long
 * runs, LONG_RUN). Text longer than MAX_SHOWN characters (a log's name can be 60 million) is cut there, saying how
 * long it was: the page is one string, and an actor of 50 million `<`, escaped four times over wherever it appears,
 * made it longer than V8 allows (exit 70, no report).
 */
export function escapeHtml(text: string, breaks = true): string {
  let visible = shown(text).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (breaks) visible = visible.replace(LONG_RUN, (run) => `${run}\u0000`);
  return visible.replace(/[&<>"'\u2028\u2029]/g, (c) => HTML_ESCAPES[c]!).replaceAll('\u0000', '<wbr>');
}

/**
 * Characters a page would not show, or that would reorder what comes after them: control characters (a server named
 * `Al\0pha` read as "Alpha") and the explicit bidirectional formatting characters (embeddings, overrides, isolates:
 * an unclosed U+202E in an actor's name turned the rest of a cause's label backwards, its server, database and UNID,
 * and moved a count into a name). Shown as `\uXXXX`, as the terminal shows them (printable). A browser QA pass found
 * both. Line ends and tabs are left to HTML's white space.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * Forty characters of a run without white space, followed by more: a line-break opportunity (`<wbr>`) is put after
 * each (marked with NUL, which INVISIBLE has just made visible everywhere else). A 400-character name made a table
 * cell too wide to shrink (`overflow-wrap: break-word` does not lower a cell's minimum width), and pushed every
 * number of the blame tables off the screen; words and UNIDs (32) are left whole. By code point: a pair is not split.
 */
const LONG_RUN = /\S{40}(?=\S)/gu;

const MAX_SHOWN = 10_000;

/** `text`, or its first MAX_SHOWN characters (a surrogate pair kept whole) and how long it is. */
function shown(text: string): string {
  if (text.length <= MAX_SHOWN) return text;
  const cut = (text.charCodeAt(MAX_SHOWN - 1) & 0xfc00) === 0xd800 ? MAX_SHOWN - 1 : MAX_SHOWN;
  return `${text.slice(0, cut)}\u2026 (${formatCount(text.length)} characters)`;
}

/**
 * JSON that is safe inside `<script type="application/json">`: no `<` (so no `</script>` or `<!--`), `>`, `&`, U+2028 or
 * U+2029 survives raw. Each becomes a `\uXXXX` escape, which can only occur inside a JSON string, so JSON.parse gives
 * the original value back.
 */
export function jsonForScript(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('jsonForScript: value has no JSON form');
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}


let uplotAssets: { js: string; css: string } | undefined;

// Read at render time from the installed package, so the report needs nothing beside itself.
function loadUplot(): { js: string; css: string } {
  if (uplotAssets === undefined) {
    const require = createRequire(import.meta.url);
    const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    // Inlined verbatim: a closing tag inside would end the element early. uPlot 1.6.32 has none; a later version might.
    if (/<\/script/i.test(js) || /<\/style/i.test(css)) throw new Error('uplot assets contain a closing tag and cannot be inlined');
    uplotAssets = { js, css };
  }
  return uplotAssets;
}

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE = `
:root { color-scheme: light; --fg: #1d2125; --muted: #5f6b76; --line: #d9dee3; --band: #f5f7f9; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 24px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
h3 { font-size: 1rem; margin: 20px 0 4px; overflow-wrap: anywhere; }
/* A word longer than the line (a 300-character server name in a note) breaks rather than widen the page. */
p { margin: 4px 0 8px; overflow-wrap: anywhere; }
.muted, caption { color: var(--muted); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.9em; }
table.data { border-collapse: collapse; margin: 8px 0; }
table.data caption { text-align: left; caption-side: bottom; font-size: 0.85rem; padding-top: 4px; }
table.data th, table.data td { padding: 4px 12px; border-bottom: 1px solid var(--line); vertical-align: top; text-align: left; }
table.data thead th { background: var(--band); font-weight: 600; }
table.data tbody th { font-weight: 500; }
table.data .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.data .val { text-align: right; }
table.whatif td, table.whatif th { max-width: 360px; }
table.summary tbody th, table.whatif tbody th { white-space: nowrap; }
table.data th.sub { padding-left: 32px; font-weight: 400; color: var(--muted); }
.bad { color: var(--bad); font-weight: 600; }
/* A storm's loop in the steps: its two laps banded apart (the Loop column says which lap in words). */
table.steps tr.lap1 td { background: #fff6e0; }
table.steps tr.lap2 td { background: #fdebc8; }
.same { color: var(--muted); }
/* Text wraps between words; a word longer than its cell (a UNID) breaks only when it could not fit at all, so a
   narrow screen scrolls a wide table sideways instead of cutting every word into pieces. */
.wrap { overflow-wrap: break-word; }
.scroll { overflow-x: auto; max-width: 100%; }
/* Focusable (the page script makes a box that scrolls sideways a Tab stop, arrow keys scroll it) with a visible ring. */
.scroll:focus-visible, .plot:focus-visible { outline: 2px solid #0072B2; outline-offset: 2px; }
.scroll-hint { font-size: 0.85rem; margin: 8px 0 0; }
/* Read by a screen reader, not shown. */
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
nav.contents { margin: 8px 0 0; font-size: 0.9rem; }
nav.contents ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.flag { font-weight: 400; }
@media (max-width: 640px) {
  main { padding: 16px 12px 32px; }
  table.data th, table.data td { padding: 4px 8px; }
  /* Labels and values may wrap between words here, so a two-column table fits the screen. */
  table.summary tbody th, table.whatif tbody th, table.data .num { white-space: normal; }
}
table.meta td { max-width: 760px; }
.digest { overflow-wrap: anywhere; }
.plot { width: 100%; min-height: 40px; }
.zoom { margin: 0.5rem 0; }
.zoom button { font: inherit; margin-right: 0.25rem; }
.uplot .u-legend .u-series:focus-visible { outline: 2px solid #0072B2; outline-offset: 1px; }
.uplot .u-legend { font-size: 0.85rem; text-align: left; }
.uplot .u-legend .u-series:first-child .u-value { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
/* Printed: what the mouse and the keyboard work (zoom, legends that read "--" until hovered, how to drag) is left out;
   a chart's heading and caption stay on the page of its chart. */
@media print {
  .plot { break-inside: avoid; }
  .zoom, .u-legend, .chart-help, .scroll-hint, nav.contents { display: none !important; }
  h2, h3, p.chart-caption { break-after: avoid; }
}
`;

// The page script is fixed text: data reaches it only through JSON.parse, and DOM text only through uPlot's textContent.
// One chart per server (plus an all-servers total) rather than one chart with a series per server per metric: servers
// often differ by orders of magnitude, three metrics × many servers is unreadable as lines in one plot, and with one
// chart each a metric keeps the same colour everywhere. Cursors and zoom are synced across the charts.
const PAGE_SCRIPT = `
(function () {
  'use strict';
  // A table wider than the window scrolls sideways in its box: the box is then a Tab stop (the arrow keys scroll it)
  // and a line above it says so. Where it fits, it is neither (a stop that does nothing is one more on the way).
  // (An accessibility QA pass: at 400 px the Steps table scrolled by mouse alone, with no hint; axe's
  // scrollable-region-focusable.)
  function markOverflow() {
    var boxes = document.querySelectorAll('.scroll');
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i], wide = box.scrollWidth > box.clientWidth + 1;
      if (wide) box.tabIndex = 0; else box.removeAttribute('tabindex');
      var hint = box.previousElementSibling;
      if (hint && hint.classList.contains('scroll-hint')) hint.hidden = !wide;
    }
  }
  markOverflow();
  window.addEventListener('resize', markOverflow);
  var data = JSON.parse(document.getElementById('replstorm-chart-data').textContent);
  var tl = data.timeline;
  var METRICS = [
    // Revisions and replicated changes often have the same count per bucket (every stamp replicates): the later line
    // would hide the earlier. Revisions are drawn wide, replicated changes dashed over them, so both show.
    { key: 'revisions', label: 'revisions', stroke: '#0072B2', width: 3 },
    { key: 'replicated', label: 'replicated changes', stroke: '#009E73', width: 1.5, dash: [6, 4] },
    { key: 'conflicts', label: 'conflicts', stroke: '#D55E00', width: 1.5 }
  ];
  var TIME_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5,
    36e5, 72e5, 108e5, 216e5, 432e5, 864e5, 1728e5, 3456e5, 6048e5, 12096e5, 24192e5, 864e7, 3456e7, 864e8, 864e9];
  var COUNT_INCRS = [];
  for (var p = 1; p < 1e16; p *= 10) COUNT_INCRS.push(p, 2 * p, 5 * p);

  function pad(n, w) { var s = String(n); while (s.length < w) s = '0' + s; return s; }
  function fmt(ms, withMs) {
    var neg = ms < 0; ms = Math.abs(ms);
    var t = Math.floor(ms / 1000), rest = Math.round(ms - t * 1000);
    // As the CLI writes times (format.ts formatVirtualTime): days as "Nd h:mm:ss".
    var d = Math.floor(t / 86400);
    var s = (neg ? '-' : '') + (d > 0 ? d + 'd ' : '') + Math.floor(t / 3600) % 24 + ':' + pad(Math.floor(t / 60) % 60, 2) + ':' + pad(t % 60, 2);
    return withMs ? s + '.' + pad(rest, 3) : s;
  }
  var fineTime = tl.bucketMs < 1000 || tl.start % 1000 !== 0;
  // Counts as the tables write them (format.ts formatCount): 55,591, not 55591.
  function count(v) { return String(v).replace(/\\B(?=(\\d{3})+(?!\\d))/g, ','); }
  // Axes, ticks and grid in the page's text colour: uPlot's default black vanished on a dark forced-colours page
  // (an accessibility QA pass); in forced colours the grid is drawn in it too, else faintly as uPlot draws it.
  var ink = getComputedStyle(document.body).color;
  var forced = window.matchMedia && window.matchMedia('(forced-colors: active)').matches;
  var gridInk = forced ? ink : 'rgba(0,0,0,0.07)';

  var n = tl.series.length ? tl.series[0].revisions.length : 0;
  var xs = [];
  for (var i = 0; i <= n; i++) xs.push(tl.start + i * tl.bucketMs);
  // A stepped line holds each point's count until the next point: a zero at the timeline's end closes the last bucket,
  // and one at the run's end shows the quiet time after the last derived event (nothing happened there).
  var tail = [0];
  if (data.quietEnd > tl.end) { xs.push(data.quietEnd); tail.push(0); }
  function closed(arr) { return arr.concat(tail); }
  function sum(key) {
    var out = [];
    for (var i = 0; i < n; i++) { var t = 0; for (var j = 0; j < tl.series.length; j++) t += tl.series[j][key][i]; out.push(t); }
    return out;
  }

  var steps = uPlot.paths.stepped({ align: 1 });
  var plots = [];
  // The keyboard reaches what the mouse does (a browser QA pass: zoom and legend toggles were mouse-only): each legend
  // entry is a toggle button (Tab to it, Enter or Space), and the zoom buttons above the charts act on them all.
  function syncPressed(u) {
    var rows = u.root.querySelectorAll('.u-legend .u-series');
    for (var i = 1; i < rows.length && i < u.series.length; i++) rows[i].setAttribute('aria-pressed', u.series[i].show ? 'true' : 'false');
  }
  var lo = xs[0], hi = xs[xs.length - 1];
  function sayRange(a, b) {
    var said = document.getElementById('zoom-range');
    if (!said || a == null || b == null) return;
    // (The run's end beside it when later: "the whole timeline" to 0:00:59 read as the whole run, which ended at 1:00:00,
    // an operator's QA pass.)
    // (And where the run ended inside the last bucket: its end, read as the run's, was up to a bucket later; a browser
    // QA pass.)
    said.textContent = 'Showing ' + fmt(a, fineTime) + ' to ' + fmt(b, fineTime) + (a <= lo && b >= hi ? ' (the whole timeline' + (data.endAt > b ? '; the run went on to ' + fmt(data.endAt, fineTime) + ' with no events' : data.endAt < b ? '; the run stopped at ' + fmt(data.endAt, fineTime) + (data.endAt >= hi - tl.bucketMs ? ', inside the last bucket' : ', and the charts go on past it') : '') + ')' : '');
  }
  function keyboardLegend(u, name) {
    var rows = u.root.querySelectorAll('.u-legend .u-series');
    for (var i = 1; i < rows.length && i < u.series.length; i++) {
      (function (row, idx) {
        row.tabIndex = 0;
        row.setAttribute('role', 'button');
        // Named with its chart: nine toggles read "revisions", "replicated changes", "conflicts" alike (a browser QA pass).
        row.setAttribute('aria-label', name + ': ' + METRICS[idx - 1].label);
        row.addEventListener('keydown', function (e) {
          if (e.key !== 'Enter' && e.key !== ' ') return;
          e.preventDefault();
          u.setSeries(idx, { show: !u.series[idx].show });
        });
      })(rows[i], i);
    }
    syncPressed(u);
  }
  function makeChart(el, counts) {
    var opts = {
      // The range said beside the zoom buttons follows every zoom, a drag's and a double-click's reset too (a review).
      hooks: { setSeries: [function (u) { syncPressed(u); }], setScale: [function (u, key) { if (key === 'x') sayRange(u.scales.x.min, u.scales.x.max); }] },
      // (At least 240 px: a 320 px window leaves the chart 296, and a minimum of 320 scrolled the page sideways.)
      width: Math.max(240, el.clientWidth),
      height: 190,
      cursor: { sync: { key: 'replstorm' }, drag: { x: true, y: false } },
      scales: { x: { time: false }, y: { range: function (u, min, max) { return [0, Math.max(1, Math.ceil(max * 1.08))]; } } },
      axes: [
        { label: 'virtual time (h:mm:ss)', space: 90, incrs: TIME_INCRS, stroke: ink, grid: { stroke: gridInk }, ticks: { stroke: gridInk },
          values: function (u, splits, ax, space, incr) { return splits.map(function (v) { return fmt(v, incr < 1000); }); } },
        { label: 'per bucket', incrs: COUNT_INCRS, size: 60, stroke: ink, grid: { stroke: gridInk }, ticks: { stroke: gridInk },
          values: function (u, splits) { return splits.map(count); } }
      ],
      series: [{
        label: 'bucket',
        value: function (u, v) {
          if (v == null) return '--';
          if (v < tl.end) return fmt(v, fineTime) + ' \\u2013 ' + fmt(v + tl.bucketMs, fineTime);
          if (v < data.quietEnd) return fmt(v, fineTime) + ' \\u2013 ' + fmt(data.endAt, fineTime) + ' (no events)';
          // The charts' last point: the run's end, or, its quiet tail cut short (chartEnd), where the charts stop.
          return data.quietEnd < data.endAt ? fmt(v, fineTime) + ' (the charts stop here; the run went on to ' + fmt(data.endAt, fineTime) + ')' : fmt(v, fineTime) + ' (end)';
        }
      }].concat(METRICS.map(function (m) {
        return { label: m.label, stroke: m.stroke, width: m.width, dash: m.dash, paths: steps, points: { show: false },
          value: function (u, v) { return v == null ? '--' : count(v); } };
      }))
    };
    var series = [xs].concat(METRICS.map(function (m) { return closed(counts[m.key]); }));
    var u = new uPlot(opts, series, el);
    // (The chart's name is its heading's, the h3 before its caption.)
    var heading = el.previousElementSibling && el.previousElementSibling.previousElementSibling;
    var name = heading ? heading.textContent : '';
    keyboardLegend(u, name);
    keyboardBuckets(el, u, name, counts);
    plots.push({ el: el, plot: u });
  }
  // A chart's buckets read by keyboard: Tab to the chart, the arrow keys (Home, End) move the cursor (on every chart,
  // synced) a bucket at a time, within the range shown, and the bucket's counts are said in words (the legend shows them
  // too). The mouse was the only way to a bucket's numbers (an accessibility QA pass).
  function keyboardBuckets(el, u, name, counts) {
    var at = -1;
    el.tabIndex = 0;
    el.addEventListener('keydown', function (e) {
      var k = e.key;
      if (k !== 'ArrowLeft' && k !== 'ArrowRight' && k !== 'Home' && k !== 'End') return;
      if (n === 0) return;
      e.preventDefault();
      var first = 0, last = n - 1, x = u.scales.x;
      while (first < n - 1 && xs[first + 1] <= x.min) first++;
      while (last > first && xs[last] >= x.max) last--;
      if (k === 'Home' || at < 0 && k === 'ArrowRight') at = first;
      else if (k === 'End' || at < 0) at = last;
      else at = Math.min(last, Math.max(first, at + (k === 'ArrowRight' ? 1 : -1)));
      // (A quarter into the bucket: the cursor takes the nearest point, the bucket's own.)
      u.setCursor({ left: u.valToPos(xs[at] + tl.bucketMs / 4, 'x'), top: u.bbox.height / (window.devicePixelRatio || 1) / 2 });
      var said = document.getElementById('chart-readout');
      // (One of each in the singular, as the captions say it: "1 revisions" read in a review.)
      var of = function (v, word) { return count(v) + ' ' + word + (v === 1 ? '' : 's'); };
      if (said) said.textContent = name + ', ' + fmt(xs[at], fineTime) + ' to ' + fmt(xs[at] + tl.bucketMs, fineTime) + ': ' +
        of(counts.revisions[at], 'revision') + ', ' + of(counts.replicated[at], 'replicated change') + ', ' + of(counts.conflicts[at], 'conflict');
    });
  }

  var els = document.querySelectorAll('.plot[data-chart]');
  for (var k = 0; k < els.length; k++) {
    var el = els[k], which = el.getAttribute('data-chart');
    if (which === 'total') makeChart(el, { revisions: sum('revisions'), replicated: sum('replicated'), conflicts: sum('conflicts') });
    else { var s = tl.series[Number(which)]; if (s) makeChart(el, s); }
  }
  // Zoom by buttons: the same range on every chart (as a drag's zoom, synced), at least one bucket wide, within the run.
  var zoom = document.querySelector('.zoom');
  if (zoom && plots.length > 0) {
    var setRange = function (a, b) {
      var w = Math.min(hi - lo, Math.max(b - a, tl.bucketMs));
      if (a < lo) a = lo;
      if (a + w > hi) a = hi - w;
      for (var i = 0; i < plots.length; i++) plots[i].plot.setScale('x', { min: a, max: a + w });
    };
    var act = {
      'in': function (a, b) { setRange(a + (b - a) / 4, b - (b - a) / 4); },
      'out': function (a, b) { setRange(a - (b - a) / 2, b + (b - a) / 2); },
      'earlier': function (a, b) { setRange(a - (b - a) / 2, b - (b - a) / 2); },
      'later': function (a, b) { setRange(a + (b - a) / 2, b + (b - a) / 2); },
      'all': function () { setRange(lo, hi); }
    };
    var buttons = zoom.querySelectorAll('button[data-zoom]');
    for (var b = 0; b < buttons.length; b++) {
      buttons[b].addEventListener('click', function (e) {
        var x = plots[0].plot.scales.x;
        act[e.currentTarget.getAttribute('data-zoom')](x.min, x.max);
      });
    }
    zoom.hidden = false;
  }
  markOverflow();
  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      for (var i = 0; i < plots.length; i++) plots[i].plot.setSize({ width: Math.max(240, plots[i].el.clientWidth), height: 190 });
    });
  });
})();
`;

const STOPPED: Readonly<Record<Summary['stopped'], string>> = {
  end: 'end (an end event)',
  idle: 'idle (nothing pending)',
  cap: 'cap (maxRunMs after the last input)',
};

type Cell = { readonly kind: 'count'; readonly value: number }
  | { readonly kind: 'flag'; readonly value: boolean; readonly bad: boolean }
  | { readonly kind: 'time'; readonly value: number }
  | { readonly kind: 'text'; readonly value: string; readonly mono?: boolean };

interface SummaryRow {
  readonly label: string;
  readonly sub?: boolean;
  readonly cell: (s: Summary) => Cell;
}

// Byte-wise order, as the timeline sorts servers: the same log gives the same report on every machine.
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The Stopped cell of a run cut short by `run --max-scanner-revisions` (it stops as at an end event). */
const CUT_CELL: Cell = { kind: 'text', value: 'end (cut short by the --max-scanner-revisions budget)' };

function summaryRows(summaries: readonly Summary[], cut: (s: Summary) => boolean = () => false): SummaryRow[] {
  const kinds = [...new Set(summaries.flatMap((s) => Object.keys(s.revisions.byActorKind)))].sort(byCodeUnit);
  const count = (label: string, get: (s: Summary) => number, sub = false): SummaryRow => ({ label, sub, cell: (s) => ({ kind: 'count', value: get(s) }) });
  return [
    count('Revisions', (s) => s.revisions.total),
    ...kinds.map((k) => count(`by ${k}`, (s) => (Object.hasOwn(s.revisions.byActorKind, k) ? s.revisions.byActorKind[k] ?? 0 : 0), true)),
    count('Replicated changes', (s) => s.replicatedChanges),
    count('Conflicts', (s) => s.conflicts),
    count('Merges', (s) => s.merges),
    count('Discarded', (s) => s.discarded),
    count('OID collisions', (s) => s.collisions),
    count('Scans performed', (s) => s.scans.performed),
    count('Scans skipped', (s) => s.scans.skipped),
    count('Infected cleaned', (s) => s.scans.infected),
    count('Infections missed', (s) => s.scans.missed),
    { label: 'Quiescent', cell: (s) => ({ kind: 'flag', value: s.quiescent, bad: !s.quiescent }) },
    { label: 'Converged', cell: (s) => ({ kind: 'flag', value: s.converged, bad: !s.converged }) },
    { label: 'Stopped', cell: (s) => (cut(s) && s.stopped === 'end' ? CUT_CELL : { kind: 'text', value: stoppedAtEndOfTime(s) ? 'cap (the end of virtual time, 2^53 - 1 ms)' : (STOPPED[s.stopped] ?? String(s.stopped)) }) },
    { label: 'End at (virtual)', cell: (s) => ({ kind: 'time', value: s.endAt }) },
    { label: 'Digest', cell: (s) => ({ kind: 'text', value: s.digest, mono: true }) },
  ];
}

/**
 * A table in a box that scrolls sideways when the table is wider than the window: a region named by the section's
 * heading (`labelledBy`, an id), as is the table, with a line above it that the page script shows, and a Tab stop it
 * makes, only while the table does not fit (markOverflow).
 */
function scrollBox(labelledBy: string, table: string): string {
  return `<p class="muted scroll-hint" hidden>The table is wider than the window: scroll it sideways (or Tab to it and use the arrow keys).</p>\n<div class="scroll" role="region" aria-labelledby="${labelledBy}">${table.replace(/^<table class="([^"]*)"/, `<table class="$1" aria-labelledby="${labelledBy}"`)}</div>`;
}

// Counts that should be zero in a sound run are flagged when they are not.
// (The CLI's words: the summary and the what-if table say the same.)
const ALARMING = new Set(['OID collisions', 'Infections missed']);

function renderCell(row: SummaryRow, cell: Cell): string {
  switch (cell.kind) {
    case 'count': {
      const bad = ALARMING.has(row.label) && cell.value !== 0;
      // In words too, not by its colour alone (an accessibility QA pass: a red 45,293 read, to a colour-blind reader or a
      // screen reader, as one more number).
      return `<td class="num${bad ? ' bad' : ''}">${escapeHtml(formatCount(cell.value))}${bad ? ' <span class="flag">(should be 0)</span>' : ''}</td>`;
    }
    case 'flag':
      return `<td class="val${cell.bad ? ' bad' : ''}">${cell.value ? 'yes' : 'no'}</td>`;
    case 'time':
      return `<td class="num">${escapeHtml(formatVirtualTime(cell.value))} <span class="muted">(${escapeHtml(formatCount(cell.value))} ms)</span></td>`;
    case 'text':
      return cell.mono ? `<td class="val"><code class="digest">${escapeHtml(cell.value, false)}</code></td>` : `<td class="val wrap">${escapeHtml(cell.value)}</td>`;
  }
}

function renderDifference(a: Cell, b: Cell): string {
  if (a.kind === 'count' && b.kind === 'count') {
    const d = b.value - a.value;
    return d === 0 ? '<td class="num same">0</td>' : `<td class="num">${d > 0 ? '+' : '\u2212'}${escapeHtml(formatCount(Math.abs(d)))}</td>`;
  }
  if (a.kind === 'time' && b.kind === 'time') {
    const d = b.value - a.value;
    return d === 0 ? '<td class="num same">0</td>' : `<td class="num">${d > 0 ? '+' : '\u2212'}${escapeHtml(formatVirtualTime(Math.abs(d)))}</td>`;
  }
  return a.value === b.value ? '<td class="val same">same</td>' : '<td class="val">differs</td>';
}

function rowHeader(row: SummaryRow): string {
  return `<th scope="row"${row.sub ? ' class="sub"' : ''}>${escapeHtml(row.label)}</th>`;
}

function renderSummary(summary: Summary, cut: boolean): string {
  const rows = summaryRows([summary], () => cut).map((row) => `<tr>${rowHeader(row)}${renderCell(row, row.cell(summary))}</tr>`);
  return scrollBox('h-summary', `<table class="data summary"><tbody>\n${rows.join('\n')}\n</tbody></table>`) + alarmNotes(summary);
}

/**
 * What an alarming count means, under the summary where one is not 0: the page said "OID collisions 45,293" in red and
 * nowhere what one is (an accessibility QA pass).
 */
function alarmNotes(s: Summary): string {
  const notes: string[] = [];
  if (s.collisions > 0) notes.push('OID collisions: copies of a document with the same seq and seqTime but different contents, which replication takes for the same version and leaves as they are (R3): those replicas stay apart for good, and no one is told.');
  if (s.scans.missed > 0) notes.push('Infections missed: scans that let a document with an infected attachment through without cleaning it.');
  return notes.map((n) => `\n<p class="bad">${escapeHtml(n)}</p>`).join('');
}

function renderSummaryLines(lines: ReportData['summaryLines']): string {
  if (lines === undefined || lines.length === 0) return '';
  return lines.map((l) => `\n<p class="${l.bad === true ? 'bad' : 'muted'} summary-line"><strong>${escapeHtml(capitalised(l.label))}</strong>: ${escapeHtml(l.text)}</p>`).join('');
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function renderWhatIf(base: Summary, whatIf: NonNullable<ReportData['whatIf']>, baseCut: boolean): string {
  // Copies still infected when each run stopped: "missed" counts scans only, so a design that never scans shows 0 there.
  const left = whatIf.infectedCopiesLeft;
  const extra: SummaryRow[] = left === undefined ? [] : [{ label: 'Infected copies left', sub: false, cell: (s) => ({ kind: 'count', value: s === base ? left.base : left.whatIf }) }];
  const held = whatIf.conflictDocumentsHeld;
  const heldRow: SummaryRow[] = held !== undefined && conflictDocumentsHeldShown(base, whatIf.summary, held) ? [{ label: 'Conflict documents held', sub: true, cell: (s) => ({ kind: 'count', value: s === base ? held.base : held.whatIf }) }] : [];
  // R6: deleted documents back where they were deleted at the end, as the terminal's row (only where a run deleted some).
  const undone = whatIf.deletionsUndone;
  const undoneLabel = undone !== undefined ? deletionsUndoneLabel(undone) : undefined;
  if (undoneLabel !== undefined) extra.push({ label: capitalised(undoneLabel), sub: false, cell: (s) => ({ kind: 'count', value: s === base ? undone!.base.undone : undone!.whatIf.undone }) });
  const summary = summaryRows([base, whatIf.summary], (s) => (s === base ? baseCut : whatIf.cut === true));
  // (In the terminal's order: held under conflicts; what is left and what is back after the scans' counts, before the
  // run's flags: they followed the digest, an operator's QA pass.)
  const at = (label: string) => {
    const i = summary.findIndex((r) => r.label === label);
    if (i < 0) throw new Error(`the what-if table has no row "${label}"`); // (a renamed row: splice at -1 put them on top)
    return i;
  };
  summary.splice(at('Conflicts') + 1, 0, ...heldRow);
  summary.splice(at('Infections missed') + 1, 0, ...extra);
  const rows = summary.map((row) => {
    const a = row.cell(base);
    const b = row.cell(whatIf.summary);
    return `<tr>${rowHeader(row)}${renderCell(row, a)}${renderCell(row, b)}${renderDifference(a, b)}</tr>`;
  });
  // (The first column's header is said, not shown: an empty one read as a column with no name; axe's empty-table-header.)
  return `<h2 id="h-whatif">What if: ${escapeHtml(whatIf.label)}</h2>
${scrollBox('h-whatif', `<table class="data whatif"><thead><tr><th scope="col"><span class="sr-only">Measure</span></th><th class="num">${escapeHtml(capitalised(whatIf.baseLabel ?? 'this run'))}</th><th class="val wrap">${escapeHtml(whatIf.label)}</th><th class="num">Difference</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`)}${(whatIf.notes ?? []).map((n) => `\n<p class="muted">Note: ${escapeHtml(n)}</p>`).join('')}`;
}

function metaValue(value: unknown): string {
  if (typeof value === 'string') return `<td class="wrap">${escapeHtml(value)}</td>`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return `<td class="wrap"><code>${escapeHtml(text)}</code></td>`;
}

/** The header's meta; `ofRun`: a scenario's run (`run`), whose header no file holds unless --record wrote one. */
function renderMeta(meta: Readonly<Record<string, unknown>>, ofRun: boolean): string {
  const entries = Object.entries(meta);
  // (Absent or `{}`: "The log has no meta." read as wrong for a header holding an empty one, an operator's QA pass.)
  if (entries.length === 0) return '<p class="muted">The header\'s meta holds nothing.</p>';
  const rows = entries.map(([k, v]) => `<tr><th scope="row" class="wrap">${escapeHtml(k)}</th>${metaValue(v)}</tr>`);
  // (A run's report said "The log header's meta, as recorded." where no log existed: an administrator's review.)
  const caption = ofRun ? 'The run\'s header meta: what a recording of it (--record) holds.' : 'The log header\'s meta, as recorded.';
  return scrollBox('meta-caption', `<table class="data meta"><caption id="meta-caption">${caption}</caption><tbody>\n${rows.join('\n')}\n</tbody></table>`);
}

/**
 * Where the charts end: the run's end, after the quiet time that follows the last bucket, but no further past it than
 * the buckets' own span. [choice] A run that stopped at its 7-day cap after 5 s of events drew them all in the first
 * pixel of a 7-day axis (an operator's QA pass); the caption says when the run ended.
 */
export function chartEnd(timeline: Timeline, endAt: number): number {
  if (endAt <= timeline.end) return timeline.end;
  return Math.min(endAt, timeline.end + Math.max(timeline.end - timeline.start, timeline.bucketMs));
}

function renderTimeline(timeline: Timeline, endAt: number): string {
  if (timeline.series.length === 0) return '<h2 id="h-timeline">Timeline</h2>\n<p class="muted">No derived events: nothing to chart.</p>';
  const charts: string[] = [];
  // Each chart as text too: a caption of its totals and busiest bucket, which the chart is labelled by (role="img",
  // aria-labelledby): a screen reader got only the legends, whose values read "--" until the mouse hovers (a browser
  // QA pass). Names stay out of attributes: the caption is text.
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const chart = (key: string, name: string, s: { readonly revisions: readonly number[]; readonly replicated: readonly number[]; readonly conflicts: readonly number[] }): string => {
    let peak = 0;
    for (let i = 1; i < s.revisions.length; i++) if (s.revisions[i]! > s.revisions[peak]!) peak = i;
    const revisions = sum(s.revisions);
    const text =
      `${counted(revisions, 'revision')}, ${counted(sum(s.replicated), 'replicated change')} and ${counted(sum(s.conflicts), 'conflict')} ` +
      `from ${formatVirtualTime(timeline.start)} to ${formatVirtualTime(timeline.end)}` +
      (revisions > 0 ? `; most revisions in one bucket: ${formatCount(s.revisions[peak]!)}, from ${formatVirtualTime(timeline.start + peak * timeline.bucketMs)}` : '');
    return `<h3>${escapeHtml(name)}</h3>\n<p class="muted chart-caption" id="chart-caption-${key}">${escapeHtml(text)}.</p>\n<div class="plot" data-chart="${key}" role="figure" aria-labelledby="chart-caption-${key}"></div>`;
  };
  if (timeline.series.length > 1) {
    const add = (pick: (s: TimelineSeries) => readonly number[]) =>
      timeline.series.map(pick).reduce<number[]>((acc, xs) => acc.map((v, i) => v + (xs[i] ?? 0)), new Array<number>(timeline.series[0]!.revisions.length).fill(0));
    charts.push(chart('total', 'All servers', { revisions: add((s) => s.revisions), replicated: add((s) => s.replicated), conflicts: add((s) => s.conflicts) }));
  }
  timeline.series.forEach((s, i) => charts.push(chart(String(i), s.server, s)));
  const buckets = (timeline.end - timeline.start) / timeline.bucketMs;
  const quietEnd = chartEnd(timeline, endAt);
  return `<h2 id="h-timeline">Timeline</h2>
<p>Events per bucket of ${escapeHtml(formatVirtualTime(timeline.bucketMs))} virtual time (${escapeHtml(formatCount(timeline.bucketMs))} ms),
from ${escapeHtml(formatVirtualTime(timeline.start))} to ${escapeHtml(formatVirtualTime(timeline.end))} (${escapeHtml(formatCount(buckets))} ${buckets === 1 ? 'bucket' : 'buckets'})${
    endAt > timeline.end ? `; the run ended at ${escapeHtml(formatVirtualTime(endAt))}${endAt > quietEnd ? `, and the charts show the quiet time before it up to ${escapeHtml(formatVirtualTime(quietEnd))}` : ', and the charts show the quiet time up to it'}` : endAt < timeline.end ? `; the run stopped at ${escapeHtml(formatVirtualTime(endAt))}${endAt >= timeline.end - timeline.bucketMs ? ', inside the last bucket' : ', and the charts go on past it (the events derived past the stop, which blame and the report follow in the file)'}` : ''}.
<span class="muted">Revisions: saves on the server. Replicated changes: changes replication applied to the server (collisions excluded).
Conflicts: conflict documents made on the server. Each chart has its own vertical scale (compare servers by their numbers, not their heights).</span>
<span class="muted chart-help">Drag across a chart to zoom, or use the buttons; double-click to reset; click a legend entry (or Tab to it and press Enter) to hide its line; Tab to a chart and use the arrow keys (Home, End) to read its buckets' counts.</span></p>
<noscript><p class="muted">The timeline charts need JavaScript; the summary and blame tables do not.</p></noscript>
<div class="zoom" role="group" aria-label="Zoom the timeline" hidden><button type="button" data-zoom="in">Zoom in</button> <button type="button" data-zoom="out">Zoom out</button> <button type="button" data-zoom="earlier">Earlier</button> <button type="button" data-zoom="later">Later</button> <button type="button" data-zoom="all">Whole timeline</button> <span class="muted" id="zoom-range" aria-live="polite"></span></div>
<p class="sr-only" id="chart-readout" aria-live="polite"></p>
${charts.join('\n')}`;
}

/** `n` and the word, plural but for 1 ("1 conflicts" read in a chart's caption). */
function counted(n: number, word: string): string {
  return `${formatCount(n)} ${n === 1 ? word : `${word}s`}`;
}

/**
 * Each input and what the engine derived after it (steps.ts): the step-by-step reading of a counterexample, as explore
 * prints it. [choice] Listed for a run of at most STEPS_SHOWN inputs (a counterexample, a hand-made log); a longer one
 * is a recording, read by its timeline and blame, and the page says so rather than list its setup's first lines.
 */
function renderSteps(steps: Steps | undefined, causeLines?: string, loop?: ReportData['stormLoop']): string {
  if (steps === undefined || steps.inputs === 0) return '';
  if (steps.inputs > STEPS_SHOWN) {
    return `<h2 id="h-steps">Steps</h2>
<p class="muted">Steps are listed for a run of at most ${escapeHtml(formatCount(STEPS_SHOWN))} input events (a counterexample's size); this one has ${escapeHtml(formatCount(steps.inputs))}: its timeline and blame below say what happened.</p>`;
  }
  // The loop's rows (an explore storm log), when both its laps are among the steps: input k of the loop (0-based) is
  // step k % length + 1 of lap k / length + 1.
  const shown = loop !== undefined && loop.firstInput >= 1 && loop.firstInput - 1 + 2 * loop.length <= steps.steps.length ? loop : undefined;
  const loopRows = shown !== undefined;
  const lapOf = (i: number): { lap: number; step: number } | undefined => {
    if (shown === undefined) return undefined;
    const k = i + 1 - shown.firstInput;
    return k >= 0 && k < 2 * shown.length ? { lap: Math.floor(k / shown.length) + 1, step: (k % shown.length) + 1 } : undefined;
  };
  const rows = steps.steps.map((s, i) => {
    const at = lapOf(i);
    return (
      `<tr${at !== undefined ? ` class="lap${at.lap}"` : ''}><td class="num">${escapeHtml(formatCount(s.line))}</td><td class="num">${escapeHtml(formatVirtualTime(s.at))}</td>` +
      (loopRows ? `<td class="num">${at !== undefined ? escapeHtml(`lap ${at.lap}, ${at.step} of ${shown.length}`) : ''}</td>` : '') +
      `<td class="wrap">${escapeHtml(s.input)}</td><td class="wrap${s.followed === 'no change' ? ' muted' : ''}">${escapeHtml(s.followed)}</td></tr>`
    );
  });
  let loopText = '';
  if (shown !== undefined) {
    // Each lap's input lines, listed: a range of a recording's lines would include its derived lines (a review: a
    // loop of 2 steps read "lines 20-25").
    const line = (k: number) => formatCount(steps.steps[shown.firstInput - 1 + k]!.line);
    const laps = (from: number) => {
      const ls = Array.from({ length: shown.length }, (_, k) => line(from + k));
      return ls.length === 1 ? `line ${ls[0]}` : `lines ${ls.slice(0, -1).join(', ')} and ${ls.at(-1)}`;
    };
    loopText = `\n<p>The storm's loop: ${escapeHtml(laps(0))}, then the same ${shown.length === 1 ? 'action' : 'actions'} again (${escapeHtml(laps(shown.length))}). Each lap makes scanner revisions and brings the servers back to the state the loop began in (the claim checked above), so replication alone repeats it for ever.</p>`;
  }
  return `<h2 id="h-steps">Steps</h2>
<p class="muted">Each input event (${escapeHtml(causeLines ?? 'its line in the log')}) and what the engine derived after it, up to the next input: revisions, changes replication applied, conflicts. In time order: scheduled work falling in between (a connection's session, a scheduled pass, the cluster replicator's timer) is listed there too, though not the input's doing (blame by cause says what each revision came from); but a scan's save goes under the scan or the write it answers, though a later input came first (from a second after that input on, with its time). Scans that saved nothing (but those that let an infection through: INFECTION MISSED), and sessions that changed nothing (but those cut short because the partner could not be reached), are left out.</p>${loopText}
${scrollBox('h-steps', `<table class="data steps"><thead><tr><th class="num">Line</th><th class="num">At (virtual)</th>${loopRows ? '<th class="num">Loop</th>' : ''}<th>Input</th><th>What followed</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`)}`;
}

function renderBlame(blame: readonly BlameRow[]): string {
  if (blame.length === 0) return '<h2 id="h-blame">Blame by actor</h2>\n<p class="muted">No actor wrote anything.</p>';
  const rows = blame.map(
    (r) =>
      `<tr><th scope="row" class="wrap"><code>${escapeHtml(r.actor)}</code></th><td class="num">${escapeHtml(formatCount(r.revisions))}</td>` +
      `<td class="num">${escapeHtml(formatCount(r.conflicts))}</td><td class="num">${escapeHtml(formatCount(r.causes))}</td>` +
      `<td class="num">${escapeHtml(formatCount(r.longestChain))}</td></tr>`,
  );
  return `<h2 id="h-blame">Blame by actor</h2>
${scrollBox('h-blame', `<table class="data blame"><thead><tr><th>Actor</th><th class="num">Revisions</th><th class="num">Conflicts</th><th class="num">Causes</th><th class="num">Longest chain</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`)}${blame.some((r) => r.conflicts > 0) ? '\n<p class="muted">A conflict counts once for the actor (and the cause) of each of its two versions: a column can add up to more than the run\'s conflicts. The actor is the version\'s last writer (a scanner\'s on-write stamp over a user\'s save counts for the scanner), the cause the input behind it (the user\'s save). A version two servers wrote alike (the same seq and seqTime: R3) counts for the write whose copy took part, the one that arrived first.</p>' : ''}`;
}

/** Under a what-if, the timeline and blame are the run's own (the what-if run is summarized beside it only). */
/** Under a what-if, what blame and the steps are: this run's (`ofRun`: a scenario's run, whose designs are the scenario's). */
// (Under the Summary and Blame by cause too: the Summary sits right above the comparison and holds this run's figures,
// digest and claim, and read as either run's; a browser QA pass.)
const thisRunOnly = (ofRun: boolean, where: 'above' | 'below' = 'above') => `\n<p class="muted">This run only (${ofRun ? 'the scenario\'s designs' : 'the log\'s own designs'}): the what-if run appears in the table ${where}.</p>`;

/** A counterexample's claim, checked again (replay's `reproduced` line). */
function renderClaim(claim: ReportData['claim']): string {
  if (claim === undefined) return '';
  // Not reproduced is the finding (replay's exit 1); reproduced is what the log is for; not checked is said plainly.
  const cls = claim.checked && !claim.reproduced ? ' class="bad"' : '';
  return `<p${cls}>Counterexample, reproduced: ${escapeHtml(claim.text)}</p>\n`;
}

/** Whether a replayed recording agreed with the engine: a disagreement is the first thing a reader must see. */
function renderRecording(recording: ReportData['recording']): string {
  if (recording === undefined) return '';
  if (recording.mismatch !== undefined) {
    const past = recording.outputsPastStop !== undefined ? ` But ${escapeHtml(recording.outputsPastStop)}.` : '';
    return `<p class="bad">The recording disagrees with the engine at line ${escapeHtml(formatCount(recording.mismatch.line))}${recording.mismatch.column !== undefined && recording.mismatch.column > 1 ? `, column ${escapeHtml(formatCount(recording.mismatch.column))}` : ''}: ${escapeHtml(recording.mismatch.message)}. The numbers below are the engine's, not the file's.${past}</p>\n`;
  }
  if (recording.checked === 0) return '';
  return `<p>Recording: ${escapeHtml(formatCount(recording.checked))} derived events in the file checked; the engine agrees.</p>\n`;
}

/** Who caused each revision: the input events behind them (the CLI's "Blame by cause"), and the longest chains. */
function renderCauses(causes: readonly CauseRow[] | undefined, chains: readonly ChainRow[] | undefined, moreChains = 0, causeLines?: string): string {
  if (causes === undefined || causes.length === 0) return '';
  // An actor's count is tied to its name by a no-break space: a list wraps between entries (or inside a long name),
  // never between a name and its count, which read as the next actor's.
  const rows = causes.slice(0, CAUSES_SHOWN).map(
    (c) =>
      `<tr><td class="num">${escapeHtml(formatCount(c.cause))}</td><td class="wrap">${escapeHtml(c.label)}</td><td class="num">${escapeHtml(formatCount(c.revisions))}</td>` +
      `<td class="num">${escapeHtml(formatCount(c.conflicts))}</td><td class="wrap">${Object.entries(c.byActor)
        .map(([a, n]) => `<code>${escapeHtml(a)}</code>&nbsp;${escapeHtml(formatCount(n))}`)
        .join(', ')}</td></tr>`,
  );
  const more = causes.length > CAUSES_SHOWN ? `\n<p class="muted">${escapeHtml(moreCausesText(causes, CAUSES_SHOWN))} (<code>--blame --json</code> lists them all).</p>` : '';
  const chainList =
    chains === undefined || chains.length === 0
      ? ''
      : `\n<h3>Longest chains</h3>\n<p class="muted">A save triggered by an arrival, whose save arrives elsewhere, and so on.</p>\n<ul>\n${chains
          .map(
            (c) =>
              `<li><code>${escapeHtml(c.unid)}</code>${c.lastUnid === c.unid ? '' : `, ending on conflict document <code>${escapeHtml(c.lastUnid)}</code>`}: ${escapeHtml(formatCount(c.length))} revisions from line ${escapeHtml(formatCount(c.cause))}, ${escapeHtml(formatVirtualTime(c.firstAt))} .. ${escapeHtml(formatVirtualTime(c.lastAt))}, servers ${c.servers.map((x) => escapeHtml(x)).join(' &gt; ')}${c.length > c.servers.length ? ' &gt; ...' : ''}</li>`,
          )
          .join('\n')}\n</ul>${moreChains > 0 ? `\n<p class="muted">${escapeHtml(formatCount(moreChains))} more ${moreChains === 1 ? 'chain' : 'chains'} of 2 revisions or more (<code>--blame --json</code> counts them: <code>moreChains</code>).</p>` : ''}`;
  return `<h2 id="h-causes">Blame by cause</h2>
<p class="muted">The input event (${escapeHtml(causeLines ?? 'its line in the log')}) behind the revisions.${chains !== undefined && chains.length > 0 ? ` ${escapeHtml(CHAIN_CREDIT[0]!.toUpperCase() + CHAIN_CREDIT.slice(1))}.` : ''}</p>
${scrollBox('h-causes', `<table class="data causes"><thead><tr><th class="num">Line</th><th>Cause</th><th class="num">Revisions</th><th class="num">Conflicts</th><th>By actor</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`)}${more}${chainList}`;
}

/**
 * Links to the page's sections, under its header: a long report (nine charts, 6,000 px) had no way to skip to blame
 * but 32 Tab stops (an accessibility QA pass).
 */
function renderContents(data: ReportData): string {
  const links: [string, string][] = [['h-summary', 'Summary']];
  if (data.whatIf !== undefined) links.push(['h-whatif', 'What if']);
  if (data.steps !== undefined && data.steps.inputs > 0) links.push(['h-steps', 'Steps']);
  links.push(['h-timeline', 'Timeline'], ['h-blame', 'Blame by actor']);
  if (data.causes !== undefined && data.causes.length > 0) links.push(['h-causes', 'Blame by cause']);
  return `<nav class="contents" aria-label="Contents"><ul>${links.map(([id, text]) => `<li><a href="#${id}">${text}</a></li>`).join('')}</ul></nav>`;
}

/**
 * Renders one self-contained HTML page: no request leaves it (a CSP forbids any), uPlot is inlined, and every string
 * from the log reaches the page either escaped as HTML text or as JSON read with JSON.parse. The output depends only on
 * `data` and the installed uPlot, so the same run gives the same bytes.
 */
export function renderHtmlReport(data: ReportData): string {
  const { js, css } = loadUplot();
  // (Server names cut as the page shows them, escapeHtml: the chart data held them whole, six times over.)
  const timeline = { ...data.timeline, servers: data.timeline.servers.map(shown), series: data.timeline.series.map((x) => ({ ...x, server: shown(x.server) })) };
  const chartData = jsonForScript({ timeline, endAt: data.summary.endAt, quietEnd: chartEnd(data.timeline, data.summary.endAt) });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(data.title, false)}</title>
<style>${css}</style>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(data.title)}</h1>
<p>Source: <code class="wrap">${escapeHtml(data.source)}</code></p>
${renderMeta(data.meta, data.causeLines !== undefined)}
${renderContents(data)}
</header>
<section>
<h2 id="h-summary">Summary</h2>
${data.whatIf === undefined ? '' : `${thisRunOnly(data.causeLines !== undefined, 'below').slice(1)}\n`}${renderRecording(data.recording)}${renderClaim(data.claim)}${data.cutShort === undefined ? '' : `<p class="bad">${escapeHtml(data.cutShort)}.</p>\n`}${renderSummary(data.summary, data.cutShort !== undefined)}${renderSummaryLines(data.summaryLines)}
</section>
${data.whatIf === undefined ? '' : `<section>\n${renderWhatIf(data.summary, data.whatIf, data.cutShort !== undefined)}\n</section>\n`}${data.steps === undefined || data.steps.inputs === 0 ? '' : `<section>\n${renderSteps(data.steps, data.causeLines, data.stormLoop)}${data.whatIf === undefined ? '' : thisRunOnly(data.causeLines !== undefined)}\n</section>\n`}<section>
${renderTimeline(data.timeline, data.summary.endAt)}${data.whatIf === undefined ? '' : thisRunOnly(data.causeLines !== undefined)}
</section>
<section>
${renderBlame(data.blame)}${data.whatIf === undefined ? '' : thisRunOnly(data.causeLines !== undefined)}
${renderCauses(data.causes, data.chains, data.moreChains, data.causeLines)}${data.whatIf === undefined || data.causes === undefined ? '' : thisRunOnly(data.causeLines !== undefined)}
</section>
</main>
<script type="application/json" id="replstorm-chart-data">${chartData}</script>
<script>${js}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
