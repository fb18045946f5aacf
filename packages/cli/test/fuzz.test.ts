import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { propertySeed } from '../../../scripts/propertySeed.js';
import { GOLDEN_DIR, REPO_ROOT, runCli } from './cliHarness.js';

// The CLI against mutated logs (event-log.md, "Errors"): the valid golden logs with lines deleted, duplicated or
// swapped, bytes flipped or inserted, a cut at any byte, a value replaced by any JSON value, a number made huge,
// negative or fractional, NUL and invalid UTF-8 inserted. Whatever the mutant, `replay` answers 0, 1 or 2 (never 70,
// never a thrown exception), a refusal is one `file:line:column: message` line with nothing on stdout, and no run
// hangs. Seed: REPLSTORM_SEED to reproduce; a failure writes its mutant to counterexamples/fuzz-<seed>.jsonl.

const NUM_RUNS = Number(process.env['REPLSTORM_FUZZ_RUNS'] ?? 400);
/** Virtual time after the last input event: a mutant never runs the default 7 days of periodic work. */
const MAX_RUN_MS = '60000';
/**
 * Engine work between two input events: a mutant that stretches a storm over days is refused (exit 2), not run. Kept
 * small because a storm on one document with uncapped `revisions` (limitRevisions 0, the spec's default) copies a
 * history that grows by one entry a save: quadratic in the storm's length.
 */
const MAX_WORK = '20000';
/** Wall-clock budget of one replay; a run still going after HANG_MS is a hang, and the watchdog ends the process. */
const PER_RUN_MS = 5_000;
const HANG_MS = 30_000;

const tmp = mkdtempSync(join(tmpdir(), 'replstorm-fuzz-'));
/** The golden logs, and their recordings (inputs and derived events, so mutants also reach the conformance check). */
const GOLDEN: { name: string; bytes: Buffer }[] = readdirSync(GOLDEN_DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .sort()
  .map((f) => ({ name: f, bytes: readFileSync(join(GOLDEN_DIR, f)) }));
beforeAll(async () => {
  for (const { name } of GOLDEN.slice()) {
    const recorded = join(tmp, `recorded-${name}`);
    const res = await runCli(['replay', '--record', recorded, join(GOLDEN_DIR, name)]);
    expect(res.code, `${name} replays (${res.stderr})`).toBe(0);
    GOLDEN.push({ name: `${name} (recorded)`, bytes: readFileSync(recorded) });
  }
});

// A replay stuck in a synchronous loop never yields to a timer of its own, so a worker thread watches the clock: past
// HANG_MS it prints what was running and kills the process, which fails the run instead of hanging it.
const watch = new Int32Array(new SharedArrayBuffer(8)); // [run number, 1 while a replay runs]
const watchText = new Uint8Array(new SharedArrayBuffer(4096));
const watchdog = new Worker(
  `const { workerData: w } = require('node:worker_threads');
   const state = new Int32Array(w.state.buffer), text = new Uint8Array(w.text.buffer);
   let seen = -1, since = Date.now();
   setInterval(() => {
     const run = Atomics.load(state, 0);
     if (Atomics.load(state, 1) === 0 || run !== seen) { seen = run; since = Date.now(); return; }
     if (Date.now() - since < w.hangMs) return;
     const end = text.indexOf(0);
     require('node:fs').writeSync(2, 'fuzz: a replay hung (over ' + w.hangMs + ' ms): ' + Buffer.from(text.subarray(0, end < 0 ? text.length : end)).toString() + '\\n');
     process.kill(process.pid, 'SIGKILL');
   }, 250);`,
  { eval: true, workerData: { state: watch, text: watchText, hangMs: HANG_MS } },
);
watchdog.unref();
afterAll(async () => {
  await watchdog.terminate();
  rmSync(tmp, { recursive: true, force: true });
});

function watchStart(run: number, what: string): void {
  watchText.fill(0);
  watchText.set(Buffer.from(what).subarray(0, watchText.length - 1));
  Atomics.store(watch, 0, run);
  Atomics.store(watch, 1, 1);
}
function watchStop(): void {
  Atomics.store(watch, 1, 0);
}

// Mutations are data, so that a counterexample prints as what was done to which log.
type Mutation =
  | { readonly kind: 'deleteLine'; readonly line: number }
  | { readonly kind: 'duplicateLine'; readonly line: number }
  | { readonly kind: 'swapLines'; readonly line: number; readonly other: number }
  | { readonly kind: 'flipByte'; readonly at: number; readonly bit: number }
  | { readonly kind: 'insertBytes'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'replaceValue'; readonly line: number; readonly pick: number; readonly value: fc.JsonValue }
  | { readonly kind: 'changeNumber'; readonly line: number; readonly pick: number; readonly raw: string };

/** Numbers the format must refuse or survive: beyond 2^53, at its edge, negative, fractional, overflowing. */
const HOSTILE_NUMBERS = [
  '9007199254740991', '9007199254740992', '9007199254740993', '18446744073709551616', '1e16', '1e308', '1e999', '-1e999',
  '-1', '-9007199254740991', '-0', '0', '1', '0.5', '1.5', '-0.5', '1e-7', '2.5e3', '4294967296', '2147483648',
] as const;

/** Invalid UTF-8: overlong encodings, encoded surrogates, stray continuation bytes, bytes never used, cut sequences. */
const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xc0, 0xaf], [0xc0, 0x80], [0xe0, 0x80, 0xaf], [0xf0, 0x80, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf],
  [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80], [0x80], [0xbf], [0xfe], [0xff], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0xf5],
];

