// `npx -y pnpm@10.34.9 bench:history`: the headline figure of each row in every full run kept in bench/results/, one
// line a run, as a Markdown table (quick runs are left out: smaller rows, one repeat). The machine is shared and its
// speed drifts within the hour: a row's verdict is read over runs, and this is where they sit side by side.
//   --since 2026-12-04T17   only the runs from that time on (a prefix of the ISO time in the file name)
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Result {
  readonly date: string;
  readonly machine: string;
  readonly quick: boolean;
  readonly rows: readonly { readonly name: string; readonly ratio: string; readonly measured: string }[];
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
const at = process.argv.indexOf('--since');
const since = at >= 0 ? process.argv[at + 1] : undefined;
if (at >= 0 && (since === undefined || !/^\d{4}-\d\d-\d\d/.test(since))) {
  process.stderr.write('bench:history: --since needs a date (and time), as in 2026-12-04T17\n');
  process.exit(2);
}

/** The row's first figure ("1.05x time, ..." gives 1.05x; "145.3x faster; ..." gives 145.3x), or "-" if the run has no such row. */
function figure(r: Result, prefix: string, from: 'ratio' | 'measured' = 'ratio'): string {
  const row = r.rows.find((x) => x.name.startsWith(prefix));
  if (row === undefined) return '-';
  const m = /^[\d.,]+x?/.exec(row[from]);
  return m === null ? '-' : m[0];
}

/** The million-document scale row's time per document against the 100,000-document row's. */
function perDocument(r: Result): string {
  const row = r.rows.find((x) => x.name.startsWith('scale: 1,000,000'));
  const m = row === undefined ? null : /\(([\d.]+x) per document\)/.exec(row.ratio);
  return m === null ? '-' : m[1]!;
}

const lines = [
  '| run (UTC) | machine | seed ms | replay / parse | PouchDB 2k | PouchDB 10k | scale 1M, per document | explore states/s |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];
for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
  const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Result;
  if (r.quick || (since !== undefined && r.date < since)) continue;
  const cpu = /\(([^)]+)\)/.exec(r.machine)?.[1] ?? r.machine;
  lines.push(`| ${r.date.slice(0, 16).replace('T', ' ')} | ${cpu} | ${figure(r, 'seed scale', 'measured')} | ${figure(r, 'replay')} | ${figure(r, 'replication vs PouchDB in memory (2,000')} | ${figure(r, 'replication vs PouchDB in memory (10,000')} | ${perDocument(r)} | ${figure(r, 'explore', 'measured')} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
