import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_LINE, EXAMPLE_LOG, GOLDEN_DIR, HOSTILE_DIR, MAIN_TS, REPO_ROOT, STATE_DOC_FIELDS, SUMMARY_FIELDS, TEST_DIR, runCli, spawnCli, perServerKeysLog } from './cliHarness.js';
import { temporaryName } from '../src/output.js';
import { shellWord } from '../src/main.js';
import { WIDTH_BUDGET, formatTable, formatVirtualTime, wrapHelpText, writeJsonPieces } from '../src/format.js';

// The replstorm command as a user meets it: help, version, usage errors, the JSON it prints, standard input, what-if
// and blame, listings, verify's counterexamples, and output files that are never left half-written.

const tmp = mkdtempSync(join(tmpdir(), 'replstorm-cli-'));
// Two symbolic links naming each other: any path through them fails with ELOOP.
symlinkSync(join(tmp, 'loop-b'), join(tmp, 'loop-a'));
symlinkSync(join(tmp, 'loop-a'), join(tmp, 'loop-b'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string }).version;

/** The options each command of the issue must mention in its --help. */
const OPTIONS: Record<string, readonly string[]> = {
  replay: ['--json', '--state', '--what-if', '--blame', '--report', '--record', '--strict', '--max-run', '--design'],
  run: ['--set', '--seed', '--record', '--json', '--state', '--what-if', '--blame', '--report', '--design'],
  verify: ['--runs', '--seed', '--config', '--out', '--json', '--design'],
  compare: ['--scenario', '--set', '--max-scanner-revisions', '--json', '--design'],
  scenarios: ['--json'],
  designs: ['--json', '--design'],
};

type Json = Record<string, unknown>;
const parse = (s: string) => JSON.parse(s) as Json;

/** Canonical JSON as event-log.md defines it for the digest: keys sorted, no white space. Written here, not imported. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Json)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The "type" of the package.json nearest to `dir` (the one Node reads to choose CommonJS or ES modules), if any. */
function nearestPackageType(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const file = join(d, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { type?: string }).type ?? 'commonjs';
    if (dirname(d) === d) return undefined;
  }
}

function tmpFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.includes('replstorm-tmp'));
}

describe('help, version and usage', () => {
  it('exit 3\'s three reasons a design cannot be trusted with explore\'s states are the same in the top-level --help, explore --help and the README (the top-level help left out "acting on a time\'s value": a README audit)', async () => {
    const flat = (t: string) => t.replace(/\s+/g, ' ');
    const reasons = "not a function of its inputs, not name-blind as it declares, or acting on a time's value or a document's seq";
    expect(flat((await runCli(['--help'])).stdout)).toContain(reasons);
    expect(flat((await runCli(['explore', '--help'])).stdout)).toContain(reasons);
    expect(flat(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'))).toContain(reasons);
  });

  it.each(['replay', 'run', 'verify', 'compare', 'explore'])('the README\'s commands table names every option %s --help lists (it left out --runs, --faults, --strict and a dozen more: a README audit)', async (command) => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${command} `));
    expect(row, `no row for ${command} in the README's commands table`).toBeDefined();
    const help = (await runCli([command, '--help'])).stdout;
    const flags = [...help.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!).filter((f) => f !== '--help');
    expect(flags.length).toBeGreaterThan(3);
    expect(flags.filter((f) => !row!.includes(`\`${f}`))).toEqual([]);
  });

  it.each(Object.keys(OPTIONS))('%s --help exits 0 and mentions its options', async (command) => {
    const res = await runCli([command, '--help']);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(new RegExp(`^Usage: replstorm ${command}`));
    for (const option of OPTIONS[command]!) expect(res.stdout, `${command} --help mentions ${option}`).toContain(option);
  });

  it('help COMMAND gives that command\'s help; help help the general one (exit 0); help of no command is refused (exit 2)', async () => {
    expect(await runCli(['help', 'replay'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: replstorm replay/) });
    // A review: `help help` was refused as an unknown command once unknown ones were.
    expect((await runCli(['help', 'help'])).code).toBe(0);
    expect((await runCli(['help', 'help', 'help'])).code).toBe(0);
    const bogus = await runCli(['help', 'bogus']);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain("unknown command 'bogus'");
  });

  it('every command the top-level help lists has a --help that exits 0', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout.replace(/\s+/g, ' ')).toMatch(/Exit codes: 0 done; 1 a check failed .* 2 bad usage or bad input/);
    const commands = [...top.stdout.split('Commands:')[1]!.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    for (const c of Object.keys(OPTIONS)) expect(commands).toContain(c);
    for (const c of commands) {
      const res = await runCli([c, '--help']);
      expect(res.code, c).toBe(0);
      expect(res.stdout, c).toContain('--help');
      const viaHelp = await runCli(['help', c]);
      expect(viaHelp.code, `help ${c}`).toBe(0);
      expect(viaHelp.stdout).toBe(res.stdout);
      // Each command's help says its own exit codes (run, compare, explore, scenarios and designs did not: a user's QA pass).
      expect(res.stdout.replace(/\s+/g, ' '), c).toMatch(/Exit codes: 0 /);
    }
    // explore's 3 (cut short, or a design whose runs disagree) is said where explore's options are.
    expect((await runCli(['explore', '--help'])).stdout.replace(/\s+/g, ' ')).toMatch(/1 a violation or a storm found .* 3 the search could not finish: cut short by --max-states/);
  });

  it('R16: a misspelt parameter or design name gets the nearest known one; an empty design name is said to be empty', async () => {
    const key = await runCli(['run', 'smsdom-storm', '--set', 'dcos=2']);
    expect(key.code).toBe(2);
    expect(key.stderr).toContain('unknown parameter "dcos" (did you mean "docs"?)');
    const design = await runCli(['run', 'smsdom-storm', '--set', 'design=smsdon']);
    expect(design.code).toBe(2);
    expect(design.stderr).toContain('--set design=smsdon: unknown design (did you mean "smsdom"?)');
    const compared = await runCli(['compare', 'scan-cach']);
    expect(compared.code).toBe(2);
    expect(compared.stderr).toContain('unknown design "scan-cach" (did you mean "scan-cache"?)');
    const empty = await runCli(['run', 'smsdom-storm', '--set', 'design=']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--set design=: no design named (known: smsdom,');
    expect(empty.stderr).not.toContain('--design =');
    // Nothing near: no hint.
    expect((await runCli(['run', 'smsdom-storm', '--set', 'zzzzzz=1'])).stderr).not.toContain('did you mean');
  });

  it('run --help speaks of the scenario, not a log or a recording; explore --help lists no refused parameter among its defaults (scanOffsetsMs=0 was both)', async () => {
    const run = (await runCli(['run', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(run).toContain('in place of each one the scenario installs');
    expect(run).not.toContain('the log');
    expect(run).not.toContain('a recording adds');
    const replay = (await runCli(['replay', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(replay).toContain('in place of each one the log installs');
    expect(replay).toContain('a recording adds `recording`');
    const explore = (await runCli(['explore', '--help'])).stdout.replace(/\s+/g, ' ');
    const [defaults, refused] = explore.split('exploration defaults: ')[1]!.split('; refused, as activity on a clock rather than actions: ');
    const refusedNames = refused!.split(' (user saves')[0]!.split(', ');
    expect(refusedNames).toContain('scanOffsetsMs');
    for (const d of defaults!.split(' ')) expect(refusedNames, d).not.toContain(d.split('=')[0]);
    expect(defaults).toBe('databases=1 docs=1 clusterIntervalMs=0 clockSkewsMs=0');
  });

  it('--version and -V print the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const res = await runCli([flag]);
      expect(res.code).toBe(0);
      expect(res.stdout).toBe(`${VERSION}\n`);
    }
  });

  it('the command starts where its loader had nowhere to keep its cache (TMPDIR a file: tsx\'s mkdir failed, a stack trace and exit 1, before any command), and says so where the working directory is gone (exit 2, not a stack trace) (a QA pass of environments)', () => {
    const bin = join(REPO_ROOT, 'packages', 'cli', 'bin', 'replstorm.js');
    const notADirectory = join(mkdtempSync(join(tmp, 'tmpdir-')), 'file');
    writeFileSync(notADirectory, '');
    const cached = spawnSync(process.execPath, [bin, 'replay', EXAMPLE_LOG, '--json'], { encoding: 'utf8', env: { ...process.env, TMPDIR: notADirectory, TSX_DISABLE_CACHE: undefined } });
    expect(cached.stderr).toBe('');
    expect(cached.status).toBe(0);
    expect(JSON.parse(cached.stdout)).toMatchObject({ stopped: 'idle', quiescent: true });
    const gone = mkdtempSync(join(tmp, 'gone-'));
    const inGone = spawnSync('sh', ['-c', `cd '${gone}' && rmdir '${gone}' && exec '${process.execPath}' '${bin}' --version`], { encoding: 'utf8' });
    expect(inGone.stderr).toBe('replstorm: the working directory no longer exists (it was removed after the shell entered it): change to one that does\n');
    expect(inGone.status).toBe(2);
  });

  it.each([
    [['frobnicate'], 'frobnicate'],
    [['replay', '--frobnicate', EXAMPLE_LOG], '--frobnicate'],
    [['--frobnicate'], '--frobnicate'],
    [['run', 'smsdom-storm', '--seed', 'many'], '--seed'],
    [['replay'], 'log'],
    [['run', 'no-such-scenario'], 'no-such-scenario'],
    [['run', 'smsdom-storm', '--set', 'databases=abc'], 'databases'],
    [['verify', 'no-such-design'], 'no-such-design'],
    [['replay', EXAMPLE_LOG, '--what-if', 'no-such-design'], 'no-such-design'],
    [['replay', EXAMPLE_LOG, '--what-if', 'smsdom:bogus=1'], 'bogus'],
    [['replay', join(tmp, 'no-such-file.jsonl')], 'no-such-file.jsonl'],
    [['replay', EXAMPLE_LOG, '--report', ''], '--report: give a file name'],
    [['run', 'smsdom-storm', '--set', '__proto__=1'], 'unknown parameter "__proto__"'],
    // A bad --what-if refused before the missing file is opened (its unhandled error crashed the process, exit 1).
    [['replay', join(tmp, 'no-such-file.jsonl'), '--what-if', 'smsdom:sso=maybe'], 'field "config.sso"'],
    [['replay', join(tmp, 'no-such-file.jsonl'), '--what-if', 'zz'], 'zz'],
  ])('bad usage %j: exit 2, says what (%s), nothing on stdout, no stack', async (args, mentions) => {
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(mentions);
    expect(res.stderr).not.toMatch(/^\s+at /m);
    expect(res.stderr).not.toMatch(/Unhandled|node:events/);
  });

  it.each([
    // Numbers in decimal digits only: Number() alone took "", " 0x5" and "1e2".
    [['explore', 'smsdom-storm', '--depth', ''], '--depth'],
    [['explore', 'smsdom-storm', '--depth', ' 0x5'], '--depth'],
    [['explore', 'smsdom-storm', '--depth', '1e2'], '--depth'],
    [['run', 'smsdom-storm', '--set', 'docs=0x10'], 'docs'],
    [['run', 'smsdom-storm', '--set', 'docs=1.5'], 'docs'],
    [['run', 'smsdom-storm', '--set', 'userDeletes=99999999999999999999'], 'parameter "userDeletes": 99999999999999999999 is a whole number beyond 2^53-1'],
    [['verify', 'smsdom', '--runs', '0'], '--runs'],
    [['explore', 'smsdom-storm', '--max-states', '0'], '--max-states'],
    // Mistakes in options are named as the option's, not as a line of the scenario's generated input.
    [['run', 'smsdom-storm', '--set', 'config=bogus=1'], '--set config=bogus=1: field "config.bogus"'],
    [['compare', 'smsdom:bogus=1', '--set', 'docs=1'], 'smsdom:bogus=1: field "config.bogus"'],
    [['replay', EXAMPLE_LOG, '--what-if', 'smsdom:bogus=true'], '--what-if smsdom:bogus=true: field "config.bogus"'],
    // A value the design refuses when installed is the option's mistake too, not the log's scanner line.
    [['replay', EXAMPLE_LOG, '--what-if', 'smsdom:scanMsPerDoc=-1'], '--what-if smsdom:scanMsPerDoc=-1: field "config.scanMsPerDoc"'],
    [['replay', EXAMPLE_LOG, '--what-if', 'smsdom:scanMsPerDoc=0.5'], '--what-if smsdom:scanMsPerDoc=0.5: field "config.scanMsPerDoc"'],
    [['replay', EXAMPLE_LOG, '--what-if', 'smsdom:scheduleEveryMs=-1'], '--what-if smsdom:scheduleEveryMs=-1: field "config.scheduleEveryMs"'],
    [['replay', EXAMPLE_LOG, '--what-if', 'smsdom:key=abc'], '--what-if smsdom:key=abc: field "config.key": expected 16 letters or digits'],
    // An integer a double cannot hold is refused as typed, as a log's is (the design's check said "got 9007199254740992").
    [['replay', EXAMPLE_LOG, '--what-if', 'smsdom:scanMsPerDoc=9007199254740993'], '--what-if smsdom:scanMsPerDoc=9007199254740993: the configuration of "smsdom": scanMsPerDoc=9007199254740993: a whole number beyond 2^53-1 that a double cannot hold (it reads as 9007199254740992)'],
    [['run', 'smsdom-storm', '--set', 'config=scanMsPerDoc=9_007_199_254_740_993'], 'parameter "config": scanMsPerDoc=9_007_199_254_740_993: a whole number beyond 2^53-1'],
    [['compare', `smsdom:scanMsPerDoc=${'9'.repeat(400)}`, '--set', 'docs=1'], `scanMsPerDoc=${'9'.repeat(400)}: a whole number beyond 2^53-1 that a double cannot hold (it reads as Infinity)`],
    // (Not a number at all: said so, not that a double cannot hold it.)
    [['compare', 'smsdom:scanMsPerDoc=1_', '--set', 'docs=1'], 'field "config.scanMsPerDoc": expected a number, got "1_"'],
    [['run', 'smsdom-storm', '--seed', '5', '--set', 'seed=6'], 'give the seed once'],
    [['run', 'smsdom-storm', '--set', 'clockSkewsMs=0x10'], 'clockSkewsMs'],
    [['run', 'smsdom-storm', '--set', 'clockSkewsMs=0,0.5'], 'clockSkewsMs'],
    [['run', 'smsdom-storm', '--set', 'scanEveryMs=1.5'], 'scanEveryMs'],
    [['run', 'smsdom-storm', '--seed', '5000000000'], '--seed: parameter "seed"'],
    // A built-in design's name cannot be taken by a module.
    [['replay', EXAMPLE_LOG, '--design', 'smsdom=examples/designs/stamp-if-missing.ts'], '"smsdom" is a built-in design'],
    // A name with ":" was taken, and then read as NAME:settings by compare and --what-if ('parameter "x": expected
    // key=value, got "y"'): it could be used in a log and in run, verify, never there.
    [['compare', 'x:y', '--design', 'x:y=examples/designs/stamp-if-missing.ts'], '--design x:y=examples/designs/stamp-if-missing.ts: a design\'s name cannot hold ":"'],
    [['designs', '--design', 'x:y=examples/designs/stamp-if-missing.ts'], '--design x:y=examples/designs/stamp-if-missing.ts: a design\'s name cannot hold ":"'],
    // A path alone, with ":" in it, is no name=path: said so, not that a name cannot hold ":".
    [['designs', '--design', '/tmp/dir:1/mine.ts'], '--design expects name=path, got "/tmp/dir:1/mine.ts"'],
    // No name: compare, explore and verify said `the design "" is given but not used ... add  to the designs compared`.
    [['compare', 'noop', '--design', '=examples/designs/stamp-if-missing.ts'], '--design expects name=path, got "=examples/designs/stamp-if-missing.ts"'],
    [['explore', 'smsdom-storm', '--design', '=examples/designs/stamp-if-missing.ts'], '--design expects name=path, got "=examples/designs/stamp-if-missing.ts"'],
    [['verify', 'noop', '--design', '=examples/designs/stamp-if-missing.ts'], '--design expects name=path, got "=examples/designs/stamp-if-missing.ts"'],
    // Output paths: a missing directory, a directory where a file goes, a file where a directory goes.
    [['replay', EXAMPLE_LOG, '--record', join(tmp, 'no-dir', 'x.jsonl')], 'does not exist'],
    [['replay', EXAMPLE_LOG, '--record', tmp], 'is a directory'],
    [['replay', EXAMPLE_LOG, '--record', join(EXAMPLE_LOG, 'x.jsonl')], 'a part of the path is a file'],
    // A name ending in / named a directory that is not there: "not a directory (ENOTDIR)", after the run (QA).
    [['replay', EXAMPLE_LOG, '--record', `${join(tmp, 'new-dir')}/`], `${join(tmp, 'new-dir')}/: names a directory (it ends with /); give the output file's name`],
    // An empty log name: "no such file", naming nothing (QA).
    [['replay', ''], "replay: give the log's file name, or - for standard input (got an empty one)"],
    [['replay', EXAMPLE_LOG, '--design', `x=${tmp}`], 'is a directory'],
    // An --out that cannot be looked at for another reason than its absence named the path alone, not the option.
    [['verify', 'smsdom', '--runs', '1', '--out', join(tmp, 'loop-a')], `--out ${join(tmp, 'loop-a')}: ${join(tmp, 'loop-a')}: too many symbolic links`],
    [['explore', 'smsdom-storm', '--depth', '1', '--out', join(tmp, 'loop-a', 'x')], `--out ${join(tmp, 'loop-a', 'x')}: `],
    // `-` is standard input (the log's only); two outputs on one file would leave one destroyed.
    [['replay', EXAMPLE_LOG, '--record', '-'], '--record -: give a file'],
    [['run', 'smsdom-storm', '--report', '-'], '--report -: give a file'],
    [['replay', EXAMPLE_LOG, '--record', join(tmp, 'same'), '--report', join(tmp, 'same')], '--record and --report name the same file'],
    [['replay', EXAMPLE_LOG, '--report', EXAMPLE_LOG], 'that is the log being replayed'],
    [['replay', EXAMPLE_LOG, '--what-if', 'noop:sso=true'], 'has no such setting (it has none)'],
    // A researcher's QA pass: the log reader named the nearest setting, --what-if only listed them.
    [['replay', EXAMPLE_LOG, '--what-if', 'smsdom:ignoreSSOOnScheduled=true'], 'field "config.ignoreSSOOnScheduled": the design "smsdom" has no such setting (did you mean "ignoreSsoOnScheduled"?) (it has: sso, '],
    // A researcher's QA pass: options that were accepted and then ignored or misread.
    [['compare', 'smsdom', 'noop', '--set', 'design=smsdom'], '--set design=smsdom: compare takes its designs as arguments'],
    // A hardening QA pass: "0 is outside 1..inf" read as a formula.
    [['run', 'smsdom-storm', '--set', 'horizonMs=0'], '--set: parameter "horizonMs": 0 is below the least value, 1'],
    // A researcher's QA pass: this was first refused as "mine is given but not used", and the fix is the one below.
    [['compare', '--set', 'design=mine', '--design', 'mine=examples/designs/stamp-if-missing.ts'], '--set design=mine: compare takes its designs as arguments (e.g. compare smsdom mine)'],
    // A researcher's QA pass: a design where the scenario goes was told only which scenarios there are.
    [['explore', 'examples/designs/stamp-if-missing.ts'], 'is a design module, installed on a scenario\'s servers: explore smsdom-storm --design mine=examples/designs/stamp-if-missing.ts --set design=mine'],
    [['run', 'noop'], 'unknown scenario "noop" (available: smsdom-storm); "noop" is a design, installed on a scenario\'s servers: run smsdom-storm --set design=noop'],
    [['explore', 'smsdom-storm', '--set', 'scanServers=first'], '--set scanServers=first: explore chooses scans itself'],
    // An explore QA pass: parameters on a clock went into the initial state unchecked, or were ignored.
    [['explore', 'smsdom-storm', '--set', 'userEditsPerHour=100'], '--set userEditsPerHour=100: user edits at fixed times would be part of the initial state'],
    [['explore', 'smsdom-storm', '--set', 'horizonMs=1'], '--set horizonMs=1: a path is bounded by --depth'],
    [['explore', 'smsdom-storm', '--set', 'userDeletes=3'], '--set userDeletes=3: user deletions at fixed times would be part of the initial state'],
    [['explore', 'smsdom-storm', '--set', 'definitionsEveryMs=60000'], '--set definitionsEveryMs=60000'],
    // R11: the model drops the scenario's connections, so a schedule given was accepted and changed nothing.
    [['explore', 'smsdom-storm', '--set', 'replication=scheduled', '--set', 'connectionEveryMs=1000'], '--set connectionEveryMs=1000: explore runs no scheduled connections'],
    [['explore', 'smsdom-storm', '--depth', '0'], '--depth expects a whole number of at least 1'],
    [['help', 'bogus'], "unknown command 'bogus' (the commands: "],
    // A review: a --what-if that does not parse was reported as an unused --design (checked first since 4988a07).
    [['run', 'smsdom-storm', '--design', 'mine=examples/designs/stamp-if-missing.ts', '--what-if', 'mine:sso'], '--what-if mine:sso: the configuration of "mine": expected key=value, got "sso"'],
    [['replay', EXAMPLE_LOG, '--what-if', ':a=1'], '--what-if :a=1: expected a design name, got ":a=1"'],
    // Hostile-input QA: one-value options given twice kept the last without a word (--set refuses a key twice).
    [['replay', EXAMPLE_LOG, '--record', join(tmp, 'twice-a.jsonl'), '--record', join(tmp, 'twice-b.jsonl')], `--record is given twice ("${join(tmp, 'twice-a.jsonl')}" and "${join(tmp, 'twice-b.jsonl')}"): give it once`],
    [['explore', 'smsdom-storm', '--depth', '2', '--depth=3'], '--depth is given twice ("2" and "3")'],
    [['verify', 'noop', '--runs', '1', '--seed', '1', '--seed', '2'], '--seed is given twice'],
    // Hostile-input QA: a name of Object.prototype's was taken for an invariant (a TypeError, exit 70).
    [['explore', 'smsdom-storm', '--depth', '1', '--invariant', 'constructor'], 'unknown invariant "constructor" (known: no-conflict, no-scanner-conflicts, no-scanner-revision)'],
    [['explore', 'smsdom-storm', '--depth', '1', '--invariant', '__proto__'], 'unknown invariant "__proto__"'],
    // A misspelt invariant is named with the one most likely meant, as designs and parameters are (a researcher's QA pass).
    [['explore', 'smsdom-storm', '--depth', '1', '--invariant', 'no-conflicts'], 'unknown invariant "no-conflicts" (did you mean "no-conflict"?) (known: '],
    // An option left without its value took the next option for it, and the error named neither (a QA pass).
    [['replay', EXAMPLE_LOG, '--what-if', '--report', join(tmp, 'never.html')], '--what-if needs a value, and the next argument is the option --report: give --what-if its value (--what-if <design[:key=value,...]>)'],
    [['verify', 'noop', '--runs', '--seed=3'], '--runs needs a value, and the next argument is the option --seed'],
    [['replay', EXAMPLE_LOG, '--what-if', '--help'], '--what-if needs a value, and the next argument is the option --help'],
    // verify's invariants are not "unknown" to explore: said whose they are, and what explore checks instead.
    [['explore', 'smsdom-storm', '--depth', '1', '--invariant', 'no-scanner-reappearances'], "--invariant no-scanner-reappearances is verify's, not explore's: verify judges it on whole runs of random cases (explore has no user deletion among its actions); run `replstorm verify <design>`. explore checks: no-conflict, no-scanner-conflicts, no-scanner-revision"],
    [['explore', 'smsdom-storm', '--depth', '1', '--invariant', 'quiescence'], '(explore looks for storms, loops of steps that make scanner revisions, unless given --no-storms)'],
    [['explore', 'smsdom-storm', '--depth', '1', '--invariant', 'design-runs'], '--invariant design-runs is checked by every search'],
    // (Beside another invariant it is taken: see the explore test below.)
    // --out is checked before the search (it was after: a finished search was thrown away).
    [['explore', 'smsdom-storm', '--out', EXAMPLE_LOG], 'exists and is not a directory'],
    // verify checks --out before its run too (made only when a counterexample is written).
    [['verify', 'noop', '--runs', '1', '--out', join(EXAMPLE_LOG, 'sub')], 'a part of the path is a file, not a directory'],
    [['designs', '--design', 'mine=examples/designs/stamp-if-missing.ts', '--design', 'mine=examples/designs/stamp-if-missing.ts'], 'the name "mine" is given twice'],
    [['verify', 'smsdom', '--seed', '4294967296'], '--seed 4294967296: outside 0..4294967295'],
    // `_` groups digits (1_000); alone, doubled or trailing it is no number (Number("") is 0).
    [['verify', 'noop', '--runs', '1', '--seed', '_'], '--seed expects a non-negative whole number (decimal digits), got "_"'],
    [['verify', 'noop', '--runs', '1', '--seed', '1__0'], '--seed expects a non-negative whole number (decimal digits), got "1__0"'],
    [['verify', 'noop', '--runs', '1', '--seed', '10_'], 'got "10_"'],
    [['replay', EXAMPLE_LOG, '--report', ' '], '--report: give a file name (got an empty one)'],
    [['run', 'smsdom-storm', '--set', '=5'], '--set expects key=value, got "=5"'],
    [['replay', 'x.jsonl', '--max-run', '99999999999999999999'], '--max-run 99999999999999999999: outside 0..9007199254740991'],
    // Stop rules (event-log.md): a scenario's last input is its end event, so a cap after the last input never applied;
    // run offered --max-run and it changed nothing (mutation audit): refused, saying what sets the stop.
    [['run', 'smsdom-storm', '--max-run', '5'], "--max-run: a scenario's run stops at its end event, horizonMs after its scanners are installed (--set horizonMs=MS sets it"],
    // A configuration list that does not parse names the argument or option it came from.
    [['compare', 'smsdom', 'smsdom:sso'], 'compare smsdom:sso: the configuration of "smsdom": expected key=value, got "sso"'],
    // A row's configuration the scenario refuses names the argument typed, not a parameter "config" (compare audit).
    [['compare', 'smsdom:scheduleEveryMs=1000', '--set', 'databases=1', '--set', 'docs=1'], 'replstorm: compare smsdom:scheduleEveryMs=1000: scheduleEveryMs is set by the scenario on every server'],
    [['compare', 'smsdom:key=ABCDEFGHIJKLMNOP', '--set', 'keys=per-server', '--set', 'databases=1', '--set', 'docs=1'], 'replstorm: compare smsdom:key=ABCDEFGHIJKLMNOP: with keys=per-server the scenario gives each server its own key'],
    // (Named once, by the option: it read '--config sso: parameter "config": ...', a researcher's QA pass.)
    [['verify', 'smsdom', '--config', 'sso'], 'replstorm: --config sso: expected key=value, got "sso"'],
    // An unused module that is not there: its absence first (a researcher's QA pass: "given but not used" alone).
    [['compare', 'smsdom', '--design', 'x=no/such/design.ts'], '--design x=no/such/design.ts: no/such/design.ts: no such design module (looked for '],
    // A researcher's design loaded with --design but not chosen: the run went on with smsdom, unsaid.
    [['explore', 'smsdom-storm', '--design', 'mine=examples/designs/stamp-if-missing.ts', '--depth', '2'], 'the design "mine" is given but not used (the scenario runs "smsdom"); add --set design=mine'],
    [['run', 'smsdom-storm', '--design', 'mine=examples/designs/stamp-if-missing.ts', '--set', 'design=noop'], 'the design "mine" is given but not used (the scenario runs "noop")'],
    // A design of one's own named without --design: the message says how to load it.
    [['run', 'smsdom-storm', '--set', 'design=mine'], '--set design=mine: unknown design (known: smsdom, noop, scan-cache, cluster-aware, sso-mail-only; a module of yours: --design mine=path/to/it.ts)'],
    [['compare', 'noop', 'mine'], 'unknown design "mine" (known: smsdom, noop, scan-cache, cluster-aware, sso-mail-only; a module of yours: --design mine=path/to/it.ts)'],
    [['replay', EXAMPLE_LOG, '--what-if', 'mine'], '--what-if: unknown design "mine" (known: smsdom, noop, scan-cache, cluster-aware, sso-mail-only; a module of yours: --design mine=path/to/it.ts)'],
    // A module's path where a design's name goes (verify takes one): the hint names it under a name (it said
    // "--design examples/designs/stamp-if-missing.ts=path/to/it.ts": a researcher's review).
    [['compare', 'examples/designs/stamp-if-missing.ts'], 'a module is named with --design: --design mine=examples/designs/stamp-if-missing.ts and compare mine)'],
    [['explore', 'smsdom-storm', '--set', 'design=examples/designs/stamp-if-missing.ts'], 'a module is named with --design: --design mine=examples/designs/stamp-if-missing.ts with --set design=mine)'],
    [['replay', EXAMPLE_LOG, '--what-if', 'stamp-if-missing.ts'], 'a module is named with --design: --design mine=stamp-if-missing.ts with --what-if mine)'],
    [['verify', 'noop', '--design', 'mine=examples/designs/stamp-if-missing.ts', '--runs', '1'], 'the design "mine" is given but not used (this runs "noop"); verify mine'],
    [['compare', 'noop', 'smsdom', '--design', 'mine=examples/designs/stamp-if-missing.ts'], 'the design "mine" is given but not used (this runs "noop", "smsdom"); add mine to the designs compared'],
    // verify: a configuration the design refuses is bad usage, not a violation of every invariant.
    [['verify', 'smsdom', '--config', 'key=short', '--runs', '1'], '--config key=short: field "config.key": expected 16 letters or digits'],
  ])('bad usage %j is refused before anything runs: exit 2, names it (%s)', async (args, mentions) => {
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(mentions);
    expect(res.stderr).not.toContain('<input>');
    expect(res.stderr).not.toMatch(/^\s+at /m);
  });

  it('a --design module whose defaults are null (or an array) is refused as not a design, not an internal error under replay --strict', async () => {
    const log = join(tmp, 'null-defaults.jsonl');
    writeFileSync(log, `${['{"replog":1,"meta":{}}', '{"at":0,"type":"server","name":"Alpha"}', '{"at":1,"type":"scanner","server":"Alpha","design":"nd","config":{}}'].join('\n')}\n`);
    for (const defaults of ['null', '[]']) {
      const mod = join(tmp, `defaults-${defaults === 'null' ? 'null' : 'array'}.mjs`);
      writeFileSync(mod, `export default { name: 'nd', description: 'x', defaults: ${defaults}, scan: () => ({ verdict: 'clean' }) };\n`);
      for (const args of [['replay', '--strict', log], ['designs']]) {
        const res = await runCli([...args, '--design', `nd=${mod}`]);
        expect(res.code, `${defaults} ${args.join(' ')}: ${res.stderr}`).toBe(2);
        expect(res.stderr).toContain('the module must export a scanner design');
      }
    }
  });

  it('a --design module the command does not use is refused before it is loaded: its code never runs', async () => {
    // Hostile-input QA: verify noop --design x=evil.mjs ran the module's top level, then refused it as unused.
    const marker = join(tmp, 'unused-module-ran');
    const mod = join(tmp, 'unused-module.mjs');
    writeFileSync(mod, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default { name: 'x', description: 'x', defaults: {}, scan: () => ({ verdict: 'clean' }) };\n`);
    for (const args of [
      ['verify', 'noop', '--runs', '1'],
      ['compare', 'noop', '--set', 'databases=1', '--set', 'docs=1'],
      ['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=1'],
      ['explore', 'smsdom-storm', '--depth', '1'],
    ]) {
      const res = await runCli([...args, '--design', `x=${mod}`]);
      expect(res.code, args[0]).toBe(2);
      expect(res.stderr, args[0]).toContain('the design "x" is given but not used');
      expect(existsSync(marker), `${args[0]} ran the module`).toBe(false);
    }
  });

  it('verify refuses a module that calls itself by a built-in design\'s name (its counterexamples could not be replayed as it)', async () => {
    const mod = join(tmp, 'named-smsdom.mjs');
    writeFileSync(mod, "export default { name: 'smsdom', description: 'x', defaults: {}, scan: () => ({ verdict: 'clean' }) };\n");
    const res = await runCli(['verify', mod, '--runs', '1']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('the design is named "smsdom", a built-in design\'s name');
  });

  it('explore: a no-conflict violation no scanner took part in (two users\' saves on two servers, --user-actions 2) says so: it was printed as the design\'s, for noop too', async () => {
    const out = mkdtempSync(join(tmp, 'users-conflict-'));
    const res = await runCli(['explore', 'smsdom-storm', '--set', 'design=noop', '--user-actions', '2', '--depth', '4', '--invariant', 'no-conflict', '--out', out]);
    expect(res.code).toBe(1); // the invariant is as documented: no conflict is ever made
    expect(res.stdout).toContain('no-conflict VIOLATED');
    expect(res.stdout).toContain('  note: no scanner saved anything on this path: the conflict is between user saves alone (--user-actions), as it would be with any design; --invariant no-scanner-conflicts judges the design by the conflicts it adds');
    const json = JSON.parse((await runCli(['explore', 'smsdom-storm', '--set', 'design=noop', '--user-actions', '2', '--depth', '4', '--invariant', 'no-conflict', '--out', out, '--json'])).stdout) as { violation: { scannerRevisions: number } };
    expect(json.violation.scannerRevisions).toBe(0);
    // A conflict the scanner made (the seed's) gets no such note.
    const seed = await runCli(['explore', 'smsdom-storm', '--depth', '3', '--out', out]);
    expect(seed.code).toBe(1);
    expect(seed.stdout).toContain('no-conflict VIOLATED');
    expect(seed.stdout).not.toContain('no scanner saved anything on this path');
  });

  it('R16: explore of a design that stamps the scan time on every arrival says storms are NOT decided, in text and --json (it said "no storm found" for a design verify and compare show storming)', async () => {
    const dir = mkdtempSync(join(tmp, 'tstag-'));
    const file = join(dir, 'tstag.ts');
    writeFileSync(file, "export default { name: 'tstag', description: 'stamps the scan time', defaults: {}, symmetric: true, watches: () => true, scan: ({ clock }) => ({ verdict: 'clean', set: [['X-Scanned', `clean@${clock}`]] }) };\n");
    const args = ['explore', 'smsdom-storm', '--design', `tstag=${file}`, '--set', 'design=tstag', '--depth', '5', '--invariant', 'no-scanner-revision', '--out', join(dir, 'out')];
    const res = await spawnCli(args);
    expect(res.stdout).toMatch(/^  storms NOT decided: replication steps alone still stamped a document on the arrival of its last stamp at least \d+ times in a row at depth 5, the last searched, without closing a loop: .*; verify's quiescence, or a deeper search, decides$/m);
    expect(res.stdout).not.toContain('no storm found');
    const json = parse((await spawnCli([...args, '--json'])).stdout);
    expect(json['stormUndecided']).toMatch(/^replication steps alone still stamped a document on the arrival of its last stamp/);
    expect(json).not.toHaveProperty('storm');
  });

  it('R16: storms NOT decided with no invariant violated is no "ok": exit 3, in text and under --json (it was 0, and a script read smsdom with a time in its tag, which storms, as passing: an explore QA pass)', async () => {
    const dir = mkdtempSync(join(tmp, 'undecided-'));
    // (Scans of 1 ms: with the default 10, the user's save late in its step is pushed before its on-write stamp, and
    // both members stamp it, a conflict, the seed's race: a violation, exit 1.)
    const args = ['explore', 'smsdom-storm', '--set', 'keys=per-server', '--set', 'config=scanReplicatedWrites=true,tagIncludesScanTime=true,ignoreSsoOnScheduled=true,scanMsPerDoc=1', '--user-actions', '1', '--depth', '4', '--invariant', 'no-scanner-conflicts', '--out', join(dir, 'out')];
    const res = await runCli(args);
    expect(res.stdout).toMatch(/^ {2}storms NOT decided: /m);
    expect(res.stdout).not.toMatch(/VIOLATED/);
    expect(res.code, res.stderr).toBe(3);
    const json = await runCli([...args, '--json']);
    expect(json.code).toBe(3);
    expect(parse(json.stdout)['violations']).toEqual([]);
    expect(parse(json.stdout)['stormUndecided']).toMatch(/^replication steps alone still stamped/);
  });

  it('R12: a replay that ends with work pending says what is pending: an explore log\'s changes queued for pushes no timer sends (it said only "NOT quiescent (work still pending)", read as a storm, for noop too)', async () => {
    const out = mkdtempSync(join(tmp, 'pending-'));
    const res = await runCli(['explore', 'smsdom-storm', '--set', 'design=noop', '--user-actions', '2', '--depth', '3', '--invariant', 'no-conflict', '--out', out, '--json']);
    const log = (parse(res.stdout)['violation'] as Json)['log'] as string;
    const replayed = await runCli(['replay', log]);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toContain('  state         NOT quiescent (work still pending: 2 cluster pushes of a document queued (one per document and mate), all on servers with no replicator timer (clusterIntervalMs 0): only a push event sends them), replicas differ\n');
    // One document queued for two mates is two pushes, not "2 documents" (a review).
    const three = await runCli(['run', 'smsdom-storm', '--set', 'servers=3', '--set', 'databases=1', '--set', 'docs=1', '--set', 'clusterIntervalMs=0']);
    expect(three.stdout).toContain('NOT quiescent (work still pending: 2 cluster pushes of a document queued (one per document and mate), all on servers with no replicator timer');
    // On a timer: queued, no more said.
    const storm = await runCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=3', '--set', 'keys=per-server', '--set', 'config=scanReplicatedWrites=true', '--set', 'horizonMs=3600000']);
    expect(storm.stdout).toMatch(/^ {2}state {9}NOT quiescent \(work still pending: [\d,]+ cluster push(es)? of a document queued \(one per document and mate\)\), replicas differ$/m);
  });

  it('R5/R16: explore --invariant no-scanner-conflicts judges the design by the conflicts it adds, as verify does: users\' concurrent saves (noop) and two members cleaning one infected document (scan-cache) hold, exit 0; both members stamping (smsdom) is violated on the same shortest path as no-conflict', async () => {
    const out = mkdtempSync(join(tmp, 'scanner-conflict-'));
    const users = await runCli(['explore', 'smsdom-storm', '--set', 'design=noop', '--user-actions', '2', '--depth', '4', '--invariant', 'no-scanner-conflicts', '--out', out, '--json']);
    expect(users.code, users.stderr).toBe(0);
    expect(parse(users.stdout)['violations']).toEqual([]);
    const cleaning = await runCli(['explore', 'smsdom-storm', '--set', 'design=scan-cache', '--set', 'infectedShare=1', '--depth', '4', '--no-storms', '--invariant', 'no-scanner-conflicts', '--out', out, '--json']);
    expect(cleaning.code, cleaning.stderr).toBe(0);
    expect(parse(cleaning.stdout)['violations']).toEqual([]);
    // The same searches under no-conflict fail (the conflicts are there; they are not the designs').
    expect((await runCli(['explore', 'smsdom-storm', '--set', 'design=noop', '--user-actions', '2', '--depth', '4', '--invariant', 'no-conflict', '--out', out])).code).toBe(1);
    expect((await runCli(['explore', 'smsdom-storm', '--set', 'design=scan-cache', '--set', 'infectedShare=1', '--depth', '4', '--no-storms', '--out', out])).code).toBe(1);
    // With --user-actions and no --invariant, no-scanner-conflicts is the default, and said so (a researcher's QA pass:
    // no-conflict failed every design, noop included, on the users' own 3-step conflict); without them, no-conflict.
    const defaulted = await runCli(['explore', 'smsdom-storm', '--set', 'design=noop', '--user-actions', '2', '--depth', '4', '--out', out]);
    expect(defaulted.code, defaulted.stdout).toBe(0);
    expect(defaulted.stdout).toContain("  invariants: no-scanner-conflicts (the default with --user-actions: users' own concurrent saves conflict under any design, R5; --invariant no-conflict counts them too), no storm (liveness)");
    // Its "every path" qualified (a review: judged on the first path to each state, README).
    expect(defaulted.stdout).toContain('  no-scanner-conflicts is judged on the path that first reaches each state (against that path run with scanners that only clean): unlike the others it depends on the path, so a search that finds no violation covers those paths, not every path\n');
    expect((parse((await runCli(['explore', 'smsdom-storm', '--set', 'design=noop', '--user-actions', '2', '--depth', '4', '--out', out, '--json'])).stdout)['options'] as Json)['invariants']).toEqual(['no-scanner-conflicts']);
    const stamping = parse((await runCli(['explore', 'smsdom-storm', '--user-actions', '1', '--depth', '4', '--no-storms', '--out', out, '--json'])).stdout);
    expect((stamping['violations'] as Json[]).map((v) => v['invariant'])).toEqual(['no-scanner-conflicts']);
    expect((parse((await runCli(['explore', 'smsdom-storm', '--depth', '3', '--no-storms', '--out', out, '--json'])).stdout)['options'] as Json)['invariants']).toEqual(['no-conflict']);
    // The seed's conflict is smsdom's own.
    const seed = await runCli(['explore', 'smsdom-storm', '--depth', '4', '--no-storms', '--invariant', 'no-conflict', '--invariant', 'no-scanner-conflicts', '--out', out, '--json']);
    expect(seed.code).toBe(1);
    const vs = parse(seed.stdout)['violations'] as Json[];
    expect(vs.map((v) => v['invariant'])).toEqual(['no-conflict', 'no-scanner-conflicts']);
    expect(vs[1]!['steps']).toEqual(vs[0]!['steps']);
    expect(vs[1]!['message']).toMatch(/^a conflict document \w+ was made on \w+ for \w+; the same path with scanners that only clean conflicts no copy of that document, on it or in replication after it$/);
    // Its log replays to the conflict.
    const replayed = await runCli(['replay', vs[1]!['log'] as string, '--json']);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect((parse(replayed.stdout)['conflicts'] as number)).toBeGreaterThan(0);
  });

  it('R5/R13: explore: a no-conflict violation whose scanner saves only cleaned an infected attachment says so (scan-cache, which never stamps, read as making the conflict itself; verify holds it to none)', async () => {
    const out = mkdtempSync(join(tmp, 'cleaning-conflict-'));
    const args = ['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'design=scan-cache', '--set', 'infectedShare=1', '--depth', '4', '--no-storms', '--out', out];
    const res = await runCli(args);
    expect(res.code).toBe(1); // no-conflict counts every conflict, as documented
    expect(res.stdout).toContain('no-conflict VIOLATED');
    expect(res.stdout).toContain('  note: every scanner save on this path cleaned an infected attachment ($FILE), as any scanner that removes infections must, and stamped nothing');
    const v = (parse((await runCli([...args, '--json'])).stdout)['violation'] as Json);
    expect([v['scannerRevisions'], v['scannerCleanings']]).toEqual([2, 2]);
    // The seed's conflict is between stamps: no such note.
    const seed = await runCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--depth', '4', '--no-storms', '--out', out]);
    expect(seed.stdout).toContain('no-conflict VIOLATED');
    expect(seed.stdout).not.toContain('cleaned an infected attachment');
  });

  it('R5/R13: explore: a no-conflict violation that a scanner writing only cleanings makes on the same path too says so (sso-mail-only stamps two users\' saves on two servers: read as the design\'s conflict)', async () => {
    const out = mkdtempSync(join(tmp, 'clean-only-conflict-'));
    const args = ['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--set', 'design=sso-mail-only', '--user-actions', '2', '--depth', '4', '--invariant', 'no-conflict', '--no-storms', '--out', out];
    const res = await runCli(args);
    expect(res.code).toBe(1); // no-conflict counts every conflict, as documented
    expect(res.stdout).toContain('no-conflict VIOLATED');
    expect(res.stdout).toContain('  note: the same path with each scanner only cleaning (its scans as they are, no stamp) makes 1 conflict too, on it or in replication after it: this one is not the design\'s own doing');
    const v = parse((await runCli([...args, '--json'])).stdout)['violation'] as Json;
    expect(v['scannerRevisions']).toBeGreaterThan(0);
    expect(v['cleanOnlyConflicts']).toBe(1);
    // The seed's conflict (both members stamp one document) is the design's: the counterfactual makes none, no note.
    const seedArgs = ['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--depth', '4', '--invariant', 'no-conflict', '--no-storms', '--out', out];
    const seed = await runCli(seedArgs);
    expect(seed.stdout).toContain('no-conflict VIOLATED');
    expect(seed.stdout).not.toContain('the same path with each scanner only cleaning');
    expect((parse((await runCli([...seedArgs, '--json'])).stdout)['violation'] as Json)['cleanOnlyConflicts']).toBe(0);
  });

  it('R5: the report of an explore counterexample lists its steps as explore explained them: each input, what followed, whose version won the conflict and where the loser is kept (the report of an explore log had no step-by-step explanation: an explore QA pass)', async () => {
    const out = mkdtempSync(join(tmp, 'steps-'));
    const res = await runCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--depth', '4', '--invariant', 'no-conflict', '--no-storms', '--out', out, '--json']);
    const v = parse(res.stdout)['violation'] as { steps: string[] };
    const log = readdirSync(out).find((f) => f.startsWith('explore-no-conflict'))!;
    const report = join(out, 'r.html');
    expect((await runCli(['replay', join(out, log), '--report', report])).code).toBe(0);
    const text = readFileSync(report, 'utf8').replaceAll('<wbr>', '');
    expect(text).toContain('<h2 id="h-steps">Steps</h2>');
    const steps = text.slice(text.indexOf('<h2 id="h-steps">Steps</h2>'), text.indexOf('</section>', text.indexOf('<h2 id="h-steps">Steps</h2>')));
    // explore: "step 3 (line 11, at 240000 ms): cluster push Beta -> Alpha: CONFLICT on Alpha ..."; the report's row:
    // line, time, input, what followed (escaped as HTML text).
    expect(v.steps).toHaveLength(3);
    const esc = (x: string) => x.replaceAll('&', '&amp;').replaceAll("'", '&#39;').replaceAll('>', '&gt;').replaceAll('<', '&lt;');
    for (const step of v.steps) {
      const m = /^step \d+ \(line (\d+), at \d+ ms\): (.*?): ((?:scanner|user|CONFLICT|\(moved|[0-9A-F]{32} ).*)$/.exec(step);
      expect(m, step).not.toBeNull();
      expect(steps).toContain(`<tr><td class="num">${m![1]}</td>`);
      expect(steps).toContain(`${esc(m![3]!)}</td></tr>`);
    }
    expect(steps).toContain('CONFLICT on Alpha over');
    expect(steps).toContain('is kept there as conflict document');
    // The setup's lines are steps too (the first stamp may be the setup's).
    expect(steps).toContain('server Alpha in cluster');
  });

  it('R1b/R6: the report\'s steps say a deletion and a document coming back where it was deleted, with what was discarded (they read "user/a saved" and "updated": an operator\'s QA pass)', async () => {
    const dir = mkdtempSync(join(tmp, 'r6-steps-'));
    const U = '00000000000000000000000000000001';
    const lines = [
      { replog: 1, meta: {} },
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'd', replicas: ['A', 'B'] },
      { at: 1, type: 'save', server: 'A', db: 'd', unid: U, by: 'user/a', set: { S: '1' } },
      { at: 2, type: 'replicate', server: 'A', partner: 'B' },
      { at: 10, type: 'delete', server: 'A', db: 'd', unid: U, by: 'user/a' },
      { at: 20, type: 'save', server: 'B', db: 'd', unid: U, by: 'user/b', set: { S: 'b' } },
      { at: 30, type: 'replicate', server: 'A', partner: 'B' },
    ];
    const log = join(dir, 'r6.jsonl');
    writeFileSync(log, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const report = join(dir, 'r.html');
    expect((await runCli(['replay', log, '--report', report])).code).toBe(0);
    const text = readFileSync(report, 'utf8').replaceAll('<wbr>', '');
    const steps = text.slice(text.indexOf('<h2 id="h-steps">Steps</h2>'), text.indexOf('</section>', text.indexOf('<h2 id="h-steps">Steps</h2>')));
    expect(steps).toContain(`user/a deleted ${U} on A (seq 2, a deletion stub)`);
    expect(steps).toContain(`${U} updated on A (seq 2, from B): the document reappears on A, whose deletion is discarded (R6)`);
  });

  it('R13: a scan\'s save is in the step of the scan it belongs to, though the next input came first, within the scan\'s milliseconds (a researcher\'s QA pass: "scheduled scan on Gamma" read "no change" and the next step carried its save)', async () => {
    const dir = mkdtempSync(join(tmp, 'scan-steps-'));
    const U = '00000000000000000000000000000001';
    const lines = [
      { replog: 1, meta: {} },
      { at: 0, type: 'server', name: 'Beta' },
      { at: 0, type: 'server', name: 'Gamma' },
      { at: 0, type: 'database', name: 'd', replicas: ['Beta', 'Gamma'] },
      { at: 1, type: 'save', server: 'Gamma', db: 'd', unid: U, by: 'user/a', set: { $FILE: [{ name: 'a.pdf' }] } },
      { at: 2, type: 'replicate', server: 'Gamma', partner: 'Beta' },
      { at: 1000, type: 'scanner', server: 'Beta', design: 'smsdom' },
      { at: 1000, type: 'scanner', server: 'Gamma', design: 'smsdom' },
      // Gamma's scan of its document comes at 200,010 ms (scanMsPerDoc 10): after the input of that instant, Beta's scan.
      { at: 200_000, type: 'scan', server: 'Gamma', kind: 'scheduled' },
      { at: 200_010, type: 'scan', server: 'Beta', kind: 'scheduled' },
    ];
    const log = join(dir, 'scans.jsonl');
    writeFileSync(log, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    // The same with --record, whose lines the engine's causes then are (a review: the saves left their step).
    for (const extra of [[], ['--record', join(dir, 'rec.jsonl')]]) {
      const report = join(dir, 'r.html');
      expect((await runCli(['replay', log, '--report', report, ...extra])).code).toBe(0);
      const text = readFileSync(report, 'utf8').replaceAll('<wbr>', '');
      const rows = [...text.matchAll(/<tr><td class="num">(\d+)<\/td>.*?<\/tr>/g)].map((m) => [Number(m[1]), m[0]] as const);
      const row = (line: number) => rows.find(([l]) => l === line)?.[1] ?? '';
      expect(row(9)).toContain('scheduled scan on Gamma');
      expect(row(9)).toContain(`scanner/smsdom saved ${U} on Gamma (seq 2)`);
      expect(row(10)).toContain('scheduled scan on Beta');
      expect(row(10)).not.toContain('on Gamma (seq 2)');
      expect(row(10)).toContain(`scanner/smsdom saved ${U} on Beta (seq 2)`);
    }
  });

  it('R9: a report\'s steps are the same with --record as without: a replication\'s changes under its own line (an operator\'s QA pass: with --record they went under the save before it, and the replication read "no change")', async () => {
    const dir = mkdtempSync(join(tmp, 'record-steps-'));
    const lines = [
      { replog: 1, meta: {} },
      { at: 0, type: 'server', name: 'Alpha' },
      { at: 0, type: 'server', name: 'Beta' },
      { at: 0, type: 'database', name: 'd.nsf', replicas: ['Alpha', 'Beta'] },
      { at: 1000, type: 'save', server: 'Alpha', db: 'd.nsf', unid: '000000000000000000000000000000A1', by: 'user/ann', set: { $FILE: [{ name: 'a.doc' }] } },
      { at: 1002, type: 'save', server: 'Beta', db: 'd.nsf', unid: '000000000000000000000000000000B1', by: 'user/bob', set: { S: 'x' } },
      { at: 2000, type: 'replicate', server: 'Alpha', partner: 'Beta', db: 'd.nsf' },
      { at: 3000, type: 'end' },
    ];
    const log = join(dir, 'd0.jsonl');
    writeFileSync(log, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const stepsOf = async (extra: string[]) => {
      const report = join(dir, 'r.html');
      expect((await runCli(['replay', log, '--report', report, ...extra])).code).toBe(0);
      const text = readFileSync(report, 'utf8').replaceAll('<wbr>', '');
      return text.slice(text.indexOf('<h2 id="h-steps">Steps</h2>'), text.indexOf('</section>', text.indexOf('<h2 id="h-steps">Steps</h2>')));
    };
    const plain = await stepsOf([]);
    expect(plain).toMatch(/<td class="num">7<\/td>.*replication Alpha &lt;-&gt; Beta of d\.nsf.*000000000000000000000000000000B1 created on Alpha \(seq 1, from Beta\); 000000000000000000000000000000A1 created on Beta/);
    expect(await stepsOf(['--record', join(dir, 'rec.jsonl')])).toBe(plain);
  });

  it('R12: the report\'s step for a crash says the cluster queues it lost (it read "no change", and the replicas stayed apart with nothing to say why: an explore QA pass); a crash with nothing queued: no change', async () => {
    const dir = mkdtempSync(join(tmp, 'crash-steps-'));
    const U = '00000000000000000000000000000001';
    const lines = [
      { replog: 1, meta: {} },
      { at: 0, type: 'server', name: 'Alpha', cluster: 'c' },
      { at: 0, type: 'server', name: 'Beta', cluster: 'c' },
      { at: 0, type: 'database', name: 'd', replicas: ['Alpha', 'Beta'] },
      { at: 1, type: 'save', server: 'Alpha', db: 'd', unid: U, by: 'user/a', set: { S: '1' } },
      { at: 2, type: 'crash', server: 'Alpha' },
      { at: 3, type: 'restart', server: 'Alpha' },
      { at: 4, type: 'crash', server: 'Alpha' },
      { at: 5, type: 'end' },
    ];
    const log = join(dir, 'crash.jsonl');
    writeFileSync(log, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const report = join(dir, 'r.html');
    expect((await runCli(['replay', log, '--report', report])).code).toBe(0);
    const text = readFileSync(report, 'utf8').replaceAll('<wbr>', '');
    const steps = text.slice(text.indexOf('<h2 id="h-steps">Steps</h2>'), text.indexOf('</section>', text.indexOf('<h2 id="h-steps">Steps</h2>')));
    expect(steps).toContain('Alpha&#39;s cluster queues are lost (R12): 1 document queued for Beta in d');
    expect(steps.split('cluster queues are lost')).toHaveLength(2); // the second crash lost nothing
  });

  it('R13/R16: a logged scheduled scan the design declines says so in its step (cluster-aware on a member not first, noop anywhere; it read "no change": a blame audit); one that runs does not', async () => {
    const dir = mkdtempSync(join(tmp, 'declined-'));
    const U = '00000000000000000000000000000001';
    const stepsOf = async (design: string) => {
      const lines = [
        { replog: 1, meta: {} },
        { at: 0, type: 'server', name: 'Alpha', cluster: 'c' },
        { at: 0, type: 'server', name: 'Beta', cluster: 'c' },
        { at: 0, type: 'database', name: 'd', replicas: ['Alpha', 'Beta'] },
        { at: 0, type: 'scanner', server: 'Alpha', design },
        { at: 0, type: 'scanner', server: 'Beta', design },
        { at: 1000, type: 'save', server: 'Alpha', db: 'd', unid: U, by: 'user/a', set: { S: '1', $FILE: [{ name: 'a.doc' }] } },
        { at: 20_000, type: 'scan', server: 'Beta', kind: 'scheduled' },
        { at: 30_000, type: 'scan', server: 'Alpha', kind: 'scheduled' },
        { at: 40_000, type: 'end' },
      ];
      const log = join(dir, `${design}.jsonl`);
      writeFileSync(log, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
      const report = join(dir, `${design}.html`);
      expect((await runCli(['replay', log, '--report', report])).code).toBe(0);
      const text = readFileSync(report, 'utf8').replaceAll('<wbr>', '');
      return [...text.matchAll(/<td class="wrap">scheduled scan on (\w+)<\/td><td class="wrap[^"]*">([^<]*)<\/td>/g)].map((m) => [m[1], m[2]]);
    };
    const aware = await stepsOf('cluster-aware');
    expect(aware[0]).toEqual(['Beta', 'no change; the scan did not run: scanner/cluster-aware runs no scheduled pass on Beta (cluster-aware runs them on its cluster&#39;s first member by name)']);
    expect(aware[1]![0]).toBe('Alpha');
    expect(aware[1]![1]).not.toContain('did not run');
    expect((await stepsOf('noop')).map((x) => x[1])).toEqual(['no change; the scan did not run: scanner/noop runs no scheduled pass on Beta', 'no change; the scan did not run: scanner/noop runs no scheduled pass on Alpha']);
    const stamped = await stepsOf('smsdom');
    expect(stamped).toHaveLength(2);
    expect(stamped.every((x) => !x[1]!.includes('did not run'))).toBe(true);
  });

  it('R12/R14: the report of an explore storm log marks its loop: the last two laps\' rows, labelled lap 1 and lap 2, and the lines of each (the report showed the steps with nothing to say which were the loop: noticed by a session, left, then done)', async () => {
    const out = mkdtempSync(join(tmp, 'storm-steps-'));
    const res = await runCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--set', 'keys=per-server', '--set', 'config=scanReplicatedWrites=true', '--depth', '6', '--invariant', 'no-scanner-revision', '--out', out, '--json']);
    const storm = parse(res.stdout)['storm'] as { loopStart: number; loopLength: number; log: string };
    expect(storm.loopLength).toBe(2);
    const header = JSON.parse(readFileSync(storm.log, 'utf8').split('\n')[0]!) as { meta: { setupInputs: number } };
    // Step k of the path is the log's line setupInputs + 1 + k (line 1 is the header); the loop is run twice.
    const first = header.meta.setupInputs + 1 + storm.loopStart;
    const report = join(out, 'storm.html');
    expect((await runCli(['replay', storm.log, '--report', report])).code).toBe(0);
    const html = readFileSync(report, 'utf8').replaceAll('<wbr>', '');
    const table = html.slice(html.indexOf('<table class="data steps"'), html.indexOf('</table>', html.indexOf('<table class="data steps"')));
    const laps = [...table.matchAll(/<tr class="lap(\d)"><td class="num">(\d+)<\/td><td class="num">[^<]*<\/td><td class="num">([^<]*)<\/td><td class="wrap">([^<]*)<\/td>/g)].map((m) => [Number(m[1]), Number(m[2]), m[3], m[4]]);
    expect(laps).toEqual([
      [1, first, 'lap 1, 1 of 2', expect.stringMatching(/^cluster push /)],
      [1, first + 1, 'lap 1, 2 of 2', expect.stringMatching(/^cluster push /)],
      [2, first + 2, 'lap 2, 1 of 2', laps[0]![3]],
      [2, first + 3, 'lap 2, 2 of 2', laps[1]![3]],
    ]);
    expect(html).toContain(`The storm's loop: lines ${first} and ${first + 1}, then the same actions again (lines ${first + 2} and ${first + 3}).`);
    // A recording of it (derived lines between the inputs): the laps' own input lines, not a range that takes in
    // the derived lines between them (a review: "lines 20-25" for a loop of 2 steps).
    const recording = join(out, 'storm.rec.jsonl');
    expect((await runCli(['replay', storm.log, '--record', recording])).code).toBe(0);
    const recReport = join(out, 'storm-rec.html');
    expect((await runCli(['replay', recording, '--report', recReport])).code).toBe(0);
    const recLines = readFileSync(recording, 'utf8').split('\n');
    const pushLines = recLines.flatMap((l, i) => (l.includes('"type":"push"') ? [i + 1] : [])).slice(-4);
    expect(readFileSync(recReport, 'utf8').replaceAll('<wbr>', '')).toContain(`The storm's loop: lines ${pushLines[0]} and ${pushLines[1]}, then the same actions again (lines ${pushLines[2]} and ${pushLines[3]}).`);
    // Rows before the loop have an empty Loop cell.
    expect(table).toContain(`<tr><td class="num">${first - 1}</td><td class="num">`);
    // A header that no longer says where the loop is (edited: the claim cannot be reproduced) labels no rows.
    const lines = readFileSync(storm.log, 'utf8').split('\n');
    const edited = join(out, 'edited.jsonl');
    writeFileSync(edited, [lines[0]!.replace('a loop of 2 steps', 'a loop of 1 step'), ...lines.slice(1)].join('\n'));
    const editedReport = join(out, 'edited.html');
    await runCli(['replay', edited, '--report', editedReport]);
    const plain = readFileSync(editedReport, 'utf8');
    expect(plain).toContain('<h2 id="h-steps">Steps</h2>');
    expect(plain).not.toContain('<th class="num">Loop</th>');
    expect(plain).not.toContain("The storm's loop");
  });

  it('R1: the report\'s steps give each input the revision its own save made, in its row, and the log\'s own line numbers with --record too (a review: under --record they were the recording\'s lines, 28 for a 14-line log)', async () => {
    const rowsOf = (file: string) => {
      const html = readFileSync(file, 'utf8').replaceAll('<wbr>', '');
      const at = html.indexOf('<table class="data steps"');
      expect(at).toBeGreaterThan(0);
      return [...html.slice(at, html.indexOf('</table>', at)).matchAll(/<tr><td class="num">(\d+)<\/td><td class="num">[^<]*<\/td><td class="wrap">([^<]*)<\/td><td class="wrap[^"]*">([^<]*)<\/td><\/tr>/g)].map((m) => [Number(m[1]), m[2]!, m[3]!]);
    };
    const plain = join(tmp, 'steps-plain.html');
    const recorded = join(tmp, 'steps-recorded.html');
    expect((await runCli(['replay', EXAMPLE_LOG, '--report', plain])).code).toBe(0);
    expect((await runCli(['replay', EXAMPLE_LOG, '--record', join(tmp, 'steps-rec.jsonl'), '--report', recorded])).code).toBe(0);
    const rows = rowsOf(plain);
    // One row per input of the 14-line log (lines 2-14), by the log's own numbers, with or without --record.
    expect(rows.map((r) => r[0])).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(rowsOf(recorded)).toEqual(rows);
    // Line 6, the first save: its own revision is in its row (derived while the input is applied), not the next one's.
    const first = rows.find((r) => r[0] === 6)!;
    expect(first[1]).toBe('save by user/carol on Alpha (mail/ann.nsf 00000000000000000000000005E7D001)');
    expect(first[2]).toMatch(/^user\/carol saved 00000000000000000000000005E7D001 on Alpha \(seq 1\)/);
    expect(rows.find((r) => r[0] === 7)![2]).not.toContain('05E7D001 on Alpha (seq 1)');
  });

  it('R16: compare --max-scanner-revisions 0 cuts each row at its first scanner revision, as run and replay take 0 (compare alone refused it, its footnote printing a run command with 0 that run took)', async () => {
    const res = await runCli(['compare', 'noop', 'smsdom', '--set', 'databases=1', '--set', 'docs=2', '--max-scanner-revisions', '0', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const rows = (JSON.parse(res.stdout) as { rows: { design: string; scannerRevisions: number; cutShort?: number }[] }).rows;
    expect(rows.map((r) => [r.design, r.scannerRevisions, r.cutShort !== undefined])).toEqual([['noop', 0, false], ['smsdom', 1, true]]);
    const text = await runCli(['compare', 'noop', 'smsdom', '--set', 'databases=1', '--set', 'docs=2', '--max-scanner-revisions', '0']);
    expect(text.stdout).toContain('* smsdom: cut short after 1 scanner revision at ');
  });

  it('compare: a row that leaves infected copies no scan reached says how many, in a column "infected left" where any row leaves some (noop showed "missed 0" beside 8 infected copies, as if it were as safe as smsdom; then a note below the table said it, which a researcher\'s QA pass did not see)', async () => {
    const args = ['compare', 'noop', 'smsdom', '--set', 'databases=1', '--set', 'docs=4', '--set', 'infectedShare=1'];
    const res = await runCli(args);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^design +scans +skipped +scanner revisions +replicated +conflicts +quiescent +missed +infected left$/m);
    expect(res.stdout).toMatch(/^noop .* 0 +8$/m);
    expect(res.stdout).toMatch(/^smsdom .* 0 +0$/m);
    expect(res.stdout).toContain('; document copies still holding an infected attachment at the end (a row cut short: at its cut, an upper bound), whether a scan passed them or none reached them');
    // None left: the table keeps its columns.
    const clean = await runCli(['compare', 'smsdom', '--set', 'databases=1', '--set', 'docs=4', '--set', 'infectedShare=1']);
    expect(clean.stdout).not.toContain('infected left');
    const rows = (JSON.parse((await runCli([...args, '--json'])).stdout) as { rows: { design: string; infectionsMissed: number; infectedCopiesLeft: number }[] }).rows;
    expect(rows.map((r) => [r.design, r.infectionsMissed, r.infectedCopiesLeft])).toEqual([['noop', 0, 8], ['smsdom', 0, 0]]);
  });

  it('compare: a row of the same design, configuration (its defaults filled in) and settings as an earlier row is said to be one run twice (a CLI QA pass: smsdom and smsdom:sso=true, sso true by default, read as two opinions)', async () => {
    const res = await runCli(['compare', 'smsdom', 'smsdom:sso=true', 'smsdom:sso=false', '--set', 'databases=1', '--set', 'docs=2']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('\n- smsdom:sso=true: the same design, configuration and settings as smsdom (its defaults filled in): one run twice');
    expect(res.stdout).not.toContain('- smsdom:sso=false:');
  });

  it('R6: compare with userDeletes has a column of the deleted documents back where they were deleted, of those each run deleted, and its legend; rows give documentsDeleted and deletionsUndone under --json; without deletions the table keeps its columns', async () => {
    const args = ['compare', 'sso-mail-only', 'noop', '--set', 'databases=2', '--set', 'docs=20', '--set', 'userDeletes=30', '--set', 'userEditsPerHour=3000', '--set', 'seed=1'];
    const res = await runCli(args);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^design +scans +skipped +scanner revisions +replicated +conflicts +quiescent +missed +deleted back$/m);
    expect(res.stdout).toMatch(/^sso-mail-only .* 6\/30$/m);
    expect(res.stdout).toMatch(/^noop .* 0\/30$/m);
    expect(res.stdout).toContain('; deleted documents back where they were deleted at the end, of those the run deleted (R6: ');
    const rows = (JSON.parse((await runCli([...args, '--json'])).stdout) as { rows: { design: string; documentsDeleted: number; deletionsUndone: number }[] }).rows;
    expect(rows.map((r) => [r.design, r.documentsDeleted, r.deletionsUndone])).toEqual([['sso-mail-only', 30, 6], ['noop', 30, 0]]);
    // Asked for, the column stands even where a row's run made no deletion (cut short before the first: a QA pass).
    const cut = await runCli(['compare', 'smsdom', '--set', 'databases=2', '--set', 'docs=5', '--set', 'userDeletes=3', '--max-scanner-revisions', '0']);
    expect(cut.stdout).toMatch(/^smsdom .* 0\/0 \*$/m);
    const plain = await runCli(['compare', 'noop', '--set', 'databases=1', '--set', 'docs=2']);
    expect(plain.stdout).not.toContain('deleted back');
    expect(plain.stdout).not.toContain('deleted documents back');
  });

  it('R16/R13: compare counts what noop is handed and passes unscanned (mail, forwards) as skipped, and its legend says a design that does not scan skips too (it said "avoided by a tag or cache", which noop has neither of)', async () => {
    const res = await runCli(['compare', 'noop', '--set', 'databases=1', '--set', 'docs=4', '--set', 'forwards=6', '--set', 'infectedShare=0.5']);
    expect(res.code, res.stderr).toBe(0);
    const row = res.stdout.split('\n').find((l) => l.startsWith('noop '))!;
    expect(row.trim().split(/ +/).slice(1, 3)).toEqual(['0', '6']);
    expect(res.stdout).toContain('columns: scans performed / skipped (not scanned: a verified tag, a cache, or a design that does not scan, noop;');
    expect(res.stdout).not.toContain('avoided by a tag or cache');
  });

  it('verify: a random case the engine\'s work budget refuses ends with exit 2, no verdict, its seed and --max-work named; --max-work bounds every case (an operator\'s QA pass: the engine\'s bare message, and no such option)', async () => {
    // (The QA case, a schedule of every millisecond over a case's 2-hour run, passes the default 1,000,000 periodic
    // actions after about 10 s; the same refusal comes at once from a budget of 5 pieces of work between two inputs,
    // which also shows that the option reaches the cases.)
    const out = mkdtempSync(join(tmp, 'work-'));
    const small = await runCli(['verify', 'smsdom', '--runs', '2', '--seed', '1', '--max-work', '5', '--out', out]);
    expect(small.code, small.stderr).toBe(2);
    expect(small.stderr).toMatch(/^replstorm: verify smsdom, seed 1: a random case was refused, so no verdict: the run would take more than 5 pieces of engine work .*; --max-work N allows more/);
    expect(small.stdout).toBe('');
    expect(readdirSync(out)).toEqual([]);
    expect((await runCli(['verify', 'smsdom', '--max-work', 'x'])).code).toBe(2);
  });

  it('verify --help says which promises change the verdict: readOnlyKinds does; quiescence and no-scanner-conflicts are checked for every design (it said the suite holds a design to quiescent and noConflicts, as if an unpromised one were excused)', async () => {
    const res = await runCli(['verify', '--help']);
    expect(res.code).toBe(0);
    const text = res.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('its readOnlyKinds are the scans the read-only invariant holds it to');
    expect(text).toContain('quiescence and no-scanner-conflicts hold every design to them whether it promises quiescent and noConflicts or not');
    // What that says is what the suite does: smsdom promises neither, and is held to no-scanner-conflicts.
    const v = await runCli(['verify', 'smsdom', '--runs', '30', '--seed', '1', '--json', '--out', join(tmp, 'promises-cex')]);
    const inv = (JSON.parse(v.stdout) as { invariants: { name: string; status: string }[] }).invariants;
    expect(inv.find((i) => i.name === 'no-scanner-conflicts')!.status).toBe('violated');
    expect(inv.find((i) => i.name === 'read-only')!.status).toBe('not-applicable');
  });

  it('replay --design NAME=path for a design the log never installs: a warning naming the log\'s designs (it ran without a word: a researcher\'s QA pass); none when --what-if uses it', async () => {
    const design = 'mine=examples/designs/stamp-if-missing.ts';
    const unused = await runCli(['replay', '--design', design, EXAMPLE_LOG]);
    expect(unused.code, unused.stderr).toBe(0);
    expect(unused.stderr).toContain(`warning: --design ${design}: the log installs no design "mine" (its scanners: smsdom), so it was not used; --what-if mine replays the log's inputs with it`);
    const used = await runCli(['replay', '--design', design, '--what-if', 'mine', EXAMPLE_LOG]);
    expect(used.code, used.stderr).toBe(0);
    expect(used.stderr).not.toContain('warning');
    // The recording is the log's own run: its replay hint names no module the what-if alone used (it did, and that
    // replay then warned: a review).
    const record = join(tmp, 'what-if-recorded.jsonl');
    const recorded = await runCli(['replay', '--design', design, '--what-if', 'mine', '--record', record, EXAMPLE_LOG]);
    expect(recorded.stdout).toContain(`(replay it: replstorm replay ${record})`);
  });

  it('verify --help says where writing a design is explained, and what it names exists (a researcher\'s QA pass: no word of it)', async () => {
    const text = (await runCli(['verify', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(text).toContain('Writing a design: a module whose default export (or export named design) is {name, description, defaults, scan(ctx)}');
    expect(text).toContain('examples/designs/stamp-if-missing.ts');
    expect(existsSync(join(REPO_ROOT, 'examples/designs/stamp-if-missing.ts'))).toBe(true);
    expect(text).toContain('README, "Writing a design"');
    expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).toContain('\n### Writing a design\n');
  });

  it.each([
    ['', 'its name is empty'],
    ['a=b', 'its name "a=b" has a "="'],
  ])('verify refuses a module named %j before running it (its counterexample was written but could not be replayed: a log refuses design "", and --design NAME=path splits at the first "=")', async (name, message) => {
    const mod = join(tmp, `named-${name.length}.mjs`);
    writeFileSync(mod, `export default { name: ${JSON.stringify(name)}, description: 'x', defaults: {}, scan: () => ({ verdict: 'clean' }) };\n`);
    const out = join(tmp, `named-out-${name.length}`);
    const res = await runCli(['verify', mod, '--runs', '2', '--seed', '1', '--out', out]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${mod}: the design cannot be replayed by name: ${message}`);
    expect(existsSync(out)).toBe(false);
  });

  it('a limit that stops a generated run is named as the limit given, for the scenario (not a hidden line)', async () => {
    const res = await runCli(['run', 'smsdom-storm', '--set', 'docs=2', '--set', 'databases=1', '--max-work', '10']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('more than 10 pieces of engine work');
    expect(res.stderr).toContain('run smsdom-storm:');
    expect(res.stderr).not.toContain('<input>');
    // The refusal says which option raises the budget.
    expect(res.stderr).toContain('--max-work N allows more');
  });

  it('--max-work raises the periodic-action budget too (a dense schedule was refused at 1,000,000 periodic actions whatever --max-work said, and nothing named the option)', async () => {
    // A connection every millisecond for 400 s: 1,200,000 periodic actions (each firing and its two transfers).
    const log = join(tmp, 'dense-connection.jsonl');
    writeFileSync(log, [
      '{"replog":1,"meta":{}}',
      '{"at":0,"type":"server","name":"A"}',
      '{"at":0,"type":"server","name":"B"}',
      '{"at":0,"type":"database","name":"d","replicas":["A","B"]}',
      '{"at":0,"type":"connection","server":"A","partner":"B","everyMs":1}',
      '{"at":400000,"type":"heal"}',
      '',
    ].join('\n'));
    const refused = await runCli(['replay', log]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${log}:6:2: the run would take more than 1,000,000 periodic actions`);
    expect(refused.stderr).toContain('--max-work N allows more');
    const ran = await runCli(['replay', log, '--max-work', '2000000', '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    expect((JSON.parse(ran.stdout) as { stopped: string }).stopped).toBe('idle');
  });

  it('an event the engine refuses (an undefined server) is located at the field it names, not at column 1', async () => {
    const save = '{"at":5,"type":"save","server":"Gamma","db":"d","unid":"0000000000000000000000000000000A","by":"user/u"}';
    const file = join(tmp, 'undefined-server.jsonl');
    writeFileSync(file, `{"replog":1,"meta":{}}\n{"at":0,"type":"server","name":"A"}\n{"at":0,"type":"database","name":"d","replicas":["A"]}\n${save}\n`);
    const res = await runCli(['replay', file]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`${file}:4:${save.indexOf('"server"') + 1}: field "server": server "Gamma" is not defined (a "server" event must come first)\n`);
    // The top-level key, not an item of the same name inside `set` (before it on the line).
    const nested = '{"at":5,"type":"save","set":{"server":"x \\" \\"server\\":"},"server":"Gamma","db":"d","unid":"0000000000000000000000000000000A","by":"user/u"}';
    writeFileSync(file, `{"replog":1,"meta":{}}\n{"at":0,"type":"server","name":"A"}\n{"at":0,"type":"database","name":"d","replicas":["A"]}\n${nested}\n`);
    const again = await runCli(['replay', file]);
    expect(again.stderr).toContain(`${file}:4:${nested.lastIndexOf('"server"') + 1}: field "server"`);
  });

  it('a recording with a derived line deleted before an input is refused at that input (the line is missing there), not at the next derived line', async () => {
    const rec = join(tmp, 'rec-deleted.jsonl');
    expect((await runCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=5', '--set', 'horizonMs=3600000', '--record', rec])).code).toBe(0);
    const lines = readFileSync(rec, 'utf8').split('\n');
    const isDerived = (l: string | undefined) => l !== undefined && /"type":"(revised|replicated|conflict|session|scanned)"/.test(l);
    // A derived line after the first (the file is then known to be a recording) whose next line is an input of a later
    // time (within one instant, derived lines may follow the instant's inputs).
    const first = lines.findIndex(isDerived);
    const atOf = (l: string) => (JSON.parse(l) as { at: number }).at;
    const i = lines.findIndex((l, k) => k > first && isDerived(l) && lines[k + 1] !== undefined && lines[k + 1] !== '' && !isDerived(lines[k + 1]) && atOf(lines[k + 1]!) > atOf(l));
    expect(i).toBeGreaterThan(first);
    lines.splice(i, 1);
    writeFileSync(rec, lines.join('\n'));
    const res = await runCli(['replay', rec]);
    expect(res.code).toBe(1);
    // Line i + 1 (1-based) is now the input that followed the deleted line.
    expect(res.stderr.startsWith(`${rec}:${i + 1}:1: the recorded derived events disagree with the engine: the engine derives `)).toBe(true);
    expect(res.stderr).toContain('and the file has no such line before it: a derived line is missing here');
  });

  it('a recording with its last derived line before `end` deleted, in a run with scheduled work, is refused at the `end` line (not at a line past the file)', async () => {
    // The run paused where it would stop, its last derived lines waiting for an input: the missing line was checked
    // only on the plain path, and said at line 38 of a 37-line file, "the file ends" (an operator's QA pass).
    const rec = join(tmp, 'rec-before-end.jsonl');
    expect((await runCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=1', '--record', rec])).code).toBe(0);
    const lines = readFileSync(rec, 'utf8').split('\n').filter((l) => l !== '');
    const end = lines.length - 1;
    expect(JSON.parse(lines[end]!)).toMatchObject({ type: 'end' });
    const gone = JSON.parse(lines[end - 1]!) as { at: number; type: string };
    expect(['revised', 'replicated', 'conflict', 'session', 'scanned']).toContain(gone.type);
    lines.splice(end - 1, 1);
    writeFileSync(rec, `${lines.join('\n')}\n`);
    const res = await runCli(['replay', rec]);
    expect(res.code).toBe(1);
    // The `end` line is now line `end` (1-based): the header is line 1.
    expect(res.stderr.startsWith(`${rec}:${end}:1: the recorded derived events disagree with the engine: the engine derives {"at":${gone.at},"type":"${gone.type}"`)).toBe(true);
    expect(res.stderr).toContain('before this input (end at');
    expect(res.stderr).toContain('a derived line is missing here');
  });

  it('a recording whose derived lines of an instant follow a later input of that same instant conforms ([choice] in simulateStream.ts: file order within an instant is not fixed for derived lines; event-log.md: events with the same `at` happen in file order)', async () => {
    const unid = (n: number) => `0000000000000000000000000000000${n}`;
    const lines = [
      '{"replog":1,"meta":{}}',
      '{"at":0,"type":"server","name":"Alpha"}',
      '{"at":0,"type":"database","name":"d.nsf","replicas":["Alpha"]}',
      // A derived line first: the file is a recording from here on.
      `{"at":5,"type":"save","server":"Alpha","db":"d.nsf","unid":"${unid(3)}","by":"user/ann","set":{"Subject":"c"}}`,
      `{"at":5,"type":"revised","server":"Alpha","db":"d.nsf","unid":"${unid(3)}","seq":1,"seqTime":5,"items":["Subject"],"by":"user/ann","cause":4}`,
      `{"at":10,"type":"save","server":"Alpha","db":"d.nsf","unid":"${unid(1)}","by":"user/ann","set":{"Subject":"a"}}`,
      `{"at":10,"type":"save","server":"Alpha","db":"d.nsf","unid":"${unid(2)}","by":"user/ann","set":{"Subject":"b"}}`,
      // Line 6's revision, written after line 7's input of the same instant.
      `{"at":10,"type":"revised","server":"Alpha","db":"d.nsf","unid":"${unid(1)}","seq":1,"seqTime":10,"items":["Subject"],"by":"user/ann","cause":6}`,
      `{"at":10,"type":"revised","server":"Alpha","db":"d.nsf","unid":"${unid(2)}","seq":1,"seqTime":10,"items":["Subject"],"by":"user/ann","cause":7}`,
      '{"at":100,"type":"end"}',
    ];
    const rec = join(tmp, 'rec-same-instant.jsonl');
    writeFileSync(rec, `${lines.join('\n')}\n`);
    const res = await runCli(['replay', rec]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('3 derived events checked: the engine agrees');
  });

  it('a recording whose last derived lines were cut off is refused after its last line: the engine derives more (event-log.md: the engine reports the first line where the file and the engine disagree)', async () => {
    const rec = join(tmp, 'rec-cut.jsonl');
    expect((await runCli(['replay', EXAMPLE_LOG, '--record', rec])).code).toBe(0);
    // Inputs kept, every derived line after the last input dropped.
    const lines = readFileSync(rec, 'utf8').split('\n').filter((l) => l !== '');
    const isDerived = (l: string) => /"type":"(revised|replicated|conflict|session|scanned)"/.test(l);
    const lastInput = lines.map((l, k) => (isDerived(l) ? -1 : k)).reduce((a, b) => Math.max(a, b));
    expect(lines.slice(lastInput + 1).some(isDerived)).toBe(true);
    const kept = lines.slice(0, lastInput + 1);
    expect(kept.some(isDerived)).toBe(true); // still a recording
    writeFileSync(rec, `${kept.join('\n')}\n`);
    const res = await runCli(['replay', rec]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`^${rec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${kept.length + 1}:1: .*the file ends, but the engine derives \\{`));
  });

  it('a recording with two derived lines of different documents swapped says a line is missing, extra or out of order, not which fields differ', async () => {
    const rec = join(tmp, 'rec-swapped.jsonl');
    expect((await runCli(['replay', EXAMPLE_LOG, '--record', rec])).code).toBe(0);
    const lines = readFileSync(rec, 'utf8').split('\n');
    const unidOf = (l: string) => /"unid":"([0-9A-F]{32})"/.exec(l)?.[1];
    // Two adjacent derived lines of one type and other documents.
    const i = lines.findIndex((l, k) => {
      const m = /"type":"(revised|replicated|scanned)"/.exec(l);
      const next = lines[k + 1];
      return m !== null && next !== undefined && next.includes(`"type":"${m[1]}"`) && unidOf(next) !== unidOf(l);
    });
    expect(i).toBeGreaterThan(0);
    [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
    writeFileSync(rec, lines.join('\n'));
    const res = await runCli(['replay', rec]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`${rec}:${i + 1}:`);
    expect(res.stderr).toContain('a derived line is missing, extra or out of order here');
    expect(res.stderr).not.toContain('the file differs in');
  });

  it('--blame of a run in which nothing was written says so, as the report does (two empty tables read as output cut off: an operator\'s QA pass)', async () => {
    const log = join(tmp, 'nothing-written.jsonl');
    writeFileSync(log, readFileSync(EXAMPLE_LOG, 'utf8').split('\n').slice(0, 3).join('\n') + '\n');
    const res = await runCli(['replay', log, '--blame']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.endsWith('\nBlame by actor\n  no actor wrote anything: no revision to blame\n')).toBe(true);
  });

  it('a recording that disagrees names the fields that differ', async () => {
    const rec = join(tmp, 'rec-differs.jsonl');
    expect((await runCli(['replay', EXAMPLE_LOG, '--record', rec])).code).toBe(0);
    copyFileSync(rec, join(tmp, 'rec-differs-ok.jsonl'));
    const lines = readFileSync(rec, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('"type":"replicated"'));
    lines[i] = lines[i]!.replace(/"seq":(\d+)/, (_, n: string) => `"seq":${Number(n) + 1}`);
    writeFileSync(rec, lines.join('\n'));
    const res = await runCli(['replay', rec]);
    expect(res.code).toBe(1);
    // `file:line:column: message` exactly, as a bad line's (an editor or CI jumps to it): no program prefix. The column
    // is the differing field's key (it was 1).
    const column = lines[i]!.indexOf('"seq":') + 1;
    expect(res.stderr.startsWith(`${rec}:${i + 1}:${column}: the recorded derived events disagree with the engine`), res.stderr).toBe(true);
    expect(res.stderr).toContain('(the file differs in seq)');
    // The summary on standard output says it too (it read as a clean replay with standard error sent elsewhere: an
    // operator's QA pass).
    expect(res.stdout).toContain(`\n  recording     DISAGREES with the engine at line ${i + 1}, column ${column}: the figures above are the engine's, not the file's\n`);
    expect(res.stdout).not.toContain('the engine agrees');
    // --json says the same on standard output (event-log.md's summary, then `recording`): a program need not parse stderr.
    const json = await runCli(['replay', rec, '--json']);
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout) as { recording?: { checked: number; mismatch?: { line: number; column: number; message: string } } };
    expect(out.recording?.mismatch).toEqual({ line: i + 1, column, message: expect.stringContaining('(the file differs in seq)') });
    expect(out.recording!.checked).toBeGreaterThan(0);
    // A recording the engine agrees with: checked, no mismatch; an input log: no `recording` at all.
    const agreeing = JSON.parse((await runCli(['replay', join(tmp, 'rec-differs-ok.jsonl'), '--json'])).stdout) as typeof out;
    expect(agreeing.recording?.mismatch).toBeUndefined();
    expect(agreeing.recording?.checked).toBeGreaterThan(0);
    expect((JSON.parse((await runCli(['replay', EXAMPLE_LOG, '--json'])).stdout) as typeof out).recording).toBeUndefined();
  });

  it('a log\'s first error is named first: an unknown replica on line 7 before a bad number on line 9 that the reader refuses (it named line 9, then 7, then 8: three rounds for an operator); a partition listing a server twice in one group says so', async () => {
    const dir = mkdtempSync(join(tmp, 'order-'));
    const head = [
      '{"replog":1,"meta":{}}',
      '{"at":0,"type":"server","name":"Alpha"}',
      '{"at":0,"type":"server","name":"Beta"}',
      '{"at":0,"type":"database","name":"a.nsf","replicas":["Alpha"]}',
      '{"at":0,"type":"database","name":"b.nsf","replicas":["Alpha","Beta"]}',
      '{"at":1,"type":"save","server":"Alpha","db":"a.nsf","unid":"0123456789ABCDEF0123456789ABCDEF","by":"user/a","set":{"F":1}}',
    ];
    const file = join(dir, 'order.jsonl');
    writeFileSync(file, `${[...head, '{"at":2,"type":"replicate","server":"Alpha","partner":"Beta","db":"a.nsf"}', '{"at":3,"type":"replicate","server":"Alpha","partner":"Alpha"}', '{"at":4,"type":"connection","server":"Alpha","partner":"Beta","everyMs":0}'].join('\n')}\n`);
    for (const args of [['replay', file], ['replay', file, '--strict']]) {
      const res = await runCli(args);
      expect(res.code).toBe(2);
      expect(res.stderr, args.join(' ')).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:7:\\d+: field "db": database "a.nsf": server "Beta" holds no replica of it\\n$`));
    }
    const twice = join(dir, 'twice.jsonl');
    writeFileSync(twice, `${[...head, '{"at":2,"type":"partition","groups":[["Alpha","Alpha"],["Beta"]]}'].join('\n')}\n`);
    expect((await runCli(['replay', twice])).stderr).toContain('field "groups": server "Alpha" is listed twice in group 1');
    writeFileSync(twice, `${[...head, '{"at":2,"type":"partition","groups":[["Alpha"],["Beta","Alpha"]]}'].join('\n')}\n`);
    expect((await runCli(['replay', twice])).stderr).toContain('field "groups": server "Alpha" is in more than one group (1 and 2)');
  });

  it('R1: a recording rewritten with every object\'s keys sorted (jq -S) still agrees: a save\'s `set` order means nothing, so `revised.items` are compared as names in any order (an operator\'s review: exit 1, "the file differs in items"); another name still differs', async () => {
    const rec = join(tmp, 'rec-sorted-keys.jsonl');
    expect((await runCli(['replay', EXAMPLE_LOG, '--record', rec])).code).toBe(0);
    const sortKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(sortKeys) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])])) : v;
    const original = readFileSync(rec, 'utf8');
    const sorted = original.split('\n').map((l) => (l === '' ? l : JSON.stringify(sortKeys(JSON.parse(l))))).join('\n');
    expect(sorted).not.toBe(original);
    // A save of several items whose `set` order is not the names' order (Subject, From, $FILE): the case that failed.
    expect(original).toMatch(/"type":"save".*"set":\{"Subject":/);
    writeFileSync(rec, sorted);
    const res = await runCli(['replay', rec, '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect((JSON.parse(res.stdout) as { recording?: { checked: number; mismatch?: unknown } }).recording).toMatchObject({ checked: expect.any(Number) });
    expect((JSON.parse(res.stdout) as { recording: { mismatch?: unknown } }).recording.mismatch).toBeUndefined();
    // A recorded name changed (not only moved) is a disagreement, named by its field.
    const i = original.split('\n').findIndex((l) => l.includes('"type":"revised"') && l.includes('"items":["Subject","From","$FILE"]'));
    expect(i).toBeGreaterThan(0);
    writeFileSync(rec, original.split('\n').map((l, k) => (k === i ? l.replace('"items":["Subject","From","$FILE"]', '"items":["Subject","Body","$FILE"]') : l)).join('\n'));
    const changed = await runCli(['replay', rec]);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('(the file differs in items)');
  });

  it('replstorm with no command prints the help on stderr and exits 2 (bad usage)', async () => {
    const res = await runCli([]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('Usage: replstorm');
  });

  it('option help shows no "(default: [])" for repeatable options', async () => {
    for (const c of ['run', 'compare', 'explore', 'replay', 'verify', 'designs']) expect((await runCli([c, '--help'])).stdout, c).not.toContain('(default: [])');
  });

  it('a leading -- (pnpm passes it through) is ignored', async () => {
    expect(await runCli(['--', 'scenarios'])).toEqual(await runCli(['scenarios']));
    expect(await runCli(['--', '--version'])).toEqual(await runCli(['--version']));
    const a = await runCli(['--', 'replay', EXAMPLE_LOG, '--json']);
    expect(a.code).toBe(0);
    expect(a).toEqual(await runCli(['replay', EXAMPLE_LOG, '--json']));
  });

  it('in-process calls do not leak the previous replay\'s file into a later error', async () => {
    await runCli(['replay', EXAMPLE_LOG, '--json']);
    const res = await runCli(['run', 'smsdom-storm', '--set', 'databases=abc']);
    expect(res.code).toBe(2);
    expect(res.stderr).not.toContain(EXAMPLE_LOG);
  });
});

describe('options refused as the user typed them (a QA pass)', () => {
  it.each([
    [['run', 'smsdom-storm', '--set', 'config=sso']],
    [['run', 'smsdom-storm', '--set', 'design=scan-cache', '--set', 'config=scanMsPerDoc']],
    [['explore', 'smsdom-storm', '--set', 'config=sso']],
  ])('R16: a design configuration in --set config= that is not key=value names the parameter "config", not the design: %j', async (args) => {
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    const given = args.find((a) => a.startsWith('config='))!;
    expect(res.stderr).toBe(`replstorm: --set ${given}: parameter "config": expected key=value, got "${given.slice('config='.length)}"\n`);
  });

  it.each([
    [['replay', EXAMPLE_LOG, '--what-if', 'noop', '--what-if', 'smsdom:ignoreSsoOnScheduled=true'], '(noop, smsdom:ignoreSsoOnScheduled=true)'],
    [['replay', EXAMPLE_LOG, '--what-if', 'noop', '--what-if', 'noop'], '(noop, noop)'],
    [['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=1', '--what-if', 'noop', '--what-if', 'scan-cache'], '(noop, scan-cache)'],
  ])('R16: --what-if given twice is refused (the last one won silently): %j', async (args, listed) => {
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`replstorm: --what-if is given 2 times ${listed}:`);
    expect(res.stderr).toContain('give --what-if once');
  });

  it.each([
    [['run', 'smsdom-storm', '--set', 'docs=1', '--set', 'databases=1', '--set', 'docs=2'], '--set docs=1 and --set docs=2: the parameter "docs" is given twice'],
    [['run', 'smsdom-storm', '--set', 'docs=1', '--set', 'docs=1'], '--set docs=1 and --set docs=1: the parameter "docs" is given twice'],
    [['compare', 'noop', '--set', 'docs=1', '--set', 'docs=2'], '--set docs=1 and --set docs=2: the parameter "docs" is given twice'],
    [['explore', 'smsdom-storm', '--set', 'config=sso=true', '--set', 'config=scanMsPerDoc=5'], '--set config=sso=true and --set config=scanMsPerDoc=5: the parameter "config" is given twice'],
  ])('R16: a scenario parameter given twice in --set is refused, naming both (the last one won silently): %j', async (args, mentions) => {
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(`replstorm: ${mentions}; give it once\n`);
  });

  it.each([
    [['replay', EXAMPLE_LOG, '--what-if', 'smsdom:sso=true,sso=false'], '--what-if smsdom:sso=true,sso=false: the configuration of "smsdom": "sso" is given twice (true, then false)'],
    [['verify', 'smsdom', '--config', 'sso=true, sso=true', '--runs', '1'], '--config sso=true, sso=true: "sso" is given twice (true, then true)'],
    [['run', 'smsdom-storm', '--set', 'docs=1', '--set', 'config=scanMsPerDoc=5,scanMsPerDoc=6'], '--set config=scanMsPerDoc=5,scanMsPerDoc=6: parameter "config": "scanMsPerDoc" is given twice (5, then 6)'],
  ])('R16: a key given twice in a design\'s settings (design:key=value,...) is refused, naming both values (the last one won silently): %j', async (args, message) => {
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(`replstorm: ${message}: give it once\n`);
  });

  it.each([
    [['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=1', '--set', 'scanOffsetsMs=0,7000,9000'], 'run smsdom-storm: parameter "scanOffsetsMs": expected at most 2 values'],
    [['run', 'smsdom-storm', '--set', 'servers=1', '--set', 'scanOffsetsMs=0,7000'], 'run smsdom-storm: parameter "scanOffsetsMs": expected at most 1 value'],
    [['compare', 'noop', '--set', 'databases=1', '--set', 'docs=1', '--set', 'scanOffsetsMs=0,1,2,3'], 'compare on smsdom-storm: parameter "scanOffsetsMs": expected at most 2 values'],
  ])('R16: scanOffsetsMs with more values than servers is refused, saying how many were expected (they were ignored): %j', async (args, mentions) => {
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`replstorm: ${mentions}, one per server`);
  });
});

describe('explore --invariant given twice', () => {
  it('is refused, as a --set key or a --design name given twice is (it was searched for once and listed twice in --json\'s options)', async () => {
    const res = await runCli(['explore', 'smsdom-storm', '--depth', '1', '--invariant', 'no-conflict', '--invariant', 'no-scanner-revision', '--invariant', 'no-conflict', '--json']);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('replstorm: --invariant no-conflict is given twice: give each invariant once\n');
  });

  it('design-runs beside another invariant is taken, and needs nothing: every search checks it (it was refused there: a review)', async () => {
    const res = await runCli(['explore', 'smsdom-storm', '--depth', '1', '--invariant', 'no-conflict', '--invariant', 'design-runs', '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect((parse(res.stdout)['options'] as { invariants: string[] }).invariants).toEqual(['no-conflict']);
  });
});

describe('an empty --out', () => {
  it.each([
    [['verify', 'smsdom', '--runs', '1', '--out', '']],
    [['verify', 'smsdom', '--runs', '1', '--out', ' ']],
    [['explore', 'smsdom-storm', '--depth', '1', '--out', '']],
  ])('is refused before the run, naming --out, as an empty --record is (counterexamples went to the current directory, exit 1): %j', async (args) => {
    const before = readdirSync(process.cwd()).sort();
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('replstorm: --out: give a directory (got an empty name)\n');
    expect(readdirSync(process.cwd()).sort()).toEqual(before);
  });
});

describe('replay: a run that reaches the end of virtual time', () => {
  it('a scan at the last allowed time (2^53 - 1 ms): stopped at the end of virtual time, not "maxRunMs after the last input", and the scan named as pending (an operator\'s QA pass)', async () => {
    const log = join(tmp, 'end-of-time.jsonl');
    writeFileSync(log, `${readFileSync(EXAMPLE_LOG, 'utf8').trimEnd()}\n{"at": ${Number.MAX_SAFE_INTEGER}, "type": "scan", "server": "Alpha", "kind": "manual"}\n`);
    const res = await runCli(['replay', log]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('  stopped       at the end of virtual time (2^53 - 1 ms: the run cap, maxRunMs after the last input, lies beyond it), at ');
    expect(res.stdout).toContain("  state         NOT quiescent (work still pending: work due after virtual time's end)");
    const j = parse((await runCli(['replay', log, '--json'])).stdout);
    expect(j).toMatchObject({ stopped: 'cap', endAt: Number.MAX_SAFE_INTEGER, quiescent: false });
  });
});

describe('replay: the work due at an end', () => {
  const head = [
    '{"replog":1,"meta":{}}',
    '{"at":0,"type":"server","name":"A"}',
    '{"at":0,"type":"database","name":"d","replicas":["A"]}',
    '{"at":1,"type":"save","server":"A","db":"d","unid":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","by":"user/x","set":{"$FILE":[{"name":"a"}]}}',
    '{"at":100,"type":"scanner","server":"A","design":"smsdom","config":{"scheduleEveryMs":1000,"onWrite":false}}',
  ];
  it.each([
    // The second pass is due at the end's instant: periodic, not started, so not pending by itself (replication.md).
    [1100, true, 1],
    // The first pass is under way (its scan step of 1 document is due at 200): pending (event-log.md).
    [110, false, 0],
  ])('event-log.md "When a run stops" and replication.md "Pending work": an end at %i is quiescent: %s (a scheduled pass due then has not started; a pass under way is pending: a spec QA pass found the two readings, simulator.ts hasPendingWork)', async (end, quiescent, performed) => {
    const log = join(tmp, `end-at-${end}.jsonl`);
    writeFileSync(log, [...head, `{"at":${end},"type":"end"}`, ''].join('\n'));
    const res = await runCli(['replay', log, '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(parse(res.stdout)).toMatchObject({ stopped: 'end', endAt: end, quiescent, scans: { performed } });
  });
});

describe('replay --what-if on a log that installs no scanner', () => {
  it('says it had nothing to replace (the two columns were the same, with no word why)', async () => {
    const log = join(GOLDEN_DIR, 'r1-saves.jsonl');
    const res = await runCli(['replay', log, '--what-if', 'noop']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('note          the log installs no scanner: --what-if noop had none to replace, so both runs are the same');
    const json = await runCli(['replay', log, '--what-if', 'noop', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toHaveProperty('whatIf');
    expect(json.stderr).toContain(`${log}: warning: the log installs no scanner: --what-if noop had none to replace, so both runs are the same`);
    // A log with scanners: no such note.
    expect((await runCli(['replay', EXAMPLE_LOG, '--what-if', 'noop'])).stdout).not.toContain('installs no scanner');
  });
});

describe('replay --what-if with a design whose schedule the log\'s scanners do not carry', () => {
  it('R13: a log recorded with noop (no scheduleEveryMs setting), replayed --what-if smsdom: the note says smsdom ran at its default, no scheduled scans, and how to give one (a QA pass: 0 conflicts, where a run of smsdom on the schedule makes 30)', async () => {
    const dir = mkdtempSync(join(tmp, 'whatif-sched-'));
    const log = join(dir, 'noop.jsonl');
    const settings = ['--set', 'databases=2', '--set', 'docs=5', '--set', 'userEditsPerHour=10'];
    expect((await runCli(['run', 'smsdom-storm', ...settings, '--set', 'design=noop', '--record', log])).code).toBe(0);
    const note = "the log's scanners carry no scheduleEveryMs (their design has no such setting), so --what-if ran smsdom at its default (no scheduled scans); give one to compare on a schedule: --what-if smsdom:scheduleEveryMs=3600000";
    const res = await runCli(['replay', log, '--what-if', 'smsdom']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`note          ${note}`);
    // run has no log: its scanners are the scenario's (a QA pass).
    const run = await runCli(['run', 'smsdom-storm', ...settings, '--set', 'design=noop', '--what-if', 'smsdom']);
    expect(run.stdout).toContain(`note          ${note.replace("the log's scanners", "the scenario's scanners")}`);
    const json = await runCli(['replay', log, '--what-if', 'smsdom', '--json']);
    expect(json.stderr).toContain(`${log}: warning: ${note}`);
    // The report says it under its what-if table too (it showed two equal columns with no word why: a QA pass).
    const report = join(dir, 'r.html');
    expect((await runCli(['replay', log, '--what-if', 'smsdom', '--report', report])).code).toBe(0);
    expect(readFileSync(report, 'utf8')).toContain(`<p class="muted">Note: ${note.replaceAll("'", '&#39;')}</p>`);
    // Given, the schedule runs: the what-if then equals a run of smsdom on the scenario's schedule, and nothing is said.
    const given = await runCli(['replay', log, '--what-if', 'smsdom:scheduleEveryMs=3600000', '--json']);
    expect(given.stderr).not.toContain('carry no scheduleEveryMs');
    const direct = parse((await runCli(['run', 'smsdom-storm', ...settings, '--json'])).stdout);
    expect((parse(given.stdout)['whatIf'] as Json)['summary']).toEqual(direct);
    // A log whose scanners carry their schedule (smsdom's): no note for a what-if that has the setting.
    expect((await runCli(['replay', EXAMPLE_LOG, '--what-if', 'scan-cache'])).stdout).not.toContain('carry no scheduleEveryMs');
  });

  it('R13: a log with noop on one server and smsdom on its hourly schedule on the other: the note names the server that lacked the setting, and the other keeps its schedule, which runs (an operator\'s QA pass: "the log\'s scanners carry no scheduleEveryMs", false of B)', async () => {
    const dir = mkdtempSync(join(tmp, 'whatif-sched-mixed-'));
    const log = join(dir, 'mixed.jsonl');
    writeFileSync(log, [
      '{"replog": 1, "meta": {}}',
      '{"at": 0, "type": "server", "name": "A", "cluster": "C"}',
      '{"at": 0, "type": "server", "name": "B", "cluster": "C"}',
      '{"at": 0, "type": "database", "name": "d", "replicas": ["A", "B"]}',
      '{"at": 0, "type": "scanner", "server": "A", "design": "noop"}',
      '{"at": 0, "type": "scanner", "server": "B", "design": "smsdom", "config": {"scheduleEveryMs": 3600000}}',
      '{"at": 10, "type": "save", "server": "A", "db": "d", "unid": "0000000000000000000000000000000A", "by": "user/x", "set": {"S": "1", "$FILE": [{"name": "a"}]}}',
      '{"at": 7200000, "type": "end"}',
      '',
    ].join('\n'));
    const res = await runCli(['replay', log, '--what-if', 'smsdom', '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain("the log's noop (on A) has no scheduleEveryMs setting, so --what-if ran smsdom in its place at its default (no scheduled scans); in place of the log's scanners whose design has the setting, it ran on the value they gave, or else at its own default too");
    expect(res.stderr).not.toContain("the log's scanners carry no scheduleEveryMs");
    // B's hourly pass ran under the what-if: 2 scanner revisions (A's on-write stamp, B's pass restamping it with its
    // own key); with B's schedule taken out of the log, 1.
    const w = parse(res.stdout)['whatIf'] as Json;
    expect(((w['summary'] as Json)['revisions'] as Json)['byActorKind']).toMatchObject({ scanner: 2 });
    writeFileSync(log, readFileSync(log, 'utf8').replace(', "config": {"scheduleEveryMs": 3600000}', ''));
    const unscheduled = await runCli(['replay', log, '--what-if', 'smsdom', '--json']);
    expect((((parse(unscheduled.stdout)['whatIf'] as Json)['summary'] as Json)['revisions'] as Json)['byActorKind']).toMatchObject({ scanner: 1 });
    // The same servers given noop, then smsdom on its schedule: said of the design, not as "elsewhere" (a review: there
    // was no other server).
    const again = join(dir, 'again.jsonl');
    writeFileSync(again, [
      '{"replog": 1, "meta": {}}',
      '{"at": 0, "type": "server", "name": "A", "cluster": "C"}',
      '{"at": 0, "type": "server", "name": "B", "cluster": "C"}',
      '{"at": 0, "type": "database", "name": "d", "replicas": ["A", "B"]}',
      '{"at": 0, "type": "scanner", "server": "A", "design": "noop"}',
      '{"at": 0, "type": "scanner", "server": "B", "design": "noop"}',
      '{"at": 5000, "type": "scanner", "server": "A", "design": "smsdom", "config": {"scheduleEveryMs": 3600000}}',
      '{"at": 5000, "type": "scanner", "server": "B", "design": "smsdom", "config": {"scheduleEveryMs": 3600000}}',
      '{"at": 7200000, "type": "end"}',
      '',
    ].join('\n'));
    expect((await runCli(['replay', again, '--what-if', 'smsdom'])).stdout).toContain("note          the log's noop (on A, B) has no scheduleEveryMs setting, so --what-if ran smsdom in its place at its default (no scheduled scans); in place of the log's scanners whose design has the setting, it ran on the value they gave, or else at its own default too");
  });
});

describe('scenario parameters that would outgrow memory or virtual time before the run', () => {
  it.each([
    [['userEditsPerHour=1e30'], 'parameter "userEditsPerHour": 1e+30 asks for 2.00e+30 user edits over the horizon (horizonMs=7200000); the scenario makes at most 1,000,000 such timed events'],
    [['forwards=200000000'], 'parameter "forwards": 200000000 asks for 200,000,000 forwards'],
    [['definitionsEveryMs=1'], 'parameter "definitionsEveryMs": 1 asks for 14,399,998 definitions updates'],
    [['horizonMs=9007199254740991'], 'parameter "horizonMs": 9007199254740991 ends the run past the end of virtual time'],
  ])('R16: run --record and compare refuse %j naming the parameter (exit 2, nothing written; it was V8\'s out-of-memory abort, exit 134, after minutes, or a generated event\'s field "at")', async (sets, message) => {
    const dir = mkdtempSync(join(tmp, 'timed-'));
    const setArgs = sets.flatMap((x) => ['--set', x]);
    const run = await runCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=1', ...setArgs, '--record', join(dir, 'r.jsonl')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`replstorm: run smsdom-storm: ${message}`);
    expect(readdirSync(dir)).toEqual([]);
    const cmp = await runCli(['compare', 'noop', '--set', 'databases=1', '--set', 'docs=1', ...setArgs]);
    expect(cmp.code).toBe(2);
    expect(cmp.stdout).toBe('');
    expect(cmp.stderr).toContain(`replstorm: compare on smsdom-storm: ${message}`);
  });
});

describe('replay --what-if: a refusal of the what-if run alone', () => {
  it('is said to be the what-if\'s (the log itself runs within the budget)', async () => {
    const log = join(tmp, 'whatif-storm.jsonl');
    writeFileSync(log, perServerKeysLog(false));
    expect((await runCli(['replay', log, '--max-work', '5000'])).code).toBe(0);
    // Scanning arrivals with the log's per-server keys: a storm, which the budget refuses.
    const res = await runCli(['replay', log, '--max-work', '5000', '--what-if', 'smsdom:scanReplicatedWrites=true']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('the --what-if run (smsdom:scanReplicatedWrites=true): the run would take more than 5,000 pieces of engine work');
  });
});

describe('replay --what-if: an input that names what only the log\'s design made', () => {
  it('is refused as the what-if run\'s, saying the log\'s own run has it (not a mistake in the log)', async () => {
    const rec = join(tmp, 'whatif-conflict-doc.jsonl');
    expect((await runCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=2', '--set', 'horizonMs=600000', '--record', rec])).code).toBe(0);
    const lines = readFileSync(rec, 'utf8').trimEnd().split('\n');
    const conflict = JSON.parse(lines.find((l) => l.includes('"type":"conflict"'))!) as { server: string; db: string; conflictUnid: string };
    const endAt = (JSON.parse(lines.at(-1)!) as { at: number }).at;
    // Inputs only, then a manual scan of the conflict document the log's smsdom made: noop makes none.
    const inputs = lines.filter((l) => !/"type":"(revised|replicated|conflict|session|scanned|end)"/.test(l));
    inputs.push(JSON.stringify({ at: endAt, type: 'scan', server: conflict.server, kind: 'manual', db: conflict.db, unid: conflict.conflictUnid }));
    const log = join(tmp, 'whatif-conflict-doc-inputs.jsonl');
    writeFileSync(log, `${inputs.join('\n')}\n`);
    expect((await runCli(['replay', log])).code).toBe(0);
    const res = await runCli(['replay', log, '--what-if', 'noop']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`:${inputs.length}:`);
    expect(res.stderr).toContain(`the --what-if run (noop): field "unid": document ${conflict.conflictUnid} does not exist`);
    expect(res.stderr).toContain("(the log's own run has it: this input depends on what the log's designs did, which the what-if design did not do, so the what-if run cannot follow the log from this line)");
  });
});

describe('replay --what-if with a design module of the user\'s', () => {
  it('runs the what-if on a copy of the module loaded anew: the log\'s own run does not fill its module-level state (a module-level Set)', async () => {
    // The log installs once-per-process, whose module-level Set remembers what it stamped; the what-if is the same
    // design with the same settings, so both runs must end alike. With one module shared by the two engines, the
    // what-if run found every document already "seen" and skipped it (audit: it differed from a plain replay).
    const unid = (i: number) => `${createHash('sha256').update(`${tmp}:${i}`).digest('hex').slice(0, 32).toUpperCase()}`;
    const lines = [
      { replog: 1, meta: {} },
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'database', name: 'd', replicas: ['A'] },
      { at: 0, type: 'scanner', server: 'A', design: 'opp' },
      ...[1, 2, 3].map((i) => ({ at: 10 + i, type: 'save', server: 'A', db: 'd', unid: unid(i), by: 'user/u', set: { S: `s${i}`, $FILE: [{ name: 'f' }] } })),
    ];
    const log = join(tmp, 'whatif-module-state.jsonl');
    writeFileSync(log, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const res = await runCli(['replay', log, '--json', '--design', `opp=${join(TEST_DIR, 'designs', 'once-per-process.ts')}`, '--what-if', 'opp:scheduleEveryMs=0']);
    expect(res.code, res.stderr).toBe(0);
    const json = parse(res.stdout);
    const whatIf = (json['whatIf'] as { summary: Json }).summary;
    expect(json['revisions']).toMatchObject({ byActorKind: { scanner: 3 } });
    expect(whatIf).toEqual(Object.fromEntries(Object.entries(json).filter(([k]) => k !== 'whatIf')));
    expect(readdirSync(join(TEST_DIR, 'designs')).filter((f) => f.includes('replstorm-fresh'))).toEqual([]);
  });

  it('run of a design module that runs otherwise when run again (its second load) prints its summary and writes its outputs first, then says so: exit 3, whether the run again fails, needs more work than --max-work, or its module fails to load anew (a review: the run again came before the summary, and a refusal in it lost it, exit 2)', async () => {
    const dir = mkdtempSync(join(tmp, 'second-load-'));
    // Each load of a module counts itself in a global: the second load runs otherwise.
    const module = (name: string, top: string, second: string) => {
      const file = join(dir, `${name}.ts`);
      writeFileSync(file, `const g = globalThis as { __loads?: Record<string, number> }; const loads = (g.__loads ??= {}); loads['${name}'] = (loads['${name}'] ?? 0) + 1; const again = loads['${name}'] > 1; ${top} export default { name: '${name}', description: 'runs otherwise when loaded twice', defaults: { scheduleEveryMs: 0 }, ${second} };\n`);
      return file;
    };
    const schedule = 'scheduleEveryMs: (c: { scheduleEveryMs: number }) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined),';
    const cases = [
      // Its second load's scans throw: the run again fails.
      ['throws', '', `${schedule} scan(c: { virusScan: () => unknown }) { c.virusScan(); if (again) throw new Error('second load'); return { verdict: 'clean' as const }; }`, 'the run failed when run again ('],
      // Its second load scans every millisecond: the run again is refused at the work limit the first run kept within.
      ['busy', '', "scheduleEveryMs: (c: { scheduleEveryMs: number }) => (again ? 1 : c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined), scan() { return { verdict: 'clean' as const }; }", 'the run needed more engine work when run again than it did the first time, within the same work budget (--max-work; '],
      // Its second load throws: the modules cannot be loaded anew. It says when it is loaded (below: after the summary).
      ['unloadable', "if (again) { process.stdout.write('SECOND LOAD\\n'); throw new Error('loaded twice'); }", `${schedule} scan() { return { verdict: 'clean' as const }; }`, 'its design modules failed to load anew ('],
    ] as const;
    try {
      for (const [name, top, second, said] of cases) {
        const record = join(dir, `${name}.jsonl`);
        const res = await runCli(['run', 'smsdom-storm', '--design', `${name}=${module(name, top, second)}`, '--set', `design=${name}`, '--set', 'databases=2', '--set', 'docs=3', '--record', record]);
        expect(res.code, res.stderr).toBe(3);
        expect(res.stdout, name).toMatch(/\n {2}digest {8}sha256:[0-9a-f]+\n/);
        expect(existsSync(record), name).toBe(true);
        expect(res.stderr).toContain(`WARNING: run again on the same inputs with the design modules loaded anew, ${said}`);
        expect(res.stderr, name).toContain(`; its recording, ${record}, replays otherwise`);
        // The run again comes after the summary (a review: before it, a refusal there lost the summary).
        if (name === 'unloadable') expect(res.stdout.indexOf('SECOND LOAD')).toBeGreaterThan(res.stdout.indexOf('  digest  '));
      }
    } finally {
      delete (globalThis as { __loads?: unknown }).__loads;
    }
  });

  it('R3/R10/R14: examples/logs/scan-cache-oid-collision.jsonl: scan-cache, trusting an OID to name one content, skips an infected copy that comes back under an OID it cached clean (one OID, two contents: two servers saving in one millisecond; the stub purged, the copy pulled back); sso-mail-only in its place cleans it (a QA pass: verify\'s cases purge no stub, and verify scan-cache holds no-missed-infection)', async () => {
    const res = await runCli(['replay', join(REPO_ROOT, 'examples', 'logs', 'scan-cache-oid-collision.jsonl'), '--what-if', 'sso-mail-only', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const json = parse(res.stdout) as { scans: Json; whatIf: { summary: { scans: Json } } };
    // Alpha's on-write scan of its own seq-2 save, cached clean; the pulled-back infected seq 2, skipped by the cache.
    expect(json.scans).toEqual({ performed: 2, skipped: 1, infected: 0, missed: 1 });
    expect(json.whatIf.summary.scans).toEqual({ performed: 3, skipped: 0, infected: 1, missed: 0 });
  });

  it('R6: examples/logs/stamp-undoes-deletion.jsonl: an edit on Beta stamped as it is written (sso-mail-only) wins over a later deletion on Alpha, and the document comes back there; with noop in its place, the deletion wins', async () => {
    const text = readFileSync(join(REPO_ROOT, 'examples', 'logs', 'stamp-undoes-deletion.jsonl'), 'utf8');
    const state = async (log: string) => {
      const file = join(mkdtempSync(join(tmp, 'undone-')), 'log.jsonl');
      writeFileSync(file, log);
      const res = await runCli(['replay', file, '--state', '--strict']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toBe('');
      const json = parse(res.stdout.slice(res.stdout.indexOf('{'))) as { state: Record<string, Record<string, { unid: string; seq: number; deleted: boolean }[]>> };
      return Object.entries(json.state).map(([server, dbs]) => `${server} ${dbs['mail/ann.nsf']!.map((n) => `seq ${n.seq} ${n.deleted ? 'deleted' : 'live'}`).join()}`);
    };
    // Bob's save (seq 2) and its stamp (seq 3) against Ann's deletion (seq 2, a second later): saved more than once.
    expect(await state(text)).toEqual(['Alpha seq 3 live', 'Beta seq 3 live']);
    // One save each: the later, the deletion, wins (R5's seqTime).
    expect(await state(text.replaceAll('"design":"sso-mail-only"', '"design":"noop"'))).toEqual(['Alpha seq 2 deleted', 'Beta seq 2 deleted']);
  });

  it('R6: replay --what-if says how many deleted documents each run has back where they were deleted (the summary\'s counts are equal: discarded 1 and 1), in the table, --json and the report; only deletions a run applied count', async () => {
    const text = readFileSync(join(REPO_ROOT, 'examples', 'logs', 'stamp-undoes-deletion.jsonl'), 'utf8');
    const dir = mkdtempSync(join(tmp, 'undone-what-if-'));
    const write = (name: string, log: string) => {
      const file = join(dir, name);
      writeFileSync(file, log);
      return file;
    };
    const stamping = write('stamping.jsonl', text);
    const cleaning = write('noop.jsonl', text.replaceAll('"design":"sso-mail-only"', '"design":"noop"'));
    const json = async (file: string, ...args: string[]) => {
      const res = await runCli(['replay', file, ...args, '--json']);
      expect(res.code, res.stderr).toBe(0);
      return (parse(res.stdout) as { whatIf: { deletionsUndone: Json } }).whatIf.deletionsUndone;
    };
    // The log's own design undoes Ann's deletion; noop in its place does not; and the other way round.
    for (const [file, whatIf, base, other] of [[stamping, 'noop', 1, 0], [cleaning, 'sso-mail-only', 0, 1]] as const) {
      const report = join(dir, `${whatIf}.html`);
      const res = await runCli(['replay', file, '--what-if', whatIf, '--report', report]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toMatch(new RegExp(`^deleted documents back \\(of 1\\)\\s+${base}\\s+${other}\\s+${other > base ? '\\+1' : '-1'}$`, 'm'));
      expect(res.stdout).toMatch(/^discarded\s+1\s+1\s+0$/m);
      expect(readFileSync(report, 'utf8')).toContain(`Deleted documents back (of 1)</th><td class="num">${base}</td><td class="num">${other}</td>`);
      // In the terminal's place, after the scans' counts (a review: the order moved, and was checked without this row).
      const rows = [.../<table class="data whatif"[^>]*>[\s\S]*?<\/table>/.exec(readFileSync(report, 'utf8'))![0].matchAll(/<th scope="row"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]!);
      expect(rows.slice(rows.indexOf('Infections missed'), rows.indexOf('Quiescent'))).toEqual(['Infections missed', 'Infected copies left', 'Deleted documents back (of 1)']);
      expect(await json(file, '--what-if', whatIf)).toMatchObject({ base: { deleted: 1, undone: base }, whatIf: { deleted: 1, undone: other } });
      // The first document back, in the run that brought it back only.
      const first = { unid: '0000000000000000000000000000000A', db: 'mail/ann.nsf', deletedOn: 'Alpha', deletedAt: 31_100, seq: 3, liveOn: ['Alpha', 'Beta'] };
      const both = (await json(file, '--what-if', whatIf)) as { base: { first?: Json }; whatIf: { first?: Json } };
      expect([both.base.first, both.whatIf.first]).toEqual(base === 1 ? [first, undefined] : [undefined, first]);
    }
    // No deletion in the log: no row (the field says 0 of 0).
    const lines = text.split('\n');
    const none = write('none.jsonl', lines.filter((l) => !l.includes('"type":"delete"')).join('\n'));
    const res = await runCli(['replay', none, '--what-if', 'noop']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).not.toContain('deleted documents back');
    // A deletion the runs ignored (after an `end`) undid nothing, and is none (a QA pass: "1 against 1").
    const deleteLine = lines.findIndex((l) => l.includes('"type":"delete"'));
    const ended = write('ended.jsonl', [...lines.slice(0, deleteLine), '{"at":31000,"type":"end"}', ...lines.slice(deleteLine)].join('\n'));
    expect(await json(ended, '--what-if', 'noop')).toEqual({ base: { deleted: 0, undone: 0 }, whatIf: { deleted: 0, undone: 0 } });
    // A run cut short before the deletion did not delete: the other run's deletion is its own (a QA pass: the design
    // was blamed for undoing a deletion its run never made).
    // (A heal, which changes nothing here, between the stamp and the deletion: the cut stops the run at the next
    // instant anything is due, and at the deletion's own instant it would still apply it, as after an `end`.)
    const healed = write('healed.jsonl', [...lines.slice(0, deleteLine), '{"at":30600,"type":"heal"}', ...lines.slice(deleteLine)].join('\n'));
    expect(await json(healed, '--what-if', 'noop', '--max-scanner-revisions', '0')).toEqual({ base: { deleted: 0, undone: 0 }, whatIf: { deleted: 1, undone: 0 } });
    expect((await runCli(['replay', healed, '--what-if', 'noop', '--max-scanner-revisions', '0'])).stdout).toMatch(/^deleted documents back \(of 0 \/ 1\)\s+0\s+0\s+0$/m);
    // A later save by Ann where the document is a stub undoes her deletion by hand (forgotten); where the stamp has
    // already brought it back, it does not (it came back: a review found the deletion forgotten either way).
    const endLine = lines.findIndex((l) => l.includes('"type":"end"'));
    const annSaves = '{"at":150000,"type":"save","server":"Alpha","db":"mail/ann.nsf","unid":"0000000000000000000000000000000A","by":"user/ann","set":{"Body":"again"}}';
    const after = (log: string[]) => [...log.slice(0, endLine), annSaves, ...log.slice(endLine)].join('\n');
    const plainJson = async (file: string) => (parse((await runCli(['replay', file, '--json'])).stdout) as { deletionsUndone?: Json }).deletionsUndone;
    expect(await plainJson(write('back-then-edited.jsonl', after(lines)))).toMatchObject({ deleted: 1, undone: 1, first: { deletedOn: 'Alpha', seq: 5 } }); // (Ann's save, seq 4, stamped as it is written: 5.)
    expect(await plainJson(write('stub-then-saved.jsonl', after(text.replaceAll('"design":"sso-mail-only"', '"design":"noop"').split('\n'))))).toBeUndefined();
  });

  it('R6, R14: the report says under its summary what the terminal says below its counts: a deleted document back, copies still infected, inputs ignored after an end, work pending (an operator\'s QA pass: none of it was in the report, and past 300 inputs, whose steps it does not list, nothing said a deleted document came back)', async () => {
    const dir = mkdtempSync(join(tmp, 'report-lines-'));
    const line = (html: string, label: string) => html.match(new RegExp(`<p class="([a-z -]+)"><strong>${label}</strong>: ([^<]*)</p>`))?.slice(1);
    const html = async (log: string, ...args: string[]) => {
      const report = join(dir, `${basename(log)}.html`);
      const res = await runCli(['replay', log, ...args, '--report', report]);
      expect(res.code, res.stderr).toBe(0);
      return { stdout: res.stdout, html: readFileSync(report, 'utf8') };
    };
    const undone = await html(join(REPO_ROOT, 'examples', 'logs', 'stamp-undoes-deletion.jsonl'));
    const deletions = line(undone.html, 'Deletions');
    expect(deletions?.[0]).toBe('bad summary-line');
    expect(deletions?.[1]).toMatch(/^1 document deleted, 1 back where it was deleted at the end \(R6: .*; first: 0000000000000000000000000000000A in mail\/ann\.nsf, deleted on Alpha at 31,100 ms/);
    // The same words as the terminal's line.
    expect(undone.stdout).toContain(`  deletions     ${deletions![1]!.replaceAll('&#39;', "'")}`);
    const log = join(dir, 'infected.jsonl');
    writeFileSync(log, [
      '{"replog": 1, "meta": {}}',
      '{"at": 0, "type": "server", "name": "Alpha", "cluster": "C"}',
      '{"at": 0, "type": "server", "name": "Beta", "cluster": "C"}',
      '{"at": 0, "type": "database", "name": "d.nsf", "replicas": ["Alpha", "Beta"]}',
      '{"at": 0, "type": "scanner", "server": "Alpha", "design": "smsdom", "config": {"onWrite": false}}',
      '{"at": 1000, "type": "save", "server": "Alpha", "db": "d.nsf", "unid": "000000000000000000000000000000C1", "by": "user/eve", "set": {"S": "x", "$FILE": [{"name": "evil.exe", "infected": true}]}}',
      '{"at": 1000, "type": "end"}',
      '{"at": 2000, "type": "save", "server": "Beta", "db": "d.nsf", "unid": "000000000000000000000000000000C2", "by": "user/eve", "set": {"S": "y"}}',
      '',
    ].join('\n'));
    // Ended at Eve's save: her document is on Alpha alone, its push due, the save after the end ignored.
    const ended = (await html(log)).html;
    expect(line(ended, 'Infected')).toEqual(['bad summary-line', '1 document copy still holds an infected attachment at the end (missed counts what a scan passed as not infected; these include any no scan reached)']);
    // (As the terminal's state line says it.)
    expect(line(ended, 'State')).toEqual(['bad summary-line', 'NOT quiescent (work still pending: 1 cluster push of a document queued (one per document and mate)), replicas differ']);
    expect(line(ended, 'Note')).toEqual(['muted summary-line', '1 input event after the end event (at later times) was ignored']);
    // A run with nothing to say has no such line.
    expect((await html(EXAMPLE_LOG)).html).not.toContain('summary-line');
  });

  it('run and compare of a design module that draws at random say that a run again differs, exit 3 (a researcher\'s QA pass: two compares printed 27 and 35 conflicts, exit 0, and run --record wrote a recording its replay refused); a module that does not, nothing, exit 0', async () => {
    const dir = mkdtempSync(join(tmp, 'random-run-'));
    const design = (name: string, value: string) => {
      const file = join(dir, `${name}.ts`);
      writeFileSync(file, `export default { name: '${name}', description: 'stamps a value', defaults: { scheduleEveryMs: 0 }, scheduleEveryMs: (c: { scheduleEveryMs: number }) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined), scan(c: { virusScan: () => unknown }) { c.virusScan(); return { verdict: 'clean' as const, set: [['X-R', ${value}]] as [string, string][] }; } };\n`);
      return file;
    };
    const small = ['--set', 'databases=2', '--set', 'docs=3'];
    for (const [name, value, varies] of [['rnd', 'String(Math.random())', true], ['same', "'same'", false]] as const) {
      const file = design(name, value);
      const record = join(dir, `${name}.jsonl`);
      const run = await runCli(['run', 'smsdom-storm', '--design', `${name}=${file}`, '--set', `design=${name}`, ...small, '--record', record]);
      expect(run.code, run.stderr).toBe(varies ? 3 : 0);
      expect(run.stderr.includes(`WARNING: run again on the same inputs with the design modules loaded anew, it ended in another state (digests sha256:`), name).toBe(varies);
      if (varies) expect(run.stderr).toContain(`a design is not a function of its inputs (Math.random, Date.now?): the run summarised above is one run's; its recording, ${record}, replays otherwise`);
      // The recording is written all the same: the run it records is the one summarised.
      expect(existsSync(record), name).toBe(true);
      // Under --json, the JSON says it too, once the run again is checked (it said nothing: exit 3 alone).
      const runJson = await runCli(['run', 'smsdom-storm', '--design', `${name}=${file}`, '--set', `design=${name}`, ...small, '--json']);
      expect(runJson.code, runJson.stderr).toBe(varies ? 3 : 0);
      const out = parse(runJson.stdout);
      expect(typeof out['digest'], name).toBe('string');
      if (varies) expect(out['notReproducible']).toMatch(/^run again on the same inputs with the design modules loaded anew, it ended in another state \(digests sha256:[0-9a-f]+ and sha256:[0-9a-f]+\): a design is not a function of its inputs/);
      else expect(out['notReproducible'], name).toBeUndefined();
      // With --state the JSON comes at once (a final state is not held through a second run): it says that the check
      // follows it, where a script must look (the last notes left it to stderr and exit 3 alone).
      const stated = await runCli(['run', 'smsdom-storm', '--design', `${name}=${file}`, '--set', `design=${name}`, ...small, '--json', '--state']);
      expect(stated.code, stated.stderr).toBe(varies ? 3 : 0);
      const statedOut = parse(stated.stdout);
      expect(statedOut).toHaveProperty('state');
      expect(statedOut['reproducibility']).toBe('checked after this output, by running again with the design modules loaded anew: a run again that ends otherwise is a WARNING on standard error and exit 3; one that cannot be checked, a note there');
      expect(statedOut).not.toHaveProperty('notReproducible');
      // A run of built-in designs alone is not run again, and says nothing of it.
      expect(parse((await runCli(['run', 'smsdom-storm', ...small, '--json', '--state'])).stdout)).not.toHaveProperty('reproducibility');
      // A module run as the what-if only (the scenario's own design, smsdom, is a built-in): its run is checked too,
      // and the recording (the run's, not the what-if's) is not said to replay otherwise.
      const whatIfRecord = join(dir, `${name}-what-if.jsonl`);
      const whatIf = await runCli(['run', 'smsdom-storm', '--design', `${name}=${file}`, '--what-if', name, ...small, '--record', whatIfRecord]);
      expect(whatIf.code, whatIf.stderr).toBe(varies ? 3 : 0);
      if (varies) expect(whatIf.stderr).toMatch(/it ended in another state \(digests (sha256:[0-9a-f]+) \(what-if sha256:[0-9a-f]+\) and \1 \(what-if sha256:[0-9a-f]+\)\): a design is not a function of its inputs \(Math\.random, Date\.now\?\): the run summarised above is one run's\n/);
      const table = await runCli(['compare', name, 'noop', '--design', `${name}=${file}`, ...small]);
      expect(table.code, table.stderr).toBe(varies ? 3 : 0);
      expect(table.stdout.includes(`\n- ${name}: NOT REPRODUCIBLE: run again on the same inputs with the design modules loaded anew, it ended in another state`), name).toBe(varies);
      // Each row by its index (one module compared twice gives two rows of one label).
      const json = await runCli(['compare', 'noop', name, name, '--design', `${name}=${file}`, ...small, '--json']);
      expect(json.code, json.stderr).toBe(varies ? 3 : 0);
      const rows = parse(json.stdout)['notReproducible'] as { row: number; label: string; message: string }[] | undefined;
      if (varies) expect(rows?.map((r) => [r.row, r.label])).toEqual([[1, name], [2, name]]);
      else expect(rows, name).toBeUndefined();
    }
  });

  it('replay of a counterexample whose design draws at random says that its runs differ, beside the claim (a researcher\'s QA pass: "conflicts 0" above "reproduced yes: no-scanner-conflicts violated", six replays disagreeing); a design that does not, nothing', async () => {
    const dir = mkdtempSync(join(tmp, 'random-'));
    const design = (name: string, value: string) => {
      const file = join(dir, `${name}.ts`);
      writeFileSync(file, `export default { name: '${name}', description: 'stamps a value', defaults: {}, watches: () => true, scan(c: { note: { items: { key: string }[] } }) { return c.note.items.some((i) => i.key === 'x-r') ? { verdict: 'clean' as const } : { verdict: 'clean' as const, set: [['X-R', ${value}]] as [string, string][] }; } };\n`);
      return file;
    };
    const lines = (name: string) => [
      { replog: 1, meta: { recordedBy: 'replstorm verify', invariant: 'no-scanner-conflicts', violation: 'a conflict', design: name } },
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'd', replicas: ['A', 'B'] },
      { at: 0, type: 'scanner', server: 'A', design: name },
      { at: 0, type: 'scanner', server: 'B', design: name },
      { at: 10, type: 'save', server: 'A', db: 'd', unid: '0123456789ABCDEF0123456789ABCDEF', by: 'user/u', set: { $FILE: [{ name: 'f' }] } },
      { at: 20, type: 'replicate', server: 'B', partner: 'A', db: 'd', mode: 'pull-push' },
    ];
    for (const [name, value, varies] of [['rnd', 'String(Math.random())', true], ['same', "'same'", false]] as const) {
      const file = design(name, value);
      const log = join(dir, `${name}.jsonl`);
      writeFileSync(log, lines(name).map((l) => JSON.stringify(l)).join('\n') + '\n');
      const res = await spawnCli(['replay', '--design', `${name}=${file}`, log, '--json']);
      expect(res.stdout, res.stderr).not.toBe('');
      const claim = (parse(res.stdout) as { claim: { checked: boolean; notDeterministic?: string } }).claim;
      expect(claim.checked, name).toBe(true);
      if (varies) expect(claim.notDeterministic).toMatch(/^the log's inputs, run twice more with the design modules loaded anew, ended in different states \(digests sha256:[0-9a-f]+ and sha256:[0-9a-f]+\): a design is not a function of its inputs/);
      else expect(claim.notDeterministic, name).toBeUndefined();
      const report = join(dir, `${name}.html`);
      const text = await spawnCli(['replay', '--design', `${name}=${file}`, log, '--report', report]);
      // Not decided either way (exit 3, as verify's NOT DECIDED), where it exited 0 or 1 by chance (an operator's QA
      // pass); the constant design's claim, a conflict, does not happen: exit 1.
      expect(text.code, name).toBe(varies ? 3 : 1);
      if (varies) expect(text.stderr).toContain("the header's claim is not decided: the log's inputs, run twice more");
      expect(text.stdout.includes('\n  WARNING       the log\'s inputs, run twice more'), name).toBe(varies);
      expect(readFileSync(report, 'utf8').includes('WARNING: the log&#39;s inputs, run twice more') || readFileSync(report, 'utf8').includes("WARNING: the log's inputs, run twice more"), name).toBe(varies);
    }
  });

  it('verify of a CommonJS design module keeping a module-level Set, where no copy can be written beside it: still NOT DECIDED, the module loaded anew (a researcher\'s QA pass, in a read-only directory: FAILED with a log that did not reproduce, and no warning)', async () => {
    const dir = mkdtempSync(join(tmp, 'cjs-readonly-'));
    // No package.json says "module" above the temporary directory: tsx loads a .ts file there as CommonJS.
    const module = join(dir, 'seen.ts');
    writeFileSync(
      module,
      [
        'const seen = new Set<string>();',
        "export default { name: 'seen', description: 'scans each UNID once per process', defaults: { scheduleEveryMs: 0 },",
        "  promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] }, symmetric: true,",
        '  scheduleEveryMs: (c: { scheduleEveryMs: number }) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : undefined),',
        '  scan({ note, virusScan }: { note: { unid: string }; virusScan: () => { infected: boolean; clean: unknown[] } }) {',
        "    if (seen.has(note.unid)) return { verdict: 'skipped' as const };",
        '    seen.add(note.unid);',
        '    const r = virusScan();',
        "    return r.infected ? { verdict: 'infected' as const, set: r.clean.length ? [['$FILE', r.clean]] : [], remove: r.clean.length ? [] : ['$FILE'] } : { verdict: 'clean' as const };",
        '  },',
        '};',
        '',
      ].join('\n'),
    );
    // A read-only directory, for a test that may run as root: every copy the CLI tries to write fails as there.
    const readOnly = join(dir, 'read-only.mjs');
    writeFileSync(
      readOnly,
      "import fs from 'node:fs';\nimport { syncBuiltinESMExports } from 'node:module';\nfs.copyFileSync = () => { throw Object.assign(new Error('EROFS: read-only file system, copyfile'), { code: 'EROFS' }); };\nsyncBuiltinESMExports();\n",
    );
    const res = await spawnCli(['verify', module, '--seed', '9', '--out', join(dir, 'out')], { nodeArgs: ['--import', pathToFileURL(readOnly).href] });
    expect(res.code, res.stderr).toBe(3);
    expect(res.stdout).toContain('verdict: NOT DECIDED');
    expect(res.stdout).toContain('ended otherwise on a copy of the module loaded anew');
    expect(res.stderr).not.toContain('warning: cannot write a copy');
  });
});

describe('replay of a recording cut by --max-scanner-revisions', () => {
  it('R16: says its end is the budget\'s cut, from the header\'s maxScannerRevisions and the revisions past it (it read as a run that ended as planned: an administrator\'s review); a run under its budget says nothing', async () => {
    const cut = join(tmp, 'cut-recording.jsonl');
    const args = ['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=5', '--set', 'keys=per-server', '--set', 'config=scanReplicatedWrites=true', '--record', cut];
    const ran = await runCli([...args, '--max-scanner-revisions', '300', '--json']);
    expect(ran.code).toBe(0);
    const res = await runCli(['replay', cut]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/\n {2}note {10}the header's maxScannerRevisions is 300, and the run made 30\d: its end event is where that budget cut the recorded run short \(run --max-scanner-revisions\), so its counts are lower bounds\n/);
    // The report says it too (it had no word of it: an operator's QA pass).
    const html = join(tmp, 'cut-recording.html');
    expect((await runCli(['replay', cut, '--report', html])).code).toBe(0);
    expect(readFileSync(html, 'utf8')).toMatch(/<p class="bad">The recording&#39;s run was cut short: the header&#39;s maxScannerRevisions is 300, and the run made 30\d: its end event is where that budget cut the recorded run short/);
    // Under --json, the replay's `cutShort` is the run's: the same run, said cut where it was cut (it read as complete,
    // `stopped: "end"` and no mark: a JSON contracts QA pass).
    const cutAt = parse(ran.stdout)['cutShort'];
    expect(typeof cutAt).toBe('number');
    expect(parse((await runCli(['replay', cut, '--json'])).stdout)).toMatchObject({ stopped: 'end', cutShort: cutAt });
    const whole = join(tmp, 'uncut-recording.jsonl');
    expect((await runCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=2', '--max-scanner-revisions', '1000', '--record', whole])).code).toBe(0);
    expect((await runCli(['replay', whole])).stdout).not.toContain('maxScannerRevisions');
    expect(parse((await runCli(['replay', whole, '--json'])).stdout)).not.toHaveProperty('cutShort');
  });
});

describe('blame: how a chain is credited is said where there are chains', () => {
  it('R16: a storm\'s chains carry the note that a chain is credited to the last input that wrote into it (an administrator\'s review read Beta\'s credit as Beta\'s doing, where Alpha\'s scans alone storm as much); a run without chains has none', async () => {
    const storm = await runCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=5', '--set', 'keys=per-server', '--set', 'config=scanReplicatedWrites=true', '--max-scanner-revisions', '300', '--blame']);
    expect(storm.code, storm.stderr).toBe(0);
    expect(storm.stdout).toMatch(/\n {2}a chain is credited to the last input that wrote into it: .* not who would storm alone .*\n\nLongest chains/);
    const quiet = await runCli(['replay', EXAMPLE_LOG, '--blame']);
    expect(quiet.stdout).not.toContain('a chain is credited');
    expect(quiet.stdout).not.toContain('Longest chains');
  });
});

describe('replay --what-if --blame as text', () => {
  it('says the blame is this run\'s only, as the report does (it was printed under the side-by-side table unlabelled)', async () => {
    const res = await runCli(['replay', EXAMPLE_LOG, '--what-if', 'noop', '--blame']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('\nBlame by actor\n  this run only (the log\'s own designs): the what-if run appears in the table above\n');
    expect((await runCli(['replay', EXAMPLE_LOG, '--blame'])).stdout).not.toContain('this run only');
    // A scenario's run has no log: its designs are the scenario's (an operator's QA pass).
    const run = await runCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=2', '--what-if', 'noop', '--blame']);
    expect(run.stdout).toContain('\nBlame by actor\n  this run only (the scenario\'s designs): the what-if run appears in the table above\n');
  });

  it('says --state and --record are this run\'s, with the log\'s own designs (an operator\'s review: nothing said so)', async () => {
    const rec = join(tmp, 'what-if-record.jsonl');
    const res = await runCli(['replay', EXAMPLE_LOG, '--what-if', 'noop', '--state', '--record', rec]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("\n  note          --state and --record are this run's (the log's own designs), not noop's\n{\n");
    // The recording is the log's own run: replayed, its designs' revisions, not noop's none.
    expect((await runCli(['replay', rec])).stdout).toContain('  revisions     10   (router 0 · scanner 4 · user 6)\n');
    expect((await runCli(['replay', EXAMPLE_LOG, '--state'])).stdout).not.toContain('note          --state');
  });
});

describe('replay output', () => {
  it('--blame as text: a conflict counts for both of its versions\' actors, and the table says so', async () => {
    const res = await runCli(['replay', join(GOLDEN_DIR, 'r5-conflict-winner-skew.jsonl'), '--blame']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('each conflict counts once for the actor (and below, the cause) of each of its two versions');
    // Who "the actor" is, said (an operator read a partition's conflict between users' edits, stamped on write, as the scanner's).
    expect(res.stdout).toContain("the actor is the version's last writer (a scanner's on-write stamp over a user's save counts for the scanner), the cause the input behind it (the user's save)");
    const byActor = res.stdout.split('\nBlame by actor\n')[1]!.split('\n\n')[0]!;
    const conflicts = Number(/conflicts\s+([\d,]+)/.exec(res.stdout)![1]!.replaceAll(',', ''));
    const column = [...byActor.matchAll(/^(\S+)\s+([\d,]+)\s+([\d,]+)/gm)].map((m) => Number(m[3]!.replaceAll(',', '')));
    // Two users, each conflict between a version of each: both columns hold every conflict.
    expect(conflicts).toBe(2);
    expect(column).toEqual([2, 2]);
  });

  it('--blame names lines of the replayed log, with or without --record', async () => {
    const plain = parse((await runCli(['replay', EXAMPLE_LOG, '--blame', '--json'])).stdout) as { blame: unknown };
    const recorded = parse((await runCli(['replay', EXAMPLE_LOG, '--blame', '--json', '--record', join(tmp, 'blame-rec.jsonl')])).stdout) as { blame: unknown };
    expect(recorded.blame).toEqual(plain.blame);
    const causes = (plain.blame as { byCause: { cause: number; label: string }[] }).byCause;
    const lines = readFileSync(EXAMPLE_LOG, 'utf8').split('\n');
    expect(causes.length).toBeGreaterThan(0);
    // Each cause is the line of the input event its label describes (its server, as the label names it).
    for (const c of causes) {
      const server = / on (\S+)/.exec(c.label)?.[1];
      expect(server, c.label).toBeDefined();
      expect(lines[c.cause - 1], c.label).toContain(`"server": "${server}"`);
    }
  });

  it('R5/R13: --blame\'s chain that passes into a conflict document (stamped on its arrival) says the document it ends on, whose revision is at its last time (an operator looked up the first document there and found none); the chains not listed are counted', async () => {
    const rec = join(tmp, 'blame-into-conflict.jsonl');
    expect((await runCli(['run', 'smsdom-storm', '--set', 'databases=2', '--set', 'docs=3', '--set', 'keys=per-server', '--set', 'config=scanReplicatedWrites=true', '--set', 'horizonMs=60000', '--record', rec])).code).toBe(0);
    const revised = readFileSync(rec, 'utf8').split('\n').filter((l) => l.includes('"type":"revised"')).map((l) => JSON.parse(l) as { at: number; unid: string });
    const res = await runCli(['replay', rec, '--blame', '--json']);
    const blame = (parse(res.stdout) as { blame: { chains: { unid: string; lastUnid: string; lastAt: number }[]; moreChains: number } }).blame;
    expect(blame.chains.length).toBe(5);
    expect(blame.moreChains).toBe(1);
    for (const c of blame.chains) expect(revised.some((e) => e.unid === c.lastUnid && e.at === c.lastAt), JSON.stringify(c)).toBe(true);
    const crossing = blame.chains.find((c) => c.lastUnid !== c.unid);
    expect(crossing).toBeDefined();
    const text = (await runCli(['replay', rec, '--blame'])).stdout;
    expect(text).toContain(`  ${crossing!.unid}, ending on conflict document ${crossing!.lastUnid}: `);
    expect(text).toContain('  (1 more chain of 2 revisions or more)\n');
  });

  it('--blame\'s longest chains follow one path of `via` links (event-log.md, `revised`: `via` is the arrival that triggered it; R13: on-write scans of arrivals): revisions on two servers from one arrival are branches, not one chain', async () => {
    // Alpha's save reaches Beta and Gamma, whose scanners each stamp it (two revisions via Alpha's); Gamma's key is its
    // own, so Delta, pulling Gamma's stamp, rescans and stamps again (via Gamma's). Later Epsilon pulls Alpha's save
    // and stamps it. The tree: Alpha > Beta, Alpha > Gamma > Delta, Alpha > Epsilon. The chain shown was every
    // revision under the root, Alpha > Beta > Gamma > Delta > Epsilon, until Epsilon's time.
    const unid = '0000000000000000000000000000000A';
    const events = [
      '{"replog":1,"meta":{}}',
      ...['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon'].map((s) => `{"at":0,"type":"server","name":"${s}"}`),
      '{"at":0,"type":"database","name":"d.nsf","replicas":["Alpha","Beta","Gamma","Delta","Epsilon"]}',
      ...[
        ['Beta', 'BETAKEY000000001'],
        ['Gamma', 'GAMMAKEY00000001'],
        ['Delta', 'DELTAKEY00000001'],
        ['Epsilon', 'EPSILONKEY000001'],
      ].map(([s, key]) => `{"at":0,"type":"scanner","server":"${s}","design":"smsdom","config":{"key":"${key}","scanReplicatedWrites":true}}`),
      `{"at":10,"type":"save","server":"Alpha","db":"d.nsf","unid":"${unid}","by":"user/ann","set":{"$FILE":[{"name":"a.txt"}]}}`,
      '{"at":20,"type":"replicate","server":"Beta","partner":"Alpha","mode":"pull"}',
      '{"at":20,"type":"replicate","server":"Gamma","partner":"Alpha","mode":"pull"}',
      '{"at":100,"type":"replicate","server":"Delta","partner":"Gamma","mode":"pull"}',
      '{"at":500,"type":"replicate","server":"Epsilon","partner":"Alpha","mode":"pull"}',
      '{"at":1000,"type":"end"}',
    ];
    const log = join(tmp, 'blame-branches.jsonl');
    writeFileSync(log, `${events.join('\n')}\n`);
    const res = await runCli(['replay', log, '--blame', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const { chains } = (parse(res.stdout) as { blame: { chains: { unid: string; length: number; firstAt: number; lastAt: number; servers: string[] }[] } }).blame;
    // Its last time is Delta's stamp (a transfer, then a scan: 11 ms after the pull at 100), the end of that path.
    expect(chains).toEqual([{ unid, length: 3, cause: 12, firstAt: 10, lastAt: 111, lastUnid: unid, servers: ['Alpha', 'Gamma', 'Delta'] }]);
    const text = await runCli(['replay', log, '--blame']);
    expect(text.stdout).toContain(`${unid}: 3 revisions from line 12, 0:00:00.010 .. 0:00:00.111, servers Alpha > Gamma > Delta\n`);
  });

  it('--blame follows `via` to the version the sender held (event-log.md: `via` is `{server, unid, seq}` of the arrival), in the revision\'s own database', async () => {
    // An operator's QA pass. (1) Beta (clock 1 s ahead) stamps the document at 20 s, Alpha at 20.5 s with its own key:
    // two versions with seq 2, Beta's the later in seqTime. Beta's pushes its to Alpha, whose rescan names
    // via {Beta, seq 2}: the chain starts at Beta's scan (line 9), not at Alpha's own, the later written of the two.
    const unid = '0000000000000000000000000000AAAA';
    const skew = [
      '{"replog":1,"meta":{}}',
      '{"at":0,"type":"server","name":"Alpha","cluster":"Hub","clusterIntervalMs":0}',
      '{"at":0,"type":"server","name":"Beta","cluster":"Hub","clockSkewMs":1000,"clusterIntervalMs":0}',
      '{"at":0,"type":"database","name":"db1.nsf","replicas":["Alpha","Beta"]}',
      `{"at":0,"type":"save","server":"Alpha","db":"db1.nsf","unid":"${unid}","by":"user/bob","set":{"Subject":"y","$FILE":[{"name":"a.doc"}]}}`,
      '{"at":100,"type":"push","server":"Alpha","partner":"Beta"}',
      '{"at":1000,"type":"scanner","server":"Alpha","design":"smsdom","config":{"scanReplicatedWrites":true,"key":"SSOKEYALPHA00000"}}',
      '{"at":1000,"type":"scanner","server":"Beta","design":"smsdom","config":{"scanReplicatedWrites":true,"key":"SSOKEYBETA000000"}}',
      '{"at":20000,"type":"scan","server":"Beta","kind":"manual"}',
      '{"at":20500,"type":"scan","server":"Alpha","kind":"manual"}',
      '{"at":30000,"type":"push","server":"Beta","partner":"Alpha"}',
      '{"at":40000,"type":"end"}',
    ];
    type Chain = { cause: number; servers: string[]; length: number };
    /** The chains `replay --blame --json` gives for a log of `lines`. */
    const chainsOf = async (name: string, lines: readonly string[]): Promise<Chain[]> => {
      const log = join(tmp, name);
      writeFileSync(log, `${lines.join('\n')}\n`);
      const res = await runCli(['replay', log, '--blame', '--json']);
      expect(res.code, res.stderr).toBe(0);
      return (parse(res.stdout) as { blame: { chains: Chain[] } }).blame.chains;
    };
    expect((await chainsOf('blame-via-skew.jsonl', skew)).map((c) => [c.cause, c.length, c.servers])).toEqual([[9, 2, ['Beta', 'Alpha']]]);
    // (2) The same UNID in two databases: Beta's stamp of db1's document extends db1's chain (line 8), not db2's.
    const twoDbs = [
      '{"replog":1,"meta":{}}',
      '{"at":0,"type":"server","name":"Alpha","cluster":"Hub"}',
      '{"at":0,"type":"server","name":"Beta","cluster":"Hub","clockSkewMs":350}',
      '{"at":0,"type":"database","name":"db1.nsf","replicas":["Alpha","Beta"]}',
      '{"at":0,"type":"database","name":"db2.nsf","replicas":["Alpha","Beta"]}',
      '{"at":0,"type":"scanner","server":"Alpha","design":"smsdom","config":{"scanReplicatedWrites":true,"onWrite":false}}',
      '{"at":0,"type":"scanner","server":"Beta","design":"smsdom","config":{"scanReplicatedWrites":true,"key":"SSOKEYBETA000000"}}',
      `{"at":1000,"type":"save","server":"Alpha","db":"db1.nsf","unid":"${unid}","by":"user/bob","set":{"Subject":"y","$FILE":[{"name":"a.doc"}]}}`,
      `{"at":2000,"type":"save","server":"Alpha","db":"db2.nsf","unid":"${unid}","by":"user/ann","set":{"Subject":"x"}}`,
    ];
    expect((await chainsOf('blame-via-two-dbs.jsonl', twoDbs)).map((c) => [c.cause, c.length, c.servers])).toEqual([[8, 2, ['Alpha', 'Beta']]]);
    // Three servers (a fourth, D, where asked): A saves a document with an attachment (line 6 or 7) and pushes it to
    // the others; C's scanner stamps what arrives.
    const U = '0000000000000000000000000000000A';
    const save = (at: number, server: string, by: string, set: string) => `{"at":${at},"type":"save","server":"${server}","db":"db","unid":"${U}","by":"${by}","set":${set}}`;
    const push = (at: number, server: string, partner: string) => `{"at":${at},"type":"replicate","server":"${server}","partner":"${partner}","db":"db","mode":"push"}`;
    const abc = (o: { skewB?: number; withD?: boolean; firstSet?: string }) => {
      const servers = ['A', 'B', 'C', ...(o.withD === true ? ['D'] : [])];
      return [
        '{"replog":1,"meta":{}}',
        ...servers.map((n) => `{"at":0,"type":"server","name":"${n}"${n === 'B' && o.skewB !== undefined ? `,"clockSkewMs":${o.skewB}` : ''}}`),
        `{"at":0,"type":"database","name":"db","replicas":${JSON.stringify(servers)}}`,
        save(100, 'A', 'user/ann', o.firstSet ?? '{"Subject":"s","$FILE":[{"name":"a.pdf","bytes":10}]}'),
        ...servers.slice(1).map((n) => push(200, 'A', n)),
        '{"at":300,"type":"scanner","server":"C","design":"smsdom","config":{"scanReplicatedWrites":true,"tagIncludesDefinitions":false}}',
      ];
    };
    // (3) The sender's copy moves on after the arrival to another version with the same number: A's (2, 1000) reaches
    // C at 2001, B's (2, 5900) wins at A at 2006, C's stamp at 2011 names via {A, seq 2}: what A sent, from line 11
    // (a review of the fix: A's copy read at the stamp, not at the arrival, rooted the chain at B's save, line 10).
    const moved = [...abc({ skewB: 5000 }), save(900, 'B', 'user/bob', '{"Body":"b"}'), save(1000, 'A', 'user/ann', '{"Body":"a"}'), push(2000, 'A', 'C'), push(2005, 'B', 'A')];
    expect((await chainsOf('blame-via-moved-on.jsonl', moved)).map((c) => [c.cause, c.length, c.servers])).toEqual([[11, 2, ['A', 'C']]]);
    // (4) Two senders' arrivals before the scan they set off (a conflict on C): each stamp follows its own sender's
    // version (one arrival kept per document lost A's chain, and pinned C's stamp on B's save: a review).
    const twoArrivals = [...abc({}), save(900, 'A', 'user/ann', '{"Body":"a"}'), save(1000, 'B', 'user/bob', '{"Body":"b"}'), push(2000, 'A', 'C'), push(2005, 'B', 'C')];
    expect((await chainsOf('blame-via-two-arrivals.jsonl', twoArrivals)).map((c) => [c.cause, c.servers])).toEqual([[10, ['A', 'C']], [11, ['B', 'C']]]);
    // (5) A merged version ($ConflictAction "1", made by the replicator: no `revised` event) reaches C and is stamped:
    // no link to D's unrelated version with the same number, which never reached C (a review).
    const merged = [
      ...abc({ withD: true, firstSet: '{"Subject":"s","$ConflictAction":"1","$FILE":[{"name":"a.pdf","bytes":10}]}' }),
      save(900, 'A', 'user/ann', '{"Body":"a"}'),
      save(1000, 'B', 'user/bob', '{"Other":"b"}'),
      save(1100, 'D', 'user/dan', '{"X":"1"}'),
      save(1200, 'D', 'user/dan', '{"X":"2"}'),
      push(2000, 'A', 'B'),
      push(3000, 'B', 'C'),
    ];
    expect(await chainsOf('blame-via-merged.jsonl', merged)).toEqual([]);
  });

  /**
   * Beta and Gamma share a clock skew and stamp the document in the same instant (line 12, line 13) with their own
   * keys: two versions (2, 3360) with different contents, an OID collision (R3). Beta pushes to Alpha (a line after
   * the scans); with `alphaScans`, Alpha stamps too (line 14, its own version (2, 3010)).
   */
  const collisionLog = (name: string, alphaScans: boolean): string => {
    const unid = '00000000000000000000000000000001';
    const lines = [
      '{"replog":1,"meta":{}}',
      '{"at":0,"type":"server","name":"Alpha","cluster":"c","clusterIntervalMs":0}',
      '{"at":0,"type":"server","name":"Beta","cluster":"c","clusterIntervalMs":0,"clockSkewMs":350}',
      '{"at":0,"type":"server","name":"Gamma","cluster":"c","clusterIntervalMs":0,"clockSkewMs":350}',
      '{"at":0,"type":"database","name":"m.nsf","replicas":["Alpha","Beta","Gamma"]}',
      `{"at":0,"type":"save","server":"Alpha","db":"m.nsf","unid":"${unid}","by":"user/jdoe","set":{"$FILE":[{"name":"a.doc"}]}}`,
      '{"at":1000,"type":"push","server":"Alpha","partner":"Beta"}',
      '{"at":1000,"type":"push","server":"Alpha","partner":"Gamma"}',
      '{"at":2000,"type":"scanner","server":"Alpha","design":"smsdom","config":{"key":"AAAAAAAAAAAAAAAA","scanReplicatedWrites":true}}',
      '{"at":2000,"type":"scanner","server":"Beta","design":"smsdom","config":{"key":"BBBBBBBBBBBBBBBB","scanReplicatedWrites":true}}',
      '{"at":2000,"type":"scanner","server":"Gamma","design":"smsdom","config":{"key":"CCCCCCCCCCCCCCCC","scanReplicatedWrites":true}}',
      '{"at":3000,"type":"scan","server":"Beta","kind":"manual"}',
      '{"at":3000,"type":"scan","server":"Gamma","kind":"manual"}',
      ...(alphaScans ? ['{"at":3000,"type":"scan","server":"Alpha","kind":"manual"}'] : []),
      '{"at":4000,"type":"push","server":"Beta","partner":"Alpha"}',
      '{"at":5000,"type":"end"}',
    ];
    const log = join(tmp, name);
    writeFileSync(log, `${lines.join('\n')}\n`);
    return log;
  };

  it('--blame follows `via` to the sender\'s own version when two servers wrote one number at one time (an OID collision, R3): the chain starts where the engine\'s `cause` says', async () => {
    // Only Beta pushes to Alpha, whose rescan names via {Beta, seq 2}: the chain is Beta > Alpha from Beta's scan
    // (line 12), as the revision's `cause` says, not Gamma > Alpha from line 13.
    const log = collisionLog('blame-via-collision.jsonl', false);
    const res = await runCli(['replay', log, '--blame', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const { blame } = parse(res.stdout) as { blame: { chains: { cause: number; length: number; servers: string[] }[]; byCause: { cause: number; revisions: number }[] } };
    expect(blame.chains.map((c) => [c.cause, c.length, c.servers])).toEqual([[12, 2, ['Beta', 'Alpha']]]);
    // Alpha's stamp is line 12's doing in blame by cause too: the two tables agree.
    expect(blame.byCause.find((c) => c.cause === 12)?.revisions).toBe(2);
  });

  it('--blame gives a conflict to the versions that met, when another server wrote one of them too (an OID collision, R3)', async () => {
    // Alpha stamps too: Beta's push makes a conflict at Alpha whose winner (2, 3360) is Beta's (line 12). Gamma's
    // version with the same number and time never left Gamma.
    const log = collisionLog('blame-conflict-collision.jsonl', true);
    const res = await runCli(['replay', log, '--blame', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = parse(res.stdout) as { conflicts: number; blame: { byCause: { cause: number; conflicts: number }[] } };
    expect(out.conflicts).toBe(1);
    expect(Object.fromEntries(out.blame.byCause.map((c) => [c.cause, c.conflicts]))).toEqual({ 6: 0, 12: 1, 13: 0, 14: 1 });
  });

  it('--blame follows `via` by its number when a newer version arrived from the same sender before the revision (a slow on-write scan): the chain starts where the engine\'s `cause` says', async () => {
    // Alpha's on-write scan of Beta's first version (seq 1, line 6) takes 90 s; meanwhile Beta's second version (seq 2,
    // bob's save, line 8) arrives. The stamp names via {Beta, seq 1} and cause 6 (event-log.md, `revised`: `via` is the
    // arrival that triggered it): the chain is jdoe's save > Alpha, not bob's.
    const unid = '00000000000000000000000000000001';
    const lines = [
      '{"replog":1,"meta":{}}',
      '{"at":0,"type":"server","name":"Alpha","cluster":"c","clusterIntervalMs":0}',
      '{"at":0,"type":"server","name":"Beta","cluster":"c","clusterIntervalMs":0}',
      '{"at":0,"type":"database","name":"m.nsf","replicas":["Alpha","Beta"]}',
      '{"at":0,"type":"scanner","server":"Alpha","design":"smsdom","config":{"key":"AAAAAAAAAAAAAAAA","scanReplicatedWrites":true,"scanMsPerDoc":90000}}',
      `{"at":10,"type":"save","server":"Beta","db":"m.nsf","unid":"${unid}","by":"user/jdoe","set":{"$FILE":[{"name":"a.doc"}]}}`,
      '{"at":1000,"type":"push","server":"Beta","partner":"Alpha"}',
      `{"at":2000,"type":"save","server":"Beta","db":"m.nsf","unid":"${unid}","by":"user/bob","set":{"Subject":"x"}}`,
      '{"at":3000,"type":"push","server":"Beta","partner":"Alpha"}',
      '{"at":300000,"type":"end"}',
    ];
    const log = join(tmp, 'blame-via-slow-scan.jsonl');
    writeFileSync(log, `${lines.join('\n')}\n`);
    const rec = join(tmp, 'blame-via-slow-scan.rec.jsonl');
    const res = await runCli(['replay', log, '--blame', '--json', '--record', rec]);
    expect(res.code, res.stderr).toBe(0);
    // The situation the test is about: the stamp names seq 1, after seq 2 arrived from Beta.
    const derived = readFileSync(rec, 'utf8').split('\n').filter((l) => l.includes('"server":"Alpha"') && l.includes('"type":"revised"'));
    expect(derived).toHaveLength(1);
    expect(derived[0]).toContain(`"via":{"server":"Beta","unid":"${unid}","seq":1}`);
    const { blame } = parse(res.stdout) as { blame: { chains: { cause: number; length: number; servers: string[] }[]; byCause: { cause: number; revisions: number }[] } };
    expect(blame.chains.map((c) => [c.cause, c.length, c.servers])).toEqual([[6, 2, ['Beta', 'Alpha']]]);
    expect(Object.fromEntries(blame.byCause.map((c) => [c.cause, c.revisions]))).toEqual({ 6: 2, 8: 1 });
  });

  it('--blame counts a conflict once for an actor who wrote both of its versions (blame.ts ActorBlame.conflicts: conflict documents whose winning or losing version this actor wrote; R5)', async () => {
    // user/ann edits the document on Alpha and on Beta before they replicate: one conflict document (R5), both of
    // whose versions are hers. It is one conflict of hers, not two; each version's cause still counts it.
    const unid = '0000000000000000000000000000000C';
    const save = (at: number, server: string, subject: string) => `{"at":${at},"type":"save","server":"${server}","db":"d.nsf","unid":"${unid}","by":"user/ann","set":{"Subject":"${subject}"}}`;
    const events = [
      '{"replog":1,"meta":{}}',
      '{"at":0,"type":"server","name":"Alpha"}',
      '{"at":0,"type":"server","name":"Beta"}',
      '{"at":0,"type":"database","name":"d.nsf","replicas":["Alpha","Beta"]}',
      save(10, 'Alpha', 'a'),
      '{"at":20,"type":"replicate","server":"Alpha","partner":"Beta"}',
      save(30, 'Alpha', 'on Alpha'),
      save(40, 'Beta', 'on Beta'),
      '{"at":50,"type":"replicate","server":"Alpha","partner":"Beta"}',
      '{"at":100,"type":"end"}',
    ];
    const log = join(tmp, 'blame-one-actor-conflict.jsonl');
    writeFileSync(log, `${events.join('\n')}\n`);
    const res = await runCli(['replay', log, '--blame', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = parse(res.stdout) as { conflicts: number; blame: { byActor: { actor: string; conflicts: number }[]; byCause: { cause: number; conflicts: number }[] } };
    expect(out.conflicts).toBe(1);
    expect(out.blame.byActor.map((a) => [a.actor, a.conflicts])).toEqual([['user/ann', 1]]);
    expect(Object.fromEntries(out.blame.byCause.map((c) => [c.cause, c.conflicts]))).toEqual({ 5: 0, 7: 1, 8: 1 });
  });

  it('--blame: a collision leaves the receiver holding its own version (R3: same OID, other contents, not taken), so what it sends on is still its own', async () => {
    // Beta and Gamma stamp one number at one time (lines 12, 13). Gamma pushes to Beta first (line 14: `collision`,
    // Beta keeps its own version), then Beta pushes to Alpha, whose on-write rescan names via {Beta, seq 2}: the chain
    // is Beta > Alpha from line 12. Taking the collision as an arrival rooted it at Gamma's scan (line 13).
    const lines = readFileSync(collisionLog('blame-collision-kept.jsonl', false), 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"type":"push","server":"Beta"'));
    lines.splice(at, 0, '{"at":3500,"type":"push","server":"Gamma","partner":"Beta"}');
    const log = join(tmp, 'blame-collision-kept.jsonl');
    writeFileSync(log, lines.join('\n'));
    const res = await runCli(['replay', log, '--blame', '--json', '--record', join(tmp, 'blame-collision-kept.rec.jsonl')]);
    expect(res.code, res.stderr).toBe(0);
    expect(readFileSync(join(tmp, 'blame-collision-kept.rec.jsonl'), 'utf8')).toContain('"from":"Gamma","to":"Beta","db":"m.nsf","unid":"00000000000000000000000000000001","seq":2,"seqTime":3360,"outcome":"collision"');
    const { blame } = parse(res.stdout) as { blame: { chains: { cause: number; length: number; servers: string[] }[] } };
    expect(blame.chains.map((c) => [c.cause, c.length, c.servers])).toEqual([[12, 2, ['Beta', 'Alpha']]]);
  });

  it('--blame\'s longest chain, of two equal paths, is the first found ([choice] in blame.ts): one arrival stamped on two servers is Alpha > Beta, not Alpha > Beta > Gamma', async () => {
    const unid = '0000000000000000000000000000000B';
    const events = [
      '{"replog":1,"meta":{}}',
      ...['Alpha', 'Beta', 'Gamma'].map((s) => `{"at":0,"type":"server","name":"${s}"}`),
      '{"at":0,"type":"database","name":"d.nsf","replicas":["Alpha","Beta","Gamma"]}',
      ...['Beta', 'Gamma'].map((s) => `{"at":0,"type":"scanner","server":"${s}","design":"smsdom","config":{"scanReplicatedWrites":true}}`),
      `{"at":10,"type":"save","server":"Alpha","db":"d.nsf","unid":"${unid}","by":"user/ann","set":{"$FILE":[{"name":"a.txt"}]}}`,
      '{"at":20,"type":"replicate","server":"Beta","partner":"Alpha","mode":"pull"}',
      '{"at":20,"type":"replicate","server":"Gamma","partner":"Alpha","mode":"pull"}',
      '{"at":1000,"type":"end"}',
    ];
    const log = join(tmp, 'blame-equal-branches.jsonl');
    writeFileSync(log, `${events.join('\n')}\n`);
    const res = await runCli(['replay', log, '--blame', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const { chains } = (parse(res.stdout) as { blame: { chains: { servers: string[]; length: number }[] } }).blame;
    expect(chains.map((c) => [c.length, c.servers])).toEqual([[2, ['Alpha', 'Beta']]]);
  });

  it('--json with --report (no --blame) prints the summary without blame', async () => {
    const res = await runCli(['replay', EXAMPLE_LOG, '--json', '--report', join(tmp, 'r-no-blame.html')]);
    expect(res.code).toBe(0);
    const json = parse(res.stdout) as Record<string, unknown>;
    expect(json).not.toHaveProperty('blame');
    expect(parse((await runCli(['replay', EXAMPLE_LOG, '--json', '--blame'])).stdout)).toHaveProperty('blame');
    // The report computes blame all the same (README: --report shows blame by actor and by cause).
    const html = readFileSync(join(tmp, 'r-no-blame.html'), 'utf8');
    expect(html).toContain('<code>scanner/smsdom</code></th><td class="num">4</td>');
    expect(html).toContain('<h2 id="h-causes">Blame by cause</h2>');
  });

  it('run --report (no --blame) holds blame by actor and by cause too', async () => {
    const report = join(tmp, 'run-no-blame.html');
    const res = await runCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=2', '--report', report]);
    expect(res.code, res.stderr).toBe(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/<code>scanner\/smsdom<\/code><\/th><td class="num">[1-9]/);
    expect(html).toContain('<h2 id="h-causes">Blame by cause</h2>');
    expect(html).not.toContain('No actor wrote anything.');
    // Its causes' lines are of no file: said so (it said "its line in the log": a browser QA pass), and with
    // --record, the recording's lines.
    expect(html).toContain('The input event (its number among the scenario&#39;s input events, counting a header as line 1: no file holds them; with --record, the recording&#39;s lines) behind the revisions.');
    const recorded = join(tmp, 'run-no-blame.jsonl');
    expect((await runCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=2', '--record', recorded, '--report', report])).code).toBe(0);
    // (A path of more than 40 characters without a space gets line-break opportunities: escapeHtml.)
    expect(readFileSync(report, 'utf8').replaceAll('<wbr>', '')).toContain(`The input event (its line in the recording, ${recorded}) behind the revisions.`);
  });

  it('event-log.md "When a run stops": input events after an end are ignored, said on stderr under --json, and kept in a recording', async () => {
    const log = join(tmp, 'after-end.jsonl');
    writeFileSync(log, `${['{"replog":1,"meta":{}}', '{"at":0,"type":"server","name":"A"}', '{"at":0,"type":"database","name":"d.nsf","replicas":["A"]}', '{"at":5,"type":"end"}', '{"at":6,"type":"save","server":"A","db":"d.nsf","unid":"0000000000000000000000000000000A","by":"user/a","set":{"S":"x"}}'].join('\n')}\n`);
    const human = await runCli(['replay', log]);
    expect(human.stdout).toContain('1 input event after the end event (at later times) was ignored');
    const json = await runCli(['replay', log, '--json']);
    expect(json.code).toBe(0);
    expect(parse(json.stdout)).toHaveProperty('digest');
    expect(json.stderr).toContain('warning: 1 input event after the end event (at later times) was ignored');
    const rec = join(tmp, 'after-end.rec.jsonl');
    expect((await runCli(['replay', log, '--record', rec])).code).toBe(0);
    expect(readFileSync(rec, 'utf8')).toContain('"at":6,"type":"save"');
    const again = await runCli(['replay', rec, '--json']);
    expect((parse(again.stdout) as { digest: string }).digest).toBe((parse(json.stdout) as { digest: string }).digest);
  });

  it('--json prints only JSON, with exactly the summary fields of event-log.md', async () => {
    const res = await runCli(['replay', EXAMPLE_LOG, '--json']);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    const s = parse(res.stdout);
    expect(Object.keys(s)).toEqual([...SUMMARY_FIELDS]);
    expect(Object.keys(s['revisions'] as Json)).toEqual(['total', 'byActorKind']);
    expect(Object.keys(s['scans'] as Json)).toEqual(['performed', 'skipped', 'infected', 'missed']);
    const byKind = (s['revisions'] as { byActorKind: Json }).byActorKind;
    // Every kind in `by`, plus scanner and router once a scanner is installed, zeros included.
    expect(byKind).toEqual({ router: 0, scanner: 4, user: 6 });
    for (const k of ['replicatedChanges', 'conflicts', 'merges', 'discarded', 'collisions', 'endAt']) expect(Number.isSafeInteger(s[k]), k).toBe(true);
    expect(typeof s['quiescent']).toBe('boolean');
    expect(typeof s['converged']).toBe('boolean');
    expect(['end', 'idle', 'cap']).toContain(s['stopped']);
    expect(s['digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(s).toMatchObject({ replicatedChanges: 10, conflicts: 0, scans: { performed: 4, skipped: 0 }, quiescent: true, converged: true, stopped: 'idle', endAt: 3_615_002 });
  });

  it('--state adds `state` in the documented shape, and the digest is the SHA-256 of its canonical JSON', async () => {
    for (const log of [EXAMPLE_LOG, join(GOLDEN_DIR, 'r6-delete-vs-edit.jsonl'), join(GOLDEN_DIR, 'r5-conflict-winner-skew.jsonl')]) {
      const res = await runCli(['replay', log, '--json', '--state']);
      expect(res.code).toBe(0);
      const out = parse(res.stdout);
      // (The summary's fields, `state`, and, for a log that deletes documents, how many are back where deleted: R6.)
      expect(Object.keys(out).filter((k) => k !== 'deletionsUndone')).toEqual([...SUMMARY_FIELDS, 'state']);
      expect(out['deletionsUndone']).toMatchObject(log.includes('r6-delete-vs-edit') ? { deleted: 3, undone: 2 } : {});
      if (!log.includes('r6-delete-vs-edit')) expect(out['deletionsUndone']).toBeUndefined();
      const plain = parse((await runCli(['replay', log, '--json'])).stdout);
      expect({ ...out, state: undefined }).toEqual({ ...plain, state: undefined });
      const state = out['state'] as Record<string, Record<string, Json[]>>;
      for (const [server, dbs] of Object.entries(state)) {
        for (const [db, docs] of Object.entries(dbs)) {
          expect(Array.isArray(docs), `${server} ${db}`).toBe(true);
          const unids = docs.map((d) => d['unid'] as string);
          expect(unids).toEqual([...unids].sort());
          for (const d of docs) {
            expect(Object.keys(d)).toEqual([...STATE_DOC_FIELDS]);
            expect(d['unid']).toMatch(/^[0-9A-F]{32}$/);
            expect(Number.isSafeInteger(d['seq']) && Number.isSafeInteger(d['seqTime'])).toBe(true);
            expect((d['revisions'] as unknown[]).every((r) => Array.isArray(r) && r.length === 2)).toBe(true);
            expect(typeof d['deleted'] === 'boolean' && typeof d['conflict'] === 'boolean').toBe(true);
            expect(d['ref'] === null || typeof d['ref'] === 'string').toBe(true);
            expect(Object.keys(d['itemSeq'] as Json)).toEqual(Object.keys(d['items'] as Json));
            if (d['deleted'] === true) expect([d['items'], d['itemSeq']]).toEqual([{}, {}]);
            expect(d['conflict']).toBe(Object.keys(d['items'] as Json).some((k) => k.toLowerCase() === '$conflict'));
          }
        }
      }
      const digest = `sha256:${createHash('sha256').update(canonical(state)).digest('hex')}`;
      expect(out['digest']).toBe(digest);
    }
  });

  it('replay - reads the log from standard input, with the result of replaying the file', async () => {
    const fromFile = await runCli(['replay', EXAMPLE_LOG, '--json', '--state']);
    const fromStdin = await spawnCli(['replay', '-', '--json', '--state'], { input: readFileSync(EXAMPLE_LOG) });
    expect(fromStdin.stderr).toBe('');
    expect(fromStdin.code).toBe(0);
    expect(parse(fromStdin.stdout)).toEqual(parse(fromFile.stdout));
  });

  it('replay - refuses broken input on standard input with exit 2 and a file:line:column line', async () => {
    const res = await spawnCli(['replay', '-'], { input: readFileSync(join(HOSTILE_DIR, 'time-decreasing.jsonl')) });
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    const m = ERROR_LINE.exec(res.stderr.trimEnd());
    expect(m, res.stderr).not.toBeNull();
    expect(m![2]).toBe('5');
  });

  it('replay - with a directory on standard input says so (Node reads it as empty: "the log is empty" pointed at the log), exit 2', () => {
    const fd = openSync(tmpdir(), 'r');
    try {
      const res = spawnSync(process.execPath, ['--import', 'tsx', MAIN_TS, 'replay', '-'], { cwd: REPO_ROOT, stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
      expect(res.status).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr).toBe('replstorm: standard input (-) is a directory, not a log file\n');
    } finally {
      closeSync(fd);
    }
  });

  it('R5: one divergence resolved on two replicas before either copy reached the other counts as two conflicts made (event-log.md: conflict documents made, on each replica); the replicas then hold one, and run and replay say so beside the count, conflictDocumentsHeld under --json (an operator\'s QA pass counted one $Conflict document where the summary said 2)', async () => {
    const dir = mkdtempSync(join(tmp, 'conflicts-held-'));
    const log = join(dir, 'three.jsonl');
    const U = '000000000000000000000000000000A1';
    writeFileSync(log, [
      '{"replog":1,"meta":{}}',
      '{"at":0,"type":"server","name":"A"}',
      '{"at":0,"type":"server","name":"B"}',
      '{"at":0,"type":"server","name":"C"}',
      '{"at":0,"type":"database","name":"d.nsf","replicas":["A","B","C"]}',
      `{"at":100,"type":"save","server":"A","db":"d.nsf","unid":"${U}","by":"user/ann","set":{"S":"0"}}`,
      '{"at":200,"type":"replicate","server":"A","partner":"B","mode":"push"}',
      '{"at":200,"type":"replicate","server":"A","partner":"C","mode":"push"}',
      `{"at":1000,"type":"save","server":"A","db":"d.nsf","unid":"${U}","by":"user/ann","set":{"S":"a"}}`,
      `{"at":2000,"type":"save","server":"B","db":"d.nsf","unid":"${U}","by":"user/bob","set":{"S":"b"}}`,
      // C takes A's edit, then B's (C makes the conflict document); A takes B's (A makes the same one); C pushes it to
      // A, which holds it already; A pushes to B.
      '{"at":3000,"type":"replicate","server":"A","partner":"C","mode":"push"}',
      '{"at":4000,"type":"replicate","server":"B","partner":"C","mode":"push"}',
      '{"at":5000,"type":"replicate","server":"A","partner":"B","mode":"pull"}',
      '{"at":6000,"type":"replicate","server":"C","partner":"A","mode":"push"}',
      '{"at":7000,"type":"replicate","server":"A","partner":"B","mode":"push"}',
      '',
    ].join('\n'));
    const text = await runCli(['replay', log]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^ {2}conflicts {5}2 /m);
    expect(text.stdout).toContain('  conflict docs 1 held at the end, counted once however many replicas hold each, against 2 made: ');
    const json = parse((await runCli(['replay', log, '--json'])).stdout);
    expect(json).toMatchObject({ conflicts: 2, conflictDocumentsHeld: 1 });
    // The report says it under its summary, as the terminal does (an operator's QA pass: it did not).
    const report = join(dir, 'r.html');
    expect((await runCli(['replay', log, '--report', report])).code).toBe(0);
    expect(readFileSync(report, 'utf8')).toContain('<p class="muted summary-line"><strong>Conflict docs</strong>: 1 held at the end, counted once however many replicas hold each, against 2 made: ');
    // With --what-if, a row of each run's, and both in JSON (an operator's QA pass: the line and its figure went).
    const whatIf = await runCli(['replay', log, '--what-if', 'noop', '--report', report]);
    expect(whatIf.stdout).toMatch(/^ {2}conflict documents held\s+1\s+1\s+0$/m);
    expect(readFileSync(report, 'utf8')).toContain('<th scope="row" class="sub">Conflict documents held</th><td class="num">1</td><td class="num">1</td>');
    // The report's rows in the terminal's order (a review: the order was moved and not checked).
    const table = /<table class="data whatif"[^>]*>[\s\S]*?<\/table>/.exec(readFileSync(report, 'utf8'))![0];
    const rows = [...table.matchAll(/<th scope="row"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]!.toLowerCase());
    const terminal = whatIf.stdout.split('\n').filter((l) => /^ *[A-Za-z][A-Za-z ()0-9]*? {2,}\d/.test(l)).map((l) => l.trim().replace(/ {2,}.*$/, '').toLowerCase());
    expect(rows.slice(0, terminal.length)).toEqual(terminal);
    expect(rows.slice(terminal.length)).toEqual(['quiescent', 'converged', 'stopped', 'end at (virtual)', 'digest']);
    expect(parse((await runCli(['replay', log, '--what-if', 'noop', '--json'])).stdout)['whatIf']).toMatchObject({ conflictDocumentsHeld: { base: 1, whatIf: 1 } });
    // Where they agree, nothing is said (the example's run makes none).
    const example = await runCli(['replay', EXAMPLE_LOG]);
    expect(example.stdout).not.toContain('conflict docs');
    expect(parse((await runCli(['replay', EXAMPLE_LOG, '--json'])).stdout)).not.toHaveProperty('conflictDocumentsHeld');
    expect((await runCli(['replay', EXAMPLE_LOG, '--what-if', 'noop'])).stdout).not.toContain('conflict documents held');
    expect(parse((await runCli(['replay', EXAMPLE_LOG, '--what-if', 'noop', '--json'])).stdout)['whatIf']).toMatchObject({ conflictDocumentsHeld: { base: 0, whatIf: 0 } });
  });

  it('R11: a log whose last input leaves nothing pending stops there (event-log.md, Time and order); a scheduled connection due later did not run, and replay says so, with what runs it (an operator\'s QA pass: "replicas differ" and no word why); nothing is said with an end event', async () => {
    const dir = mkdtempSync(join(tmp, 'timers-'));
    const lines = [
      '{"replog":1,"meta":{}}',
      '{"at":0,"type":"server","name":"A"}',
      '{"at":0,"type":"server","name":"B"}',
      '{"at":0,"type":"database","name":"x.nsf","replicas":["A","B"]}',
      '{"at":0,"type":"connection","server":"A","partner":"B","everyMs":60000,"mode":"pull-pull","db":"x.nsf"}',
      '{"at":1000,"type":"save","server":"A","db":"x.nsf","unid":"000000000000000000000000000000A1","by":"user/ann","set":{"S":"x"}}',
    ];
    const log = join(dir, 'no-end.jsonl');
    writeFileSync(log, `${lines.join('\n')}\n`);
    const note = 'the run stopped at its last input with nothing pending, so the next scheduled session A <-> B, due at 0:01:00, did not happen: work on a timer does not keep a run going; an `end` event runs the log to a time (event-log.md, "Time and order")';
    const text = await runCli(['replay', log]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('  state         quiescent, replicas differ\n');
    expect(text.stdout).toContain(`  note          ${note}\n`);
    const json = await runCli(['replay', log, '--json']);
    expect(json.stderr).toContain(`${log}: warning: ${note}`);
    expect(parse(json.stdout)).toMatchObject({ stopped: 'idle', converged: false });
    // With an end past the connection's time, it runs and nothing is said.
    const ended = join(dir, 'end.jsonl');
    writeFileSync(ended, `${[...lines, '{"at":120000,"type":"end"}'].join('\n')}\n`);
    const run = await runCli(['replay', ended]);
    expect(run.stdout).toContain('converged');
    expect(run.stdout).not.toContain('did not happen');
  });

  it('--what-if says what ran in place of the log\'s scanners: per design replaced, the servers, the log\'s settings kept and dropped, in the text, the report, and --json\'s whatIf.scanners (an operator\'s QA pass: scan-cache kept a log\'s scanReplicatedWrites=true and dropped its key, and the column said "scan-cache" alone)', async () => {
    const dir = mkdtempSync(join(tmp, 'whatif-kept-'));
    const log = join(dir, 'keys.jsonl');
    writeFileSync(log, [
      '{"replog":1,"meta":{}}',
      '{"at":0,"type":"server","name":"A","cluster":"C"}',
      '{"at":0,"type":"server","name":"B","cluster":"C"}',
      '{"at":0,"type":"database","name":"d.nsf","replicas":["A","B"]}',
      '{"at":0,"type":"scanner","server":"A","design":"smsdom","config":{"scanReplicatedWrites":true,"key":"AAAAAAAAAAAAAAA1"}}',
      '{"at":0,"type":"scanner","server":"B","design":"smsdom","config":{"scanReplicatedWrites":true,"key":"BBBBBBBBBBBBBBB2"}}',
      '{"at":1000,"type":"save","server":"A","db":"d.nsf","unid":"000000000000000000000000000000E1","by":"user/ann","set":{"Subject":"one","$FILE":[{"name":"a.pdf"}]}}',
      '{"at":600000,"type":"end"}',
      '',
    ].join('\n'));
    const note = "scan-cache ran in place of smsdom on A, B, keeping its scanReplicatedWrites=true and dropping its key (scan-cache has no such setting); the inputs are the log's";
    const text = await runCli(['replay', log, '--what-if', 'scan-cache']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`  note          ${note}\n`);
    // Settings the what-if has are kept per server: the keys differ, so A and B are said apart.
    expect((await runCli(['replay', log, '--what-if', 'smsdom:ignoreSsoOnScheduled=true'])).stdout).toContain('  note          smsdom with ignoreSsoOnScheduled=true ran in place of smsdom on A, keeping its scanReplicatedWrites=true, key=AAAAAAAAAAAAAAA1; smsdom on B, keeping its scanReplicatedWrites=true, key=BBBBBBBBBBBBBBB2; the inputs are the log\'s\n');
    // A setting the what-if gives is its own, not one of the log's kept (a review).
    expect((await runCli(['replay', log, '--what-if', 'smsdom:scanReplicatedWrites=false'])).stdout).toContain("  note          smsdom with scanReplicatedWrites=false ran in place of smsdom on A, keeping its key=AAAAAAAAAAAAAAA1; smsdom on B, keeping its key=BBBBBBBBBBBBBBB2; the inputs are the log's\n");
    const json = await runCli(['replay', log, '--what-if', 'scan-cache', '--json']);
    expect(json.stderr).not.toContain('ran in place of');
    expect((parse(json.stdout)['whatIf'] as Json)['scanners']).toEqual([
      { server: 'A', at: 0, design: 'smsdom', kept: { scanReplicatedWrites: true }, dropped: ['key'] },
      { server: 'B', at: 0, design: 'smsdom', kept: { scanReplicatedWrites: true }, dropped: ['key'] },
    ]);
    const report = join(dir, 'r.html');
    expect((await runCli(['replay', log, '--what-if', 'scan-cache', '--report', report])).code).toBe(0);
    expect(readFileSync(report, 'utf8')).toContain(`<p class="muted">Note: ${note.replaceAll("'", '&#39;')}</p>`);
    // A log's design with settings of its own that the what-if keeps none of: said too.
    expect((await runCli(['replay', EXAMPLE_LOG, '--what-if', 'noop'])).stdout).toContain("  note          noop ran in place of smsdom on Alpha, Beta, dropping its sso (noop has no such setting); the inputs are the log's\n");
    // run has no log: its inputs are the scenario's (a QA pass read "the inputs are the log's" under run).
    const run = await runCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=2', '--what-if', 'noop']);
    expect(run.stdout).toContain("  note          noop ran in place of smsdom on Alpha, Beta, dropping its scheduleEveryMs (noop has no such setting); the inputs are the scenario's\n");
  });

  it('--what-if and compare name a design as its configuration is read: entries trimmed, empty ones dropped (--what-if noop:, was labelled "noop:," and its note said "noop with , ran in place of ...")', async () => {
    const empty = await runCli(['replay', EXAMPLE_LOG, '--what-if', 'noop:,']);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toMatch(/^ +this run +noop +difference$/m);
    expect(empty.stdout).toContain('  note          noop ran in place of smsdom on Alpha, Beta');
    const spaced = parse((await runCli(['replay', EXAMPLE_LOG, '--what-if', 'smsdom: sso=false ,', '--json'])).stdout);
    expect((spaced['whatIf'] as Json)['label']).toBe('smsdom:sso=false');
  });

  it('--what-if cluster-aware on servers in no cluster says that it acts there as smsdom does (a blame audit: 0 against 0 on every row, with no word why); in a cluster it says nothing of it. Under --json the run\'s own findings stay at the top level, as without --what-if', async () => {
    const dir = mkdtempSync(join(tmp, 'whatif-cluster-'));
    const lines = (cluster: string) => [
      '{"replog":1,"meta":{}}',
      `{"at":0,"type":"server","name":"A"${cluster}}`,
      `{"at":0,"type":"server","name":"B"${cluster}}`,
      '{"at":0,"type":"database","name":"d.nsf","replicas":["A","B"]}',
      '{"at":0,"type":"scanner","server":"A","design":"smsdom","config":{"scheduleEveryMs":3600000}}',
      '{"at":0,"type":"scanner","server":"B","design":"smsdom","config":{"scheduleEveryMs":3600000}}',
      '{"at":1000,"type":"save","server":"A","db":"d.nsf","unid":"000000000000000000000000000000E1","by":"user/ann","set":{"Subject":"one","$FILE":[{"name":"a.pdf","infected":true}]}}',
      '{"at":7200000,"type":"end"}',
      '',
    ].join('\n');
    const apart = join(dir, 'apart.jsonl');
    writeFileSync(apart, lines(''));
    const together = join(dir, 'together.jsonl');
    writeFileSync(together, lines(',"cluster":"C","clusterIntervalMs":0'));
    const note = "the log's servers with a scanner (A, B) are in no cluster: cluster-aware runs one member's scheduled passes within a cluster, and on a server in no cluster its own, as smsdom does, so here it acts as smsdom with the same settings would";
    const text = await runCli(['replay', apart, '--what-if', 'cluster-aware']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`  note          ${note}\n`);
    // (What it says is so: the two runs end alike.)
    expect(/digests: (\S+) \/ (\S+)/.exec(text.stdout)!.slice(1).reduce((a, b) => (a === b ? a : ''))).not.toBe('');
    const clustered = await runCli(['replay', together, '--what-if', 'cluster-aware']);
    expect(clustered.code, clustered.stderr).toBe(0);
    expect(clustered.stdout).not.toContain('in no cluster');
    expect((await runCli(['replay', apart, '--what-if', 'smsdom:sso=false'])).stdout).not.toContain('in no cluster');
    // Past 100 servers: the first 100 named, the rest counted, and still "acts as smsdom" (a review: 105 servers read as
    // 100, and the end of the note was dropped).
    const many = join(dir, 'many.jsonl');
    const names = Array.from({ length: 105 }, (_, i) => `S${String(i).padStart(3, '0')}`);
    writeFileSync(many, ['{"replog":1,"meta":{}}', ...names.map((n) => `{"at":0,"type":"server","name":"${n}"}`), `{"at":0,"type":"database","name":"d.nsf","replicas":${JSON.stringify(names)}}`, ...names.map((n) => `{"at":0,"type":"scanner","server":"${n}","design":"smsdom"}`), '{"at":1000,"type":"end"}', ''].join('\n'));
    const manyOut = (await runCli(['replay', many, '--what-if', 'cluster-aware'])).stdout;
    expect(manyOut).toContain(`  note          the log's servers with a scanner (${names.slice(0, 100).join(', ')} and 5 more) are in no cluster: cluster-aware runs one member's scheduled passes within a cluster, and on a server in no cluster its own, as smsdom does, so here it acts as smsdom with the same settings would\n`);
    // The JSON: the run's own findings at the top level with --what-if as without it (they left it: a script reading
    // .infectedCopiesLeft read nothing once --what-if was added), each run's in whatIf too. A scanner that scans no
    // write and runs no pass leaves the infected save as it is: one infected copy.
    const idle = join(dir, 'idle.jsonl');
    // And a user's deletion of another document: deletionsUndone. (conflictDocumentsHeld is set by the same code, where
    // a run holds other than the conflict documents it made: none here, absent from both.)
    const deleting = [
      '{"at":2000,"type":"save","server":"A","db":"d.nsf","unid":"000000000000000000000000000000E2","by":"user/ann","set":{"Subject":"two"}}',
      '{"at":3000,"type":"delete","server":"A","db":"d.nsf","unid":"000000000000000000000000000000E2","by":"user/ann"}',
    ].join('\n');
    writeFileSync(idle, lines('').replaceAll('"config":{"scheduleEveryMs":3600000}', '"config":{"onWrite":false}').replace('\n{"at":7200000,"type":"end"}', `\n${deleting}\n{"at":7200000,"type":"end"}`));
    const alone = parse((await runCli(['replay', idle, '--json'])).stdout);
    expect(alone['infectedCopiesLeft']).toBe(1);
    expect(alone['deletionsUndone']).toMatchObject({ deleted: 1, undone: 0 });
    const both = parse((await runCli(['replay', idle, '--what-if', 'noop', '--json'])).stdout);
    for (const k of ['infectedCopiesLeft', 'conflictDocumentsHeld', 'deletionsUndone']) expect(both[k], k).toEqual(alone[k]);
    expect((both['whatIf'] as Json)['infectedCopiesLeft']).toEqual({ base: 1, whatIf: 1 });
  });

  it('--what-if smsdom:ignoreSsoOnScheduled=true prints both summaries side by side and exits 0', async () => {
    const res = await runCli(['replay', EXAMPLE_LOG, '--what-if', 'smsdom:ignoreSsoOnScheduled=true']);
    expect(res.code).toBe(0);
    // The example holds inputs only: its column is "this run" ("as recorded" is for a recording, checked below).
    expect(res.stdout).toMatch(/^\s+this run\s+smsdom:ignoreSsoOnScheduled=true\s+difference$/m);
    const recording = join(tmp, 'whatif-rec.jsonl');
    expect((await runCli(['replay', EXAMPLE_LOG, '--record', recording])).code).toBe(0);
    expect((await runCli(['replay', recording, '--what-if', 'smsdom:ignoreSsoOnScheduled=true'])).stdout).toMatch(/^\s+as recorded\s+smsdom:ignoreSsoOnScheduled=true\s+difference$/m);
    // A recording the engine disagrees with (exit 1): its column is the engine's run, not what the file recorded.
    const lines = readFileSync(recording, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"type":"scanned"') && l.includes('"verdict":"clean"'));
    lines[at] = lines[at]!.replace('"verdict":"clean"', '"verdict":"infected"');
    const disagreeing = join(tmp, 'whatif-rec-disagrees.jsonl');
    writeFileSync(disagreeing, lines.join('\n'));
    const off = await runCli(['replay', disagreeing, '--what-if', 'smsdom:ignoreSsoOnScheduled=true']);
    expect(off.code).toBe(1);
    expect(off.stdout).toMatch(/^\s+this run\s+smsdom:ignoreSsoOnScheduled=true\s+difference$/m);
    expect(off.stdout).not.toContain('as recorded');
    expect(res.stdout).toContain('smsdom:ignoreSsoOnScheduled=true');
    expect(res.stdout.match(/sha256:[0-9a-f]{64}/g)?.length).toBe(2);

    const json = parse((await runCli(['replay', EXAMPLE_LOG, '--json', '--what-if', 'smsdom:ignoreSsoOnScheduled=true'])).stdout);
    const whatIf = json['whatIf'] as { label: string; summary: Json };
    expect(whatIf.label).toBe('smsdom:ignoreSsoOnScheduled=true');
    expect(Object.keys(whatIf.summary)).toEqual([...SUMMARY_FIELDS]);
    expect(whatIf.summary).toMatchObject({ revisions: { total: 6, byActorKind: { scanner: 0, user: 6 } }, replicatedChanges: 6, scans: { performed: 4 } });
    expect(json).toMatchObject({ revisions: { byActorKind: { scanner: 4 } } });
  });

  it('R15: --what-if noop on a run with infections shows the infected copies each run left (missed counts scans only: noop never scans the edits), in the text, the JSON and the report', async () => {
    // An operator's QA pass: noop's side said "1 missed" where 14 infected copies stayed in the databases.
    const sets = ['--set', 'databases=2', '--set', 'docs=20', '--set', 'forwards=5', '--set', 'userEditsPerHour=10', '--set', 'infectedShare=0.2'];
    const rec = join(tmp, 'infected-rec.jsonl');
    expect((await runCli(['run', 'smsdom-storm', ...sets, '--record', rec])).code).toBe(0);
    const left = (parse((await runCli(['replay', rec, '--what-if', 'noop', '--json'])).stdout)['whatIf'] as { infectedCopiesLeft: { base: number; whatIf: number } }).infectedCopiesLeft;
    // Counted here from final states: every live copy holding an infected attachment, in the recorded run and in the
    // same scenario run with noop installed (what the what-if run is).
    type StateDoc = { deleted: boolean; items: Record<string, unknown> };
    const infectedIn = async (args: string[]) => {
      const state = parse((await runCli([...args, '--json', '--state'])).stdout)['state'] as Record<string, Record<string, StateDoc[]>>;
      const docs = Object.values(state).flatMap((dbs) => Object.values(dbs).flat());
      return docs.filter((d) => !d.deleted && Array.isArray(d.items['$FILE']) && (d.items['$FILE'] as { infected?: boolean }[]).some((a) => a.infected === true)).length;
    };
    expect(left.base).toBe(await infectedIn(['replay', rec]));
    expect(left.whatIf).toBe(await infectedIn(['run', 'smsdom-storm', ...sets, '--set', 'design=noop']));
    expect(left.base).toBe(0); // smsdom cleans what it scans
    expect(left.whatIf).toBeGreaterThan(0);
    const text = (await runCli(['replay', rec, '--what-if', 'noop'])).stdout;
    expect(text).toMatch(new RegExp(`^infected copies left\\s+0\\s+${left.whatIf}\\s+\\+${left.whatIf}$`, 'm'));
    const report = join(tmp, 'infected-report.html');
    expect((await runCli(['replay', rec, '--what-if', 'noop', '--report', report])).code).toBe(0);
    expect(readFileSync(report, 'utf8')).toMatch(new RegExp(`Infected copies left</th><td class="num">0</td><td class="num">${left.whatIf}</td>`));
  });

  it('--blame lists the actors behind revisions and conflicts', async () => {
    const res = await runCli(['replay', EXAMPLE_LOG, '--blame']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/user\/carol\s+6\s/);
    expect(res.stdout).toMatch(/scanner\/smsdom\s+4\s/);
    const json = parse((await runCli(['replay', join(GOLDEN_DIR, 'seed-both-members-conflicts.jsonl'), '--json', '--blame'])).stdout);
    const actors = (json['blame'] as { byActor: { actor: string; revisions: number }[] }).byActor.map((a) => [a.actor, a.revisions]);
    expect(actors).toEqual(expect.arrayContaining([['scanner/smsdom', 4], ['user/carol', 2]]));
  });
});

describe('a researcher\'s design in run and compare', () => {
  it('is scheduled like the built-in designs (scanEveryMs), not installed with no schedule and no scan', async () => {
    const design = join(REPO_ROOT, 'examples', 'designs', 'stamp-if-missing.ts');
    const res = await runCli(['compare', 'smsdom', 'stamp-if-missing', '--design', `stamp-if-missing=${design}`, '--set', 'databases=1', '--set', 'docs=10', '--json']);
    expect(res.code).toBe(0);
    // The settings as the scenario read them (typed), and every parameter the run used.
    expect(parse(res.stdout)['settings']).toEqual({ databases: 1, docs: 10 });
    expect(parse(res.stdout)['parameters']).toMatchObject({ databases: 1, docs: 10, servers: 2 });
    const rows = (parse(res.stdout)['rows'] as Json[]).map((r) => [r['design'], r['scansPerformed'], r['scannerRevisions']]);
    // Two members scan 10 documents each hourly for two hours: 40 scans. smsdom stamps at every pass; stamp-if-missing
    // stamps the untagged ones only (each member its own first pass, then never again on a tagged one).
    expect(rows[0]).toEqual(['smsdom', expect.any(Number), expect.any(Number)]);
    expect(rows[1]![0]).toBe('stamp-if-missing');
    expect(rows[1]![1]).toBeGreaterThanOrEqual(40);
    expect(rows[1]![2]).toBeGreaterThan(0);
  });
});

describe('a researcher\'s design: what the output says when it does little or nothing', () => {
  it('compare: a design whose code throws gets no row, and the other rows are printed, its failure below them and under --json in `failed`; exit 2 all the same (the whole table was lost: a researcher\'s QA pass)', async () => {
    const args = ['compare', 'smsdom', 'boom', 'noop', '--design', 'boom=packages/cli/test/designs/boom.ts', '--set', 'databases=1', '--set', 'docs=3', '--set', 'userEditsPerHour=60'];
    const res = await spawnCli(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toMatch(/\nsmsdom +[\d,]+ /);
    expect(res.stdout).toMatch(/\nnoop +0 /);
    expect(res.stdout).not.toMatch(/\nboom +\d/);
    expect(res.stdout).toMatch(/\n- boom: NO ROW: the design "boom" failed while scanning [0-9A-F]{32} .*cannot handle seq 3/);
    expect(res.stderr).toMatch(/^replstorm: compare on smsdom-storm: the design "boom" failed while scanning .*; the other rows are printed\n$/);
    const json = await spawnCli([...args, '--json']);
    expect(json.code).toBe(2);
    const j = parse(json.stdout) as { rows: { label: string }[]; failed: { label: string; design: string; config: string; message: string }[] };
    expect(j.rows.map((r) => r.label)).toEqual(['smsdom', 'noop']);
    expect(j.failed).toEqual([{ label: 'boom', design: 'boom', config: '', message: expect.stringMatching(/^the design "boom" failed while scanning .*cannot handle seq 3/) }]);
    // Alone, it is refused as before: there is no table to print.
    const alone = await spawnCli(['compare', 'boom', ...args.slice(4)]);
    expect(alone.code).toBe(2);
    expect(alone.stdout).toBe('');
  });

  it('compare: a design whose decision is refused gets no row, and its failure says so, not that its code threw (a researcher\'s QA pass: "NO ROW: its code threw (... it returned the verdict "maybe" ...)")', async () => {
    const res = await spawnCli(['compare', 'smsdom', 'maybe', '--design', `maybe=${join('packages', 'cli', 'test', 'designs', 'maybe.ts')}`, '--set', 'databases=1', '--set', 'docs=2']);
    expect(res.code).toBe(2);
    expect(res.stdout).toMatch(/\n- maybe: NO ROW: the design "maybe" failed while scanning [0-9A-F]{32} .*: it returned the verdict "maybe" \(expected "clean", "infected" or "skipped"\)/);
    expect(res.stdout).not.toContain('threw');
  });

  it('run: a design whose check() refuses its default configuration names that, not a --set config= never typed (a researcher\'s QA pass); a design asking for a time past 2^53 - 1 ms is told the range', async () => {
    const dir = mkdtempSync(join(tmp, 'checked-'));
    const file = join(dir, 'picky.ts');
    writeFileSync(file, "export default { name: 'picky', description: 'refuses its defaults', defaults: { n: 0 }, check(c: { n: number }) { if (c.n === 0) throw new Error('n must not be 0'); }, scanMsPerDoc: () => 1e20, scan() { return { verdict: 'clean' as const }; } };\n");
    const small = ['--design', `p=${file}`, '--set', 'design=p', '--set', 'databases=1', '--set', 'docs=2'];
    const res = await runCli(['run', 'smsdom-storm', ...small]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^replstorm: --set design=p \(its default configuration\): the design "p" failed while checking its configuration/);
    const given = await runCli(['run', 'smsdom-storm', ...small, '--set', 'config=n=0']);
    expect(given.stderr).toMatch(/^replstorm: --set config=n=0: the design "p" failed while checking its configuration/);
    const far = await runCli(['run', 'smsdom-storm', ...small, '--set', 'config=n=1']);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('asks for a scanMsPerDoc of 100000000000000000000 with this configuration; virtual time needs a whole number of milliseconds from 0 to 2^53 - 1 (9,007,199,254,740,991)');
  });

  it('run: a design that throws while scanning is named with where and when, not with the number of a generated input nobody sees (a researcher\'s QA pass)', async () => {
    const dir = mkdtempSync(join(tmp, 'throws-'));
    const file = join(dir, 'throws.ts');
    writeFileSync(file, "export default { name: 'throws', description: 'throws at every scan', defaults: { scheduleEveryMs: 0 }, scheduleEveryMs: (c: { scheduleEveryMs: number }) => c.scheduleEveryMs || undefined, scan() { throw new Error('cannot scan'); } };\n");
    const res = await runCli(['run', 'smsdom-storm', '--design', `boom=${file}`, '--set', 'design=boom', '--set', 'databases=1', '--set', 'docs=3']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^replstorm: run smsdom-storm: the design "boom" failed while scanning [0-9A-F]{32} in \S+ on \w+ at \d+ ms: .*\)\n$/);
    expect(res.stderr).not.toContain('generated input');
  });

  it('compare: a design with no scheduleEveryMs setting gets a note for its row of zeros', async () => {
    const dir = mkdtempSync(join(tmp, 'named-'));
    const file = join(dir, 'named.ts');
    writeFileSync(file, "export default { name: 'named', description: 'no schedule', defaults: {}, scan() { return { verdict: 'clean' as const }; } };\n");
    const res = await runCli(['compare', 'smsdom', 'named', '--design', `named=${file}`, '--set', 'databases=1', '--set', 'docs=3']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("- named: the design declares no scheduleEveryMs setting, so the scenario's scheduled scans (scanEveryMs) do not apply to it");
    expect(res.stdout).not.toContain('- smsdom');
  });

  it('R13: run of a design with no scheduleEveryMs setting says why it scans nothing on a schedule, as compare does (a researcher\'s QA pass: "scans 0 performed" and not a word); scanServers=none asks for that, and is not noted', async () => {
    const dir = mkdtempSync(join(tmp, 'named-run-'));
    const file = join(dir, 'named.ts');
    writeFileSync(file, "export default { name: 'named', description: 'no schedule', defaults: {}, scan() { return { verdict: 'clean' as const }; } };\n");
    const small = ['--design', `n=${file}`, '--set', 'design=n', '--set', 'databases=1', '--set', 'docs=3'];
    const res = await runCli(['run', 'smsdom-storm', ...small, '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('replstorm: note: the design "n" declares no scheduleEveryMs setting, so the scenario\'s scheduled scans (scanEveryMs) do not apply to it: it scans only what its watches() takes on writes\n');
    expect((parse(res.stdout) as { scans: { performed: number } }).scans.performed).toBe(0);
    // With infected documents no scan reaches, "0 missed" is not the whole story: the copies left are said (an
    // operator's QA pass), in the text and under --json, as compare says them beside its rows.
    const infected = ['run', 'smsdom-storm', ...small.slice(0, 4), '--set', 'databases=1', '--set', 'docs=20', '--set', 'infectedShare=0.3'];
    const left = parse((await runCli([...infected, '--json'])).stdout) as { scans: { missed: number }; infectedCopiesLeft?: number };
    expect(left.scans.missed).toBe(0);
    expect(left.infectedCopiesLeft).toBeGreaterThan(0);
    const leftText = await runCli(infected);
    expect(leftText.stdout).toContain(`\n  infected      ${left.infectedCopiesLeft} document copies still hold an infected attachment at the end (missed counts what a scan passed as not infected; these include any no scan reached)\n`);
    // None left: no field, no line.
    expect(parse((await runCli(['run', 'smsdom-storm', ...small, '--json'])).stdout)['infectedCopiesLeft']).toBeUndefined();
    const none = await runCli(['run', 'smsdom-storm', ...small, '--set', 'scanServers=none']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stderr).toBe('');
    // A schedule given is refused, once: not a note and then the refusal saying the same (a review).
    const given = await runCli(['run', 'smsdom-storm', ...small, '--set', 'scanEveryMs=60000']);
    expect(given.code).toBe(2);
    expect(given.stderr).not.toContain('note:');
    expect(given.stderr.trimEnd().split('\n')).toHaveLength(1);
    // A built-in design with its schedule: no note.
    const builtin = await runCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=3']);
    expect(builtin.stderr).toBe('');
  });

  it('R13: a design with a schedule of its own (scheduleEveryMs: () => 30 min, no setting) is said to schedule itself: compare notes it, run refuses scanServers and scanEveryMs (they changed nothing), explore refuses the design (a QA pass: the note said it scanned only on writes, beside 12,800 scheduled scans)', async () => {
    const dir = mkdtempSync(join(tmp, 'ownsched-'));
    const file = join(dir, 'hs.ts');
    writeFileSync(file, "export default { name: 'hs', description: 'its own schedule', defaults: {}, scheduleEveryMs: () => 1_800_000, symmetric: true, scan(c: { note: { items: { key: string }[] } }) { return c.note.items.some((i) => i.key === 'x-t') ? { verdict: 'clean' as const } : { verdict: 'clean' as const, set: [['X-T', 'ok']] as [string, string][] }; } };\n");
    const small = ['--set', 'databases=1', '--set', 'docs=3'];
    const res = await runCli(['compare', 'smsdom', 'hs', '--design', `hs=${file}`, ...small]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain("- hs: the design schedules its own scans (every 1,800,000 ms on every server: its scheduleEveryMs), so the scenario's scanEveryMs and scanServers do not apply to it");
    expect(res.stdout).not.toContain('watches() takes on writes');
    const row = res.stdout.split('\n').find((l) => l.startsWith('hs '))!;
    expect(Number(row.trim().split(/ +/)[1]!.replaceAll(',', ''))).toBeGreaterThan(0); // its passes scanned
    for (const set of ['scanServers=first', 'scanEveryMs=600000']) {
      const refused = await runCli(['run', 'smsdom-storm', '--design', `hs=${file}`, '--set', 'design=hs', ...small, '--set', set]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`parameter "${set.split('=')[0]}": the design "hs" schedules its own scans (every 1,800,000 ms on every server: its scheduleEveryMs), so scanEveryMs and scanServers do not apply to it`);
    }
    // compare runs every row on the same settings: the setting is passed over for this row, and said beside it.
    const mixed = await runCli(['compare', 'smsdom', 'hs', '--design', `hs=${file}`, ...small, '--set', 'scanServers=first']);
    expect(mixed.code, mixed.stderr).toBe(0);
    expect(mixed.stdout).toContain("- hs: the design schedules its own scans (every 1,800,000 ms on every server: its scheduleEveryMs), so the scenario's scanEveryMs and scanServers do not apply to it");
    const ex = await runCli(['explore', 'smsdom-storm', '--design', `mine=${file}`, '--set', 'design=mine', '--set', 'docs=1', '--depth', '2']);
    expect(ex.code).toBe(2);
    expect(ex.stderr).toContain('parameter "design": the design "mine" schedules its own scans (every 1,800,000 ms on every server: its scheduleEveryMs); explore chooses scans itself');
  });

  it('keys=per-server for a design with no key setting: run refuses it (it changed nothing, without a word: a QA pass), compare says so beside the row; smsdom\'s rows are not noted', async () => {
    const small = ['--set', 'databases=1', '--set', 'docs=2'];
    const refused = await runCli(['run', 'smsdom-storm', '--set', 'design=scan-cache', '--set', 'keys=per-server', ...small]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('parameter "keys": the design "scan-cache" has no key setting, so keys=per-server would change nothing');
    expect((await runCli(['run', 'smsdom-storm', '--set', 'keys=per-server', ...small])).code).toBe(0);
    const res = await runCli(['compare', 'smsdom', 'scan-cache', '--set', 'keys=per-server', ...small]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('- scan-cache: the design has no key setting, so keys=per-server does not apply to it');
    expect(res.stdout).not.toContain('- smsdom: the design has no key');
  });

  it('R11/R12: cluster-aware with the servers in no cluster (replication=scheduled) or a cluster of one: compare says beside its row, and run in a note, that it acts as smsdom would (its row equal to smsdom\'s, without a word: a QA pass); with a cluster of two, nothing is said. The other mode\'s interval is refused (exit 2)', async () => {
    const small = ['--set', 'databases=1', '--set', 'docs=2'];
    const scheduled = await runCli(['compare', 'smsdom', 'cluster-aware', '--set', 'replication=scheduled', ...small]);
    expect(scheduled.code, scheduled.stderr).toBe(0);
    expect(scheduled.stdout).toContain('- cluster-aware: the servers are in no cluster (replication=scheduled): cluster-aware runs one member\'s scheduled passes within a cluster, and on a server in no cluster its own, as smsdom does, so here it acts as smsdom with the same settings would');
    const row = (name: string) => scheduled.stdout.split('\n').find((l) => l.startsWith(`${name} `))!.trim().split(/ +/).slice(1);
    expect(row('cluster-aware')).toEqual(row('smsdom'));
    const one = await runCli(['run', 'smsdom-storm', '--set', 'design=cluster-aware', '--set', 'servers=1', ...small]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).toContain('replstorm: note: the cluster has one member (servers=1), which runs the cluster\'s scheduled passes: cluster-aware acts here as smsdom with the same settings would');
    const two = await runCli(['compare', 'smsdom', 'cluster-aware', ...small]);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).not.toContain('as smsdom with the same settings would');
    expect((await runCli(['run', 'smsdom-storm', '--set', 'design=cluster-aware', ...small])).stderr).not.toContain('as smsdom with the same settings would');
    const other = await runCli(['run', 'smsdom-storm', '--set', 'connectionEveryMs=60000', ...small]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('parameter "connectionEveryMs": with replication=cluster (the default)');
    // A refused run says no note first (the scenario's checks run before the notes: a review).
    const refused = await runCli(['run', 'smsdom-storm', '--set', 'design=cluster-aware', '--set', 'replication=scheduled', '--set', 'clusterIntervalMs=5000', ...small]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).not.toContain('note:');
    // Only the first server scanning (it is the cluster's first by name), or none: the same as smsdom, said; one
    // server written with an underscore (R16: "0_1" is 1) too (a review).
    for (const [extra, says] of [
      [['--set', 'scanServers=first'], 'only the first server runs scheduled scans (scanServers=first)'],
      [['--set', 'scanServers=none'], 'no server runs scheduled scans (scanServers=none)'],
      [['--set', 'servers=0_1'], 'the cluster has one member (servers=1)'],
    ] as const) {
      const res = await runCli(['compare', 'smsdom', 'cluster-aware', ...extra, ...small]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toContain(`- cluster-aware: ${says}`);
      const rowOf = (name: string) => res.stdout.split('\n').find((l) => l.startsWith(`${name} `))!.trim().split(/ +/).slice(1);
      expect(rowOf('cluster-aware')).toEqual(rowOf('smsdom'));
    }
  });

  it('compare: a design with a scheduleEveryMs setting but no scheduleEveryMs() to read it gets the note too (README: "declares a scheduleEveryMs setting")', async () => {
    const dir = mkdtempSync(join(tmp, 'halfsched-'));
    const file = join(dir, 'halfsched.ts');
    writeFileSync(file, "export default { name: 'halfsched', description: 'a setting, no function', defaults: { scheduleEveryMs: 0 }, scan() { return { verdict: 'clean' as const }; } };\n");
    const res = await runCli(['compare', 'smsdom', 'halfsched', '--design', `halfsched=${file}`, '--set', 'databases=1', '--set', 'docs=3']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^halfsched +0 +0 /m); // no scans at all: the scenario's schedule never reached it
    expect(res.stdout).toContain('- halfsched: the design has a scheduleEveryMs setting but no scheduleEveryMs(config) that returns it');
    expect(res.stdout).not.toContain('- smsdom');
  });

  it.runIf(process.platform === 'linux')('--out where no directory can be made (under /proc): refused at once with the reason (Node 20\'s recursive mkdir spins there)', async () => {
    const started = performance.now();
    const res = await runCli(['explore', 'smsdom-storm', '--set', 'servers=1', '--set', 'docs=1', '--depth', '2', '--out', '/proc/self/replstorm-test/x']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--out /proc/self/replstorm-test/x: cannot make the directory /proc/self/replstorm-test: a symbolic link on the way leads nowhere, or the file system makes no directory there (ENOENT)');
    expect(performance.now() - started).toBeLessThan(30_000);
    // verify likewise, before its runs: nothing printed, no verdict (it ran the suite, printed the finding, and only
    // then found it could not write the log: a user's QA pass).
    const verify = await runCli(['verify', 'smsdom', '--runs', '5', '--seed', '1', '--out', '/proc/self/replstorm-test/x']);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toContain('--out /proc/self/replstorm-test/x: cannot make the directory /proc/self/replstorm-test');
    expect(verify.stdout).toBe('');
  });

  it('the default --out (counterexamples in the working directory) that cannot be made does not stop verify or explore: a warning, the verdict, and a counterexample found printed with its log said not written, exit 2 (a design that passes got no verdict as a user who may not write there: a QA pass of environments)', () => {
    const cwd = mkdtempSync(join(tmp, 'no-default-out-'));
    // (A file where the directory would be: refused as a directory can be by permissions, which root is not refused by.)
    writeFileSync(join(cwd, 'counterexamples'), 'x\n');
    const bin = join(REPO_ROOT, 'packages', 'cli', 'bin', 'replstorm.js');
    const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
    const warning = 'replstorm: warning: --out counterexamples: exists and is not a directory; the run goes on: a counterexample it finds is printed in full, but its log is not written (--out DIR gives it a directory)\n';
    const passes = cli('verify', 'scan-cache', '--runs', '5', '--seed', '1');
    expect(passes.status, passes.stderr).toBe(0);
    expect(passes.stderr).toBe(warning);
    expect(passes.stdout).toContain('verdict: every invariant held');
    const fails = cli('explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--depth', '4', '--json');
    expect(fails.status).toBe(2);
    expect(fails.stderr.startsWith(warning)).toBe(true);
    const found = JSON.parse(fails.stdout) as { violations: { log: unknown; notWritten: string }[] };
    expect(found.violations.length).toBeGreaterThan(0);
    expect(found.violations[0]).toMatchObject({ log: null, notWritten: '--out counterexamples: exists and is not a directory' });
    // Given, it is refused before the run, as before.
    const given = cli('verify', 'scan-cache', '--runs', '5', '--seed', '1', '--out', 'counterexamples');
    expect(given.status).toBe(2);
    expect(given.stdout).toBe('');
    expect(readFileSync(join(cwd, 'counterexamples'), 'utf8')).toBe('x\n');
  });

  it('explore --out: a search that writes nothing leaves no directory it made (an empty one was left), and keeps one that was there', async () => {
    const made = join(mkdtempSync(join(tmp, 'out-')), 'a', 'b');
    const res = await runCli(['explore', 'smsdom-storm', '--set', 'servers=1', '--set', 'design=noop', '--depth', '2', '--out', made]);
    expect(res.code, res.stderr).toBe(0);
    expect(existsSync(dirname(dirname(made)))).toBe(true);
    expect(existsSync(dirname(made))).toBe(false);
    const there = mkdtempSync(join(tmp, 'out-there-'));
    expect((await runCli(['explore', 'smsdom-storm', '--set', 'servers=1', '--set', 'design=noop', '--depth', '2', '--out', there])).code).toBe(0);
    expect(existsSync(there)).toBe(true);
  });

  it('verify\'s table: a violated invariant\'s runs say the last one failed (a researcher read "21" as runs that all passed)', async () => {
    const res = await runCli(['verify', 'noop', '--runs', '50', '--seed', '3', '--out', mkdtempSync(join(tmp, 'runs-'))]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/\nno-missed-infection +VIOLATED +failed at run \d+ /);
    expect(res.stdout).toMatch(/\nquiescence +held +50 /);
    // The table fits 120 columns off a terminal, its descriptions wrapped under their column (a researcher's QA pass:
    // 217 columns whatever the width); every word of each description is still there.
    const table = res.stdout.slice(res.stdout.indexOf('invariant '), res.stdout.indexOf('\n\n', res.stdout.indexOf('invariant ')));
    expect(Math.max(...table.split('\n').map((l) => l.length))).toBeLessThanOrEqual(120);
    const column = table.split('\n')[0]!.indexOf('what it checks');
    expect(table.split('\n').slice(2).every((l) => l.length > column && (l.slice(0, column).trim() === '' || /^\S/.test(l)))).toBe(true);
    const json = parse((await runCli(['verify', 'noop', '--runs', '1', '--seed', '3', '--json', '--out', mkdtempSync(join(tmp, 'runs-'))])).stdout) as { invariants: { description: string }[] };
    const words = table.split('\n').slice(2).map((l) => l.slice(column)).join(' ');
    for (const inv of json.invariants) expect(words).toContain(inv.description.split(' — ')[0]!.split(' ').slice(-3).join(' '));
  });

  it('verify\'s coverage line counts infected documents among the scans performed and skipped, and says so (it read "0 skipped (39 of these of a document with an infected attachment)": a researcher\'s QA pass)', async () => {
    const res = await runCli(['verify', 'smsdom', '--runs', '20', '--seed', '1', '--json', '--out', mkdtempSync(join(tmp, 'cov-'))]);
    const c = (parse(res.stdout) as { coverage: { scansPerformed: number; scansSkipped: number; infectedScans: number } }).coverage;
    const text = await runCli(['verify', 'smsdom', '--runs', '20', '--seed', '1', '--out', mkdtempSync(join(tmp, 'cov-'))]);
    const fmt = (x: number) => x.toLocaleString('en-US');
    expect(text.stdout).toContain(`${fmt(c.scansPerformed)} scans performed and ${fmt(c.scansSkipped)} skipped (${fmt(c.infectedScans)} of the ${fmt(c.scansPerformed + c.scansSkipped)}, performed or skipped, of a document with an infected attachment)`);
    expect(c.infectedScans).toBeGreaterThan(0);
    // R6: the users' deletions the runs drew, and how many of those documents the runs ended with live again.
    const d = (parse(res.stdout) as { coverage: { deletions: number; deletionsUndone: number } }).coverage;
    expect(text.stdout).toContain(`, ${fmt(d.deletions)} user deletions (${fmt(d.deletionsUndone)} of those documents back where they were deleted at the end)\n`);
    expect(d.deletions).toBeGreaterThan(0);
  });

  it('a log path that is not there: a relative one says where it was looked for (pnpm runs the command from the repository\'s root: a researcher\'s QA pass), an absolute one is its own answer', async () => {
    const rel = await runCli(['replay', 'no-such-log.jsonl']);
    expect(rel.code).toBe(2);
    expect(rel.stderr).toContain(`no-such-log.jsonl: no such file (looked for ${resolve('no-such-log.jsonl')}; a relative path is read from ${process.cwd()})`);
    const abs = await runCli(['replay', join(tmp, 'no-such-log.jsonl')]);
    expect(abs.code).toBe(2);
    expect(abs.stderr).toContain(`${join(tmp, 'no-such-log.jsonl')}: no such file\n`);
  });

  it('a module path that is not there: the message says where it looked', async () => {
    const res = await runCli(['verify', 'nowhere/stamp.ts']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`nowhere/stamp.ts: no such design module (looked for ${join(REPO_ROOT, 'nowhere', 'stamp.ts')}`);
  });

  it('verify <module>: a counterexample that a fresh load of the module does not reproduce is flagged (a counter that only grows passed the check in this process), and with no other violation the verdict is NOT DECIDED, exit 3 (it said FAILED, exit 1, with a log whose replay reads "reproduced NO": a researcher\'s QA pass)', async () => {
    const out = mkdtempSync(join(tmp, 'tired-'));
    const res = await spawnCli(['verify', join('packages', 'cli', 'test', 'designs', 'tired.ts'), '--runs', '30', '--seed', '5', '--out', out]);
    expect(res.code, res.stderr).toBe(3);
    expect(res.stdout).toMatch(/no-missed-infection VIOLATED[^\n]*\n(?:.*\n){3}\s+WARNING: this case ran differently when run again/);
    expect(res.stdout).toMatch(/\nverdict: NOT DECIDED \(the warnings? above[^\n]*\)\n/);
    const json = await spawnCli(['verify', join('packages', 'cli', 'test', 'designs', 'tired.ts'), '--runs', '30', '--seed', '5', '--out', out, '--json']);
    expect(json.code).toBe(3);
    expect(parse(json.stdout)).toMatchObject({ ok: false, invariants: expect.arrayContaining([expect.objectContaining({ name: 'no-missed-infection', status: 'violated', notReproducible: true })]) });
    // Its log, replayed from a fresh start, does not show the violation: the reason for no verdict.
    const log = readdirSync(out).find((f) => f.startsWith('tired-no-missed-infection-'))!;
    const replay = await spawnCli(['replay', '--design', `tired=${join('packages', 'cli', 'test', 'designs', 'tired.ts')}`, join(out, log)]);
    expect(replay.stdout).toMatch(/reproduced +NO/);
  });

  it('verify <module>: a design whose module-level state prevents its violations is not passed: WARNING, "NOT DECIDED", exit 3, --json notReproducible and ok false (it said "every invariant held", exit 0: a researcher\'s QA pass)', async () => {
    const out = mkdtempSync(join(tmp, 'once-verify-'));
    const args = ['verify', join('packages', 'scenarios', 'test', 'designs', 'onceClean.ts'), '--seed', '1', '--out', out];
    const res = await spawnCli(args);
    expect(res.code, res.stderr).toBe(3);
    expect(res.stdout).toMatch(/\nWARNING: the same case \(\d+ input events\) ended otherwise on a copy of the module loaded anew \(.*\) than on the copy the suite ran \(.*\).*: the design acts on something kept from earlier runs \(a module-level variable\?\), so the suite's runs were not what a fresh start does, and its verdict cannot be trusted/);
    expect(res.stdout).toContain('\nverdict: NOT DECIDED (the warning above)\n');
    const json = await spawnCli([...args, '--json']);
    expect(json.code).toBe(3);
    expect(parse(json.stdout)).toMatchObject({ ok: false, notReproducible: expect.stringMatching(/^the same case/) });
    // The module named by --design NAME=path is checked the same (a review: it loaded no copy, "every invariant held").
    const named = await spawnCli(['verify', 'once', '--design', `once=${args[1]}`, '--seed', '1', '--out', out]);
    expect(named.code, named.stderr).toBe(3);
    expect(named.stdout).toContain('\nverdict: NOT DECIDED (the warning above)\n');
    // The copies it loaded are gone.
    expect(readdirSync(join(REPO_ROOT, 'packages', 'cli', 'test', 'designs')).filter((f) => f.includes('replstorm-fresh'))).toEqual([]);
  });

  it('explore <design with module-level state>: the search is flagged as not reproducible, with a WARNING, exit 3 (it said "exhausted" and exit 0, its conflict unfound)', async () => {
    const out = mkdtempSync(join(tmp, 'once-'));
    const args = ['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--depth', '6', '--set', 'design=once', '--design', `once=${join('packages', 'cli', 'test', 'designs', 'once-per-process.ts')}`, '--out', out];
    const res = await spawnCli(args);
    expect(res.code, res.stderr).toBe(3);
    expect(res.stdout).toMatch(/\nWARNING: .* reached another state when run again from the initial state after the search \(checked \d+ paths\): the design carries something from one scan to the next outside the simulation/);
    const json = await spawnCli([...args, '--json']);
    expect(json.code).toBe(3);
    expect((parse(json.stdout) as { notReproducible?: string }).notReproducible).toMatch(/when run again/);
    // Nor does --json call it exhausted, or complete (it said `"exhausted": true`: a QA pass).
    expect(parse(json.stdout)).toMatchObject({ exhausted: false, complete: false });
    expect(res.stdout).toMatch(/\n {2}(no new state at the last depth|bounded to \d+ actions), but NOT every (reachable state|path) was checked: a design here is not a function of its inputs \(WARNING below\)\n/);
  });

  it('explore <design with module-level state>: a violation says nothing of what its path did (it said "the conflict is between user saves alone (--user-actions)" with --user-actions 0: a researcher\'s QA pass)', async () => {
    const out = mkdtempSync(join(tmp, 'first-four-'));
    const res = await spawnCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--set', 'design=f4', '--design', `f4=${join('packages', 'cli', 'test', 'designs', 'first-four.ts')}`, '--out', out]);
    expect(res.code, res.stderr).toBe(1); // a violation found (README: exit 1 before 3)
    expect(res.stdout).toContain('no-conflict VIOLATED');
    expect(res.stdout).toMatch(/\nWARNING: .*: the design carries something from one scan to the next outside the simulation/);
    expect(res.stdout).not.toContain('  note: ');
    // Its steps were told by a run after the search, which may not show the violation (they read "no change" at every
    // step: a researcher's QA pass): said under them.
    expect(res.stdout).toMatch(/\n {2}log: .*\n {2}\(the steps are what the path did when run again after the search; this design does otherwise from one run to the next \(WARNING below\), so they need not show the violation: replay of the log loads the design anew\)\n/);
  });

  it('compare: a design module\'s second row runs a copy loaded anew: the same design twice gives the same row (a module-level Set made the second row scan and stamp nothing)', async () => {
    const design = `once=${join('packages', 'cli', 'test', 'designs', 'once-per-process.ts')}`;
    const res = await spawnCli(['compare', 'once', 'once', '--design', design, '--set', 'databases=2', '--set', 'docs=5', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const rows = (parse(res.stdout) as { rows: { scannerRevisions: number; summary: { digest: string } }[] }).rows;
    expect(rows[0]!.scannerRevisions).toBeGreaterThan(0);
    expect(rows[1]!.summary.digest).toBe(rows[0]!.summary.digest);
    // One module under two names is one module (a review: only a repeated name got a copy).
    const path = join('packages', 'cli', 'test', 'designs', 'once-per-process.ts');
    const named = await spawnCli(['compare', 'a', 'b', '--design', `a=${path}`, '--design', `b=./${path}`, '--set', 'databases=2', '--set', 'docs=5', '--json']);
    expect(named.code, named.stderr).toBe(0);
    const [a, b] = (parse(named.stdout) as { rows: { scannerRevisions: number; conflicts: number }[] }).rows;
    expect(a!.scannerRevisions).toBeGreaterThan(0);
    expect([b!.scannerRevisions, b!.conflicts]).toEqual([a!.scannerRevisions, a!.conflicts]);
    expect(readdirSync(join(REPO_ROOT, 'packages', 'cli', 'test', 'designs')).filter((f) => f.includes('replstorm-fresh'))).toEqual([]);
  });

  it('explore <design that acts on the clock\'s value>: not "every reachable state was checked" but a WARNING that paths may be missed, exit 3, and --json says timeDependent', async () => {
    const args = ['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--depth', '6', '--set', 'design=odd', '--design', `odd=${join('packages', 'scenarios', 'test', 'designs', 'timed.ts')}`, '--out', mkdtempSync(join(tmp, 'odd-'))];
    const res = await spawnCli(args);
    expect(res.code, res.stderr).toBe(3);
    expect(res.stdout).not.toContain('the state space was exhausted');
    expect(res.stdout).toContain('  no new state at the last depth, but NOT every reachable state was checked: a design here acts on the time\'s value or a document\'s seq (WARNING below)\n');
    expect(res.stdout).toMatch(/\nWARNING: scheduled scan on Alpha of \S+ 0+5E7D001 made other decisions with every time 1 d 1 h 1 min 1 s later .*: a design here acts on the time's value/);
    const json = await spawnCli([...args, '--json']);
    expect(json.code).toBe(3);
    expect((parse(json.stdout) as { timeDependent?: string }).timeDependent).toMatch(/made other decisions with every time/);
    // --json agrees with the text: not exhausted, not complete (it said `"exhausted": true`: a researcher's QA pass).
    expect(parse(json.stdout)).toMatchObject({ exhausted: false, complete: false });
    // With the cluster's pushes on a timer the check cannot be made: said, and the search's own verdict stands.
    const timer = await spawnCli([...args.filter((a, k) => a !== '--depth' && args[k - 1] !== '--depth'), '--set', 'clusterIntervalMs=60000', '--depth', '3']);
    expect(timer.stdout).toContain('\n  time: periodic work (a cluster replicator on a timer, scheduled scans or sessions) runs between steps');
    expect(timer.stdout).not.toContain('WARNING');
  });

  it('explore <design that reads server names but declares symmetric>: a WARNING naming the declaration, exit 3, and --json says notSymmetric', async () => {
    const args = ['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--depth', '6', '--set', 'design=byname', '--design', `byname=${join('packages', 'cli', 'test', 'designs', 'by-name-symmetric.ts')}`, '--out', mkdtempSync(join(tmp, 'byname-'))];
    const res = await spawnCli(args);
    expect(res.code, res.stderr).toBe(3);
    expect(res.stdout).toMatch(/\nWARNING: .* reached states that are not renamings of each other .*: a design here acts on server names though it declares itself name-blind \(ScannerDesign.symmetric\)/);
    const json = await spawnCli([...args, '--json']);
    expect(json.code).toBe(3);
    expect((parse(json.stdout) as { notSymmetric?: string }).notSymmetric).toMatch(/servers renamed/);
    // Without symmetry reduction there is nothing to check: the search stands (exit 0: no conflict to this depth).
    expect((await spawnCli([...args, '--no-symmetry'])).code).toBe(0);
  });

  it('verify <module>: a design outside any "type": "module" package is loaded anew too (tsx loads it as CommonJS, cached by its path: a query string on the URL gave the same instance, and no WARNING); its relative import resolves, and no copy is left beside it', async () => {
    const dir = mkdtempSync(join(tmp, 'commonjs-design-'));
    // The case needs a module loaded as CommonJS: no package.json above it may say "type": "module".
    expect(nearestPackageType(dir)).not.toBe('module');
    writeFileSync(join(dir, 'cleaning.ts'), "export const cleaning = (clean: unknown[]) => (clean.length > 0 ? { set: [['$FILE', clean]], remove: [] } : { set: [], remove: ['$FILE'] });\n");
    writeFileSync(
      join(dir, 'tired.ts'),
      [
        "import { cleaning } from './cleaning';",
        '// Scans until it has scanned 40 documents in this process, then skips everything: module-level state.',
        'let scans = 0;',
        'export default {',
        "  name: 'tired-commonjs',",
        "  description: 'stops scanning after 40 scans in a process',",
        '  defaults: {},',
        '  scan: (ctx: { virusScan: () => { infected: boolean; clean: unknown[] } }) => {',
        "    if (++scans > 40) return { verdict: 'skipped' };",
        '    const r = ctx.virusScan();',
        "    return r.infected ? { verdict: 'infected', ...cleaning(r.clean) } : { verdict: 'clean' };",
        '  },',
        '};',
      ].join('\n'),
    );
    const res = await spawnCli(['verify', join(dir, 'tired.ts'), '--runs', '40', '--seed', '9', '--out', join(dir, 'out')]);
    // (FAILED: it never saves a clean document and does not declare it, so stampings are vacuous.)
    expect(res.code, res.stderr).toBe(1);
    expect(res.stdout).toMatch(/no-missed-infection VIOLATED[^\n]*\n(?:.*\n){3}\s+WARNING: this case ran differently when run again/);
    expect(readdirSync(dir).sort()).toEqual(['cleaning.ts', 'out', 'tired.ts']);
  });

  it('verify <module> through the installed command (bin/replstorm.js): a TypeScript design outside any "type": "module" package loads (with the ES-module hooks alone, Node 20 refused it: "Cannot require() ES Module ... in a cycle")', () => {
    const dir = mkdtempSync(join(tmp, 'bin-design-'));
    expect(nearestPackageType(dir)).not.toBe('module');
    const design = join(dir, 'copy.ts');
    writeFileSync(design, readFileSync(join(REPO_ROOT, 'examples/designs/stamp-if-missing.ts'), 'utf8'));
    const res = spawnSync(process.execPath, [join(REPO_ROOT, 'packages/cli/bin/replstorm.js'), 'verify', design, '--runs', '3', '--seed', '1', '--out', join(dir, 'out'), '--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(res.stderr).not.toMatch(/failed to load/);
    expect(res.status, res.stderr).not.toBe(2);
    expect((JSON.parse(res.stdout) as { design: string }).design).toBe('stamp-if-missing');
  });

  it('the replay hint run as printed: through bin/replstorm.js it says `node packages/cli/bin/replstorm.js`, and quotes a path with a space and a quote (it said `replstorm replay` unquoted: no such command, and the path split in two)', () => {
    const dir = mkdtempSync(join(tmp, "hint dir 'q'-"));
    const rec = join(dir, 'a b.jsonl');
    const res = spawnSync(process.execPath, ['packages/cli/bin/replstorm.js', 'replay', EXAMPLE_LOG, '--record', rec], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    const hint = /\(replay it: (.*)\)$/m.exec(res.stdout)?.[1];
    expect(hint, res.stdout).toMatch(/^node packages\/cli\/bin\/replstorm\.js replay '/);
    // The hint, pasted into a shell as it is, replays the recording (the engine agrees with it).
    const again = spawnSync('/bin/sh', ['-c', hint!], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/derived events checked: the engine agrees/);
    expect(again.stdout).toContain(`replay of ${rec}`);
  });

  it('the replay hint for a recording whose name starts with - (given as --record=-x) runs: the path is not read as an option', () => {
    const dir = mkdtempSync(join(tmp, 'hint-dash-'));
    const res = spawnSync(process.execPath, [join(REPO_ROOT, 'packages/cli/bin/replstorm.js'), 'replay', EXAMPLE_LOG, '--record=-x.jsonl'], { cwd: dir, encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    const hint = /\(replay it: (.*)\)$/m.exec(res.stdout)?.[1];
    expect(hint, res.stdout).toMatch(/ replay \.\/-x\.jsonl$/);
    // (It said `replay -x.jsonl`: "unknown option '-x.jsonl'".)
    const again = spawnSync('/bin/sh', ['-c', hint!], { cwd: dir, encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/derived events checked: the engine agrees/);
  });

  it('shellWord: a word any POSIX shell, bash or zsh reads back as it is (a leading = was left bare: zsh reads =x as the path of a command x)', () => {
    const words = ['plain/path-1.jsonl', 'a b', "it's", '$HOME', '`x`', '*.jsonl', '~/x', '=x.jsonl', 'a=b', 'ü', 'a\nb', '!x', ''];
    expect(shellWord('=x.jsonl')).toBe("'=x.jsonl'");
    expect(shellWord('a=b')).toBe('a=b');
    for (const sh of ['/bin/sh', '/bin/bash', '/usr/bin/zsh', '/bin/zsh'].filter((p) => existsSync(p))) {
      const res = spawnSync(sh, ['-c', `printf '%s\\0' ${words.map(shellWord).join(' ')}`], { encoding: 'utf8' });
      expect(res.stderr, sh).toBe('');
      expect(res.stdout.split('\0').slice(0, -1), sh).toEqual(words);
    }
  });

  it('verify <module>: a fresh load that fails is refused naming the module given (not its copy), and the copy is removed', async () => {
    const dir = mkdtempSync(join(tmp, 'load-once-'));
    const file = join(dir, 'once.ts');
    writeFileSync(
      file,
      [
        'const g = globalThis as { replstormLoads?: number };',
        'g.replstormLoads = (g.replstormLoads ?? 0) + 1;',
        'if (g.replstormLoads > 1) throw new Error(`loaded ${g.replstormLoads} times in one process`);',
        "export default { name: 'once', description: 'loads once', defaults: {}, scan: () => ({ verdict: 'clean' }) };",
      ].join('\n'),
    );
    const res = await spawnCli(['verify', file, '--runs', '1', '--out', join(dir, 'out')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`replstorm: ${file}:3:33: the design module failed to load: loaded 2 times in one process\n`);
    expect(readdirSync(dir)).toEqual(['once.ts']);
  });

  it('verify: an invariant no run could check (the design threw in every run) says "not checked", and a partly checked one "held in N of M" (it said "held in 0 (3 crashed)", which read as held)', async () => {
    const dir = mkdtempSync(join(tmp, 'always-throws-'));
    const file = join(dir, 'thrower.ts');
    writeFileSync(file, "export default { name: 'thrower', description: 'throws on every scan', defaults: {}, watches: () => true, scan() { throw new Error('boom'); } };\n");
    const all = await spawnCli(['verify', file, '--runs', '3', '--seed', '1', '--out', join(dir, 'out')]);
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/^quiescence +not checked \(the design failed in all 3\) +3 /m);
    expect(all.stdout).not.toContain('held in 0');
    // VACUOUS is explained by the crash, not by advice to declare read-only scans.
    expect(all.stdout).toContain("  the design failed (design-runs, above: its code threw, or its decision was refused): the runs end at the failure, so what never happened may be the failure's doing\n");
    expect(all.stdout).not.toContain('declare it (`promises');
    // A design that never stamps and does not say so (no crash) gets the advice.
    const quiet = join(dir, 'quiet.ts');
    writeFileSync(quiet, "export default { name: 'quiet', description: 'cleans, never stamps', defaults: {}, watches: () => true, scan: ({ virusScan }) => { const r = virusScan(); return r.infected ? { verdict: 'infected', set: [['$FILE', r.clean]] } : { verdict: 'clean' }; } };\n");
    const advised = await spawnCli(['verify', quiet, '--runs', '5', '--seed', '1', '--out', join(dir, 'out')]);
    expect(advised.stdout).toContain('VACUOUS: stampings never happened');
    expect(advised.stdout).toContain('  no scan saved a clean document: if the design never does, declare it (`promises:');
    expect(advised.stdout).not.toContain("the design's code threw");
    // --json too: "held" with crashedRuns equal to runs read, to a script, as a pass.
    const json = JSON.parse((await spawnCli(['verify', file, '--runs', '3', '--seed', '1', '--out', join(dir, 'out'), '--json'])).stdout) as { ok: boolean; invariants: { name: string; status: string; runs: number; crashedRuns?: number }[] };
    expect(json.ok).toBe(false);
    expect(json.invariants.find((i) => i.name === 'quiescence')).toMatchObject({ status: 'unchecked', runs: 3, crashedRuns: 3 });
    const some = await spawnCli(['verify', 'packages/cli/test/designs/boom.ts', '--runs', '20', '--seed', '1', '--out', join(dir, 'out')]);
    expect(some.stdout).toMatch(/^quiescence +held in 15 of 20 \(the design failed in 5\) +20 /m);
    const someJson = JSON.parse((await spawnCli(['verify', 'packages/cli/test/designs/boom.ts', '--runs', '20', '--seed', '1', '--out', join(dir, 'out'), '--json'])).stdout) as { invariants: { name: string; status: string }[] };
    expect(someJson.invariants.find((i) => i.name === 'quiescence')!.status).toBe('held-partly');
    // A decision the engine refuses ends a run as a throw does, and its code threw nothing: "failed", not "crashed".
    const typo = join(dir, 'typo.ts');
    writeFileSync(typo, "export default { name: 'typo', description: 'sett for set', defaults: {}, watches: () => true, scan: ({ virusScan }) => { virusScan(); return { verdict: 'clean', sett: [['X', '1']] }; } };\n");
    const refused = await spawnCli(['verify', typo, '--runs', '3', '--seed', '1', '--out', join(dir, 'out')]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^quiescence +not checked \(the design failed in all 3\) +3 /m);
    expect(refused.stdout).toContain('design-runs VIOLATED: the design "typo" failed while scanning ');
    expect(refused.stdout).toContain('it returned a decision with the field "sett" (did you mean "set"?)');
    expect(refused.stdout).not.toContain('crashed');
  });

  it('a module that is not a design is refused naming what its export lacks (a missing scan or defaults was a generic "must export ... name, description, defaults and scan()")', async () => {
    const dir = mkdtempSync(join(tmp, 'not-design-'));
    const cases: [string, string][] = [
      ["export default { name: 'x', description: 'x', defaults: {} };", 'its export has no "scan" (a function)'],
      ["export default { name: 'x', description: 'x', scan: () => ({ verdict: 'clean' }) };", 'its export has no "defaults" (an object of settings, {} for none)'],
      ['export default { defaults: {} };', 'its export has no "name" (a string), no "scan" (a function)'],
      ['export const other = 1;', 'it has no default export, nor one named "design"'],
      ['export default () => 1;', 'it exports a function'],
      ['export default 10n;', 'it exports a bigint'], // (JSON.stringify of it threw: exit 70)
      ['export default null;', 'it exports null'], // (read as "no default export")
      // A field there but of another type is said as such (a researcher's QA pass: `defaults: null` read "has no").
      ["export default { name: 'x', description: 'x', defaults: null, scan: () => ({ verdict: 'clean' }) };", 'its export\'s "defaults" is null, not an object of settings ({} for none)'],
      ["export default { name: 'x', description: 'x', defaults: [], scan: 1 };", 'its export\'s "scan" is 1, not a function (of the scan\'s context), "defaults" is a list, not an object of settings ({} for none)'],
      ["export default { name: 42, description: 'x', defaults: {}, scan: () => ({ verdict: 'clean' }) };", 'its export\'s "name" is 42, not a string'], // (read "has no "name"": a researcher's QA pass)
      ["export default { description: 'x', defaults: 5, scan: () => ({ verdict: 'clean' }) };", 'its export has no "name" (a string), and "defaults" is 5, not an object of settings ({} for none)'],
      ["export default { name: 'x', description: 'x', defaults: {}, watches: true, scan: () => ({ verdict: 'clean' }) };", '"watches" is true, not a function (of the write and the configuration)'],
      // Optional fields of the wrong type (a researcher's review: exit 70 at the first use, or silently not declared).
      ["export default { name: 'x', description: 'x', defaults: {}, scanMsPerDoc: 5, symmetric: 'yes', scan: () => ({ verdict: 'clean' }) };", '"scanMsPerDoc" is 5, not a function (of the configuration); "symmetric" is "yes", not true or false'],
      ["export default { name: 'x', description: 'x', defaults: {}, promises: { readOnlyKinds: 'scheduled' }, scan: () => ({ verdict: 'clean' }) };", '"promises" has readOnlyKinds "scheduled", not a list of scan kinds ("mail", "on-write", "scheduled", "manual")'],
      ["export default { name: 'x', description: 'x', defaults: {}, promises: { readOnlyKinds: ['sheduled'] }, scan: () => ({ verdict: 'clean' }) };", '"promises" has readOnlyKinds ["sheduled"]: "sheduled" (did you mean "scheduled"?) is not a scan kind ("mail", "on-write", "scheduled", "manual")'],
    ];
    for (const [i, [source, says]] of cases.entries()) {
      const file = join(dir, `m${i}.mjs`);
      writeFileSync(file, `${source}\n`);
      const res = await spawnCli(['verify', file, '--runs', '1']);
      expect(res.code, source).toBe(2);
      expect(res.stderr, source).toBe(`replstorm: ${file}: the module must export a scanner design as default (or as "design"): an object with name, description, defaults and scan(); ${says} (see examples/designs/stamp-if-missing.ts)\n`);
    }
  });

  it('logs written with designs from modules carry each one\'s own name (meta.modules); replay with a module that calls its design otherwise warns (a researcher\'s QA pass: a counterexample "confirmed" with another design\'s module read "reproduced yes" without a word); the same module, or a log without modules: no warning', async () => {
    const dir = mkdtempSync(join(tmp, 'module-names-'));
    const calm = join(dir, 'calm.ts');
    const other = join(dir, 'other.ts');
    writeFileSync(calm, "export default { name: 'calm', description: 'never writes', defaults: {}, scan: () => ({ verdict: 'clean' }) };\n");
    writeFileSync(other, "export default { name: 'other', description: 'never writes either', defaults: {}, scan: () => ({ verdict: 'clean' }) };\n");
    const log = join(dir, 'mine.jsonl');
    const recorded = await spawnCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=2', '--design', `mine=${calm}`, '--set', 'design=mine', '--record', log]);
    expect(recorded.code, recorded.stderr).toBe(0);
    const header = JSON.parse(readFileSync(log, 'utf8').split('\n')[0]!) as { meta: Record<string, unknown> };
    expect(header.meta['modules']).toEqual({ mine: 'calm' });
    // (Bound under a name of one's own, as the README does: the same module, no warning.)
    expect((await spawnCli(['replay', log, '--design', `mine=${calm}`])).stderr).toBe('');
    const slipped = await spawnCli(['replay', log, '--design', `mine=${other}`]);
    expect(slipped.code, slipped.stderr).toBe(0);
    expect(slipped.stderr).toBe(`${log}: warning: --design mine=${other}: the log was written with a module whose design calls itself "calm", and this one calls itself "other": another design may be running as "mine"\n`);
    // A log whose header does not say (older, or hand-written) is not judged.
    const bare = join(dir, 'bare.jsonl');
    writeFileSync(bare, readFileSync(log, 'utf8').replace(/,"modules":\{[^}]*\}/, ''));
    expect((await spawnCli(['replay', bare, '--design', `mine=${other}`])).stderr).toBe('');
  });

  it('a design module with a field replstorm does not read is warned about, with the field it most likely means (promise, watch: settings silently dropped)', async () => {
    const dir = mkdtempSync(join(tmp, 'typo-design-'));
    const file = join(dir, 'typo.ts');
    writeFileSync(file, "export default { name: 'typo', description: 'typos', defaults: {}, promise: { readOnlyKinds: ['scheduled'] }, watch: () => true, helper: 42, scan: () => ({ verdict: 'clean' }) };\n");
    const res = await spawnCli(['verify', file, '--runs', '2', '--seed', '1', '--out', join(dir, 'out'), '--json']);
    expect(res.stderr).toContain(`${file}: warning: the design "typo" has a field "promise" that replstorm does not read (did you mean "promises"?)\n`);
    expect(res.stderr).toContain(`${file}: warning: the design "typo" has a field "watch" that replstorm does not read (did you mean "watches"?)\n`);
    expect(res.stderr).toContain(`${file}: warning: the design "typo" has a field "helper" that replstorm does not read\n`);
    expect(() => JSON.parse(res.stdout)).not.toThrow();
    // A design with only the fields it should have: no warning.
    const clean = await spawnCli(['verify', 'examples/designs/stamp-if-missing.ts', '--runs', '2', '--seed', '1', '--out', join(dir, 'out'), '--json']);
    expect(clean.stderr).not.toContain('warning');
  });

  it('a design module that throws while it loads: refused naming the file:line:column of its line that threw (exit 2; it said only "failed to load: boom")', async () => {
    const file = join(mkdtempSync(join(tmp, 'throws-')), 'throws.ts');
    writeFileSync(file, ['const limit = 1;', '', 'function check(): void { throw new Error(`boom at ${limit}`); }', 'check();', 'export default {};'].join('\n'));
    const res = await spawnCli(['verify', file, '--runs', '1']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`replstorm: ${file}:3:32: the design module failed to load: boom at 1\n`);
  });

  it('a design module that throws an object with no prototype while it loads: refused as the module\'s error (exit 2; it was an internal error, exit 70: a hardening QA pass)', async () => {
    const file = join(mkdtempSync(join(tmp, 'throws-null-proto-')), 'throws.ts');
    writeFileSync(file, 'throw Object.create(null);\nexport default {};\n');
    const res = await spawnCli(['verify', file, '--runs', '1']);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toBe(`replstorm: ${file}: the design module failed to load: an object thrown (not an Error)\n`);
  });

  it('a design module that does not compile: one line, file:line:column first, the column 1-based (it printed a literal \\n; then the place came after "Transform failed with 1 error:", its column 0-based: a researcher\'s QA pass)', async () => {
    const file = join(mkdtempSync(join(tmp, 'bad-design-')), 'bad.ts');
    writeFileSync(file, 'export default {\n  name: "bad",\n  scan( => 1\n};\n');
    // As a user runs it (tsx compiles the module; in-process, vitest's own transform would). `=>` is the 9th character.
    const res = await spawnCli(['verify', file, '--runs', '1']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`replstorm: ${file}:3:9: the design module failed to load: Expected identifier but found "=>"\n`);
  });

  it('a syntax error\'s column counts UTF-16 units, as a log\'s do (esbuild counts bytes: an emoji and two accented letters before it put it 8 on, a review), and a .tsx module is read as TSX', async () => {
    const dir = mkdtempSync(join(tmp, 'bad-columns-'));
    const file = join(dir, 'bad.ts');
    writeFileSync(file, 'export default {\n  description: "\u{1F600}\u{1F600}\u{1F600} \u00ff\u00ff", x: ( => 1\n};\n');
    const res = await spawnCli(['verify', file, '--runs', '1']);
    expect(res.code).toBe(2);
    // `=>` is the 34th UTF-16 unit of the line (the 42nd byte: each emoji is 4 bytes and 2 units, each ÿ 2 and 1).
    expect(res.stderr).toBe(`replstorm: ${file}:2:34: the design module failed to load: Unexpected "=>"\n`);
    const tsx = join(dir, 'bad.tsx');
    writeFileSync(tsx, 'const n: number = 1;\nexport default {\n  name: "bad",\n  scan() { return n }\n  x\n};\n');
    const t = await spawnCli(['verify', tsx, '--runs', '1']);
    expect(t.code).toBe(2);
    expect(t.stderr).toBe(`replstorm: ${tsx}:5:3: the design module failed to load: Expected "}" but found "x"\n`);
  });

  it('a design module whose export has a getter that throws: refused as the module\'s error (exit 2; exit 1 or 70 with a stack before, a review)', async () => {
    const file = join(mkdtempSync(join(tmp, 'getter-')), 'getter.ts');
    writeFileSync(file, "export default { get name(): string { throw Object.create(null); }, description: 'g', defaults: {}, scan: () => ({ verdict: 'clean' as const }) };\n");
    const res = await spawnCli(['verify', file, '--runs', '1']);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toBe(`replstorm: ${file}: the design module's export could not be read: an object thrown (not an Error)\n`);
  });

  it('a design module\'s export is read once, into a copy: a getter that would throw on a later read does not end the run (exit 70 from deep in a run, a review)', async () => {
    const file = join(mkdtempSync(join(tmp, 'getter-later-')), 'later.ts');
    writeFileSync(file, "let reads = 0;\nexport default { name: 'later', description: 'x', get defaults() { if (++reads > 2) throw new Error('read ' + reads); return {}; }, scan: () => ({ verdict: 'skipped' as const }) };\n");
    const res = await spawnCli(['verify', file, '--runs', '2', '--seed', '1', '--out', join(tmp, 'later-out')]);
    expect(res.stderr).not.toContain('internal error');
    expect(res.stdout).toMatch(/^verdict: /m);
  });

  it('a JavaScript design module that does not parse: Node\'s SyntaxError names no place; the refusal does (a researcher\'s QA pass)', async () => {
    const file = join(mkdtempSync(join(tmp, 'bad-js-')), 'bad.mjs');
    writeFileSync(file, 'export default {\n  name: "bad",\n  scan() { return 1 }\n  x\n};\n');
    const res = await spawnCli(['verify', file, '--runs', '1']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`replstorm: ${file}:4:3: the design module failed to load: Expected "}" but found "x"\n`);
  });

  it('a design module outside the repository that imports a value from @replstorm/scenarios: the refusal says what README says (types only, or copy it in)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'outside-design-')), 'helper.ts');
    writeFileSync(file, "import { cleaningWrites } from '@replstorm/scenarios';\nexport default { name: 'helper', description: 'x', defaults: {}, scan: () => ({ verdict: 'clean', ...cleaningWrites({ infected: false, clean: [] }) }) };\n");
    const res = await spawnCli(['verify', file, '--runs', '1']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("Cannot find module '@replstorm/scenarios'");
    expect(res.stderr).toContain('outside this repository a design module can import types only (`import type`); its helpers (defineDesign, cleaningWrites) load from a module inside it');
  });
});

describe('compare: a row cut short by --max-scanner-revisions', () => {
  it('R16: the note says the row\'s other counts stop at the cut (lower bounds), and they are its run\'s at that time: the storm row\'s conflicts read beside the finished rows\' totals as the storm\'s', async () => {
    const args = ['compare', 'smsdom', 'smsdom:scanReplicatedWrites=true', '--set', 'databases=2', '--set', 'docs=3', '--set', 'keys=per-server', '--max-scanner-revisions', '500'];
    const json = await runCli([...args, '--json']);
    expect(json.code).toBe(0);
    const rows = (JSON.parse(json.stdout) as { rows: { label: string; cutShort?: number; scannerRevisions: number; conflicts: number; summary: { endAt: number; conflicts: number; quiescent: boolean } }[] }).rows;
    const cut = rows[1]!;
    expect(cut.cutShort).toBe(cut.summary.endAt);
    // Past the budget, then the rest of that instant's work (the cut is run --max-scanner-revisions's: next test).
    expect(cut.scannerRevisions).toBeGreaterThan(500);
    expect(cut.scannerRevisions).toBeLessThan(520);
    expect(cut.conflicts).toBe(cut.summary.conflicts);
    expect(cut.summary.quiescent).toBe(false);
    expect(cut.summary).toMatchObject({ stopped: 'end' });
    const text = await runCli(args);
    expect(text.stdout).toContain(`\n* smsdom:scanReplicatedWrites=true: cut short after ${cut.scannerRevisions} scanner revisions at ${formatVirtualTime(cut.cutShort!)} virtual (the --max-scanner-revisions budget): its other counts are those at that time (lower bounds: the run did not end), and a larger budget shows whether revisions ever stop; the same run with its report: replstorm run smsdom-storm --set databases=2 --set docs=3 --set keys=per-server --set design=smsdom --set config=scanReplicatedWrites=true --max-scanner-revisions 500 --report cut.html\n`);
    expect(text.stdout).toMatch(new RegExp(`^smsdom:scanReplicatedWrites=true +[\\d,]+ +[\\d,]+ +${cut.scannerRevisions}\\+ \\* +[\\d,]+ +[\\d,]+ +cut \\* +0$`, 'm'));
  });

  it('R16: a cut row is the run `replstorm run` makes with the same settings and --max-scanner-revisions, the command its footnote prints: same counts, same digest (so its report is one command away)', async () => {
    const args = ['compare', 'smsdom:scanReplicatedWrites=true', '--set', 'databases=2', '--set', 'docs=3', '--max-scanner-revisions', '500'];
    // The row's own settings (keys=per-server, as the README's storm row has) are in the printed command too.
    const json = await runCli([...args, '--set', 'keys=per-server', '--json']);
    const row = (JSON.parse(json.stdout) as { rows: { cutShort?: number; summary: Record<string, unknown> }[] }).rows[0]!;
    expect(row.cutShort).toBeDefined();
    const text = await runCli([...args, '--set', 'keys=per-server']);
    const printed = /the same run with its report: replstorm (run .*) --report cut\.html$/m.exec(text.stdout);
    expect(printed).not.toBeNull();
    const run = await runCli([...printed![1]!.split(' '), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const { cutShort, ...summary } = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(cutShort).toBe(row.cutShort);
    expect(summary).toEqual(row.summary);
  });

  it('R16: a cut row\'s quiescent column says "cut *", not NO: cluster-aware settles after its pass, and a budget smaller than the pass read as a storm', async () => {
    const args = ['compare', 'cluster-aware', '--set', 'databases=2', '--set', 'docs=10'];
    const whole = await runCli(args);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout).toMatch(/^cluster-aware +[\d,]+ +[\d,]+ +40 +[\d,]+ +0 +yes +0$/m);
    const cut = await runCli([...args, '--max-scanner-revisions', '30']);
    expect(cut.code, cut.stderr).toBe(0);
    expect(cut.stdout).toMatch(/^cluster-aware +[\d,]+ +[\d,]+ +31\+ \* +[\d,]+ +0 +cut \* +0$/m);
    expect(cut.stdout).toContain('whether all work drained by the end (cut: not known, the run was cut short)');
  });
});

describe('wrapHelpText: a help text set at the terminal\'s width (at 80 columns a dozen lines of each help overflowed: an operator\'s QA pass)', () => {
  it('runs a paragraph\'s lines together and wraps them; a sentence ending a line before a capital, a blank line and an indented line each keep their break', () => {
    const text = ['', 'Verdict: FAILED when an invariant is violated, or when something', 'the suite needs never happened.', 'Exit codes: 0 held, 1 FAILED,', '2 bad input.', '', '  an indented example line that is longer than the width and stays', 'See replstorm --help.'].join('\n');
    expect(wrapHelpText(text, 30).split('\n')).toEqual([
      '',
      'Verdict: FAILED when an',
      'invariant is violated, or when',
      'something the suite needs',
      'never happened.',
      'Exit codes: 0 held, 1 FAILED,',
      '2 bad input.',
      '',
      '  an indented example line that is longer than the width and stays',
      'See replstorm --help.',
    ]);
  });

  it('every help fits 80 columns set for them, all of its words kept', async () => {
    for (const c of [[], ['replay'], ['run'], ['verify'], ['compare'], ['explore'], ['designs'], ['scenarios']]) {
      const text = (await runCli([...c, '--help'])).stdout;
      const after = text.slice(text.lastIndexOf('\n\n') + 2);
      const set = wrapHelpText(after, 79);
      expect(Math.max(...set.split('\n').map((l) => l.length)), c.join(' ')).toBeLessThanOrEqual(79);
      expect(set.replace(/\s+/g, ' '), c.join(' ')).toBe(after.replace(/\s+/g, ' '));
    }
  });
});

describe('formatTable: which columns are right-aligned', () => {
  it('numbers and marked counts (150,001+ *) are; a column of labels that only look like numbers (a design named "12345") is not', () => {
    const text = formatTable(['design', 'revisions'], [['12345', 5], ['7', '150,001+ *']]);
    expect(text.split('\n')).toEqual(['design   revisions', '------  ----------', '12345            5', '7       150,001+ *']);
    // A column whose only cell is a marked count (one row, cut short) is numbers too (it was left-aligned).
    expect(formatTable(['design', 'scans', 'scanner revisions'], [['cluster-aware', 1000, '1,001+ *']]).split('\n')[2]).toBe('cluster-aware  1,000           1,001+ *');
  });

  it('wrapLastAt: the last column wrapped at spaces under its start, within the width; at least 30 columns kept for it when the others leave less (verify\'s table at 80 columns with a failed invariant was not wrapped at all: an operator\'s QA pass)', () => {
    const text = 'one two three four five six seven eight nine ten eleven twelve';
    const lines = formatTable(['name', 'what'], [['a', text]], { wrapLastAt: 36 }).split('\n');
    expect(lines).toEqual(['name  what', '----  ------------------------------', 'a     one two three four five six', '      seven eight nine ten eleven', '      twelve']);
    expect(formatTable(['name', 'what'], [['a', text]], { wrapLastAt: 80 }).split('\n')[2]).toBe(`a     ${text}`);
    // 40 columns taken by the first: the last still gets 30 (a line of 72), not the whole text on one line.
    const wide = formatTable(['name', 'what'], [['x'.repeat(40), text]], { wrapLastAt: 50 }).split('\n');
    expect(wide.slice(2).map((l) => l.slice(42))).toEqual(['one two three four five six', 'seven eight nine ten eleven', 'twelve']);
    expect(Math.max(...wide.map((l) => l.length))).toBe(42 + 30);
  });

  it('columns are aligned on the terminal\'s columns: a design named in CJK (2 columns a character), with an emoji or a combining accent, lines up with an ASCII one', () => {
    const text = formatTable(['design', 'conflicts'], [['扫描器', 12], ['scan🔥', 3], ['cafe\u0301', 7], ['ascii', 1_000]]);
    expect(text.split('\n')).toEqual(['design  conflicts', '------  ---------', '扫描器         12', 'scan🔥          3', 'cafe\u0301            7', 'ascii       1,000']);
  });

  it('cells outside ASCII are measured up to a budget of their length, then by their length (a hostile log\'s 100,000 long CJK actors took minutes)', () => {
    const cell = '扫'.repeat(1000);
    const rows = Array.from({ length: WIDTH_BUDGET / 1000 + 1 }, (_, i) => [cell, i]);
    const lines = formatTable(['actor', 'n'], rows).split('\n');
    // The first WIDTH_BUDGET units are measured: 2,000 columns each, the column's width. The last is past the budget:
    // its 1,000 units stand for its width, so it is padded by 1,000 more spaces than the others.
    expect(lines[2]).toBe(`${cell}    0`);
    expect(lines[lines.length - 1]).toBe(`${cell}${' '.repeat(1000)}  ${WIDTH_BUDGET / 1000}`);
  });
});

describe('compare --json: each row says what it ran', () => {
  it('the seed rows: the design\'s name, its configuration and the scenario settings of that row besides its label (a row can be run again from them)', async () => {
    const res = await runCli(['compare', '--set', 'databases=1', '--set', 'docs=2', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const rows = parse(res.stdout)['rows'] as Json[];
    const storm = rows.find((r) => r['label'] === 'smsdom, per-server keys, scans arrivals')!;
    expect(storm).toMatchObject({ design: 'smsdom', config: 'scanReplicatedWrites=true', settings: { keys: 'per-server' } });
    expect(rows[0]).toMatchObject({ label: 'smsdom (SSO on, defaults)', design: 'smsdom', config: '', settings: {} });
    // Run again from what the row says: the same numbers.
    const again = await runCli(['compare', `smsdom:scanReplicatedWrites=true`, '--set', 'databases=1', '--set', 'docs=2', '--set', 'keys=per-server', '--json']);
    const row = (parse(again.stdout)['rows'] as Json[])[0]!;
    expect([row['scannerRevisions'], row['conflicts'], row['quiescent']]).toEqual([storm['scannerRevisions'], storm['conflicts'], storm['quiescent']]);
  });

  it('the shared parameters name no design: each row names its own (noop\'s run listed "design": "smsdom")', async () => {
    const res = await runCli(['compare', 'noop', '--set', 'databases=1', '--set', 'docs=2', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const out = parse(res.stdout);
    expect(out['parameters']).not.toHaveProperty('design');
    expect(out['parameters']).not.toHaveProperty('config');
    expect(out['parameters']).toMatchObject({ databases: 1, docs: 2 });
    expect((out['rows'] as Json[])[0]).toMatchObject({ design: 'noop' });
  });
});

describe('explore: what a result says about the search', () => {
  it('--json says why a reduction was not applied (symmetryOff, partialOrderOff): asked off, or why it cannot be (an explore QA pass: options.symmetry false read the same either way); none when both apply', async () => {
    const json = async (...args: string[]) => parse((await runCli(['explore', 'smsdom-storm', '--depth', '2', '--json', '--out', join(tmp, 'reductions'), ...args])).stdout);
    const both = await json();
    expect(both).not.toHaveProperty('symmetryOff');
    expect(both).not.toHaveProperty('partialOrderOff');
    expect(both).toMatchObject({ options: { symmetry: true, partialOrder: true }, symmetry: ['Alpha', 'Beta'], partialOrder: true });
    const asked = await json('--no-symmetry', '--no-partial-order');
    expect(asked).toMatchObject({ symmetryOff: '--no-symmetry', partialOrderOff: '--no-partial-order', options: { symmetry: false, partialOrder: false }, symmetry: false, partialOrder: false });
    const cannot = await json('--set', 'design=cluster-aware', '--set', 'clusterIntervalMs=15000');
    // Asked for, not applied (options.symmetry held the applied value alone of the options: an explore QA pass).
    expect(cannot).toMatchObject({ options: { symmetry: true, partialOrder: true }, symmetry: false, partialOrder: false });
    expect(cannot['symmetryOff']).toMatch(/cluster-aware.*does not declare that it ignores server names/);
    expect(cannot['partialOrderOff']).toBe('it is not used when periodic work runs between steps');
    // The text's "reductions" line gives the same reasons (it read "symmetry off" alone: a researcher's QA pass).
    const text = async (...args: string[]) => (await runCli(['explore', 'smsdom-storm', '--depth', '2', '--out', join(tmp, 'reductions-text'), ...args])).stdout;
    expect(await text('--no-symmetry')).toContain('  reductions: symmetry off (--no-symmetry); partial order ');
    expect(await text('--set', 'keys=per-server')).toContain('  reductions: symmetry off (the servers are not all configured alike, and the reduction renames them all); ');
    // And for partial order (it read a bare "partial order off" for --no-partial-order: a researcher's QA pass).
    expect(await text('--no-partial-order')).toMatch(/ {2}reductions: symmetry over [^;]*; partial order off \(--no-partial-order\)\n/);
    expect(await text('--set', 'design=cluster-aware', '--set', 'clusterIntervalMs=15000')).toContain('; partial order off (it is not used when periodic work runs between steps)\n');
  });

  it('the rate is the search\'s: the checks after it (paths run again for a design of yours) are said apart, in the text and in --json (checkSeconds); a researcher\'s QA pass read 44 states/s for a search of thousands', async () => {
    const res = await runCli(['explore', 'smsdom-storm', '--depth', '5', '--json', '--out', join(tmp, 'rate')]);
    const r = parse(res.stdout);
    expect(typeof r['checkSeconds']).toBe('number');
    expect(r['checkSeconds'] as number).toBeLessThanOrEqual(r['seconds'] as number);
    const searchSeconds = (r['seconds'] as number) - (r['checkSeconds'] as number);
    expect(r['statesPerSecond']).toBe(searchSeconds > 0 ? Math.round((r['distinctStates'] as number) / searchSeconds) : 0);
  });

  it('a search stopped by --max-states that found nothing exits 3 (not "ok"), and --json says what was searched', async () => {
    const res = await runCli(['explore', 'smsdom-storm', '--set', 'design=scan-cache', '--user-actions', '1', '--faults', '--depth', '6', '--max-states', '5', '--json', '--out', join(tmp, 'cut')]);
    expect(res.code).toBe(3);
    const r = parse(res.stdout);
    expect(r['hitMaxStates']).toBe(true);
    expect(r['exhausted']).toBe(false);
    expect(r['complete']).toBe(false);
    expect(r['options']).toEqual({ settings: { design: 'scan-cache' }, invariants: ['no-scanner-conflicts'], storms: true, symmetry: true, partialOrder: true, userActions: 1, faults: true, maxStates: 5 });
    expect(r['symmetry']).toEqual(['Alpha', 'Beta']);
    expect(r['model']).toBe('smsdom-storm design=scan-cache user-actions=1 faults');
    expect(r['stepMs']).toBe(60_000);
    // The text says the depth it reached was not searched through (it read "depth 6 of 6": an explore QA pass).
    const text = await runCli(['explore', 'smsdom-storm', '--max-states', '60', '--out', join(tmp, 'cut')]);
    expect(text.stdout).toMatch(/^explore smsdom-storm: depth 6 of 6 \(cut within it\), /);
    expect((await runCli(['explore', 'smsdom-storm', '--depth', '5', '--out', join(tmp, 'cut')])).stdout).toMatch(/^explore smsdom-storm: depth 5 of 5, /);
  });

  it('R5/R13: with --invariant no-conflict --invariant no-scanner-revision, each violated invariant is printed, written and in --json (the conflict at step 3 went unreported behind the revision at step 1, in an exhausted search: read as "no-conflict held")', async () => {
    const out = mkdtempSync(join(tmp, 'two-invariants-'));
    const args = ['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--depth', '4', '--invariant', 'no-conflict', '--invariant', 'no-scanner-revision', '--no-storms', '--out', out];
    const res = await runCli(args);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('no-scanner-revision VIOLATED');
    expect(res.stdout).toContain('no-conflict VIOLATED');
    expect(readdirSync(out).sort()).toEqual(['explore-no-conflict-servers=2,docs=1.jsonl', 'explore-no-scanner-revision-servers=2,docs=1.jsonl']);
    const r = parse((await runCli([...args, '--json'])).stdout);
    expect((r['violations'] as Json[]).map((v) => [v['invariant'], (v['steps'] as string[]).length])).toEqual([
      ['no-scanner-revision', 1],
      ['no-conflict', 3],
    ]);
    expect((r['violation'] as Json)['invariant']).toBe('no-scanner-revision');
  });

  it('R12: with a cluster replicator on a timer (clusterIntervalMs 15 s) the exhausted search says which interleavings it did not search (it said "every reachable state was checked", exit 0, for smsdom whose members stamp 7 s apart and conflict)', async () => {
    const res = await runCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--set', 'clusterIntervalMs=15000', '--depth', '4', '--out', join(tmp, 'timer')]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('  the state space was exhausted, with the cluster\'s pushes on their timer: every state reachable so was checked, NOT every interleaving (timing, below)\n');
    expect(res.stdout).not.toContain('every reachable state was checked');
    expect(res.stdout).toContain('  timing: the cluster replicator pushes on its own timer (every 0:00:15) between steps 0:01:00 apart, so interleavings of two actions within one of its intervals were not searched');
    // --json says it too: `"exhausted": true` and no violation read, to a script, as smsdom's clean bill.
    const j = parse((await runCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--set', 'clusterIntervalMs=15000', '--depth', '4', '--out', join(tmp, 'timer'), '--json'])).stdout);
    expect(j['exhausted']).toBe(true);
    // ...and `complete` false: not every interleaving was searched.
    expect(j['complete']).toBe(false);
    expect(j['violations']).toEqual([]);
    expect(j['interleavingsLeftOut']).toMatch(/^the cluster replicator pushes on its own timer \(every 0:00:15\) between steps 0:01:00 apart, so interleavings of two actions within one of its intervals were not searched/);
    // Pushes as actions (the default): nothing to say.
    const plain = await runCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--depth', '4', '--out', join(tmp, 'timer')]);
    expect(plain.stdout).toContain('no-conflict VIOLATED');
    expect(plain.stdout).not.toContain('timing:');
    const pj = parse((await runCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--depth', '4', '--out', join(tmp, 'timer'), '--json'])).stdout);
    expect(pj).not.toHaveProperty('interleavingsLeftOut');
    // Every path to depth 4 searched, nothing left out: complete (its violation found on the way).
    expect(pj['complete']).toBe(true);
  });

  it('R13: explore starts from the scenario\'s state: the documents reach every member before the scanners come, so with on-write scanning of arrivals the setup stamps nothing (`setup` null), and the shortest conflict and storm start with a scan (QA: the setup stamped every arrival, a storm "from step 2" that run never makes)', async () => {
    const args = ['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'keys=per-server', '--set', 'config=scanReplicatedWrites=true', '--depth', '6', '--out', join(tmp, 'setup-says')];
    const res = await runCli(args);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/shortest path \(3 steps\):\n  step 1 \(line 9, at 120000 ms\): scheduled scan on Alpha of \S+ \S+: scanner\/smsdom saved /);
    expect(res.stdout).toContain('STORM: a loop of 2 replication steps, from step 3, that makes scanner revisions every time round');
    const v = parse((await runCli([...args, '--json'])).stdout)['violation'] as Json;
    expect(v['setup']).toBeNull();
    expect(v['steps'] as string[]).toHaveLength(3);
    // An idle run of the same settings makes no scanner revision either.
    const idle = parse((await runCli(['run', 'smsdom-storm', '--set', 'servers=2', '--set', 'databases=1', '--set', 'docs=1', '--set', 'keys=per-server', '--set', 'config=scanReplicatedWrites=true', '--set', 'scanServers=none', '--json'])).stdout);
    expect(((idle['revisions'] as Json)['byActorKind'] as Json)['scanner']).toBe(0);
    expect(idle['replicatedChanges']).toBe(1);
  });

  it('a search of a handful of states prints no rate (it would measure start-up)', async () => {
    const res = await runCli(['explore', 'smsdom-storm', '--set', 'servers=1', '--set', 'docs=1', '--depth', '3']);
    expect(res.code, res.stderr).toBe(0);
    const seconds = Number(/2 distinct, 2 transitions, (\d+\.\d\d) s/.exec(res.stdout)?.[1]);
    expect(seconds, res.stdout).toBeGreaterThanOrEqual(0);
    // (Under 0.1 s on any machine but a stalled one; the rule is checked either way.)
    if (seconds < 0.1) expect(res.stdout).not.toContain('states/s');
    else expect(res.stdout).toContain('distinct states/s');
  });
});

describe('replay hints', () => {
  it('explore with a researcher\'s design: the printed replay command names the design module, and it reproduces the conflict', async () => {
    const out = mkdtempSync(join(tmp, 'hint-'));
    const res = await runCli(['explore', 'smsdom-storm', '--set', 'design=mine', '--design', 'mine=examples/designs/stamp-if-missing.ts', '--set', 'servers=2', '--depth', '4', '--out', out]);
    expect(res.code).toBe(1);
    const hint = /replay it: replstorm (replay [^)]*)\)/.exec(res.stdout)?.[1];
    expect(hint, res.stdout).toContain('--design mine=examples/designs/stamp-if-missing.ts');
    const again = await runCli(hint!.split(' '));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/conflicts\s+[1-9]/);
    // The header's claim, checked again with the design module (loaded anew for it).
    expect(again.stdout).toContain('  reproduced    yes: no-conflict violated, as the header says (explore\'s check, run again on the log\'s inputs)\n');
  });

  it('R16: replay checks a storm log\'s loop again: reproduced (exit 0, --json `claim` no-storm), and the log with arrivals no longer scanned is exit 1 saying so (it said nothing of the storm: a review)', async () => {
    const out = mkdtempSync(join(tmp, 'storm-claim-'));
    const res = await runCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--set', 'keys=per-server', '--set', 'config=scanReplicatedWrites=true', '--depth', '6', '--out', out]);
    expect(res.code).toBe(1);
    const log = join(out, readdirSync(out).find((f) => f.startsWith('explore-storm-'))!);
    const again = await runCli(['replay', log]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("  reproduced    yes: no-storm violated, as the header says (explore's check, run again on the log's inputs)\n");
    expect(parse((await runCli(['replay', log, '--json'])).stdout)['claim']).toMatchObject({ invariant: 'no-storm', reproduced: true });
    const edited = join(out, 'arrivals-not-scanned.jsonl');
    writeFileSync(edited, readFileSync(log, 'utf8').replaceAll('"scanReplicatedWrites":true', '"scanReplicatedWrites":false'));
    const no = await runCli(['replay', edited]);
    expect(no.code).toBe(1);
    expect(no.stdout).toMatch(/ {2}reproduced {4}NO: no-storm holds \(explore's check, run again on the log's inputs\), where the header says it is violated: a loop of \d+ steps from step \d+, shown twice\n/);
  });

  it('R5/R15: replay checks a counterexample\'s claim again: reproduced (exit 0, --json `claim`), and a log edited so that it no longer holds is exit 1 saying so', async () => {
    const out = mkdtempSync(join(tmp, 'claim-'));
    const res = await runCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--depth', '3', '--no-storms', '--out', out]);
    expect(res.code).toBe(1);
    const log = /log: (\S+\.jsonl)/.exec(res.stdout)![1]!;
    const j = parse((await runCli(['replay', log, '--json'])).stdout);
    const message = (JSON.parse(readFileSync(log, 'utf8').split('\n')[0]!) as { meta: { violation: string } }).meta.violation;
    expect(j['claim']).toEqual({ recordedBy: 'replstorm explore', invariant: 'no-conflict', claimed: message, reproduced: true, message, checked: true });
    // SSO off on both members: no stamp, no conflict. The log still runs; its claim does not hold.
    const edited = join(out, 'sso-off.jsonl');
    const text = readFileSync(log, 'utf8');
    expect(text.match(/"type":"scanner","server":"\w+","design":"smsdom"\}/g)).toHaveLength(2);
    writeFileSync(edited, text.replace(/("type":"scanner","server":"\w+","design":"smsdom")\}/g, '$1,"config":{"sso":false}}'));
    const again = await runCli(['replay', edited]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`  reproduced    NO: no-conflict holds (explore's check, run again on the log's inputs), where the header says it is violated: ${message}\n`);
    expect(again.stderr).toContain(`${edited}: the header's claim is not reproduced: no-conflict holds (explore's check`);
    // The HTML report says it too, as a finding.
    const html = join(out, 'sso-off.html');
    expect((await runCli(['replay', edited, '--report', html])).code).toBe(1);
    expect(readFileSync(html, 'utf8')).toContain('<p class="bad">Counterexample, reproduced: NO: no-conflict holds (explore&#39;s check, run again on the log&#39;s inputs)');
    const okHtml = join(out, 'ok.html');
    expect((await runCli(['replay', log, '--report', okHtml])).code).toBe(0);
    expect(readFileSync(okHtml, 'utf8')).toContain('<p>Counterexample, reproduced: yes: no-conflict violated, as the header says');
    const ej = await runCli(['replay', edited, '--json']);
    expect(ej.code).toBe(1);
    // `checked` tells this "no longer holds" from a claim not judged (both read `reproduced` false).
    expect(parse(ej.stdout)['claim']).toEqual({ recordedBy: 'replstorm explore', invariant: 'no-conflict', claimed: message, reproduced: false, checked: true });
    // A log that installs another design than its header names is not judged: `checked` false, with why.
    const other = join(out, 'other-design.jsonl');
    writeFileSync(other, text.replace(/("type":"scanner","server":"\w+","design":)"smsdom"\}/g, '$1"noop"}'));
    const oj = await runCli(['replay', other, '--json']);
    // Exit 3, not decided (it was 0, as a claim reproduced: a script keyed on the exit could not tell them apart, a
    // developer's QA pass); the JSON is printed all the same.
    expect(oj.code).toBe(3);
    expect(parse(oj.stdout)['claim']).toMatchObject({ reproduced: false, checked: false, unchecked: expect.stringMatching(/noop/) });
    // A log whose header claims nothing checkable (a run's recording) has no `claim`.
    expect(parse((await runCli(['replay', EXAMPLE_LOG, '--json'])).stdout)).not.toHaveProperty('claim');
    // The header's text is quoted in the refusal: a line break in it adds no line to standard error (a review).
    const forged = join(out, 'forged.jsonl');
    writeFileSync(forged, readFileSync(edited, 'utf8').replace(/"violation":"[^"]*"/, '"violation":"x\\nFORGED: all clear"'));
    const f = await runCli(['replay', forged]);
    expect(f.code).toBe(1);
    expect(f.stderr).toContain('x\\nFORGED: all clear');
    expect(f.stderr).not.toMatch(/^FORGED/m);
    // An invariant the checker does not know (a log of a later version): not checked, said, exit 3.
    const later = join(out, 'later.jsonl');
    writeFileSync(later, readFileSync(log, 'utf8').replace('"invariant":"no-conflict"', '"invariant":"no-dragons"'));
    const l = await runCli(['replay', later]);
    expect(l.code, l.stderr).toBe(3);
    // (And on standard error, as the other claims not decided are: nothing there read as unexplained, a review.)
    expect(l.stderr).toBe(`replstorm: ${later}: the header's claim is not decided: not checked ("no-dragons" is not one of explore's invariants (no-conflict, no-scanner-conflicts, no-scanner-revision, design-runs))\n`);
    expect(l.stdout).toContain('  reproduced    not checked: "no-dragons" is not one of explore\'s invariants (no-conflict, no-scanner-conflicts, no-scanner-revision, design-runs)\n');
  });

  it('explore: a design whose code throws on some path is a finding (design-runs, as in verify): the shortest path, and a log whose replay fails there the same way (it was exit 2, no path)', async () => {
    const out = mkdtempSync(join(tmp, 'boom-'));
    const design = 'boom=packages/cli/test/designs/boom.ts';
    const res = await runCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--set', 'design=boom', '--design', design, '--user-actions', '2', '--invariant', 'no-scanner-revision', '--depth', '4', '--out', out]);
    expect(res.code, res.stderr).toBe(1);
    // The design's own line that threw, as a module failing to load is named (a researcher's review: no place to look).
    const at = ` (at ${resolve('packages/cli/test/designs/boom.ts')}:11:`;
    expect(res.stdout).toMatch(/design-runs VIOLATED: the design "boom" failed while scanning \w+ in [^ ]+ on Alpha at \d+ ms: cannot handle seq 3 \(at \S+:\d+:\d+\)\nshortest path \(2 steps\):/);
    expect(res.stdout).toContain(`cannot handle seq 3${at}`);
    expect(res.stdout).toMatch(/step 2 \(line 10, at \d+ ms\): save by user\/ann on \w+ .*; then the design "boom" failed/);
    // R16: the paths that end at a failure are counted beside "exhausted"/"bounded", which they qualify.
    expect(res.stdout).toMatch(/^  [1-9][\d,]* actions? made the design fail \(design-runs\): a path ends at its failure/m);
    // The header counts them among the states generated, and says so (a researcher's QA pass: "3 states generated, 1
    // distinct, 0 transitions" read as miscounted): generated = 1 + transitions + failures.
    const head = /^explore .*?, ([\d,]+) states generated \(([\d,]+) of them design failures, no state\), [\d,]+ distinct, ([\d,]+) transitions?,/m.exec(res.stdout);
    expect(head, res.stdout.split('\n')[0]).not.toBeNull();
    const n = (x: string) => Number(x.replaceAll(',', ''));
    expect(n(head![1]!)).toBe(1 + n(head![3]!) + n(head![2]!));
    // boom acts on a document's seq (it fails at 3), which the search renumbers: the search says it cannot be trusted
    // to have checked every path (an explore QA pass: a design failing at seq 6 read "exhausted", no violation).
    expect(res.stdout).toMatch(/^  bounded to 4 actions, but NOT every path was checked: a design here acts on the time's value or a document's seq \(WARNING below\)\n/m);
    expect(res.stdout).toMatch(/WARNING: .* made other decisions with every document saved 25 more times before the search/);
    expect(res.stdout).not.toContain('every reachable state was checked');
    // So does the line of a search whose pushes are left to the cluster's timer (a review: it still said "every state
    // reachable so was checked" above the failures).
    const timer = await runCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--set', 'clusterIntervalMs=15000', '--set', 'design=boom', '--design', design, '--user-actions', '3', '--depth', '5', '--out', out]);
    expect(timer.stdout).toMatch(/^ {2}[1-9][\d,]* actions? made the design fail/m);
    // (With the cluster's timer between steps the times are not checked; the seq is, and flags it the same.)
    expect(timer.stdout).toMatch(/^ {2}no new state at the last depth, but NOT every reachable state was checked: a design here acts on the time's value or a document's seq \(WARNING below\)/m);
    // A design failing on what the search keeps (an item's value, not a count it renumbers) leaves the search trusted,
    // and the line the failures qualify says so itself: "every reachable state was checked" above "N actions made the
    // design fail" read as a contradiction (a researcher's QA pass). So does the line of a search whose pushes are left
    // to the cluster's timer (a review: it still said "every state reachable so was checked" above the failures).
    const edited = 'boom-edited=packages/cli/test/designs/boom-edited.ts';
    const trusted = await runCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--set', 'design=boom-edited', '--design', edited, '--user-actions', '2', '--invariant', 'no-scanner-revision', '--depth', '4', '--out', out]);
    expect(trusted.stdout).toMatch(/^ {2}[1-9][\d,]* actions? made the design fail \(design-runs\)/m);
    expect(trusted.stdout).toMatch(/^  (the state space was exhausted: every state reachable without a design failure was checked|bounded: every path of up to \d+ actions was checked, each up to a design failure on it)\n/m);
    expect(trusted.stdout).not.toContain('every reachable state was checked');
    const trustedTimer = await runCli(['explore', 'smsdom-storm', '--set', 'servers=2', '--set', 'docs=1', '--set', 'clusterIntervalMs=15000', '--set', 'design=boom-edited', '--design', edited, '--user-actions', '3', '--depth', '5', '--out', out]);
    expect(trustedTimer.stdout).toMatch(/^ {2}(the state space was exhausted, with the cluster's pushes on their timer: every state reachable so without a design failure was checked|bounded: every path of up to \d+ actions was checked, each up to a design failure on it)/m);
    const hint = /replay it: replstorm (replay [^)]*)\)/.exec(res.stdout)?.[1];
    const again = await runCli(hint!.split(' '));
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/:10:1: the design "boom" failed while scanning .*cannot handle seq 3/);
    // The header claims design-runs: the failure is that claim reproduced, and the refusal says so.
    expect(again.stderr).toMatch(/cannot handle seq 3 \(at [^)]*\); the header's claim, design-runs, is reproduced\n/);
    // A report asked for is not written (the run stopped at the refusal), and the refusal says so (a researcher's QA
    // pass: nothing said it).
    const html = join(out, 'boom.html');
    const withReport = await runCli([...hint!.split(' '), '--report', html]);
    expect(withReport.code).toBe(2);
    expect(withReport.stderr).toContain(`; the header's claim, design-runs, is reproduced (the run stopped there, so --report ${html} was not written)\n`);
    expect(existsSync(html)).toBe(false);
    // Under --json the claim is on standard output too (a researcher's QA pass: it was empty), exit 2 all the same.
    const againJson = await runCli([...hint!.split(' '), '--json']);
    expect(againJson.code).toBe(2);
    const j = parse(againJson.stdout);
    expect(j['claim']).toMatchObject({ invariant: 'design-runs', reproduced: true, message: expect.stringMatching(/^the design "boom" failed while scanning .*cannot handle seq 3/) });
    expect(j['failedAt']).toMatchObject({ line: 10, column: 1 });
    // Not `stopped`: the summary's field of that name is a string (event-log.md), and this is no summary (a QA pass).
    expect(Object.keys(j).sort()).toEqual(['claim', 'failedAt']);
    // The same failure by a --what-if design is not the log's claim (a review): the log's own design (here one that
    // does not throw, under the log's design name) ran.
    const logFile = hint!.split(' ').pop()!;
    const whatIf = await runCli(['replay', '--design', 'boom=examples/designs/stamp-if-missing.ts', '--design', 'thrower=packages/cli/test/designs/boom.ts', '--what-if', 'thrower', logFile]);
    expect(whatIf.code).toBe(2);
    expect(whatIf.stderr).toMatch(/the --what-if run \(thrower\): the design "thrower" failed/);
    expect(whatIf.stderr).not.toContain('claim');
    expect(again.stderr).toContain(`cannot handle seq 3${at}`);
  });
});

describe('listings', () => {
  it('scenarios lists the scenario names, as text and JSON', async () => {
    const text = await runCli(['scenarios']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('smsdom-storm');
    const json = JSON.parse((await runCli(['scenarios', '--json'])).stdout) as { name: string }[];
    expect(json.map((s) => s.name)).toContain('smsdom-storm');
  });

  it('designs lists the built-in designs, as text and JSON', async () => {
    const names = ['smsdom', 'noop', 'scan-cache', 'cluster-aware', 'sso-mail-only'];
    const text = await runCli(['designs']);
    expect(text.code).toBe(0);
    for (const n of names) expect(text.stdout).toMatch(new RegExp(`^${n}: `, 'm'));
    const json = JSON.parse((await runCli(['designs', '--json'])).stdout) as { name: string }[];
    expect(json.map((d) => d.name)).toEqual(expect.arrayContaining(names));
    // Every promise said, for a module that makes none too (its `{}` broke `promises.readOnlyKinds.includes`: a JSON
    // contracts QA pass).
    const withModule = JSON.parse((await runCli(['designs', '--json', '--design', 'sim=examples/designs/stamp-if-missing.ts'])).stdout) as { name: string; promises: unknown }[];
    expect(withModule.find((d) => d.name === 'sim')!.promises).toEqual({ readOnlyKinds: [], quiescent: false, noConflicts: false });
    expect(withModule.find((d) => d.name === 'smsdom')!.promises).toEqual({ readOnlyKinds: [], quiescent: false, noConflicts: false });
    expect(withModule.find((d) => d.name === 'noop')!.promises).toEqual({ readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'], quiescent: true, noConflicts: true });
  });
});

describe('verify', () => {
  async function verifyAndReplay(seed: number): Promise<void> {
    const out = join(tmp, `verify-${seed}`);
    const res = await runCli(['verify', 'noop', '--runs', '5', '--seed', String(seed), '--out', out]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/verdict: FAILED/);
    const files = existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.jsonl')) : [];
    expect(files.length, `verify wrote a counterexample in ${out}`).toBeGreaterThan(0);
    for (const f of files) {
      expect(res.stdout).toContain(join(out, f));
      const replay = await runCli(['replay', join(out, f), '--json']);
      expect(replay.stderr).toBe('');
      expect(replay.code).toBe(0);
      // The counterexample reproduces what it is a counterexample of: replay's check of its claim says so (noop's miss
      // may be a copy no scan was handed, which `missed` does not count).
      expect(parse(replay.stdout)['claim']).toMatchObject({ reproduced: true });
    }
  }

  it('verify noop --runs 5 --seed 1: exits 1 as vacuous (it never scanned) even when no invariant was violated in 5 runs', async () => {
    const out = mkdtempSync(join(tmp, 'verify-vacuous-'));
    const res = await runCli(['verify', 'noop', '--runs', '5', '--seed', '1', '--out', out]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/VACUOUS: scansPerformed never happened/);
    expect(res.stdout).toMatch(/verdict: FAILED/);
  });

  it('R1: verify of a design that only cleans and declares nothing: VACUOUS stampings says how to declare its read-only scans, and with them declared it passes', async () => {
    const dir = mkdtempSync(join(tmp, 'verify-undeclared-'));
    const body = (promises: string) =>
      [
        'export default {',
        "  name: 'cleaner',",
        "  description: 'only cleans infected attachments',",
        '  defaults: {},',
        promises,
        '  scan: (ctx: { virusScan: () => { infected: boolean; clean: unknown[] } }) => {',
        '    const r = ctx.virusScan();',
        "    return r.infected ? { verdict: 'infected', set: r.clean.length > 0 ? [['$FILE', r.clean]] : [], remove: r.clean.length > 0 ? [] : ['$FILE'] } : { verdict: 'clean' };",
        '  },',
        '};',
      ].join('\n');
    writeFileSync(join(dir, 'undeclared.ts'), body(''));
    writeFileSync(join(dir, 'declared.ts'), body("  promises: { readOnlyKinds: ['mail', 'on-write', 'scheduled', 'manual'] },"));
    const res = await runCli(['verify', join(dir, 'undeclared.ts'), '--runs', '20', '--seed', '3', '--out', join(dir, 'out')]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/VACUOUS: stampings never happened/);
    expect(res.stdout).toMatch(/declare it \(`promises: \{ readOnlyKinds: /);
    const ok = await runCli(['verify', join(dir, 'declared.ts'), '--runs', '20', '--seed', '3', '--out', join(dir, 'out')]);
    expect(ok.stdout).toMatch(/verdict: every invariant held/);
    expect(ok.code).toBe(0);
  });

  it('verify noop --runs 5 --seed 3: the same, on a seed whose runs do meet an infected attachment', async () => {
    // (Seed 2 met none once the cases drew second attachments.)
    await verifyAndReplay(3);
  });
});

describe('output files are never half-written', () => {
  it('--record and --report over a read-only file: exit 2 before the run, the file untouched (it was replaced, exit 0, where the shell refuses: an operator\'s QA pass)', async () => {
    // The file is renamed over, which only the directory's permissions govern: the refusal is replstorm's own. A file
    // no one may write is refused for root too ([choice] in output.ts), so this holds whoever runs the tests. (A file
    // with write permission for its owner only, of another user's, is refused by access(2): not testable without a
    // second user.)
    const base = mkdtempSync(join(tmp, 'read-only-'));
    const ro = join(base, 'ro.jsonl');
    const html = join(base, 'ro.html');
    for (const f of [ro, html]) {
      writeFileSync(f, 'keep\n');
      chmodSync(f, 0o444);
    }
    for (const [option, file] of [['--record', ro], ['--report', html]] as const) {
      const res = await runCli(['replay', EXAMPLE_LOG, option, file]);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr).toBe(`replstorm: ${option} ${file}: the file is read-only (mode 0444): replstorm would replace it; give another file's name, or make it writable (chmod u+w)\n`);
      expect(readFileSync(file, 'utf8')).toBe('keep\n');
    }
    expect(readdirSync(base).sort()).toEqual(['ro.html', 'ro.jsonl']);
  });

  it('--record into a directory that does not exist: exit 2, one line, no temporary file', async () => {
    const base = mkdtempSync(join(tmp, 'nodir-'));
    const target = join(base, 'missing', 'deeper', 'out.jsonl');
    const res = await runCli(['replay', '--record', target, EXAMPLE_LOG]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain(join(base, 'missing'));
    expect(res.stderr).not.toMatch(/^\s+at /m);
    expect(readdirSync(base)).toEqual([]);
    expect(tmpFilesUnder(tmp)).toEqual([]);
  });

  it('--report into a directory that does not exist is refused before the run, and the --record of the same run is not written', async () => {
    const base = mkdtempSync(join(tmp, 'report-nodir-'));
    const record = join(base, 'rec.jsonl');
    // A run of several seconds: the report's path was only tried once it was over, after the recording was committed.
    const res = await runCli(['run', 'smsdom-storm', '--record', record, '--report', join(base, 'missing', 'r.html')]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`the directory ${join(base, 'missing')} does not exist`);
    expect(readdirSync(base)).toEqual([]);
    const replayed = await runCli(['replay', EXAMPLE_LOG, '--record', record, '--report', join(base, 'missing', 'r.html')]);
    expect(replayed.code).toBe(2);
    expect(readdirSync(base)).toEqual([]);
  });

  it('an output name of 250 bytes (a valid name) is written: its temporary file\'s name is kept within 255 bytes', async () => {
    // Hostile-input QA: `.<name>.replstorm-tmp-<pid>` passed 255 bytes, and the run was refused as "too long".
    const base = mkdtempSync(join(tmp, 'long-name-'));
    for (const name of ['a'.repeat(250), `${'é'.repeat(120)}.jsonl`]) {
      const res = await runCli(['replay', EXAMPLE_LOG, '--record', join(base, name)]);
      expect(res.code, res.stderr).toBe(0);
      expect(readdirSync(base)).toContain(name);
    }
    expect(readdirSync(base)).toHaveLength(2);
    // Two long names alike up to the cut get different temporary files.
    const [x, y] = [`${'b'.repeat(250)}x`.slice(0, 250), `${'b'.repeat(249)}y`];
    const tag = `${process.pid}-0123456789ab`;
    expect(Buffer.byteLength(temporaryName(x, tag))).toBeLessThanOrEqual(255);
    expect(temporaryName(x, tag)).not.toBe(temporaryName(y, tag));
    expect(temporaryName('r.jsonl', tag)).toBe(`.r.jsonl.replstorm-tmp-${tag}`);
  });

  it('an output name too long for the file system (300 bytes) is refused before the run, exit 2, nothing printed or written (it was found at the rename, after the whole run and its finding: an interruption QA pass)', async () => {
    const base = mkdtempSync(join(tmp, 'too-long-name-'));
    const name = `${'a'.repeat(294)}.jsonl`;
    for (const option of ['--record', '--report']) {
      const res = await runCli(['replay', EXAMPLE_LOG, option, join(base, name)]);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr).toBe(`replstorm: ${option} ${join(base, name)}: cannot write it: the file name is too long for the file system (300 bytes); give a shorter one\n`);
    }
    expect(readdirSync(base)).toEqual([]);
  });

  it('a missing directory is named where it is missing: through a link, the target\'s (the link\'s own directory exists)', async () => {
    const base = mkdtempSync(join(tmp, 'link-nodir-'));
    symlinkSync(join(base, 'gone', 'y.jsonl'), join(base, 'link.jsonl'));
    const res = await runCli(['replay', EXAMPLE_LOG, '--record', join(base, 'link.jsonl')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`the directory ${join(base, 'gone')} does not exist (${join(base, 'link.jsonl')} is a link to ${join(base, 'gone', 'y.jsonl')})`);
  });

  it('a replay whose recording disagrees still writes its --record and --report, and says where (exit 1)', async () => {
    const dir = mkdtempSync(join(tmp, 'mismatch-outputs-'));
    const rec = join(dir, 'rec.jsonl');
    expect((await runCli(['replay', EXAMPLE_LOG, '--record', rec])).code).toBe(0);
    const lines = readFileSync(rec, 'utf8').trimEnd().split('\n');
    const i = lines.findIndex((l) => l.includes('"type":"revised"'));
    lines[i] = lines[i]!.replace(/"seqTime":(\d+)/, (_m, t: string) => `"seqTime":${Number(t) + 1}`);
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${lines.join('\n')}\n`);
    const again = join(dir, 'again.jsonl');
    const report = join(dir, 'r.html');
    const res = await runCli(['replay', bad, '--record', again, '--report', report]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(`report written to ${report}`);
    expect(res.stdout).toContain(`recorded to ${again}`);
    // The engine's own run of the same inputs: the first recording, line for line.
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(rec, 'utf8'));
    expect(readFileSync(report, 'utf8')).toContain('disagree');
  });

  it('explore: a counterexample named by many --set options gets a file name the file system takes (it was refused: ENAMETOOLONG, and the finding lost)', async () => {
    const out = mkdtempSync(join(tmp, 'longname-'));
    const config = 'config=scanReplicatedWrites=true,rewriteValidTags=false,tagIncludesDefinitions=false,tagIncludesScanTime=false,ignoreSsoOnScheduled=false,scanMsPerDoc=25,onWrite=true,mail=true';
    const res = await runCli(['explore', 'smsdom-storm', '--set', 'servers=3', '--set', 'docs=1', '--set', 'clockSkewsMs=0,350,700', '--set', 'keys=per-server', '--set', config, '--depth', '3', '--out', out]);
    expect(res.code).toBe(1);
    const files = readdirSync(out);
    expect(files).toHaveLength(1);
    expect(Buffer.byteLength(files[0]!)).toBeLessThanOrEqual(160);
    expect(files[0]).toMatch(/^explore-no-conflict-servers=3,docs=1,clockSkewsMs=0,350,700,keys=per-server,config=.*-[0-9a-f]{12}\.jsonl$/);
    expect(res.stdout).toContain(`log: ${join(out, files[0]!)} (replay it:`);
    // Another configuration, another name.
    const other = await runCli(['explore', 'smsdom-storm', '--set', 'servers=3', '--set', 'docs=1', '--set', 'clockSkewsMs=0,350,700', '--set', 'keys=per-server', '--set', config.replace('scanMsPerDoc=25', 'scanMsPerDoc=26'), '--depth', '3', '--out', out]);
    expect(other.code).toBe(1);
    expect(readdirSync(out)).toHaveLength(2);
  });

  it('verify: a design whose name has a "/" ("team/lazy", "../x") gets its counterexample in --out, as explore\'s names are (it went to a subdirectory that did not exist, exit 2, or outside --out)', async () => {
    const base = mkdtempSync(join(tmp, 'slashname-'));
    for (const name of ['team/lazy', '../../escape']) {
      const design = join(base, `${name.length}.ts`);
      writeFileSync(design, `export default { name: ${JSON.stringify(name)}, description: 'trusts any tag', defaults: {}, scan: (c: { note: { items: { key: string }[] } }) => (c.note.items.some((i) => i.key === 'x-ssotag') ? { verdict: 'skipped' } : { verdict: 'clean', set: [['X-SSOTag', 'ok']] }) };\n`);
      const out = join(base, `out${name.length}`, 'cex');
      const res = await runCli(['verify', design, '--runs', '10', '--seed', '3', '--out', out, '--json']);
      expect(res.code, res.stderr).toBe(1);
      const json = JSON.parse(res.stdout) as { invariants: { counterexample?: string; notWritten?: string }[] };
      const written = json.invariants.filter((i) => i.counterexample !== undefined).map((i) => i.counterexample!);
      expect(written.length).toBeGreaterThan(0);
      expect(json.invariants.filter((i) => i.notWritten !== undefined)).toEqual([]);
      for (const file of written) expect(dirname(file)).toBe(out);
      expect(readdirSync(out).sort()).toEqual(written.map((f) => f.slice(out.length + 1)).sort());
      // Not a hidden file: "../../escape" wrote `.._.._escape-...`, which `ls` does not show (a researcher's QA pass).
      for (const file of written) expect(basename(file).startsWith('.'), file).toBe(false);
    }
  });

  it('verify: the configuration given is in the counterexample\'s name, so one design verified under two configurations with one seed and --out keeps both logs (the second overwrote the first: a QA pass)', async () => {
    const out = mkdtempSync(join(tmp, 'configname-'));
    const plain = await runCli(['verify', 'smsdom', '--runs', '100', '--seed', '1', '--out', out, '--json']);
    const fixed = await runCli(['verify', 'smsdom', '--config', 'ignoreSsoOnScheduled=true', '--runs', '100', '--seed', '1', '--out', out, '--json']);
    const files = (res: { stdout: string }) => (JSON.parse(res.stdout) as { invariants: { counterexample?: string }[] }).invariants.flatMap((i) => (i.counterexample !== undefined ? [basename(i.counterexample)] : []));
    expect(files(plain)).toContain('smsdom-no-scanner-reappearances-1.jsonl');
    expect(files(fixed)).toContain('smsdom-ignoreSsoOnScheduled=true-no-scanner-reappearances-1.jsonl');
    expect(readdirSync(out).sort()).toEqual([...files(plain), ...files(fixed)].sort());
  });

  it('--record and --report through a symbolic link to the same directory are the same file: refused before the run (the report overwrote the recording)', async () => {
    const base = mkdtempSync(join(tmp, 'symlink-'));
    mkdirSync(join(base, 'A'));
    mkdirSync(join(base, 'B'));
    symlinkSync(join('..', 'A'), join(base, 'B', 'lnk'));
    const res = await runCli(['replay', EXAMPLE_LOG, '--record', join(base, 'A', 'out'), '--report', join(base, 'B', 'lnk', 'out')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--record and --report name the same file');
    expect(readdirSync(join(base, 'A'))).toEqual([]);
  });

  it('--record or --report naming the log being replayed by another path (a ./ in it, a symbolic link): refused before the run, the log intact', async () => {
    const base = mkdtempSync(join(tmp, 'same-as-log-'));
    const log = join(base, 'log.jsonl');
    copyFileSync(EXAMPLE_LOG, log);
    symlinkSync('log.jsonl', join(base, 'link.jsonl'));
    for (const [option, path] of [['--record', `${base}/./log.jsonl`], ['--report', join(base, 'link.jsonl')]] as const) {
      const res = await runCli(['replay', log, option, path]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`${option} ${path}: that is the log being replayed`);
    }
    expect(readFileSync(log, 'utf8')).toBe(readFileSync(EXAMPLE_LOG, 'utf8'));
    expect(tmpFilesUnder(base)).toEqual([]);
  });

  it('--record or --report naming a --design module (run, replay): refused before the run, the module intact (a CLI QA pass: the recording replaced the module\'s source, and the run again blamed the design)', async () => {
    const base = mkdtempSync(join(tmp, 'same-as-module-'));
    const module = join(base, 'v.ts');
    const source = "export default { name: 'v', description: 'never stamps', defaults: {}, scan: () => ({ verdict: 'clean' }) };\n";
    writeFileSync(module, source);
    for (const args of [
      ['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=5', '--set', 'design=v', '--design', `v=${module}`, '--record', `${base}/./v.ts`],
      ['replay', EXAMPLE_LOG, '--what-if', 'v', '--design', `v=${module}`, '--report', module],
    ]) {
      const res = await runCli(args);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toContain(`: that is the design module v (--design v=${module}); write to another file`);
    }
    expect(readFileSync(module, 'utf8')).toBe(source);
    expect(tmpFilesUnder(base)).toEqual([]);
  });

  it('replay - with --report or --record naming the file standard input reads: refused before the run, the log intact (a CLI QA pass: `replay - --report in.jsonl < in.jsonl` replaced the log with the report)', () => {
    const base = mkdtempSync(join(tmp, 'same-as-stdin-'));
    const log = join(base, 'in.jsonl');
    copyFileSync(EXAMPLE_LOG, log);
    for (const option of ['--report', '--record']) {
      const fd = openSync(log, 'r');
      try {
        const res = spawnSync(process.execPath, ['--import', 'tsx', MAIN_TS, 'replay', '-', option, log], { cwd: REPO_ROOT, stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
        expect(res.status, res.stderr).toBe(2);
        expect(res.stderr.trim()).toBe(`replstorm: ${option} ${log}: that is the log being replayed (standard input reads it); write to another file`);
      } finally {
        closeSync(fd);
      }
    }
    expect(readFileSync(log, 'utf8')).toBe(readFileSync(EXAMPLE_LOG, 'utf8'));
    // Standard input from another file: the report is written.
    const fd = openSync(EXAMPLE_LOG, 'r');
    try {
      const ok = spawnSync(process.execPath, ['--import', 'tsx', MAIN_TS, 'replay', '-', '--report', join(base, 'out.html')], { cwd: REPO_ROOT, stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
      expect(ok.status, ok.stderr).toBe(0);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(join(base, 'out.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  it('a design module\'s console output goes to standard error: standard output stays the command\'s JSON (a CLI QA pass: verify --json of a design logging each scan printed 685 lines ahead of the JSON)', async () => {
    const base = mkdtempSync(join(tmp, 'noisy-'));
    const module = join(base, 'noisy.ts');
    // (console.timeStamp: the console's methods that do not write are still there; a bare Console lacked it, a review.)
    writeFileSync(module, "console.log('loading noisy');\nconsole.timeStamp('loaded');\nexport default { name: 'noisy', description: 'logs', defaults: {}, scan: () => { console.log('scanned'); console.info('info'); return { verdict: 'clean' }; } };\n");
    for (const args of [['designs', '--design', `noisy=${module}`, '--json'], ['verify', module, '--runs', '2', '--seed', '1', '--json', '--out', join(base, 'logs')]]) {
      const res = await spawnCli(args);
      expect(() => JSON.parse(res.stdout) as unknown, res.stdout.slice(0, 200)).not.toThrow();
      expect(res.stderr).toContain('loading noisy\n');
      if (args[0] === 'verify') expect(res.stderr).toContain('scanned\ninfo\n');
    }
  });

  it('designs: a module\'s name and settings holding control characters are shown escaped, one line each (a CLI QA pass: an escape sequence in the name cleared the terminal)', async () => {
    const base = mkdtempSync(join(tmp, 'ctl-name-'));
    const module = join(base, 'ok.ts');
    writeFileSync(module, "export default { name: 'ok', description: 'two\\nlines', defaults: { 'k\\u001b[2J': 1 }, scan: () => ({ verdict: 'clean' }) };\n");
    const res = await runCli(['designs', '--design', `a\u001b[2Jb=${module}`]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).not.toContain('\u001b');
    expect(res.stdout).toContain('a\\u001b[2Jb: two\\nlines\n');
    expect(res.stdout).toContain('k\\u001b[2J');
  });

  it('run --set design=NAME:key=value (compare\'s way of writing a configuration): refused saying where the settings go, --set config= (a CLI QA pass: a module hint that was refused in turn)', async () => {
    const res = await runCli(['run', 'smsdom-storm', '--set', 'design=smsdom:sso=false']);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe('replstorm: --set design=smsdom:sso=false: a scenario\'s design takes no settings after ":" (compare and --what-if read NAME:key=value); give them as --set design=smsdom --set config=sso=false');
  });

  it('replay --report: a scan that let an infection through is in its step, INFECTION MISSED, though it saved nothing; a scan that cleaned is said by its save (a new user\'s QA pass: a missed-infection counterexample\'s steps showed only the two user saves)', async () => {
    const base = mkdtempSync(join(tmp, 'missed-step-'));
    const log = join(base, 'miss.jsonl');
    const A = '0000000000000000000000000000000A';
    const B = '0000000000000000000000000000000B';
    writeFileSync(log, [
      { replog: 1, meta: {} },
      { at: 0, type: 'server', name: 'A' },
      { at: 0, type: 'server', name: 'B' },
      { at: 0, type: 'database', name: 'd.nsf', replicas: ['A', 'B'] },
      { at: 0, type: 'scanner', server: 'A', design: 'noop' },
      { at: 0, type: 'scanner', server: 'B', design: 'smsdom' },
      { at: 10, type: 'save', server: 'A', db: 'd.nsf', unid: A, by: 'user/a', set: { $FILE: [{ name: 'v.exe', infected: true }] } },
      { at: 10, type: 'save', server: 'B', db: 'd.nsf', unid: B, by: 'user/b', set: { $FILE: [{ name: 'v.exe', infected: true }] } },
      { at: 1000, type: 'scan', server: 'A', kind: 'manual' },
      { at: 1000, type: 'scan', server: 'B', kind: 'manual' },
    ].map((l) => JSON.stringify(l)).join('\n') + '\n');
    const res = await runCli(['replay', log, '--report', join(base, 'r.html')]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('1 missed');
    const html = readFileSync(join(base, 'r.html'), 'utf8');
    expect(html.match(/INFECTION MISSED on \w+/g)).toEqual(['INFECTION MISSED on A']);
    expect(html).toContain(`INFECTION MISSED on A: its manual scan of ${A} in d.nsf skipped it, and it holds an infected attachment`);
    expect(html).toContain(`scanner/smsdom cleaned ${B} on B (seq 2)`);
  });

  it('a design module that ends the process with exit 0 (process.exit while it loads): exit 2, said, not the 0 of "every invariant held" (a CLI QA pass)', async () => {
    const base = mkdtempSync(join(tmp, 'exit0-'));
    const module = join(base, 'exit0.ts');
    writeFileSync(module, 'process.exit(0);\nexport default {};\n');
    for (const args of [['verify', module], ['designs', '--design', `m=${module}`]]) {
      const res = await spawnCli(args);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toContain("replstorm: the process was ended (exit 0) before the command finished, by code that is not replstorm's or left with nothing to wait for: a design module calling process.exit, or one whose loading never settles (a top-level await)?");
    }
    // A command that finishes keeps its own 0.
    expect((await spawnCli(['designs'])).code).toBe(0);
  });

  it('a design module path that is not a regular file (a FIFO) is refused, not waited on for ever (a CLI QA pass: verify hung, deaf to signals)', async () => {
    const base = mkdtempSync(join(tmp, 'fifo-module-'));
    const fifo = join(base, 'f.ts');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    for (const args of [['verify', fifo], ['designs', '--design', `f=${fifo}`]]) {
      const res = await runCli(args);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toContain(`${fifo}: is not a regular file (a device, pipe or socket); give the design module's file (.ts or .js)`);
    }
  });

  it('verify: each counterexample that cannot be written says why it was not (each named its own file, not the first one\'s)', async () => {
    const out = mkdtempSync(join(tmp, 'two-unwritten-'));
    // A design that stamps everything it is shown and never scans: it breaks several invariants.
    const design = join(out, 'stamper.ts');
    writeFileSync(design, "export default { name: 'stamper', description: 'stamps, never scans', defaults: {}, watches: () => true, scan: (c: { server: string; at: number }) => ({ verdict: 'clean', set: [['X-Stamp', `${c.server}@${c.at}`]] }) };\n");
    // Directories where its logs would go.
    for (const inv of ['quiescence', 'no-scanner-conflicts', 'no-missed-infection', 'convergence']) mkdirSync(join(out, 'cex', `stamper-${inv}-1.jsonl`), { recursive: true });
    const res = await runCli(['verify', design, '--runs', '10', '--seed', '1', '--out', join(out, 'cex'), '--json']);
    const json = JSON.parse(res.stdout) as { invariants: { name: string; notWritten?: string }[] };
    const missing = json.invariants.filter((i) => i.notWritten !== undefined);
    expect(missing.length, res.stdout).toBeGreaterThanOrEqual(2);
    for (const i of missing) expect(i.notWritten).toContain(`stamper-${i.name}-1.jsonl`);
    expect(res.code).toBe(2);
  });

  it('an error during replay with --record leaves no partial file, and an existing target intact', async () => {
    const dir = mkdtempSync(join(tmp, 'partial-'));
    // Many good lines first, so the recording has started, then an error far down the file.
    const good = readFileSync(join(GOLDEN_DIR, 'seed-both-members-conflicts.jsonl'), 'utf8').trimEnd().split('\n');
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, `${[...good, '{"at":3700000,"type":"save","server":"Gamma","db":"mail/ann.nsf","unid":"000000000000000000000000000000A1","by":"user/x"}'].join('\n')}\n`);
    const fresh = join(dir, 'fresh.jsonl');
    const res = await runCli(['replay', '--record', fresh, broken]);
    expect(res.code).toBe(2);
    expect(existsSync(fresh)).toBe(false);

    const existing = join(dir, 'existing.jsonl');
    writeFileSync(existing, 'keep me\n');
    expect((await runCli(['replay', '--record', existing, broken])).code).toBe(2);
    expect(readFileSync(existing, 'utf8')).toBe('keep me\n');
    expect(readdirSync(dir).sort()).toEqual(['broken.jsonl', 'existing.jsonl']);
  });

  it('with --record, an error names the line of the input file, as without it', async () => {
    const dir = mkdtempSync(join(tmp, 'lines-'));
    const good = readFileSync(join(GOLDEN_DIR, 'seed-both-members-conflicts.jsonl'), 'utf8').trimEnd().split('\n');
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, `${[...good, '{"at":3700000,"type":"save","server":"Gamma","db":"mail/ann.nsf","unid":"000000000000000000000000000000A1","by":"user/x"}'].join('\n')}\n`);
    const without = await runCli(['replay', broken]);
    const withRecord = await runCli(['replay', '--record', join(dir, 'out.jsonl'), broken]);
    expect(without.stderr).toMatch(new RegExp(`broken\\.jsonl:${good.length + 1}:\\d+: `));
    expect(withRecord.stderr).toBe(without.stderr);
  });

  it('SIGINT while recording from standard input: exit 130, no temporary file, the existing target intact', async () => {
    const dir = mkdtempSync(join(tmp, 'sigint-'));
    const target = join(dir, 'out.jsonl');
    writeFileSync(target, 'previous\n');
    const res = await spawnCli(['replay', '-', '--record', target], {
      whileRunning: (child) => {
        child.stdin!.write(`${readFileSync(EXAMPLE_LOG, 'utf8').split('\n').slice(0, 5).join('\n')}\n`);
        const started = Date.now();
        const poll = setInterval(() => {
          if (tmpFilesUnder(dir).length > 0 || Date.now() - started > 10_000) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 25);
      },
    });
    expect(res.code).toBe(130);
    expect(res.stderr).toMatch(/interrupted/);
    expect(readdirSync(dir)).toEqual(['out.jsonl']);
    expect(readFileSync(target, 'utf8')).toBe('previous\n');
  });

  it('--record writes the file only when the run is complete', async () => {
    const dir = join(tmp, 'complete');
    mkdirSync(dir);
    const target = join(dir, 'example.recorded.jsonl');
    const res = await runCli(['replay', '--record', target, EXAMPLE_LOG]);
    expect(res.code).toBe(0);
    expect(readdirSync(dir)).toEqual(['example.recorded.jsonl']);
    const again = await runCli(['replay', target]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/derived events checked: the engine agrees/);
  });
});

describe('writeJsonPieces (printJson: --json --state of a state longer than one string)', () => {
  it('writes JSON.stringify(value, null, 2)\'s text for a large value taken member by member: toJSON (one answering undefined too), functions, symbols, undefined in objects and arrays', () => {
    // Large enough (past isSmall's 4,000,000 budget) that the members are visited one by one, not stringified whole.
    const filler = 'x'.repeat(100_000);
    const gone = { toJSON: () => undefined };
    const value = {
      docs: Array.from({ length: 60 }, (_, i) => (i % 10 === 3 ? gone : { i, text: filler, memo: gone, f: () => 1, s: Symbol('s'), u: undefined, when: new Date(i) })),
      // Members of the large object itself, visited one by one.
      memo: gone,
      f: () => 1,
      u: undefined,
      list: [gone, undefined, () => 1, Symbol('t'), null, 1.5, 'a"b', { nested: [gone, { toJSON: () => ({ shown: true }) }] }],
      empty: {},
      none: [],
      map: new Map([['k', 1]]),
    };
    let out = '';
    writeJsonPieces(value, (text) => (out += text));
    expect(out).toBe(JSON.stringify(value, null, 2));
  });
});
