// Row 2: replay against the parse limit. A recorded log of >= 1M events (the seed scale over 36 virtual hours,
// inputs and derived events) replayed by the CLI's replay path (decode, validate, simulate, check every derived
// event) against reading the same file with readline and JSON.parse of every line. Goal: replay >= 0.5x parse.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { simulateStream } from '../../packages/cli/src/simulateStream.js';
import { readChunks } from '../../packages/cli/src/readChunks.js';
import { AtomicFile } from '../../packages/cli/src/output.js';
import { builtinRegistry, smsdomStormEventStream } from '@replstorm/scenarios';
import { arg, emit, median, peakRssMb } from './common.js';

const fileArg = process.argv.indexOf('--file');
const file = fileArg >= 0 ? process.argv[fileArg + 1]! : join(tmpdir(), 'replstorm-bench-1m.jsonl');
const repeat = arg('repeat', 3);
const registry = builtinRegistry();
if (!existsSync(file)) {
  const out = new AtomicFile(file);
  await simulateStream({ events: smsdomStormEventStream({ scanServers: 'first', horizonMs: 36 * 3_600_000 - 1 }), header: { replog: 1, meta: { bench: 'replay-vs-parse' } } }, { registry, record: out });
  out.commit();
}
const bytes = statSync(file).size;
async function parse(): Promise<{ ms: number; lines: number }> {
  const t0 = performance.now();
  let lines = 0;
  const rl = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 16 }), crlfDelay: Infinity });
  for await (const l of rl) {
    if (l.length > 0) {
      JSON.parse(l);
      lines++;
    }
  }
  return { ms: performance.now() - t0, lines };
}
async function replay(): Promise<{ ms: number; lines: number; checked: number }> {
  const t0 = performance.now();
  // Read as `replstorm replay` reads a file (readChunks).
  const r = await simulateStream({ chunks: readChunks(file) }, { registry });
  if (r.conformance.mismatch !== undefined) throw new Error(`the recording disagrees at line ${r.conformance.mismatch.line}`);
  return { ms: performance.now() - t0, lines: r.inputEvents + r.conformance.checked + 1, checked: r.conformance.checked };
}
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
// Each repeat's ratio, parse and replay timed back to back (the table gives their range beside the medians' ratio).
const ratios = p.map((x, i) => x / r[i]!);
emit({ row: 'replay-vs-parse', file, bytes, lines, derivedChecked: checked, parseMs, replayMs, parseRuns: p, replayRuns: r, ratios, parseLinesPerSec: lines / (parseMs / 1000), replayLinesPerSec: lines / (replayMs / 1000), ratio: parseMs / replayMs, peakRssMb: peakRssMb() });
