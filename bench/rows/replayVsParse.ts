// Row 2: replay against the parse limit. A recorded log of >= 1M events (the seed scale over 36 virtual hours,
// inputs and derived events) replayed by the CLI's replay path (decode, validate, simulate, check every derived
// event) against reading the same file with the same reader (readChunks: synchronous 64 KiB reads), splitting it into
// lines and JSON.parse of every line. Goal: replay >= 0.5x parse.
//
// [choice] The baseline reads as replay reads. Until 2026-12-07 it read with readline over a stream, about a third
// slower than readChunks and a split (a benchmark review: 1,026-1,095 ms against 768-822 for the same parses, in one
// process), which flattered replay's ratio by as much (0.43-0.54x against 0.32-0.41x).
// [choice] One round of both, untimed, before the timed ones: the first replay in a process pays for the compiler
// (3,376 ms where later ones took about 1,900, a review; the first repeat was the lowest in 20 of 25 runs before). Its
// ratio is kept beside the rest (`coldRatio`): what a one-off `replstorm replay` sees (not cold where this process
// has just recorded the file: `coldAfterRecording`).
import { existsSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateStream } from '../../packages/cli/src/simulateStream.js';
import { readChunks } from '../../packages/cli/src/readChunks.js';
import { AtomicFile } from '../../packages/cli/src/output.js';
import { builtinRegistry, smsdomStormEventStream } from '@replstorm/scenarios';
import { arg, emit, median, peakRssMb } from './common.js';

const fileArg = process.argv.indexOf('--file');
const given = fileArg >= 0;
const file = given ? process.argv[fileArg + 1]! : join(tmpdir(), 'replstorm-bench-1m.jsonl');
const repeat = arg('repeat', 3, 1);
const registry = builtinRegistry();
async function record(): Promise<void> {
  const out = new AtomicFile(file);
  await simulateStream({ events: smsdomStormEventStream({ scanServers: 'first', horizonMs: 36 * 3_600_000 - 1 }), header: { replog: 1, meta: { bench: 'replay-vs-parse' } } }, { registry, record: out });
  out.commit();
}
let recorded = false;
if (!existsSync(file)) {
  await record();
  recorded = true;
}
/** A recording the engine disagrees with (replay's conformance mismatch). */
class Mismatch extends Error {}
async function parse(): Promise<{ ms: number; lines: number }> {
  const t0 = performance.now();
  let lines = 0;
  const decoder = new TextDecoder();
  let rest = '';
  // (Blank lines are skipped, as the log reader skips them; a CRLF line's \r is JSON white space.)
  const line = (l: string) => {
    if (l.length > 0 && l !== '\r') {
      JSON.parse(l);
      lines++;
    }
  };
  for await (const chunk of readChunks(file)) {
    const text = rest + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
      line(text.slice(start, i));
      start = i + 1;
    }
    rest = text.slice(start);
  }
  line(rest + decoder.decode());
  return { ms: performance.now() - t0, lines };
}
async function replay(): Promise<{ ms: number; lines: number; checked: number }> {
  const t0 = performance.now();
  // Read as `replstorm replay` reads a file (readChunks).
  const r = await simulateStream({ chunks: readChunks(file) }, { registry });
  if (r.conformance.mismatch !== undefined) throw new Mismatch(`${file}: the recording disagrees with the engine at line ${r.conformance.mismatch.line}`);
  return { ms: performance.now() - t0, lines: r.inputEvents + r.conformance.checked + 1, checked: r.conformance.checked };
}
// The untimed round. The cached recording (not a --file given) that the engine now disagrees with, made by older code
// (the file outlives a checkout), is made again, once, rather than failing the row ("the recording disagrees", a
// review); anything else fails the row, the file left as it is (a review: a --file was replaced).
let coldParse = await parse();
let coldReplay: Awaited<ReturnType<typeof replay>>;
try {
  coldReplay = await replay();
} catch (err) {
  if (!(err instanceof Mismatch) || given) throw err;
  rmSync(file, { force: true });
  await record();
  recorded = true;
  coldParse = await parse();
  coldReplay = await replay();
}
if (coldParse.lines < 1_000_000) throw new Error(`${file} holds ${coldParse.lines} lines, fewer than the row's 1,000,000${given ? '' : ': delete it to record it again'}`);
const bytes = statSync(file).size;
const p: number[] = [];
const r: number[] = [];
let lines = 0;
let checked = 0;
for (let i = 0; i < repeat; i++) {
  const a = await parse();
  const b = await replay();
  p.push(a.ms);
  r.push(b.ms);
  lines = a.lines;
  checked = b.checked;
}
const parseMs = median(p);
const replayMs = median(r);
// Each repeat's ratio, parse and replay timed back to back; the row's ratio is their median, so that the verdict and
// the count of runs that met the goal cannot disagree (a review: a ratio of the medians read "yes (1 of 5 runs met it)").
const ratios = p.map((x, i) => x / r[i]!);
emit({ row: 'replay-vs-parse', file, bytes, lines, derivedChecked: checked, baseline: 'readChunks, split into lines, JSON.parse', parseMs, replayMs, parseRuns: p, replayRuns: r, ratios, parseLinesPerSec: lines / (parseMs / 1000), replayLinesPerSec: lines / (replayMs / 1000), ratio: median(ratios), coldRatio: coldParse.ms / coldReplay.ms, coldAfterRecording: recorded, peakRssMb: peakRssMb() });