// Weighted towards edits that keep the line JSON, so that mutants get past the reader into the engine.
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleteLine' as const), line: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicateLine' as const), line: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('swapLines' as const), line: fc.nat(), other: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('flipByte' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insertBytes' as const), at: fc.nat(), bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insertBytes' as const), at: fc.nat(), bytes: fc.constant([0]) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insertBytes' as const), at: fc.nat(), bytes: fc.constantFrom(...INVALID_UTF8) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('replaceValue' as const), line: fc.nat(), pick: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('changeNumber' as const), line: fc.nat(), pick: fc.nat(), raw: fc.constantFrom(...HOSTILE_NUMBERS) }) },
);

const caseArb = fc.record({
  golden: fc.nat(),
  mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
  // The outputs too: --json --state, --blame, and --record (which must leave nothing behind when it refuses).
  output: fc.constantFrom('summary', 'json-state', 'blame', 'record'),
});
type FuzzCase = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(0x0a); nl >= 0; nl = bytes.indexOf(0x0a, start)) {
    lines.push(bytes.subarray(start, nl + 1));
    start = nl + 1;
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

/** Paths to every value (or every number) of a parsed line, in a fixed order. */
function valuePaths(v: unknown, onlyNumbers: boolean, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (path.length > 0 && (!onlyNumbers || typeof v === 'number')) out.push(path);
  if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) valuePaths(x, onlyNumbers, [...path, Array.isArray(v) ? Number(k) : k], out);
  return out;
}

const RAW = '\u2063raw-number\u2063';

/** Line `line` with the value at one of its paths replaced; the line unchanged if it is not JSON or has no such value. */
function editLine(lines: Buffer[], m: Extract<Mutation, { line: number; pick: number }>): Buffer[] {
  if (lines.length === 0) return lines;
  const i = m.line % lines.length;
  const text = lines[i]!.toString('utf8');
  const eol = /\r?\n$/.exec(text)?.[0] ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(text.charCodeAt(0) === 0xfeff ? 1 : 0, text.length - eol.length));
  } catch {
    return lines;
  }
  const paths = valuePaths(parsed, m.kind === 'changeNumber');
  if (paths.length === 0) return lines;
  const path = paths[m.pick % paths.length]!;
  let parent = parsed as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = m.kind === 'changeNumber' ? RAW : m.value;
  // The raw text goes in after stringifying, so 1e999 and 2^53 + 1 reach the reader as written.
  const edited = JSON.stringify(parsed).replace(JSON.stringify(RAW), m.kind === 'changeNumber' ? m.raw : RAW);
  return [...lines.slice(0, i), Buffer.from(edited + eol, 'utf8'), ...lines.slice(i + 1)];
}

function applyMutation(bytes: Buffer, m: Mutation): Buffer {
  const lines = splitLines(bytes);
  const pos = (at: number, extra = 0) => at % (bytes.length + extra);
  switch (m.kind) {
    case 'deleteLine':
      return lines.length === 0 ? bytes : Buffer.concat(lines.filter((_, i) => i !== m.line % lines.length));
    case 'duplicateLine': {
      if (lines.length === 0) return bytes;
      const i = m.line % lines.length;
      return Buffer.concat([...lines.slice(0, i + 1), lines[i]!, ...lines.slice(i + 1)]);
    }
    case 'swapLines': {
      if (lines.length === 0) return bytes;
      const [a, b] = [m.line % lines.length, m.other % lines.length];
      const swapped = lines.slice();
      [swapped[a], swapped[b]] = [lines[b]!, lines[a]!];
      return Buffer.concat(swapped);
    }
    case 'flipByte': {
      if (bytes.length === 0) return bytes;
      const copy = Buffer.from(bytes);
      const at = pos(m.at);
      copy[at] = copy[at]! ^ (1 << m.bit);
      return copy;
    }
    case 'insertBytes': {
      const at = pos(m.at, 1);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
    }
    case 'truncate':
      return bytes.subarray(0, pos(m.at, 1));
    case 'replaceValue':
    case 'changeNumber':
      return Buffer.concat(editLine(lines, m));
  }
}

function mutant(c: FuzzCase): Buffer {
  return c.mutations.reduce(applyMutation, base(c).bytes);
}

