// pnpm differential <ref>: the same commands in two versions of replstorm, and every difference in what they print,
// record and replay. For changes meant to change nothing but speed or memory (issues 6 and 7 leave the engine's state
// layout to be redone for speed): a test suite checks the rules it was written for, this checks that nothing else moved.
// Two QA passes on 2026-12-05 did this with scripts of their own, not kept (324 runs and 114 explores, then 80 and 80).
//
//   npx -y pnpm@10.34.9 differential <ref> [--runs N] [--explores N] [--seed S] [--old-dir DIR] [--keep DIR]
//
// The old version is <ref>, checked out in a temporary git worktree and installed there (pnpm, offline when it can);
// `--old-dir` names a checkout already installed instead. The new version is this working tree, uncommitted changes
// included. Each case runs in both at once (one process each):
//   - `run smsdom-storm` with settings drawn from the scenario's (--json --record): the summary, the exit code, the
//     recording, and each recording replayed by the other version;
//   - `explore smsdom-storm` (--json --out): the result but its timings, the counterexample logs, and each replayed
//     by the other version as by its own.
// Cases are a function of the seed (printed; --seed runs the same ones again). Exit 0: no difference; 1: differences,
// listed with the commands that show them, the cases' files kept; 2: bad arguments, or the old version could not be set
// up; 130/143: interrupted.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { differences, differentialCases, failureLine, normalizeOutput, type Case, type SideResult } from './differentialCases.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM = ['-y', 'pnpm@10.34.9'];
/** A command that runs longer than this in either version is reported as a timeout, not waited for. */
const TIMEOUT_MS = 120_000;

const USAGE = `usage: npx -y pnpm@10.34.9 differential <ref> [--runs N] [--explores N] [--seed S] [--old-dir DIR] [--keep DIR]

Runs the same commands in two versions of replstorm and lists every difference in their output, exit codes, recordings
and counterexample logs, and in how each version replays the other's logs.
  <ref>          the old version: a commit, tag or branch (checked out in a temporary git worktree and installed)
  --runs N       run cases (default 40)
  --explores N   explore cases (default 40)
  --seed S       the seed the cases are drawn from (default: a fresh one, printed)
  --old-dir DIR  an installed checkout of the old version to use instead of <ref>
  --keep DIR     keep every case's files in DIR, new or empty (by default they are removed unless a case differs)
Exit codes: 0 no difference; 1 differences (listed, with the cases' files kept); 2 bad arguments, or the old version
could not be checked out or installed; 130/143 interrupted (SIGINT/SIGTERM: the worktree and files are removed).`;

interface Options {
  ref: string | undefined;
  runs: number;
  explores: number;
  seed: number;
  oldDir: string | undefined;
  keep: string | undefined;
}

