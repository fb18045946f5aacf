// `npx -y pnpm@10.34.9 bench:history`: the headline figure of each row in every full run kept in bench/results/, one
// line a run, as a Markdown table (quick runs are left out: smaller rows, one repeat). The machine is shared and its
// speed drifts within the hour: a row's verdict is read over runs, and this is where they sit side by side.
//   --since 2026-12-04T17   only the runs from that time (UTC) on: a date, optionally T and the hour, and minutes
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Result {
  readonly date: string;
  readonly machine: string;
  readonly quick: boolean;
  /** A partial run (`bench --only`): left out, as quick runs are. */
  readonly only?: string;
  readonly code?: { readonly commit: string; readonly dirty: boolean };
  readonly rows: readonly { readonly name: string; readonly ratio: string; readonly measured: string }[];
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
// pnpm passes a literal `--` through: ignored. Anything else but `--since <time>` is refused (a misspelt option listed
// every run, as if it had been understood).
const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
const refuse = (why: string): never => {
  process.stderr.write(`bench:history: ${why}\nusage: bench:history [--since 2026-12-04T17]   (UTC; a date, then optionally T and hours, minutes)\n`);
  process.exit(2);
};
let since: string | undefined;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  const v = a === '--since' ? args[++i] : a.startsWith('--since=') ? a.slice(8) : refuse(`unknown argument ${JSON.stringify(a)}`);
  // The prefix of an ISO time the files' dates are compared with: a date, then optionally T and the hour (and minutes),
  // each field in range. A space in place of the T (as the table writes times) is refused: it sorts before every T,
  // and "2026-12-05 08" listed the whole day.
  const m = v === undefined ? null : /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d)(?::(\d\d))?)?$/.exec(v);
  if (m === null || +m[2]! < 1 || +m[2]! > 12 || +m[3]! < 1 || +m[3]! > 31 || (m[4] !== undefined && +m[4] > 23) || (m[5] !== undefined && +m[5] > 59)) {
    refuse(`--since needs a UTC date and optionally an hour, as in 2026-12-04 or 2026-12-04T17 or 2026-12-04T17:30; got ${JSON.stringify(v ?? '')}`);
  }
  since = v;
}

/** The row's first figure ("1.05x time, ..." gives 1.05x; "145.3x faster; ..." gives 145.3x), or "-" if the run has no such row. */
function figure(r: Result, prefix: string, from: 'ratio' | 'measured' = 'ratio'): string {
  const row = r.rows.find((x) => x.name.startsWith(prefix));
  if (row === undefined) return '-';
  // (A PouchDB row marked INVALID says so: "-" read as not run, a review.)
  if (row[from].startsWith('INVALID')) return 'INVALID';
  const m = /^[\d.,]+x?/.exec(row[from]);
  return m === null ? '-' : m[0];
}

/** The million-document scale row's time per document against the 100,000-document row's. */
function perDocument(r: Result): string {
  const row = r.rows.find((x) => x.name.startsWith('scale: 1,000,000'));
  const m = row === undefined ? null : /\(([\d.]+x) per document\)/.exec(row.ratio);
  return m === null ? '-' : m[1]!;
}

// (The explore row is timed after a warm-up from 2026-12-06 on, marked "(warm)": earlier runs timed a cold search.)
const lines = [
  '| run (UTC) | machine | code | seed ms | replay / parse | PouchDB 2k | PouchDB 10k | scale 1M, per document | explore states/s |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
  const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Result;
  if (r.quick || r.only !== undefined || (since !== undefined && r.date < since)) continue;
  // "2 cores (AMD EPYC), 24 GiB, ...": the model, whose own parentheses ("Intel(R) Xeon(R) Processor") are kept.
  const cpu = /^\d+ cores \((.*)\), [\d.,]+ GiB/.exec(r.machine)?.[1] ?? r.machine;
  // (The code measured, from 2026-12-07 on; the replay row's baseline reads as replay does from then, marked "(same
  // reader)": it read with readline before, a third slower, which flattered the ratio.)
  lines.push(`| ${r.date.slice(0, 16).replace('T', ' ')} | ${cpu} | ${r.code === undefined ? '-' : `${r.code.commit.slice(0, 8)}${r.code.dirty ? '+' : ''}`} | ${figure(r, 'seed scale', 'measured')} | ${figure(r, 'replay')}${r.rows.some((x) => x.name.startsWith('replay') && x.name.includes('as replay does')) ? ' (same reader)' : ''} | ${figure(r, 'replication vs PouchDB in memory (2,000')} | ${figure(r, 'replication vs PouchDB in memory (10,000')} | ${perDocument(r)} | ${figure(r, 'explore', 'measured')}${r.rows.some((x) => x.name.startsWith('explore') && x.name.includes('warm-up')) ? ' (warm)' : ''} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