function base(c: FuzzCase): { name: string; bytes: Buffer } {
  return GOLDEN[c.golden % GOLDEN.length]!;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const ARGS = { summary: [], 'json-state': ['--json', '--state'], blame: ['--blame'], record: [] } as const;

describe('replay of mutated golden logs', () => {
  it(`${NUM_RUNS} mutants: exit 0, 1 or 2; a refusal is one file:line:column line and nothing on stdout; no run hangs`, async () => {
    const seed = propertySeed();
    const codes = new Map<number, number>();
    let slowest = { ms: 0, what: '' };
    let run = 0;
    const property = fc.asyncProperty(caseArb, async (c: FuzzCase) => {
      run++;
      const dir = join(tmp, `run-${run}`);
      mkdirSync(dir);
      const file = join(dir, 'mutant.jsonl');
      writeFileSync(file, mutant(c));
      const target = join(dir, 'recorded.jsonl');
      const args = ['replay', file, '--max-run', MAX_RUN_MS, '--max-work', MAX_WORK, ...ARGS[c.output], ...(c.output === 'record' ? ['--record', target] : [])];
      const started = performance.now();
      const what = `${base(c).name} ${JSON.stringify(c.mutations)} ${c.output}`;
      watchStart(run, `seed ${seed}, run ${run}: ${what}`);
      let timer: NodeJS.Timeout | undefined;
      try {
        const res = await Promise.race([
          runCli(args),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`replay still running after ${PER_RUN_MS} ms`)), PER_RUN_MS))),
        ]);
        const ms = performance.now() - started;
        if (ms > slowest.ms) slowest = { ms, what };
        codes.set(res.code, (codes.get(res.code) ?? 0) + 1);
        expect(res.stderr, 'no stack trace').not.toMatch(/^\s+at /m);
        expect([0, 1, 2], `exit code (stderr: ${res.stderr})`).toContain(res.code);
        expect(ms, 'one replay takes a few seconds at most').toBeLessThan(PER_RUN_MS);
        // Warnings given without --strict (a scanner setting spelt like one its design has, as a flipped bit makes
        // it) come first, each a file:line:column line too; besides them, a refusal is one line, and a run that
        // went through says nothing.
        const warnings = new RegExp(`^${escapeRegExp(file)}:\\d+:\\d+: warning: field "config\\.[^\\n]*\\(did you mean [^\\n]*\\n`, 'gm');
        // So does the warning of a log that stops at its last input with a scheduled session or scan due later (under
        // --json it goes to stderr): a mutant that deletes a log's `end` makes one (seed 15967032: r11-connection's).
        const timers = new RegExp(`^${escapeRegExp(file)}: warning: the run stopped at its last input with nothing pending, [^\\n]*\\n`, 'gm');
        const stderr = res.stderr.replace(warnings, '').replace(timers, '');
        if (res.code === 2) {
          expect(res.stdout, 'nothing on stdout').toBe('');
          expect(stderr).toMatch(new RegExp(`^${escapeRegExp(file)}:\\d+:\\d+: .+\\n$`));
          if (c.output === 'record') expect(existsSync(target), 'a refused replay records nothing').toBe(false);
        }
        if (res.code === 0) expect(stderr).toBe('');
        expect(readdirSync(dir).filter((f) => f.includes('replstorm-tmp')), 'no temporary file left').toEqual([]);
      } finally {
        clearTimeout(timer);
        watchStop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
    // No shrinking: every mutant is already a few edits of a small log, and shrinking a slow one would repeat it.
    const details = await fc.check(property, { seed, numRuns: NUM_RUNS, endOnFailure: true });
    console.log(`[fuzz replay] seed=${seed} runs=${details.numRuns} exit codes ${JSON.stringify(Object.fromEntries(codes))} slowest ${Math.round(slowest.ms)} ms (${slowest.what})${details.failed ? ' FAILED' : ''}`);
    if (!details.failed) return;
    let written = '';
    if (details.counterexample !== null) {
      const [c] = details.counterexample;
      const out = join(REPO_ROOT, 'counterexamples', `fuzz-${seed}.jsonl`);
      mkdirSync(join(REPO_ROOT, 'counterexamples'), { recursive: true });
      writeFileSync(out, mutant(c));
      written = `\nmutant of ${base(c).name} (${JSON.stringify(c.mutations)}, output ${c.output}) written to ${out}`;
    }
    const err = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`fuzz failed after ${details.numRuns} runs\nseed: ${seed}, path: "${details.counterexamplePath ?? ''}"\nreproduce: REPLSTORM_SEED=${seed}${process.env['REPLSTORM_FUZZ_RUNS'] !== undefined ? ` REPLSTORM_FUZZ_RUNS=${NUM_RUNS}` : ''} npx -y pnpm@10.34.9 exec vitest run packages/cli/test/fuzz.test.ts${written}\n${err}`);
  });
});