function fail(message: string): never {
  process.stderr.write(`differential: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { ref: undefined, runs: 40, explores: 40, seed: (Math.random() * 0x7fffffff) | 0, oldDir: undefined, keep: undefined };
  // pnpm passes a literal `--` through to the script.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const count = (name: string, raw: string | undefined): number => {
    if (raw === undefined || !/^[0-9]+$/.test(raw)) fail(`${name} needs a whole number, got ${raw === undefined ? 'nothing' : `"${raw}"`}`);
    return Number(raw);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (a === '--runs') o.runs = count(a, args[++i]);
    else if (a === '--explores') o.explores = count(a, args[++i]);
    else if (a === '--seed') {
      const raw = args[++i];
      // fast-check's seeds are 32-bit (as REPLSTORM_SEED's): a larger one would be cut to another, silently.
      if (raw === undefined || !/^-?[0-9]+$/.test(raw) || Number(raw) < -(2 ** 31) || Number(raw) > 2 ** 32 - 1) fail(`--seed needs a whole number from -2147483648 to 4294967295, got ${raw === undefined ? 'nothing' : `"${raw}"`}`);
      o.seed = Number(raw) | 0;
    } else if (a === '--old-dir') o.oldDir = fromCaller(args[++i] ?? fail('--old-dir needs a directory'));
    else if (a === '--keep') o.keep = fromCaller(args[++i] ?? fail('--keep needs a directory'));
    else if (a.startsWith('-')) fail(`unknown option ${a}\n${USAGE}`);
    else if (o.ref === undefined) o.ref = a;
    else fail(`one <ref> only, got "${o.ref}" and "${a}"`);
  }
  if (o.ref === undefined && o.oldDir === undefined) fail(`the old version is missing: give a <ref> (or --old-dir)\n${USAGE}`);
  if (o.runs + o.explores === 0) fail('--runs 0 and --explores 0: nothing to compare');
  if (o.ref !== undefined && o.oldDir !== undefined) fail('give a <ref> or --old-dir, not both');
  return o;
}

const CLI = (dir: string) => join(dir, 'packages', 'cli', 'bin', 'replstorm.js');

/** A path as the user typed it: pnpm runs the script from the repository root, and says where it was called (INIT_CWD). */
function fromCaller(path: string): string {
  return resolve(process.env['INIT_CWD'] ?? process.cwd(), path);
}

/** The old version's checkout: an installed directory, or <ref> in a new worktree (removed by `cleanup`). */
function setUpOld(o: Options, work: string): { dir: string; cleanup: () => void } {
  if (o.oldDir !== undefined) return { dir: o.oldDir, cleanup: () => {} };
  const dir = join(work, 'old');
  const git = spawnSync('git', ['-C', REPO, 'worktree', 'add', '--detach', dir, o.ref!], { encoding: 'utf8' });
  if (git.status !== 0) {
    rmSync(work, { recursive: true, force: true });
    fail(`could not check out ${o.ref}: ${git.stderr.trim()}`);
  }
  const cleanup = () => void spawnSync('git', ['-C', REPO, 'worktree', 'remove', '--force', dir]);
  // A commit from before the CLI had its command made every case "different" (a QA pass): a setup failure, said so.
  if (!existsSync(CLI(dir))) {
    cleanup();
    rmSync(work, { recursive: true, force: true });
    fail(`${o.ref} has no packages/cli/bin/replstorm.js: it is older than the replstorm command`);
  }
  process.stderr.write(`differential: installing ${o.ref} in ${dir} ...\n`);
  const install = spawnSync('npx', [...PNPM, 'install', '--frozen-lockfile', '--prefer-offline'], { cwd: dir, encoding: 'utf8' });
  if (install.status !== 0) {
    cleanup();
    rmSync(work, { recursive: true, force: true });
    // Ctrl-C during the install reaches pnpm too (one process group): said as an interruption, not as a failed install.
    if (install.signal !== null || install.status === 130 || install.status === 143) {
      process.stderr.write(`differential: interrupted while installing ${o.ref}\n`);
      process.exit(install.signal === 'SIGTERM' || install.status === 143 ? 143 : 130);
    }
    // (npm's warnings about pnpm's settings in the environment are not the reason.)
    const why = `${install.stderr}\n${install.stdout}`.split('\n').filter((l) => l.trim() !== '' && !/^npm warn/i.test(l)).slice(-3).join(' ');
    fail(`could not install ${o.ref}: ${why}`);
  }
  return { dir, cleanup };
}

/** The CLI processes running, ended by a signal to this one before its files are removed. */
const running = new Set<ReturnType<typeof spawn>>();

/** Runs the CLI of `dir` with `args`; resolves with its exit code (or "timeout", "signal X"), stdout and stderr. */
function cli(dir: string, args: readonly string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [CLI(dir), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(p);
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      p.kill('SIGKILL');
    }, TIMEOUT_MS);
    p.on('close', (code, signal) => {
      running.delete(p);
      clearTimeout(timer);
      done({ code: timedOut ? 'timeout' : code ?? `signal ${signal}`, stdout, stderr });
    });
  });
}

/** The logs a case wrote in `dir` (a recording, or counterexamples under ce/), by file name. */
function logsIn(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const rec = join(dir, 'recording.jsonl');
  if (existsSync(rec)) out.set('recording.jsonl', readFileSync(rec, 'utf8'));
  const ce = join(dir, 'ce');
  if (existsSync(ce)) for (const f of readdirSync(ce).sort()) if (f.endsWith('.jsonl')) out.set(f, readFileSync(join(ce, f), 'utf8'));
  return out;
}

const logPath = (dir: string, name: string) => (name === 'recording.jsonl' ? join(dir, name) : join(dir, 'ce', name));

/** One case in one version, its outputs in `out`. */
async function runSide(version: string, c: Case, out: string): Promise<Omit<SideResult, 'replayedByOther' | 'replayedBySelf'>> {
  mkdirSync(out, { recursive: true });
  const extra = c.kind === 'run' ? ['--json', '--record', join(out, 'recording.jsonl')] : ['--json', '--out', join(out, 'ce')];
  const r = await cli(version, [c.kind, ...c.args, ...extra]);
  // What it printed, kept with the case: a crash's stack trace was lost (a QA pass).
  writeFileSync(join(out, 'stdout.txt'), r.stdout);
  writeFileSync(join(out, 'stderr.txt'), r.stderr);
  return { code: r.code, stdout: normalizeOutput(r.stdout, out), failure: failureLine(r.stderr, out), logs: logsIn(out) };
}

/** The exit code of `version` replaying each of `logs` (written in `dir`). */
async function replays(version: string, dir: string, logs: ReadonlyMap<string, string>): Promise<Map<string, number | string>> {
  const out = new Map<string, number | string>();
  for (const name of logs.keys()) out.set(name, (await cli(version, ['replay', logPath(dir, name)])).code);
  return out;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  // What can be checked before anything is made is checked first: a refusal leaves nothing behind.
  if (o.ref !== undefined) {
    const known = spawnSync('git', ['-C', REPO, 'rev-parse', '--verify', '--quiet', `${o.ref}^{commit}`], { encoding: 'utf8' });
    if (known.status !== 0) fail(`"${o.ref}" names no commit of this repository`);
  }
  if (o.oldDir !== undefined && !existsSync(o.oldDir)) fail(`--old-dir ${o.oldDir}: no such directory`);
  if (o.oldDir !== undefined && (!existsSync(CLI(o.oldDir)) || !existsSync(join(o.oldDir, 'node_modules')))) {
    fail(`--old-dir ${o.oldDir}: not an installed checkout (no packages/cli/bin/replstorm.js or node_modules)`);
  }
  // A case's logs are every file its directory holds: files of an earlier run there would be compared too.
  if (o.keep !== undefined && existsSync(o.keep) && readdirSync(o.keep).length > 0) fail(`--keep ${o.keep}: not empty (give a new or empty directory)`);
  const work = mkdtempSync(join(tmpdir(), 'replstorm-differential-'));
  let old: { dir: string; cleanup: () => void } | undefined;
  // Ctrl-C or a kill: the worktree is unregistered and the temporary files removed (130/143, as the CLI exits). The
  // package script runs this file with `node --import tsx`: under the tsx command, which relays signals to a child
  // process of its own, the handler did not run (a Ctrl-C left the files of the cases run so far). During the install
  // (a synchronous wait) the signal also ends pnpm, and the failed install cleans up and exits 2.
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(sig, () => {
      // The CLI processes first, and then their files: one still writing made the removal fail.
      const ended = [...running].map((p) => new Promise((done) => p.once('close', done)));
      for (const p of running) p.kill('SIGKILL');
      void Promise.all(ended).then(() => {
        old?.cleanup();
        // (With --keep, `work` held only the worktree: the cases' files stay in the --keep directory.)
        rmSync(work, { recursive: true, force: true, maxRetries: 5 });
        process.stderr.write(`differential: interrupted (${sig})${o.keep !== undefined ? `; the cases run so far are in ${o.keep}` : ''}\n`);
        process.exit(code);
      });
    });
  }
  const side = setUpOld(o, work);
  old = side;
  const casesDir = o.keep ?? join(work, 'cases');
  const cases = differentialCases(o.seed, o.runs, o.explores);
  process.stderr.write(`differential: ${o.ref ?? o.oldDir} (old) against this working tree (new): ${o.runs} runs and ${o.explores} explores, seed ${o.seed}\n`);
  const found: { n: number; c: Case; diffs: string[]; dir: string }[] = [];
  const tally = { same: 0, differ: 0, refusedByBoth: 0 };
  try {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i]!;
      const dir = join(casesDir, String(i + 1));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'args.txt'), `${c.kind} ${c.args.join(' ')}\n`);
      const [a, b] = await Promise.all([runSide(side.dir, c, join(dir, 'old')), runSide(REPO, c, join(dir, 'new'))]);
      const [aByNew, bByOld, aByOld, bByNew] = await Promise.all([replays(REPO, join(dir, 'old'), a.logs), replays(side.dir, join(dir, 'new'), b.logs), replays(side.dir, join(dir, 'old'), a.logs), replays(REPO, join(dir, 'new'), b.logs)]);
      const diffs = differences({ ...a, replayedByOther: aByNew, replayedBySelf: aByOld }, { ...b, replayedByOther: bByOld, replayedBySelf: bByNew });
      if (diffs.length > 0) {
        tally.differ++;
        found.push({ n: i + 1, c, diffs, dir });
      } else tally.same++;
      if (a.code === 2 && b.code === 2) tally.refusedByBoth++;
      process.stderr.write(`  ${String(i + 1).padStart(3)}/${cases.length} ${c.kind.padEnd(7)} ${diffs.length === 0 ? 'same' : 'DIFFERENT'} (exit ${a.code}${a.code === b.code ? '' : ` -> ${b.code}`})\n`);
    }
  } finally {
    side.cleanup();
  }
  process.stdout.write(`${tally.same} of ${cases.length} cases the same in both versions, ${tally.differ} different (seed ${o.seed}; ${tally.refusedByBoth} refused by both with exit 2)\n`);
  if (found.length > 0) process.stdout.write('(each command line below runs in a checkout of either version, with --json and --record or --out added)\n');
  for (const f of found) {
    process.stdout.write(`\ncase ${f.n}: node packages/cli/bin/replstorm.js ${f.c.kind} ${f.c.args.join(' ')}\n${f.diffs.map((d) => `  - ${d}\n`).join('')}  files: ${f.dir}\n`);
  }
  // `work` holds the cases' files unless --keep put them elsewhere; it is kept only for a difference to look at.
  if (found.length === 0 || o.keep !== undefined) rmSync(work, { recursive: true, force: true });
  if (found.length > 0 || o.keep !== undefined) process.stdout.write(`\nthe cases' files: ${casesDir} (each case's command in args.txt, each version's output in old/ and new/)\n`);
  process.exitCode = found.length > 0 ? 1 : 0;
}

await main();
