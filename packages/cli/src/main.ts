import { mkdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { readChunks, readMayBlockExit } from './readChunks.js';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { Console } from 'node:console';
import { fileURLToPath } from 'node:url';
import { Script, createContext } from 'node:vm';
import { Command, CommanderError, Option } from 'commander';
import { LogError, encodeHeader, sha256Hex, type LogHeader, type Simulator } from '@replstorm/core';
import {
  EXPLORE_INVARIANTS,
  SCENARIOS,
  explore,
  stormExploreModel,
  SEED_COMPARISON,
  compareDesigns,
  findScenario,
  parseConfigList,
  resolveConfig,
  scheduleGap,
  selfSchedule,
  EXPLORE_DEFAULTS,
  EXPLORE_REFUSED,
  STEP_MS,
  DEFAULT_MAX_SCANNER_REVISIONS,
  checkDesignInstall,
  resolveParams,
  nearestName,
  promisesOf,
  verifyDesign,
  INVARIANT_NAMES,
  builtinRegistry,
  claimRunsLog,
  recheckClaim,
  conflictDocumentsHeld,
  infectedCopies,
  runDigest,
  stormLoopLength,
  type ClaimCheck,
  type ClaimLimits,
  type ComparisonRow,
  type DesignChoice,
  type DesignRegistry,
  type Scenario,
  type ScannerDesign,
} from '@replstorm/scenarios';
import { buildRegistry, checkedDesignSpec, designPath, designSpecParts, moduleNames, loadFreshDesignCopies, resolveDesignArg } from './designs.js';
import { CheckFailed, Inconclusive, RecordingEndedShort, UsageError, describeError, moduleHint, printable, systemMessage } from './errors.js';
import { formatCount, formatSideBySide, formatSummary, formatTable, formatVirtualTime, heldDiffers, stateWords, wrapHelpText, writeJsonPieces } from './format.js';
import { AtomicFile, committedOutputs, createProgress, forgetCommittedOutputs, heapFullness, heapLimitMb, holdMadeDirectories, holdsFiles, isFileOf, removeEmpty, removePendingOutputs, writeFileAtomic } from './output.js';
import { renderHtmlReport } from './report/htmlReport.js';
import { MEMORY_STOP_AT, WhatIfRefusal, growthText, simulateStream, type CutShort, type SimulateResult, type WhatIf } from './simulateStream.js';
import { CAUSES_SHOWN, CHAIN_CREDIT, moreCausesText } from './blame.js';

const VERSION = (JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8')) as { version: string }).version;

/** The file an error refers to (for `file:line:column`). */
let currentFile: string | undefined;

/**
 * A command's closing help text, set at the terminal's width when standard output is one (at most 116 columns, at
 * least 40), else at 116 as written: wrapHelpText.
 */
function helpAfter(text: string): () => string {
  return () => {
    const columns = process.stdout.isTTY === true && process.stdout.columns > 0 ? process.stdout.columns - 1 : 116;
    return wrapHelpText(text, Math.max(40, Math.min(116, columns)));
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * `--design name=path`, collected. A name with ":" is refused as the option is read: compare and --what-if read
 * `NAME:key=value`, so such a design could be named in a log, run and verify, and never there ('parameter "x":
 * expected key=value, got "y"', a hostile-input QA pass).
 */
function collectDesign(value: string, previous: string[] | undefined): string[] {
  // Refused as the option is read, before any command looks at which designs it runs (checkedDesignSpec).
  const { name } = checkedDesignSpec(value);
  if (name.includes(':')) throw new UsageError(`--design ${value}: a design's name cannot hold ":" (compare and --what-if read NAME:key=value,...)`);
  return collect(value, previous);
}

/** Decimal digits only (`_` may group them): Number() would also take "", " 0x5" and "1e2". */
function parseNonNegativeInt(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = /^[0-9]+(?:_[0-9]+)*$/.test(v) ? Number(v.replace(/_/g, '')) : Number.NaN;
    // Digits, but too many: the range is the problem, not the form.
    if (n > Number.MAX_SAFE_INTEGER) throw new UsageError(`${name} ${v}: outside ${min}..${Math.min(max, Number.MAX_SAFE_INTEGER)}`);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new UsageError(`${name} expects ${min === 0 ? 'a non-negative whole number' : `a whole number of at least ${min}`} (decimal digits), got "${v}"`);
    }
    if (n > max) throw new UsageError(`${name} ${v}: outside ${min}..${max}`);
    return n;
  };
}

/**
 * The `replay` command for a log this run wrote: with the `--design name=path` options it was given (a log naming a
 * researcher's design cannot be replayed without them), through pnpm when that is how the CLI was started. Words a
 * shell would split or expand (a path with a space) are quoted, so the line can be pasted as it is.
 */
/**
 * The `--design` options a recording's replay needs: those of the designs its scanner events name. A module given for
 * `--what-if` alone is not one (the recording is the log's own run): named, its replay warned that it was not used (a
 * review).
 */
function designsOf(specs: readonly string[] | undefined, res: { readonly designsNamed: ReadonlySet<string> }): string[] {
  return (specs ?? []).filter((spec) => res.designsNamed.has(designSpecParts(spec).name));
}

function replayHint(file: string, designs: readonly string[] = [], maxWork?: number): string {
  // A relative path starting with `-` (`--record=-x.jsonl`) would be read as an option: `./` before it (quoting is
  // no help there).
  const log = file.startsWith('-') ? `./${file}` : file;
  return [cliCommand(), 'replay', ...designs.flatMap((d) => ['--design', shellWord(d)]), ...(maxWork !== undefined ? ['--max-work', String(maxWork)] : []), shellWord(log)].join(' ');
}

/**
 * How to run the CLI again, for the hints it prints, as it was started: through pnpm; as `node <path>/replstorm.js`
 * (the README's form for scripts: a hint saying `replstorm`, which is on no PATH then, did not run); else `replstorm`
 * (an installed command, or main.ts run by tsx).
 */
function cliCommand(): string {
  if (process.env['npm_lifecycle_event'] === 'replstorm') return 'npx -y pnpm@10.34.9 replstorm';
  const script = process.argv[1];
  if (script !== undefined && basename(script) === 'replstorm.js') {
    const rel = relative(process.cwd(), script);
    return `node ${shellWord(rel.startsWith('..') || isAbsolute(rel) ? script : rel)}`;
  }
  return 'replstorm';
}

/**
 * `s` as one word for a POSIX shell: as it is when it holds only characters no shell treats specially, else
 * single-quoted. A leading `=` is quoted too: zsh (macOS's shell) reads an unquoted `=name` as the path of the
 * command `name` ("zsh: x.jsonl not found").
 */
export function shellWord(s: string): string {
  return /^(?!=)[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A design configuration given on the command line, checked against the design before anything runs. `parameter`
 * is what the user typed the list as (`--set config=...`: "config"), named when the list does not parse.
 */
function checkDesignConfig(design: string, configText: string, registry: DesignRegistry, option: string, parameter = design): void {
  const d = registry.get(design);
  if (d === undefined) return; // refused with the list of known designs by the caller or the run
  try {
    // (checkDesignInstall resolves the configuration over the defaults, as the engine does.)
    checkDesignInstall(d, parseConfigList(configText, parameter, d.defaults, parameter === design ? configLabel(design) : undefined));
  } catch (err) {
    if (err instanceof LogError) throw new UsageError(`${option}: ${err.message}`);
    throw err;
  }
}

/**
 * An error from a scenario's generated input (run, compare): its line is a line of a log the user never saw, so it
 * is named as the scenario's event instead of as `<input>:line:column`.
 */
function scenarioError(err: unknown, scenario: string): unknown {
  if (!(err instanceof LogError)) return err;
  // A design's failure says where and when it failed (server, database, document, virtual time): the number of an
  // input the user never sees added nothing to it (a researcher's QA pass).
  const where = err.line > 0 && err.code !== 'DESIGN_FAILED' ? ` (event ${err.line - 1} of the scenario's generated input)` : '';
  return new UsageError(`${scenario}: ${err.message}${where}`);
}

/**
 * The scenario's settings (`--set`), and the design and configuration they name, checked before the run: a mistake
 * there is the option's, and must not surface as a line of the generated input.
 */
function checkScenarioSettings(scenario: Scenario, settings: Readonly<Record<string, string | number>>, registry: DesignRegistry, seedOption = false): Record<string, unknown> {
  let params: Record<string, unknown>;
  try {
    params = resolveParams(scenario.params, settings) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof LogError) throw new UsageError(`${seedOption && err.field === 'seed' ? '--seed' : '--set'}: ${err.message}`);
    throw err;
  }
  const design = params['design'];
  if (typeof design !== 'string') return params;
  // An empty name is said to be one (its module hint read `--design =path/to/it.ts`: a user's QA pass).
  if (design === '') throw new UsageError(`--set design=: no design named (known: ${[...registry.keys()].join(', ')})`);
  // (`design=smsdom:sso=false`, compare's and --what-if's way of writing a configuration, was answered with a module
  // hint whose `--design smsdom:sso=false=path` is refused in turn: a CLI QA pass.)
  const colon = design.indexOf(':');
  if (colon > 0 && registry.has(design.slice(0, colon))) {
    throw new UsageError(`--set design=${design}: a scenario's design takes no settings after ":" (compare and --what-if read NAME:key=value); give them as --set design=${design.slice(0, colon)} --set config=${design.slice(colon + 1)}`);
  }
  if (!registry.has(design)) throw new UsageError(`--set design=${design}: unknown design${nearestName(design, [...registry.keys()])} (known: ${[...registry.keys()].join(', ')}; ${moduleHint(design, 'with --set design=NAME')})`);
  // The configuration checked is the design's defaults when no `config` was given: named as such, not as an empty
  // `--set config=` the user never typed (a researcher's QA pass, a design whose check() throws).
  const configGiven = Object.prototype.hasOwnProperty.call(settings, 'config');
  checkDesignConfig(design, String(params['config'] ?? ''), registry, configGiven ? `--set config=${String(params['config'] ?? '')}` : `--set design=${design} (its default configuration)`, 'config');
  return params;
}

/** The settings `--set` gave, as the scenario read them (`params`: checkScenarioSettings): typed, not text. */
function typedSettings(settings: Readonly<Record<string, unknown>>, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(settings).map((k) => [k, params[k]]));
}

/**
 * A directory for output files: made if missing (unless `make` is false: checked only), one level at a time from the
 * deepest that exists (Node 20's `mkdirSync(dir, { recursive: true })` spins forever under /proc); a file in its place
 * is refused by name, and a directory that cannot be made is named with the reason.
 */
/**
 * Counterexample logs written after a search or a suite: a file that cannot be written (a read-only directory, a
 * full disk) must not throw away the finding, which is printed all the same; the command then exits 2 (an output it
 * was asked for is missing, as grep exits 2 on an error even when it found a match), saying which and why.
 */
class Unwritten {
  private readonly errors: string[] = [];
  /** Why each log not written was not, by the key it was written for. */
  private readonly reasons = new Map<string, string>();

  /** Why the log written for `key` could not be written. */
  reason(key: string): string {
    return this.reasons.get(key) ?? '';
  }

  /** Writes `<dir>/<name>.jsonl` (making `dir`) for `key`; returns its path, or undefined when it could not be written. */
  write(key: string, dir: string, name: string, log: string): string | undefined {
    const file = join(dir, `${name}.jsonl`);
    let made: string[] = [];
    try {
      made = ensureOutDir(dir, '--out');
      writeFileAtomic(file, withModuleNames(log));
      return file;
    } catch (err) {
      // The directories made for it are removed again, as explore's are (holdMadeDirectories): verify left `--out`'s
      // new directories behind, empty, when its counterexample could not be written (hostile-input QA).
      removeEmpty(made);
      const { code, message } = describeError(err, file);
      if (code === 70) throw err;
      this.reasons.set(key, message);
      this.errors.push(message);
      return undefined;
    }
  }

  throwIfAny(): void {
    if (this.errors.length > 0) throw new UsageError(`the finding above is complete, but ${this.errors.length === 1 ? 'its counterexample log' : `${this.errors.length} counterexample logs`} could not be written: ${this.errors.join('; ')}`);
  }
}

/**
 * `meta.modules`: the designs this invocation loaded from modules, each with the name its module gives it
 * (moduleNames), for a log's header; nothing when none was.
 */
function modulesMeta(): { modules?: Record<string, string> } {
  return moduleNames.size === 0 ? {} : { modules: Object.fromEntries([...moduleNames].sort((a, b) => (a[0] < b[0] ? -1 : 1))) };
}

/** A log's text with `meta.modules` in its header (modulesMeta); the log as it is when no design came from a module. */
function withModuleNames(log: string): string {
  const extra = modulesMeta();
  if (extra.modules === undefined) return log;
  const end = log.indexOf('\n');
  const header = JSON.parse(end < 0 ? log : log.slice(0, end)) as LogHeader;
  return `${encodeHeader({ ...header, meta: { ...header.meta, ...extra } })}${end < 0 ? '' : log.slice(end)}`;
}

/**
 * A file name from parts a user chose (a design's name, every --set of a search), kept within what file systems
 * take (255 bytes, with room for the temporary name written first): a longer one keeps its start and ends with a
 * hash of the whole, so two searches still get two names. Each caller first keeps only letters, digits and `=,._-`:
 * a design's name is the researcher's text, and a "/" in it ("team/lazy", "../x") made a path, not a name.
 */
function boundedFileName(name: string): string {
  const MAX = 150;
  if (Buffer.byteLength(name, 'utf8') <= MAX) return name;
  let head = name.slice(0, 100);
  while (Buffer.byteLength(head, 'utf8') > 100) head = head.slice(0, -1);
  return `${head}-${sha256Hex(name).slice(0, 12)}`;
}

/** Where counterexample logs go without --out: `counterexamples` in the working directory. */
const DEFAULT_OUT = 'counterexamples';

/**
 * Tries where counterexamples would go before a run (ensureOutDir: made, and what was made removed at once), so that a
 * directory that cannot be made is said before the run, not after it. `given`: the --out given, if any. [choice] The
 * default directory that cannot be made (a read-only install, a job started in `/`) does not stop the run: a warning
 * says so, a counterexample found is printed in full, and its log is said not written (exit 2 then). verify and
 * explore of a design that passes, as a user without write access to the working directory, gave no verdict at all,
 * exit 2 (a QA pass of environments). A directory given with --out is still refused before the run.
 */
function tryOutDir(given: string | undefined): void {
  try {
    removeEmpty(ensureOutDir(given ?? DEFAULT_OUT, '--out'));
  } catch (err) {
    if (given !== undefined || !(err instanceof UsageError)) throw err;
    process.stderr.write(`replstorm: warning: ${err.message}; the run goes on: a counterexample it finds is printed in full, but its log is not written (--out DIR gives it a directory)\n`);
  }
}

/** Checks (and with `make`, makes) an output directory; returns the directories it made, outermost first. */
function ensureOutDir(dir: string, option: string, make = true): string[] {
  // (resolve('') is the current directory: counterexamples went there, as an empty --record is refused.)
  if (dir.trim() === '') throw new UsageError(`${option}: give a directory (got an empty name)`);
  const missing: string[] = [];
  let p = resolve(dir);
  for (;;) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new UsageError(`${option} ${dir}: a part of the path is a file, not a directory`);
      // (Any other reason, a loop of symbolic links or a directory we may not read, named the path alone: which option
      // it came from was left to guess.)
      if (code !== 'ENOENT') throw new UsageError(`${option} ${dir}: ${describeError(err, p).message}`);
      missing.push(p);
      const up = dirname(p);
      if (up === p) break;
      p = up;
      continue;
    }
    if (!st.isDirectory()) throw new UsageError(missing.length === 0 ? `${option} ${dir}: exists and is not a directory` : `${option} ${dir}: a part of the path is a file, not a directory`);
    break;
  }
  if (!make) return [];
  const made: string[] = [];
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
      made.push(m);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EEXIST') continue; // made meanwhile (another run)
      removeEmpty(made); // (those made above it: nothing will be written into them)
      // In words, as every other file error (it said "(EACCES)" where they say "permission denied": a hardening QA
      // pass); ENOENT, the directories above being there, is a dangling symbolic link on the way or a file system that
      // makes none (/proc): both named (a review).
      throw new UsageError(`${option} ${dir}: cannot make the directory ${m}: ${e.code === 'ENOENT' ? 'a symbolic link on the way leads nowhere, or the file system makes no directory there (ENOENT)' : systemMessage(e)}`);
    }
  }
  return made;
}

/** The file a path names, through symbolic links when it exists (two spellings of one file compare equal). */
function samePathKey(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // A file not there yet: its directory's real path (a symbolic link to a directory names the same place), then
    // its name.
    try {
      return join(realpathSync(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/**
 * The output files of a replay or run, checked before anything is read: `-` is standard input (for the log only), and
 * two outputs on one file, or an output on the log being read (by name, or the file standard input reads) or on a
 * design module of `--design`, would leave one of them destroyed. (A CLI QA pass: `--record` over the module the
 * run loads replaced its source with the recording, and the run again then blamed the design; `replay - --report
 * in.jsonl < in.jsonl` replaced the log with the report.)
 */
function checkOutputPaths(o: { record?: string; report?: string; design?: readonly string[] }, log?: string): void {
  const outputs = [['--record', o.record], ['--report', o.report]].filter((x): x is [string, string] => x[1] !== undefined);
  const modules = (o.design ?? []).map((spec) => designSpecParts(spec)).filter((m) => m.path !== '');
  for (const [option, path] of outputs) {
    if (path.trim() === '') throw new UsageError(`${option}: give a file name (got an empty one)`);
    if (path === '-') throw new UsageError(`${option} -: give a file (- means standard input, and only the log can be read from it)`);
    const key = samePathKey(path);
    if (log !== undefined && log !== '-' && key === samePathKey(log)) throw new UsageError(`${option} ${path}: that is the log being replayed; write to another file`);
    if (log === '-' && isFileOf(path, 0)) throw new UsageError(`${option} ${path}: that is the log being replayed (standard input reads it); write to another file`);
    for (const m of modules) {
      if (key === samePathKey(m.path)) throw new UsageError(`${option} ${path}: that is the design module ${m.name} (--design ${m.name}=${m.path}); write to another file`);
    }
  }
  if (outputs.length === 2 && samePathKey(outputs[0]![1]) === samePathKey(outputs[1]![1])) {
    throw new UsageError(`--record and --report name the same file (${o.record}): give each its own`);
  }
}

/**
 * `--set key=value` pairs into an object. [choice] A key given twice is refused, even with the same value (as
 * `--seed` with `--set seed=` is): the last one silently winning hid the other, and a command line assembled by a
 * script that says docs=10 and docs=1000 has a mistake only its author can settle.
 */
function parseSets(sets: readonly string[]): Record<string, string> {
  // No prototype: "__proto__" is a key like any other (then refused as an unknown parameter), not a setter that drops it.
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const s of sets) {
    const i = s.indexOf('=');
    if (i <= 0) throw new UsageError(`--set expects key=value, got "${s}"`);
    const key = s.slice(0, i);
    if (key in out) throw new UsageError(`--set ${key}=${out[key]} and --set ${s}: the parameter "${key}" is given twice; give it once`);
    out[key] = s.slice(i + 1);
  }
  return out;
}

/**
 * An option that takes one value, collected as a list so that a repeat is seen (commander keeps the last one
 * silently). [choice] Refused when given more than once, even with the same value: --what-if is one design beside
 * the log's (one column of the side-by-side, one `whatIf` in the JSON and the report); several would need a
 * comparison of many, which is `compare` for scenarios, or one replay per design for a log.
 */
function onlyOnce(option: string, values: readonly string[] | undefined): string | undefined {
  if (values === undefined || values.length <= 1) return values?.[0];
  throw new UsageError(`${option} is given ${values.length} times (${values.join(', ')}): it sets one design beside the log's, side by side; give ${option} once (run once per design to see several)`);
}

/** `f()`, its refusal (a LogError or UsageError) made a usage error that starts with what the user typed, `given`. */
function namingOption<T>(given: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof LogError || err instanceof UsageError) throw new UsageError(`${given}: ${err.message}`);
    throw err;
  }
}

/** `design[:key=value,...]` into a design name and its configuration. */
function parseDesignSpec(spec: string, registry?: DesignRegistry): { design: string; config: Record<string, unknown>; configText: string } {
  const i = spec.indexOf(':');
  const design = i < 0 ? spec : spec.slice(0, i);
  // Written as parseConfigList reads it, entries trimmed and empty ones dropped: the label and the notes are made from
  // it (`--what-if noop:,` was labelled "noop:," and said "noop with , ran in place of ...", a QA pass noticed).
  const configText = i < 0 ? '' : spec.slice(i + 1).split(',').map((x) => x.trim()).filter((x) => x !== '').join(',');
  if (design === '') throw new UsageError(`expected a design name, got "${spec}"`);
  return { design, config: parseConfigList(configText, design, registry?.get(design)?.defaults, configLabel(design)), configText };
}

/** How a design's configuration after `design:` is named in messages. */
function configLabel(design: string): string {
  return `the configuration of ${JSON.stringify(design)}`;
}

function printJson(value: unknown): void {
  // In pieces: a final state can be longer than one string may be (writeJsonPieces).
  writeJsonPieces(value, (text) => process.stdout.write(text));
  process.stdout.write('\n');
}

function summaryJson(res: SimulateResult, withState: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...res.summary };
  if (withState) out['state'] = res.sim.finalStateLazy();
  return out;
}

interface RunOutputOptions {
  json?: boolean;
  state?: boolean;
  blame?: boolean;
  report?: string;
  /** Under --json, handed the JSON object instead of printing it (run prints it once its run again is checked). */
  onJson?: (out: Record<string, unknown>) => void;
}

/** `causeLines`: what a cause's line number counts, when it is not the replayed log's line (a run's: CmdRun). */
function printBlame(res: SimulateResult, causeLines?: string): void {
  const b = res.blame;
  if (b === undefined) return;
  process.stdout.write('\nBlame by actor\n');
  // (As the HTML report says under a what-if: blame is the log's run's, not the what-if run's.)
  // (A scenario's run has no log: its designs are the scenario's, an operator's QA pass.)
  if (res.whatIf !== undefined) process.stdout.write(`  this run only (${causeLines !== undefined ? 'the scenario\'s designs' : 'the log\'s own designs'}): the what-if run appears in the table above\n`);
  // Nothing written: said, as the report says it (two tables of headings and rules read as output cut off: an
  // operator's QA pass).
  if (b.byActor.length === 0) {
    process.stdout.write('  no actor wrote anything: no revision to blame\n');
    return;
  }
  process.stdout.write(`${formatTable(['actor', 'revisions', 'conflicts', 'causes', 'longest chain'], b.byActor.map((a) => [a.actor, a.revisions, a.conflicts, a.causes, a.longestChain]))}\n`);
  // (blame.ts: a conflict is both sides' doing.)
  if (b.byActor.some((a) => a.conflicts > 0)) process.stdout.write('  conflicts: each conflict counts once for the actor (and below, the cause) of each of its two versions, so a column can add up to more than the run\'s conflicts; the actor is the version\'s last writer (a scanner\'s on-write stamp over a user\'s save counts for the scanner), the cause the input behind it (the user\'s save); a version two servers wrote alike (the same seq and seqTime: R3) counts for the write whose copy took part, the one that arrived first\n');
  process.stdout.write('\nBlame by cause (input event behind the revisions)\n');
  process.stdout.write(
    `${formatTable(
      ['line', 'cause', 'revisions', 'conflicts', 'by actor'],
      b.byCause.slice(0, CAUSES_SHOWN).map((c) => [c.cause, c.label, c.revisions, c.conflicts, Object.entries(c.byActor).map(([a, n]) => `${a} ${formatCount(n)}`).join(', ')]),
    )}\n`,
  );
  // (printable: the text names a cause by its label, made of the log's names, as the table's cells are.)
  if (b.byCause.length > CAUSES_SHOWN) process.stdout.write(`  (${printable(moreCausesText(b.byCause, CAUSES_SHOWN))}; --blame --json lists them all)\n`);
  if (causeLines !== undefined) process.stdout.write(`  line: ${printable(causeLines)}\n`);
  // (An administrator's review read a storm credited to Beta's scheduled scans as Beta's doing, where Alpha's alone
  // storm as much: a pass that stamps a document already bouncing continues its chain under its own line.)
  if (b.chains.length > 0) process.stdout.write(`  ${CHAIN_CREDIT}\n`);
  if (b.chains.length > 0) {
    process.stdout.write('\nLongest chains (a save triggered by an arrival, whose save arrives elsewhere, ...)\n');
    for (const c of b.chains) {
      process.stdout.write(`  ${c.unid}${chainEnd(c)}: ${formatCount(c.length)} revisions from line ${c.cause}, ${formatVirtualTime(c.firstAt)} .. ${formatVirtualTime(c.lastAt)}, servers ${printable(c.servers.join(' > '))}${c.length > c.servers.length ? ' > ...' : ''}\n`);
    }
    if (b.moreChains > 0) process.stdout.write(`  (${formatCount(b.moreChains)} more ${b.moreChains === 1 ? 'chain' : 'chains'} of 2 revisions or more)\n`);
  }
}

/**
 * Where a chain ends when that is on another document than it began: it passed into a document the replicator made
 * from it (a conflict document, stamped on its arrival), whose revision is the chain's last time.
 */
function chainEnd(c: { readonly unid: string; readonly lastUnid: string }): string {
  return c.lastUnid === c.unid ? '' : `, ending on conflict document ${c.lastUnid}`;
}

/**
 * The files a run or replay writes (--record, --report), opened before it starts: a missing directory or a
 * directory in the file's place is found in a second, not after the run. Both are committed together once the run is
 * over and the report written, or neither (the run refused, interrupted, or one of them failing to be written).
 */
interface RunOutputs {
  readonly record: AtomicFile | undefined;
  readonly report: AtomicFile | undefined;
}

function openOutputs(o: { record?: string; report?: string }): RunOutputs {
  const record = o.record !== undefined ? outputFile('--record', o.record) : undefined;
  let report: AtomicFile | undefined;
  try {
    report = o.report !== undefined ? outputFile('--report', o.report) : undefined;
  } catch (err) {
    record?.abort();
    throw err;
  }
  return { record, report };
}

/** An output file, a refusal of it naming the option (`--report w/dir: ...`; it named the path alone: a CLI QA pass). */
function outputFile(option: string, path: string): AtomicFile {
  try {
    return new AtomicFile(path);
  } catch (err) {
    if (err instanceof UsageError && err.message.startsWith(`${path}: `)) throw new UsageError(`${option} ${err.message}`);
    throw err;
  }
}

/**
 * Runs `run`, writes the report of its result, and commits both outputs; on any failure removes both (but one already
 * renamed into place, when the other's commit fails after it: said). A run that ends
 * is returned with the outputs that could not be written (`unwritten`: which, and the error), and its finding is then
 * printed all the same, the command exiting 2 after it (finishWithOutputs): a full disk threw the whole replay away.
 */
async function withOutputs(outputs: RunOutputs, run: () => Promise<SimulateResult>, reportOf: (res: SimulateResult) => string): Promise<{ res: SimulateResult; unwritten?: { file: AtomicFile; err: unknown; committed: readonly AtomicFile[] } }> {
  let res: SimulateResult;
  try {
    res = await run();
  } catch (err) {
    outputs.record?.abort();
    outputs.report?.abort();
    throw err;
  }
  let writing: AtomicFile | undefined;
  // Renamed into place: a commit that fails after the first's (a sync or rename error, not a full disk's write, which
  // `check` finds before either) leaves that one written, and the message says so.
  const committed: AtomicFile[] = [];
  try {
    if (outputs.report !== undefined) {
      // Said on a terminal while the report is built: seconds for a big run, with nothing else said (a QA pass at scale).
      const building = createProgress('replstorm');
      building.now(`building the HTML report (${outputs.report.path})`);
      let report: string;
      try {
        report = reportOf(res);
      } finally {
        building.done();
      }
      writing = outputs.report;
      outputs.report.write(report);
    }
    // Both files' bytes reach the disk before either is renamed into place (a full disk, a file-size limit): a failure
    // then leaves neither.
    for (const f of [outputs.record, outputs.report]) {
      writing = f;
      f?.check();
    }
    for (const f of [outputs.record, outputs.report]) {
      writing = f;
      f?.commit();
      if (f !== undefined) committed.push(f);
    }
    return { res };
  } catch (err) {
    outputs.record?.abort();
    outputs.report?.abort();
    if (writing === undefined) throw err;
    return { res, unwritten: { file: writing, err, committed } };
  }
}

/**
 * finishRun for a run whose outputs may not have been written (withOutputs): the finding is printed as if they had
 * not been asked for, then the command fails (exit 2) naming the file and why; a finding that fails the replay too
 * (exit 1: a recording the engine disagrees with, a claim not reproduced) is said first, on standard error.
 */
function finishWithOutputs(done: { res: SimulateResult; unwritten?: { file: AtomicFile; err: unknown; committed: readonly AtomicFile[] } }, o: RunOutputOptions & { record?: string | undefined }, title: string, recorded: string | undefined, claim?: ClaimCheck, causeLines?: string): void {
  const u = done.unwritten;
  if (u === undefined) {
    finishRun(done.res, o, title, recorded, claim, causeLines);
    return;
  }
  const { code, message } = describeError(u.err, u.file.path);
  if (code === 70) throw u.err;
  try {
    const { report: _unwritten, ...rest } = o;
    finishRun(done.res, rest, title, undefined, claim, causeLines);
  } catch (err) {
    if (!(err instanceof CheckFailed)) throw err;
    process.stderr.write(`${err.located ? '' : 'replstorm: '}${describeError(err, currentFile).message}\n`);
  }
  // (Both or neither: the other output asked for was not written either, unless it was already in place.)
  const written = u.committed.map((f) => f.path);
  const other = [o.record, o.report].filter((p): p is string => p !== undefined && p !== u.file.path && !written.includes(p));
  const either = other.length > 0 ? `; so ${other.join(' and ')} was not written either (both outputs or neither)` : '';
  const already = written.length > 0 ? `; ${written.join(' and ')} was written before it failed` : '';
  throw new UsageError(`the finding above is complete, but an output could not be written: ${message}${either}${already}`);
}

/**
 * Where an explore storm log's loop is among its inputs, for the report's steps: its last 2L inputs before the `end`.
 * Only when replay reproduced the claim (the log's last inputs were then found to be the two laps, each coming back to
 * where it began): an edited log's steps are not labelled by what its header says.
 */
function stormLoopOf(res: SimulateResult, claim: ClaimCheck | undefined): { stormLoop?: { firstInput: number; length: number } } {
  const length = stormLoopLength(res.header.meta);
  if (length === undefined || claim?.invariant !== 'no-storm' || !claim.reproduced || res.inputs === undefined) return {};
  const body = res.inputs.at(-1)?.type === 'end' ? res.inputs.length - 1 : res.inputs.length;
  return { stormLoop: { firstInput: body - 2 * length + 1, length } };
}

function reportHtml(res: SimulateResult, title: string, source: string, claim?: ClaimCheck, causeLines?: string, recorded = false): string {
  const recordedCut = recordedCutNote(res);
  return renderHtmlReport({
    title,
    source,
    ...(causeLines !== undefined ? { causeLines } : {}),
    meta: res.header.meta as Record<string, unknown>,
    ...(claim !== undefined ? { claim: { text: claim.notDeterministic !== undefined ? `${claimLine(claim)}. WARNING: ${claim.notDeterministic}` : claimLine(claim), reproduced: claim.reproduced, checked: claim.unchecked === undefined } } : {}),
    summary: res.summary,
    // The summary's lines the terminal prints below its counts, and the pending work and ignored inputs it names.
    summaryLines: [
      ...(res.summary.quiescent ? [] : [{ label: 'state', text: stateWords(res.summary, res.sim.pendingSummary()), bad: true }]),
      ...runLines(res),
      ...(res.ignoredAfterEnd > 0 ? [{ label: 'note', text: ignoredNote(res.ignoredAfterEnd, res.cutShort !== undefined, recorded), bad: false }] : []),
    ],
    timeline: res.timeline!,
    ...(res.steps !== undefined ? { steps: res.steps } : {}),
    ...stormLoopOf(res, claim),
    blame: res.blame?.byActor ?? [],
    ...(res.blame !== undefined ? { causes: res.blame.byCause, chains: res.blame.chains, moreChains: res.blame.moreChains } : {}),
    // The notes the terminal prints under a what-if, in the report too (a QA pass: the report showed two equal columns
    // with no word why).
    ...(res.whatIf !== undefined ? { whatIf: { ...res.whatIf, notes: whatIfNotes(res.whatIf, causeLines !== undefined ? 'scenario' : 'log', res), cut: res.whatIf.cutShort !== undefined, baseLabel: whatIfBaseLabel(res) } } : {}),
    ...(res.cutShort !== undefined ? { cutShort: cutNote(res.cutShort, res.whatIf !== undefined ? 'This run' : 'The run', recorded, res.summary.quiescent) } : recordedCut !== undefined ? { cutShort: `The recording's run was cut short: ${recordedCut}` } : {}),
    recording: {
      checked: res.conformance.checked,
      ...(res.conformance.mismatch !== undefined ? { mismatch: { line: res.conformance.mismatch.line, column: res.conformance.mismatch.column ?? 1, message: res.conformance.mismatch.message } } : {}),
      ...(res.outputsPastStop === true ? { outputsPastStop: PAST_STOP_NOTE } : {}),
    },
  });
}

/**
 * A recording of a run cut by --max-scanner-revisions ends at the cut's `end`: said, from its header's budget and the
 * revisions past it, where its replay read as a run that ended as planned (an administrator's review), in the text
 * and the report alike (an operator's QA pass: the report had no word of it). Undefined otherwise.
 */
function recordedCutNote(res: SimulateResult): string | undefined {
  const scannerRevisions = res.summary.revisions.byActorKind['scanner'] ?? 0;
  // (Only a budget run could have given: a whole number from 0. A header edited to -5 was described as one: a QA pass.
  // And only where the end is that budget's cut: simulateStream's headerBudget.)
  if (res.cutShort !== undefined || res.headerBudget === undefined || !res.headerBudget.endIsItsCut || res.summary.stopped !== 'end') return undefined;
  return `the header's maxScannerRevisions is ${formatCount(res.headerBudget.budget)}, and the run made ${formatCount(scannerRevisions)}: its end event is where that budget cut the recorded run short (run --max-scanner-revisions), so its counts are lower bounds`;
}

/** --what-if replaces the log's scanners; a log that installs none gives it nothing to do (a user audit: two equal columns, no word why). */
const noScannerNote = (label: string, source: WhatIfSource) => `the ${source} installs no scanner: --what-if ${label} had none to replace, so both runs are the same`;

/** Where a what-if's inputs come from: a log (replay), or a scenario (run, which has no log: a QA pass read "the inputs are the log's" under run). */
type WhatIfSource = 'log' | 'scenario';

/**
 * The what-if comparison's column of the log's own designs: "as recorded" only when the file is a recording (it had
 * derived events to check) that the engine agrees with; a recording that disagrees (exit 1) is not what the column
 * shows: the engine's run is. The terminal and the report say the same (the report said "This run" where the terminal
 * said "as recorded": an operator's QA pass).
 */
function whatIfBaseLabel(res: { readonly conformance: { readonly checked: number; readonly mismatch?: unknown } }): string {
  return res.conformance.checked > 0 && res.conformance.mismatch === undefined ? 'as recorded' : 'this run';
}

/** The notes under a what-if comparison, as the terminal, the JSON's warnings and the report say them. */
function whatIfNotes(w: NonNullable<SimulateResult['whatIf']>, source: WhatIfSource, base?: Pick<SimulateResult, 'cutShort' | 'summary'>, replaced = true): string[] {
  const schedule = defaultedNote(w, source);
  // Runs that stopped at different times because one or both were cut are compared over different spans: said, so
  // that a difference is not read as the design's alone (a QA pass of the budget). By their stop times: a run cut at
  // the time the other stopped anyway spans the same (a review).
  const spans = (w.cutShort !== undefined || base?.cutShort !== undefined) && base !== undefined && w.summary.endAt !== base.summary.endAt
    ? ['the two runs stopped at different times (one or both cut short by --max-scanner-revisions): the difference column compares each run up to its own end (when each stopped is said above)']
    : [];
  return [
    ...(w.scannersReplaced === 0 ? [noScannerNote(w.label, source)] : []),
    ...(replaced ? replacedNotes(w, source) : []),
    ...(schedule !== undefined ? [schedule] : []),
    ...(replaced ? outsideClustersNote(w, source) : []),
    ...(w.cutShort !== undefined ? [`${w.label}: ${cutNote(w.cutShort, 'its run', false, w.summary.quiescent)}`] : []),
    ...spans,
  ];
}

/**
 * What the what-if ran where the log's scanners were: per design replaced and settings kept and dropped, the servers
 * (an operator's QA pass: --what-if scan-cache kept the log's scanReplicatedWrites=true and dropped its key, and the
 * column said "scan-cache" alone). The inputs are the log's.
 */
function replacedNotes(w: NonNullable<SimulateResult['whatIf']>, source: WhatIfSource): string[] {
  if (w.scannersReplaced === 0) return [];
  const design = w.label.split(':')[0]!;
  const own = w.label.includes(':') ? ` with ${w.label.slice(design.length + 1)}` : '';
  // Servers grouped by what was replaced there: the log's design, the settings kept, those dropped.
  const groups = new Map<string, { design: string; details: string; servers: string[] }>();
  for (const x of w.scanners) {
    const kept = Object.entries(x.kept).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    const details = [...(kept.length > 0 ? [`keeping its ${kept.join(', ')}`] : []), ...(x.dropped.length > 0 ? [`dropping its ${x.dropped.join(', ')} (${design} has no such setting)`] : [])].join(' and ');
    const key = `${x.design}\u0000${details}`;
    const g = groups.get(key) ?? { design: x.design, details, servers: [] };
    if (!g.servers.includes(x.server)) g.servers.push(x.server);
    groups.set(key, g);
  }
  const more = w.scannersReplaced > w.scanners.length ? ` (the first ${w.scanners.length} of ${formatCount(w.scannersReplaced)} scanner events)` : '';
  const parts = [...groups.values()].map((g) => `${g.design} on ${g.servers.join(', ')}${g.details !== '' ? `, ${g.details}` : ', none of its settings given'}`);
  return [printable(`${design}${own} ran in place of ${parts.join('; ')}${more}; the inputs are the ${source}'s`)];
}

/** What cluster-aware does outside a cluster, and so what it acts as there (outsideClustersNote, clusterAwareAloneNote). */
const CLUSTER_AWARE_OUTSIDE = 'cluster-aware runs one member\'s scheduled passes within a cluster, and on a server in no cluster its own, as smsdom does';
const AS_SMSDOM = 'as smsdom with the same settings would';

/**
 * cluster-aware differs from smsdom only inside a cluster (its scheduled passes run on the cluster's first member by
 * name); on a server in no cluster it runs its own, as smsdom does. Said where the what-if ran it there: a log of
 * unclustered servers read 0 against 0 on every row, "cluster-aware would not have helped", with no word why (a blame
 * audit). [choice] By the design's name: no other built-in design acts by cluster, and a design of yours says what it
 * does itself.
 */
function outsideClustersNote(w: NonNullable<SimulateResult['whatIf']>, source: WhatIfSource): string[] {
  const x = w.outsideClusters;
  if (w.label.split(':')[0] !== 'cluster-aware' || x.count === 0) return [];
  // (The first 100 named, the rest counted: a log of 105 servers listed 100 and dropped "so here it acts as smsdom", a
  // review.)
  const servers = `${x.servers.join(', ')}${x.count > x.servers.length ? ` and ${formatCount(x.count - x.servers.length)} more` : ''}`;
  return [printable(`${x.all ? `the ${source}'s servers with a scanner (${servers}) are in no cluster` : `${servers} ${x.count === 1 ? 'is' : 'are'} in no cluster`}: ${CLUSTER_AWARE_OUTSIDE}${x.all ? `, so here it acts ${AS_SMSDOM}` : ''}`)];
}

/**
 * outsideClustersNote for a scenario's run (run, compare): cluster-aware with the scenario's servers in no cluster
 * (replication=scheduled), in a cluster of one, or with only the first server scanning or none, runs as smsdom with
 * the same settings would, and its row or summary read like a measurement of the design without a word why (a QA
 * pass, 2026-12-08: compare's cluster-aware row equal to smsdom's under replication=scheduled; a review, the two
 * scanServers cases). [choice] By the design's name, as outsideClustersNote.
 */
function clusterAwareAloneNote(design: unknown, settings: Readonly<Record<string, unknown>>): string | undefined {
  if (design !== 'cluster-aware') return undefined;
  // (Settings as typed or as the scenario read them: "0_1" is 1 server, R16.)
  const servers = Number(String(settings['servers'] ?? 2).replace(/_/g, ''));
  const scanServers = String(settings['scanServers'] ?? 'all');
  const same = `cluster-aware acts here ${AS_SMSDOM}`;
  if (String(settings['replication'] ?? 'cluster') === 'scheduled') return `the servers are in no cluster (replication=scheduled): ${CLUSTER_AWARE_OUTSIDE}, so here it acts ${AS_SMSDOM}`;
  if (servers === 1) return `the cluster has one member (servers=1), which runs the cluster's scheduled passes: ${same}`;
  // The scenario's servers are named in order (Alpha first), so its first server is the cluster's first by name.
  if (scanServers === 'first') return `only the first server runs scheduled scans (scanServers=first), and it is the cluster's first member by name, where cluster-aware runs them: ${same}`;
  if (scanServers === 'none') return `no server runs scheduled scans (scanServers=none), and cluster-aware differs from smsdom only in where they run: ${same}`;
  return undefined;
}

/**
 * A scenario's events, its own checks run first (a scenario checks its settings as its stream is first read): `checked`
 * is called once they pass, so a note on the settings never comes before their refusal (a review: "acts as smsdom",
 * then exit 2 for clusterIntervalMs with replication=scheduled).
 */
function* checkedFirst<T>(events: Iterable<T>, checked: () => void): Generator<T> {
  const it = events[Symbol.iterator]();
  let r = it.next();
  checked();
  for (; r.done !== true; r = it.next()) yield r.value;
}

/**
 * A run cut short by `run --max-scanner-revisions`, in words (the terminal, the report, the what-if's notes).
 * `recorded`: a recording was written (it holds the cut's `end`); `quiescent`: nothing was pending at the cut.
 */
function cutNote(c: CutShort, run: string, recorded: boolean, quiescent: boolean): string {
  const n = c.scannerRevisions;
  // [choice] Whether revisions would have gone on is not known at the cut (the run ended there): said as what a larger
  // budget shows, not as "revisions had not stopped" (false for a run whose scanners were done: a QA pass).
  return `${run} was cut short after ${formatCount(n)} scanner ${n === 1 ? 'revision' : 'revisions'}, past the --max-scanner-revisions budget of ${formatCount(c.budget)}: it stopped at the next instant, ${formatVirtualTime(c.at)} virtual, as at an end event there${recorded ? ' (the recording has one there)' : ''}. Its counts are those at that time, lower bounds of the whole run's${quiescent ? '' : ', and the work due then is left pending'}; whether scanner revisions stop, a larger budget shows`;
}

/**
 * The what-if design's schedule where replaced scanners did not carry it, their design having no such setting (all of
 * them, or which: WhatIfRewriter.scheduleDefaulted): said, with how to give it.
 */
function defaultedNote(w: NonNullable<SimulateResult['whatIf']>, source: WhatIfSource): string | undefined {
  if (w.scheduleDefaulted === undefined) return undefined;
  const name = w.label.split(':')[0]!;
  const x = w.scheduleDefaulted;
  const ran = x.everyMs > 0 ? `every ${formatCount(x.everyMs)} ms` : 'no scheduled scans';
  const give = `give one to compare on a schedule: --what-if ${name}:scheduleEveryMs=3600000`;
  if (x.all) return `the ${source}'s scanners carry no scheduleEveryMs (their design has no such setting), so --what-if ran ${name} at its default (${ran}); ${give}`;
  // (Said of the scanners, not of servers alone: a server may be given a design without the setting and later one with
  // it, and "elsewhere" named no other server; a review.)
  const servers = x.servers.length > 5 ? `${x.servers.slice(0, 5).join(', ')} and ${formatCount(x.servers.length - 5)} more` : x.servers.join(', ');
  const designs = x.designs.join(', ');
  return printable(`the ${source}'s ${designs} (on ${servers}) ${x.designs.length === 1 ? 'has' : 'have'} no scheduleEveryMs setting, so --what-if ran ${name} in ${x.designs.length === 1 ? 'its' : 'their'} place at its default (${ran}); in place of the ${source}'s scanners whose design has the setting, it ran on the value they gave, or else at its own default too; ${give}`);
}

/**
 * Prints what a replay or run found (its outputs already written: `recorded` is the line saying where the recording
 * went), and decides the exit code.
 */
function finishRun(res: SimulateResult, o: RunOutputOptions, title: string, recorded: string | undefined, claim?: ClaimCheck, causeLines?: string): void {
  const m = res.conformance.mismatch;
  if (o.json === true) {
    // Standard output holds the JSON only; what a person should still know goes to standard error.
    if (res.ignoredAfterEnd > 0) process.stderr.write(`${currentFile ?? '<input>'}: warning: ${ignoredNote(res.ignoredAfterEnd, res.cutShort !== undefined, recorded !== undefined)}\n`);
    const timers = res.whatIf === undefined ? timersNotRunNote(res) : undefined;
    if (timers !== undefined) process.stderr.write(`${currentFile ?? '<input>'}: warning: ${timers}\n`);
    // (What ran in place of the log's scanners is no warning: `whatIf.scanners` holds it.)
    for (const n of res.whatIf !== undefined ? whatIfNotes(res.whatIf, causeLines !== undefined ? 'scenario' : 'log', res, false) : []) process.stderr.write(`${currentFile ?? '<input>'}: warning: ${n}\n`);
    if (res.outputsPastStop === true && (o.blame === true || o.report !== undefined)) process.stderr.write(`${currentFile ?? '<input>'}: warning: ${PAST_STOP_NOTE}\n`);
    const out = summaryJson(res, o.state === true);
    // [choice] A recording's check, as the HTML report holds it (`recording`: `checked`, and `mismatch` {line, column,
    // message} when the engine disagrees, exit 1): a program reading --json learns why the exit is 1 without parsing
    // standard error. Only for a file with derived events to check; an input log's JSON is the summary alone.
    if (res.conformance.checked > 0 || m !== undefined) {
      out['recording'] = {
        checked: res.conformance.checked,
        ...(m !== undefined ? { mismatch: { line: m.line, column: m.column ?? 1, message: m.message } } : {}),
      };
    }
    // [choice] A run cut by --max-scanner-revisions says where, as compare's rows do (`cutShort`: the virtual time it
    // stopped at); its summary says `stopped: "end"`, as a replay of its recording (which holds an `end` there) does.
    // And a replay of such a run's recording says the same (its header's budget, passed at its `end`: recordedCutNote):
    // the same run read as complete, `stopped: "end"` and no mark, where the text said its counts are lower bounds (a
    // JSON contracts QA pass).
    if (res.cutShort !== undefined) out['cutShort'] = res.cutShort.at;
    else if (recordedCutNote(res) !== undefined) out['cutShort'] = res.summary.endAt;
    // [choice] Copies still holding an infected attachment at the end, when there are any: `missed` counts only what a
    // scan passed (a run with no scan reaching them said "0 missed" beside six infected copies; compare said it: an
    // operator's QA pass). The what-if run gives both sides' in `whatIf` too. [choice] These stay at the top level
    // under --what-if, the run's own: they left it there, and a script reading `.infectedCopiesLeft` read nothing once
    // --what-if was added (a blame audit). The JSON's shape is the same with or without it; `whatIf` adds.
    const found = runFindings(res);
    if (found.infectedCopiesLeft > 0) out['infectedCopiesLeft'] = found.infectedCopiesLeft;
    // [choice] Conflict documents held at the end, when not as many as `conflicts` made (conflictDocumentsHeld).
    if (found.conflictDocumentsHeld !== undefined) out['conflictDocumentsHeld'] = found.conflictDocumentsHeld;
    // [choice] R6: where the run deleted documents, how many are back where they were deleted at the end ({deleted,
    // undone}); a stamp that undoes a deletion shows nowhere else (`discarded` counts the deletion's loss as any).
    if (found.deletionsUndone.deleted > 0) out['deletionsUndone'] = found.deletionsUndone;
    if (res.whatIf !== undefined) out['whatIf'] = { label: res.whatIf.label, summary: res.whatIf.summary, infectedCopiesLeft: res.whatIf.infectedCopiesLeft, conflictDocumentsHeld: res.whatIf.conflictDocumentsHeld, deletionsUndone: res.whatIf.deletionsUndone, scanners: res.whatIf.scanners, ...(res.whatIf.cutShort !== undefined ? { cutShort: res.whatIf.cutShort.at } : {}) };
    // (A report computes blame too; the JSON holds it only when asked for.)
    if (o.blame === true && res.blame !== undefined) out['blame'] = res.blame;
    // `checked`: whether the claim was judged at all, beside `reproduced` (false both for a claim that no longer holds and
    // for one not checked, which read alike to a program: a researcher's QA pass). Added, nothing renamed.
    if (claim !== undefined) out['claim'] = { ...claim, checked: claim.unchecked === undefined };
    if (o.onJson !== undefined) o.onJson(out);
    else printJson(out);
  } else {
    if (res.whatIf !== undefined) {
      process.stdout.write(`${title}\n\n${formatSideBySide(res.summary, res.whatIf.summary, whatIfBaseLabel(res), res.whatIf.label, { infectedCopiesLeft: res.whatIf.infectedCopiesLeft, conflictDocumentsHeld: res.whatIf.conflictDocumentsHeld, deletionsUndone: res.whatIf.deletionsUndone }, { a: res.cutShort !== undefined, b: res.whatIf.cutShort !== undefined })}\n  digests: ${res.summary.digest} / ${res.whatIf.summary.digest}\n`);
    } else {
      process.stdout.write(`${formatSummary(res.summary, title, res.summary.quiescent ? undefined : res.sim.pendingSummary(), res.cutShort !== undefined)}\n`);
    }
    if (res.cutShort !== undefined) process.stdout.write(`  cut short     ${cutNote(res.cutShort, res.whatIf !== undefined ? 'this run' : 'the run', recorded !== undefined, res.summary.quiescent)}\n`);
    for (const l of runLines(res)) process.stdout.write(`  ${l.label.padEnd(14)}${l.text}\n`);
    if (res.conformance.checked > 0 && m === undefined) process.stdout.write(`  recording     ${formatCount(res.conformance.checked)} derived events checked: the engine agrees\n`);
    // The disagreement in the summary too, not on standard error alone (the exit, 1, says it): the summary read as a
    // clean replay with standard output kept and errors sent elsewhere (an operator's QA pass).
    else if (m !== undefined) process.stdout.write(`  recording     DISAGREES with the engine at line ${formatCount(m.line)}${m.column !== undefined && m.column > 1 ? `, column ${formatCount(m.column)}` : ''}: the figures above are the engine's, not the file's\n`);
    const meta = res.header.meta as Record<string, unknown>;
    if (claimsViolation(meta)) {
      // Free-form meta: a value that is not text is shown as JSON (String() of {"toString": 1} threw: exit 70).
      const text = (v: unknown, absent: string) => (v === undefined || v === null ? absent : typeof v === 'string' ? v : JSON.stringify(v));
      // (A property's log names the property twice, as its writer and as its invariant: said once, a contributor's QA pass.)
      const by = text(meta['recordedBy'], 'a checker');
      const invariant = text(meta['invariant'], 'storm');
      process.stdout.write(`  written by    ${printable(`${by}${by.endsWith(` ${invariant}`) ? '' : `: ${invariant}`}: ${text(meta['violation'] ?? meta['storm'], '')}`)}\n`);
    }
    if (claim !== undefined) process.stdout.write(`  reproduced    ${printable(claimLine(claim))}\n`);
    if (claim?.notDeterministic !== undefined) process.stdout.write(`  WARNING       ${printable(claim.notDeterministic)}\n`);
    if (res.ignoredAfterEnd > 0) process.stdout.write(`  note          ${ignoredNote(res.ignoredAfterEnd, res.cutShort !== undefined, recorded !== undefined)}\n`);
    const recordedCut = recordedCutNote(res);
    if (recordedCut !== undefined) process.stdout.write(`  note          ${recordedCut}\n`);
    for (const n of res.whatIf !== undefined ? whatIfNotes(res.whatIf, causeLines !== undefined ? 'scenario' : 'log', res) : []) process.stdout.write(`  note          ${n}\n`);
    if (res.outputsPastStop === true && (o.blame === true || o.report !== undefined)) process.stdout.write(`  note          ${PAST_STOP_NOTE}\n`);
    if (o.blame === true) printBlame(res, causeLines);
    // With --what-if, the state and the recording are the log's own run's, and said so (an operator's review: the
    // blame said it, they did not).
    const outputs = [...(o.state === true ? ['--state'] : []), ...(recorded !== undefined ? ['--record'] : [])];
    if (res.whatIf !== undefined && outputs.length > 0) {
      process.stdout.write(`  note          ${outputs.join(' and ')} ${outputs.length > 1 ? 'are' : 'is'} ${res.conformance.checked > 0 && m === undefined ? 'the recorded run\'s' : 'this run\'s'} (the ${causeLines !== undefined ? 'scenario\'s' : 'log\'s own'} designs), not ${printable(res.whatIf.label)}'s\n`);
    }
    if (o.state === true) printJson({ state: res.sim.finalStateLazy() });
    if (o.report !== undefined) process.stdout.write(`\nreport written to ${o.report}\n`);
    if (recorded !== undefined) process.stdout.write(`${recorded}\n`);
  }
  if (m !== undefined) {
    throw new CheckFailed(`${currentFile ?? '<input>'}:${m.line}:${m.column ?? 1}: the recorded derived events disagree with the engine: ${m.message}`, true);
  }
  // [choice] A claim that does not reproduce fails replay (exit 1), as a recording the engine disagrees with does: the
  // log says what the engine does, and it does not (a design changed since the log was written, or another engine).
  // [choice] One that could not be checked is said, and exits 3, not decided, as one on a design that is not a
  // function of its inputs: it was 0, as a claim reproduced (the run itself complete), so a script keyed on the exit
  // read a property's log as "still failing" after the fix as before it (a developer's QA pass: replicate-winner's log,
  // "not checked" once fixed, exit 0 either way). Its JSON is printed first, `claim.checked` false.
  // [choice] A claim checked on a design that is not a function of its inputs (claim.notDeterministic) is not decided
  // either way, reproduced or not: exit 3, as verify's NOT DECIDED (an operator's QA pass: six replays of one log
  // exited 0 or 1 by chance, beside the warning).
  if (claim?.notDeterministic !== undefined) {
    throw new Inconclusive(printable(`${currentFile ?? '<input>'}: the header's claim is not decided: ${claim.notDeterministic}`));
  }
  // (Said on standard error too, as the other claims not decided are: exit 3 with nothing there read as unexplained, a
  // documentation review.)
  if (claim?.unchecked !== undefined) throw new Inconclusive(printable(`${currentFile ?? '<input>'}: the header's claim is not decided: not checked (${claim.unchecked})`));
  if (claim !== undefined && !claim.reproduced && claim.unchecked === undefined) {
    // (Printable: the header's text is quoted, and must not add lines to standard error.)
    throw new CheckFailed(printable(`${currentFile ?? '<input>'}: the header's claim is not reproduced: ${claimText(claim)}`), true);
  }
}

/** The `reproduced` line: "yes: ...", "NO: ...", "not checked: ...". */
function claimLine(c: ClaimCheck): string {
  return `${c.reproduced || c.unchecked !== undefined ? '' : 'NO: '}${claimText(c)}`;
}

/** What replay says of a counterexample's claim (ClaimCheck). */
function claimText(c: ClaimCheck): string {
  if (c.unchecked !== undefined) return `not checked: ${c.unchecked}`;
  if (!c.reproduced) {
    const tries = c.tries !== undefined && c.tries > 1 ? `, ${c.tries} times: a nondeterministic fault may not show every time, so this does not prove it gone` : '';
    return `${c.invariant} holds (${c.recordedBy.replace('replstorm ', '')}'s check, run again on the log's inputs${tries}), where the header says it is violated${c.claimed !== undefined ? `: ${c.claimed}` : ''}`;
  }
  // (A claim that runs differ, reproduced on a later try: said, as the fault does not show every time.)
  const tries = c.tries !== undefined && c.tries > 1 ? `; on try ${c.tries}: the fault does not show every time` : '';
  return c.message === c.claimed ? `yes: ${c.invariant} violated, as the header says (${c.recordedBy.replace('replstorm ', '')}'s check, run again on the log's inputs${tries})` : `yes: ${c.invariant} violated: ${c.message} (the header says: ${c.claimed ?? 'nothing more'}${tries})`;
}

/** SimulateResult.outputsPastStop: said with the blame and the report, which count those events. */
const PAST_STOP_NOTE = 'blame and the report also count the events the engine derived past where the run stops, following the file\'s derived lines that far (more than 100,000 of them: the summary, state and recording are the run\'s own)';

/** A counterexample's header (verify's or explore's): it names the violation or the storm it shows. */
function claimsViolation(meta: Readonly<Record<string, unknown>>): boolean {
  return typeof meta['violation'] === 'string' || typeof meta['storm'] === 'string';
}

/**
 * What a run without a what-if finds at its end beyond its summary's counts (its JSON's fields, the terminal's lines
 * and the report's, from one place): document copies still holding an infected attachment, conflict documents held
 * (when not as many as made: heldDiffers), the documents it deleted and how many are back (R6).
 */
function runFindings(res: SimulateResult): RunFindings {
  // (Once per run: each count walks every copy, and a run with --report asks for them twice, the report and the terminal.)
  let found = findingsOf.get(res);
  if (found === undefined) {
    const held = conflictDocumentsHeld(res.sim);
    found = { infectedCopiesLeft: infectedCopies(res.sim), conflictDocumentsHeld: heldDiffers(held, res.summary) ? held : undefined, deletionsUndone: res.deletionsUndone };
    findingsOf.set(res, found);
  }
  return found;
}
type RunFindings = { readonly infectedCopiesLeft: number; readonly conflictDocumentsHeld: number | undefined; readonly deletionsUndone: SimulateResult['deletionsUndone'] };
const findingsOf = new WeakMap<SimulateResult, RunFindings>();

/**
 * What the summary of a run without a what-if says below its counts: document copies still infected, deleted
 * documents back where they were deleted (R6), timers that did not run, conflict documents held. Label and text: the
 * terminal prints them as its summary's lines, and the report under its summary (an operator's QA pass: the report
 * left them out, and of a run of more than 300 inputs, whose steps it does not list, nothing in it said that a deleted
 * document came back). `bad`: a finding the report marks.
 */
function runLines(res: SimulateResult): { readonly label: string; readonly text: string; readonly bad: boolean }[] {
  if (res.whatIf !== undefined) return [];
  const lines: { label: string; text: string; bad: boolean }[] = [];
  const found = runFindings(res);
  const left = found.infectedCopiesLeft;
  if (left > 0) lines.push({ label: 'infected', text: `${formatCount(left)} document ${left === 1 ? 'copy still holds' : 'copies still hold'} an infected attachment at the end (missed counts what a scan passed as not infected; these include any no scan reached)`, bad: true });
  const d = found.deletionsUndone;
  if (d.deleted > 0) lines.push({ label: 'deletions', text: `${formatCount(d.deleted)} document${d.deleted === 1 ? '' : 's'} deleted, ${formatCount(d.undone)} back where ${d.undone === 1 ? 'it was' : 'they were'} deleted at the end (R6: a deletion loses to a copy saved more than once since the two parted, or saved after it, a stamp being a save; R10: a copy sent back after the stub was purged)${d.first !== undefined ? `; first: ${d.first.unid} in ${printable(d.first.db)}, deleted on ${printable(d.first.deletedOn)} at ${formatCount(d.first.deletedAt)} ms, back there at seq ${d.first.seq}${d.first.liveOn.length > 1 ? ` (and on ${d.first.liveOn.filter((x) => x !== d.first!.deletedOn).map(printable).join(', ')})` : ''}` : ''}`, bad: d.undone > 0 });
  const timers = timersNotRunNote(res);
  if (timers !== undefined) lines.push({ label: 'note', text: timers, bad: false });
  const held = found.conflictDocumentsHeld;
  if (held !== undefined) {
    // (Fewer: counted per replica, or deleted or resolved since; more: an input saved a document with `$Conflict`.)
    const why = held < res.summary.conflicts
      ? 'conflicts counts each replica that made one (a divergence resolved on two replicas before either copy reached the other counts twice), and a conflict document deleted or resolved since is not held'
      : 'an input saved a document with a $Conflict item, which no conflict made';
    lines.push({ label: 'conflict docs', text: `${formatCount(held)} held at the end, counted once however many replicas hold each, against ${formatCount(res.summary.conflicts)} made: ${why}`, bad: false });
  }
  return lines;
}

/**
 * A run that stopped at its last input with nothing pending, whose timers (scheduled connections, scheduled scans)
 * never fired: said, with what runs them (an operator's QA pass: a log with a connection every minute and no `end`
 * stopped at 0:00:01 with "replicas differ", and nothing said that the connection never ran). Undefined otherwise.
 */
function timersNotRunNote(res: Pick<SimulateResult, 'summary' | 'sim'>): string | undefined {
  if (res.summary.stopped !== 'idle') return undefined;
  const timers = res.sim.pendingWork().filter((w) => !w.pending && (w.kind === 'connection' || w.kind === 'scheduled-scan'));
  if (timers.length === 0) return undefined;
  const first = timers.reduce((a, b) => (b.at < a.at ? b : a));
  const which = timers.length === 1 ? `the next ${first.description}, due at ${formatVirtualTime(first.at)}, did not happen` : `the next work of its ${formatCount(timers.length)} timers (the first: ${first.description}, due at ${formatVirtualTime(first.at)}) did not happen`;
  return printable(`the run stopped at its last input with nothing pending, so ${which}: work on a timer does not keep a run going; an \`end\` event runs the log to a time (event-log.md, "Time and order")`);
}

function ignoredNote(n: number, cut = false, recorded = false): string {
  if (cut) return `${formatCount(n)} input ${n === 1 ? 'event' : 'events'} after the cut (at later times) ${n === 1 ? 'was' : 'were'} ignored${recorded ? ` (the recording keeps ${n === 1 ? 'it' : 'them'} after its end event)` : ''}`;
  return `${formatCount(n)} input ${n === 1 ? 'event' : 'events'} after the end event (at later times) ${n === 1 ? 'was' : 'were'} ignored`;
}


/**
 * A `--design name=path` that the command then does not use is refused: the run would go on with the scenario's own
 * design (smsdom), and its findings would read as the researcher's. [choice] An error (exit 2), not a warning: the
 * fix is one option away and the run is then the one that was meant.
 */
function refuseUnusedDesigns(specs: readonly string[] | undefined, scenario: { params: Readonly<Record<string, { default: unknown }>> }, settings: Readonly<Record<string, unknown>>, alsoUsed: readonly (string | undefined)[] = []): void {
  const runs = String(settings['design'] ?? scenario.params['design']?.default ?? '');
  for (const spec of specs ?? []) {
    const { name } = designSpecParts(spec);
    if (name === runs || alsoUsed.includes(name)) continue;
    throw new UsageError(`--design ${spec}: the design "${name}" is given but not used (the scenario runs "${runs}"); add --set design=${name}`);
  }
}

/**
 * verify and compare: a `--design` whose name the command does not run is refused, as for run and explore (a
 * researcher's QA pass: `verify noop --design mine=...` verified noop without a word). `runs`: what it runs.
 */
function refuseUnusedModules(specs: readonly string[] | undefined, runs: readonly string[], fix: string): void {
  for (const spec of specs ?? []) {
    const { name, path } = designSpecParts(spec);
    // A module that is not there is said so first (checked, not loaded): "given but not used" alone sent the user to
    // add a design whose file was missing (a researcher's QA pass).
    if (!runs.includes(name) && path !== '') namingOption(`--design ${spec}`, () => designPath(path));
    if (!runs.includes(name)) throw new UsageError(`--design ${spec}: the design "${name}" is given but not used (this runs ${runs.map((r) => `"${r}"`).join(', ')}); ${fix.replaceAll('NAME', name)}`);
  }
}

/**
 * The design a `--what-if name:key=value,...` names, read before any module is loaded; a list that does not parse is
 * refused here as makeWhatIf refuses it (it was reported as an unused --design: a review).
 */
function whatIfDesignName(spec: string | undefined): string | undefined {
  if (spec === undefined) return undefined;
  try {
    return parseDesignSpec(spec).design;
  } catch (err) {
    if (err instanceof LogError || err instanceof UsageError) throw new UsageError(`--what-if ${spec}: ${err.message}`);
    throw err;
  }
}

function makeWhatIf(spec: string | undefined, registry: DesignRegistry): WhatIf | undefined {
  if (spec === undefined) return undefined;
  // The design and its settings are checked by simulateStream's WhatIfRewriter before the run; a list that does not
  // parse is the option's mistake, not the replayed log's.
  try {
    const { design, config, configText } = parseDesignSpec(spec, registry);
    return { design, config, label: configText ? `${design}:${configText}` : design };
  } catch (err) {
    if (err instanceof LogError || err instanceof UsageError) throw new UsageError(`--what-if ${spec}: ${err.message}`);
    throw err;
  }
}

/**
 * The designs of the what-if run: when its design is a module of the user's (--design), a copy of the module loaded
 * anew, as `compare` runs a later row. Both runs go on side by side in this process: a module-level variable (a cache)
 * that the log's run filled was seen by the what-if run, whose answer then differed from a replay of the log edited by
 * hand to that design (an audit). State kept in a module the design imports is still shared.
 */
async function whatIfRegistry(whatIf: WhatIf | undefined, designs: readonly string[] | undefined, registry: DesignRegistry): Promise<DesignRegistry | undefined> {
  if (whatIf === undefined) return undefined;
  const spec = (designs ?? []).map((d) => designSpecParts(d)).find((d) => d.name === whatIf.design);
  if (spec === undefined) return undefined;
  const [fresh] = await loadFreshDesignCopies(spec.path, 1);
  return new Map(registry).set(whatIf.design, { ...fresh!, name: whatIf.design });
}

function warnStrict(file: string) {
  // A warning quotes the log's own keys: shown escaped, on one line (an escape sequence reached the terminal).
  return (w: { line: number; column: number; message: string }) => process.stderr.write(`${printable(`${file}:${w.line}:${w.column}: warning: ${w.message}`)}\n`);
}

async function cmdReplay(log: string, o: RunOutputOptions & { whatIf?: string[]; design?: string[]; strict?: boolean; maxRun?: number; maxWork?: number; maxScannerRevisions?: number; record?: string }): Promise<void> {
  // An empty name read as "no such file", naming nothing (an operator's QA pass).
  if (log.trim() === '') throw new UsageError('replay: give the log\'s file name, or - for standard input (got an empty one)');
  currentFile = log === '-' ? '<stdin>' : log;
  checkOutputPaths(o, log);
  const registry = await buildRegistry(o.design);
  const whatIf = makeWhatIf(onlyOnce('--what-if', o.whatIf), registry);
  const whatIfDesigns = await whatIfRegistry(whatIf, o.design, registry);
  const outputs = openOutputs(o);
  const file = currentFile;
  let header: LogHeader | undefined;
  let claim: ClaimCheck | undefined;
  const done = await withOutputs(
    outputs,
    () =>
      simulateStream(
        { chunks: readChunks(log) },
        {
          registry,
          sourceBytes: regularFileSize(log),
          maxRunMs: o.maxRun,
          maxWork: o.maxWork,
          maxScannerRevisions: o.maxScannerRevisions,
          ...(o.maxScannerRevisions !== undefined ? { recordMeta: { maxScannerRevisions: o.maxScannerRevisions } } : {}),
          strict: o.strict === true,
          onWarning: warnStrict(file),
          whatIf,
          whatIfRegistry: whatIfDesigns,
          blame: o.blame === true || o.report !== undefined,
          timeline: o.report !== undefined,
          record: outputs.record,
          progressLabel: `replay ${file}`,
          keepInputs: (h) => {
            header = h;
            // A counterexample's claim is checked on its whole run (recheckClaim), which a cut run would contradict.
            if (o.maxScannerRevisions !== undefined && (claimRunsLog(h.meta) || claimsViolation(h.meta))) {
              throw new UsageError('--max-scanner-revisions: this log is a counterexample (its header claims a violation), whose claim is checked on its whole run: replay it without the budget');
            }
            return claimRunsLog(h.meta);
          },
        },
      )
        .catch((err: unknown) => {
          if (err instanceof RecordingEndedShort) {
            // [choice] Under --json the disagreement is on standard output too, as a recording's mismatch is where the run
            // ends (`recording.mismatch`), with no summary (the run has none): standard output was empty, exit 1, and a
            // program learnt why only from standard error (a JSON contracts QA pass).
            if (o.json === true) printJson({ recording: { mismatch: { line: err.line, column: err.column, message: err.message }, endedShort: true } });
            throw new CheckFailed(`${file ?? '<input>'}:${err.line}:${err.column}: the recorded derived events disagree with the engine: ${err.message}; the run goes no further (it has no end where the file has, so no summary, and nothing is written)`, true);
          }
          // A design-runs counterexample: the design's code throwing again is the claim reproduced. The replay still
          // stops there (exit 2, at the line, as any log whose design throws), and says so.
          if (err instanceof LogError && !(err instanceof WhatIfRefusal) && err.code === 'DESIGN_FAILED' && header !== undefined && claimRunsLog(header.meta) && header.meta['invariant'] === 'design-runs') {
            // [choice] Under --json the finding is on standard output too, as a claim (`reproduced` true, the failure
            // its `message`) and where the design failed (`failedAt`): the refusal alone left it empty, so a program read
            // a reproduced claim as no output (a researcher's QA pass). The exit stays 2, at the line. (`failedAt` was
            // `stopped`, the name of the summary's field, a string there, event-log.md: a QA pass.)
            if (o.json === true) {
              const meta = header.meta as Record<string, unknown>;
              const recordedBy = typeof meta['recordedBy'] === 'string' ? meta['recordedBy'] : 'a checker';
              printJson({
                claim: { recordedBy, invariant: 'design-runs', claimed: typeof meta['violation'] === 'string' ? meta['violation'] : undefined, reproduced: true, message: err.message, checked: true },
                failedAt: { line: err.line, column: Math.max(err.column, 1), message: err.message },
              });
            }
            // A run that stops at a refusal writes no output: said, where --report or --record asked for one (the report
            // of a reproduced design-runs claim was missing without a word: a researcher's QA pass).
            const asked = [o.report !== undefined ? `--report ${o.report}` : undefined, o.record !== undefined ? `--record ${o.record}` : undefined].filter((x) => x !== undefined);
            const none = asked.length > 0 ? ` (the run stopped there, so ${asked.join(' and ')} ${asked.length > 1 ? 'were' : 'was'} not written)` : '';
            throw new LogError(err.code, `${err.message}; the header's claim, design-runs, is reproduced${none}`, { line: err.line, column: err.column, ...(err.field !== undefined ? { field: err.field } : {}) });
          }
          throw err;
        })
        .catch(withWorkHint)
        // The claim is checked before the report is written: the report says it too.
        .then(async (r) => {
          claim = await checkClaim(r, o.design, { maxRunMs: o.maxRun, maxWork: o.maxWork });
          return r;
        }),
    (r) => reportHtml(r, `replay of ${file}`, file, claim, undefined, o.record !== undefined),
  );
  const res = done.res;
  // A --design the log never names, nor --what-if, did nothing: said (a researcher's QA pass: `replay --design foo=...`
  // ran without a word, the log's own designs doing the work). [choice] A warning, not run's refusal: which designs a
  // log installs is known only once it has been read, and the replay's findings stand.
  // [choice] A design the log installs, run from a module that calls its design otherwise than the module the log was
  // written with did (its header's `modules`, written since 2026-12-06), is said: it runs, as asked, but a
  // counterexample "confirmed" with another design's module by a slip of the path read "reproduced yes" without a word
  // (a researcher's QA pass). Logs without `modules` (older ones, hand-written ones) are not judged: binding a module
  // under a name of one's own (`--design mine=module.ts`) is what the README does.
  const recordedModules = header?.meta['modules'];
  for (const spec of o.design ?? []) {
    const { name } = designSpecParts(spec);
    const was = typeof recordedModules === 'object' && recordedModules !== null && Object.hasOwn(recordedModules, name) ? (recordedModules as Record<string, unknown>)[name] : undefined;
    const is = moduleNames.get(name);
    if (res.designsNamed.has(name) && typeof was === 'string' && is !== undefined && is !== was) {
      process.stderr.write(`${printable(file)}: warning: --design ${printable(spec)}: the log was written with a module whose design calls itself "${printable(was)}", and this one calls itself "${printable(is)}": another design may be running as "${printable(name)}"\n`);
    }
    if (res.designsNamed.has(name) || whatIf?.design === name) continue;
    const named = [...res.designsNamed];
    process.stderr.write(`${printable(file)}: warning: --design ${printable(spec)}: the log installs no design "${printable(name)}" (${named.length === 0 ? 'no scanner event' : `its scanners: ${named.map((n) => printable(n)).join(', ')}`}), so it was not used; --what-if ${printable(name)} replays the log's inputs with it\n`);
  }
  finishWithOutputs(done, o, `replay of ${file}`, o.record !== undefined ? `recorded to ${o.record} (replay it: ${replayHint(o.record, designsOf(o.design, res))})` : undefined, claim);
}

/**
 * A counterexample's claim (its header: this invariant is violated), checked again on the log's inputs with the
 * checker that wrote it, so that replay says whether the violation is reproduced and not only that the log ran. The
 * user's design modules are loaded anew for it: the replay's run may have changed a module-level variable, which a
 * replay of the log in a new process would not see (as --what-if). Not made for a recording that disagrees with the
 * engine (that is the finding). Another checker's claim, or a log of more inputs than replay keeps for this, is
 * said not checked (recheckClaim). Runs within replay's --max-run and --max-work; synchronous, as a counterexample is
 * small (a log of thousands of inputs and a long run would hold Ctrl-C until it ends).
 */
async function checkClaim(res: SimulateResult, designs: readonly string[] | undefined, limits: ClaimLimits): Promise<ClaimCheck | undefined> {
  const meta = res.header.meta as Record<string, unknown>;
  if (res.conformance.mismatch !== undefined) return undefined;
  // A claim that runs differ is checked up to CLAIM_TRIES times (seconds for a log of thousands of inputs): a
  // progress line says which try (on a terminal, after a second, as the other long runs'; a review found 7 s silent).
  const progress = createProgress('replay');
  const onTry = (t: number, of: number) => progress.tick(() => `checking the claim again, try ${t} of ${of}`);
  try {
    return await checkClaimWith(res, meta, designs, limits, onTry);
  } finally {
    progress.done();
  }
}

/** Each `--design name=path` module loaded anew (loadFreshDesignCopies), under the name given. */
async function freshDesigns(designs: readonly string[] | undefined): Promise<ScannerDesign<object>[]> {
  const fresh: ScannerDesign<object>[] = [];
  for (const spec of designs ?? []) {
    const { name, path } = designSpecParts(spec);
    const [d] = await loadFreshDesignCopies(path, 1);
    fresh.push({ ...d!, name });
  }
  return fresh;
}

async function checkClaimWith(res: SimulateResult, meta: Record<string, unknown>, designs: readonly string[] | undefined, limits: ClaimLimits, onTry: (t: number, of: number) => void): Promise<ClaimCheck | undefined> {
  if (!claimRunsLog(meta) || res.inputs === undefined) return recheckClaim(meta, res.inputs, builtinRegistry(), limits, onTry);
  const fresh = await freshDesigns(designs);
  const claim = recheckClaim(meta, res.inputs, fresh.length > 0 ? builtinRegistry(fresh) : builtinRegistry(), limits, onTry);
  // (Not for a claim not checked: the warning speaks of the check's run.)
  if (claim === undefined || fresh.length === 0 || claim.unchecked !== undefined) return claim;
  // [choice] A design of the user's that is not a function of its inputs (Math.random, Date.now) makes the summary
  // and the claim's check two runs that may disagree, each true of its own run ("conflicts 0" above "reproduced yes:
  // no-scanner-conflicts violated": a researcher's QA pass). The log's inputs are run twice more, the modules loaded
  // anew each time (a module-level variable starts afresh, as in a new process, so it is not what this finds), and
  // two final states that differ are said beside the claim. Built-in designs are functions of their inputs.
  const digests: (string | undefined)[] = [];
  for (let k = 0; k < 2; k++) digests.push(runDigest(res.inputs, builtinRegistry(await freshDesigns(designs)), limits));
  if (digests[0] === undefined || digests[1] === undefined || digests[0] === digests[1]) return claim;
  return { ...claim, notDeterministic: `the log's inputs, run twice more with the design modules loaded anew, ended in different states (digests ${digests[0]} and ${digests[1]}): a design is not a function of its inputs (Math.random, Date.now?), so the run summarised above and the claim's check may differ, and another replay may read otherwise` };
}

/**
 * A run refused for its work budget says which option raises it (a user audit: `--set scanEveryMs=10` was refused for
 * 1,000,000 periodic actions, and nothing said --max-work; it did not lift that budget then).
 */
function withWorkHint(err: unknown, run = false, budgetGiven = false): never {
  if (err instanceof LogError && err.code === 'RUN_TOO_LONG') {
    // (`run`: a storm at the seed's scale meets this refusal first, where the budget is what the user wants: a QA pass.)
    const storm = !run ? '' : budgetGiven ? '; a smaller --max-scanner-revisions cuts a storm shorter' : '; a storm is cut short, with its summary, report and recording, by --max-scanner-revisions N';
    throw new LogError(err.code, `${err.message}; --max-work N allows more (it bounds all engine work and periodic actions alike)${storm}`, { line: err.line, column: err.column, ...(err.field !== undefined ? { field: err.field } : {}) });
  }
  throw err;
}

async function cmdRun(scenarioName: string, o: RunOutputOptions & { set?: string[]; seed?: number; design?: string[]; maxRun?: unknown; maxWork?: number; maxScannerRevisions?: number; record?: string; whatIf?: string[] }): Promise<void> {
  const scenario = findScenario(scenarioName);
  if (scenario === undefined) throw new UsageError(`unknown scenario "${scenarioName}" (available: ${SCENARIOS.map((s) => s.name).join(', ')})${designInScenarioHint(scenarioName, 'run')}`);
  if (o.maxRun !== undefined) throw new UsageError(`--max-run: a scenario's run stops at its end event, horizonMs after its scanners are installed (--set horizonMs=MS sets it; see replstorm scenarios); --max-run is replay's`);
  checkOutputPaths(o);
  const sets = parseSets(o.set ?? []);
  if (o.seed !== undefined && sets['seed'] !== undefined) throw new UsageError(`--seed ${o.seed} and --set seed=${sets['seed']}: give the seed once`);
  const settings: Record<string, string | number> = { ...sets, ...(o.seed !== undefined ? { seed: o.seed } : {}) };
  // Before loading: a module that is not used is refused without running its code (hostile-input QA).
  refuseUnusedDesigns(o.design, scenario, settings, [whatIfDesignName(onlyOnce('--what-if', o.whatIf))]);
  const registry = await buildRegistry(o.design);
  const parameters = checkScenarioSettings(scenario, settings, registry, o.seed !== undefined);
  const whatIf = makeWhatIf(onlyOnce('--what-if', o.whatIf), registry);
  const whatIfDesigns = await whatIfRegistry(whatIf, o.design, registry);
  // Notes on the settings are said once the scenario's own checks pass (checkedFirst), not before a refusal.
  const notes: string[] = [];
  const events = checkedFirst(scenario.events(settings, { designs: registry }), () => {
    for (const n of notes) process.stderr.write(n);
  });
  // A design with no schedule to set runs without the scenario's scheduled scans (given, scanEveryMs and scanServers
  // are refused): "scans 0 performed" needs its reason, as compare gives it beside the row (a researcher's QA pass).
  const installed = scenario.name === 'smsdom-storm' && typeof parameters['design'] === 'string' ? registry.get(parameters['design']) : undefined;
  // (Not with either setting given: the run refuses it, saying the same; a review found both, note then refusal.)
  const scheduleGiven = Object.prototype.hasOwnProperty.call(settings, 'scanEveryMs') || Object.prototype.hasOwnProperty.call(settings, 'scanServers');
  const gap = installed !== undefined && installed.name !== 'noop' && !scheduleGiven ? scheduleGap(installed) : undefined;
  if (gap !== undefined) notes.push(`replstorm: note: the design "${printable(String(parameters['design']))}" ${gap}, so the scenario's scheduled scans (scanEveryMs) do not apply to it: it scans only what its watches() takes on writes\n`);
  const alone = scenario.name === 'smsdom-storm' ? clusterAwareAloneNote(parameters['design'], parameters) : undefined;
  if (alone !== undefined) notes.push(`replstorm: note: ${alone}\n`);
  // The settings as the scenario read them (`databases: 3`, not the command line's "3"), as compare --json gives them.
  // (The budget is in the header too: a recording of a cut run says why it ends with an `end` before the scenario's.)
  const header: LogHeader = { replog: 1, meta: { recordedBy: `replstorm ${VERSION}`, scenario: scenario.name, settings: typedSettings(settings, parameters), ...(o.maxScannerRevisions !== undefined ? { maxScannerRevisions: o.maxScannerRevisions } : {}), ...modulesMeta() } };
  const label = `${scenario.name}${Object.keys(settings).length ? ` (${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}`;
  const outputs = openOutputs(o);
  const causeLines = o.record !== undefined
    ? `its line in the recording, ${o.record}`
    : 'its number among the scenario\'s input events, counting a header as line 1: no file holds them; with --record, the recording\'s lines';
  let done: Awaited<ReturnType<typeof withOutputs>> | undefined;
  try {
    done = await withOutputs(
      outputs,
      () =>
        simulateStream(
          { events, header },
          {
            registry,
            maxWork: o.maxWork,
            maxScannerRevisions: o.maxScannerRevisions,
            whatIf,
            whatIfRegistry: whatIfDesigns,
            blame: o.blame === true || o.report !== undefined,
            timeline: o.report !== undefined,
            record: outputs.record,
            progressLabel: `run ${scenario.name}`,
          },
        ).catch((err: unknown) => withWorkHint(err, true, o.maxScannerRevisions !== undefined)),
      // [choice] A run's causes are numbered as lines of a log: of the recording when there is one (--record), else
      // of a log of the scenario's input events alone (header line 1), which no file holds (a browser QA pass: "its
      // line in the log" named a log that did not exist). The report says which, and so does the terminal's blame
      // (an operator's QA pass: the numbers changed with --record, and nothing said why).
      (r) => reportHtml(r, `run of ${label}`, label, undefined, causeLines, o.record !== undefined),
    );
  } catch (err) {
    throw scenarioError(err, `run ${scenario.name}`);
  }
  // The run's figures, then whether a design module's run comes out alike when run again (digestAnew): after the
  // summary and the outputs, and without the run's result (its blame and timeline are not kept through the run again:
  // a review found a deterministic module's run refused for memory in it, its summary never printed).
  const first = runDigests(done.res);
  const firstMain = done.res.summary.digest;
  let againMain: string | undefined;
  const used = designsOf(o.design, done.res);
  const modules = used.length > 0 || (whatIf !== undefined && (o.design ?? []).some((spec) => designSpecParts(spec).name === whatIf.design));
  const recorded = o.record !== undefined ? `recorded to ${o.record} (replay it: ${replayHint(o.record, used)})` : undefined;
  // [choice] Under --json (without --state), a run of design modules prints its JSON once the run again is checked,
  // with what it found: `notReproducible` (the run again ended otherwise: the WARNING's text) or
  // `reproducibilityUnchecked` (it could not be checked). A script reading the JSON was told nothing but exit 3 (the
  // last notes left it). The object is small; with --state it is printed at once as before (a final state may be
  // hundreds of MB, not to be held through a second run), saying that the check follows (statedJson, below). An
  // interrupt during the run again prints it with `reproducibilityUnchecked` saying so, then ends with the signal's
  // exit code (the last notes left a script with no JSON at all for a run that had finished).
  let pendingJson: Record<string, unknown> | undefined;
  const deferJson = modules && o.json === true && o.state !== true;
  // [choice] With --state the JSON, printed at once, says that the check comes after it (`reproducibility`), so that a
  // script reading it knows to read the exit code too (the last notes left it to stderr and exit 3 alone).
  const statedJson = modules && o.json === true && o.state === true;
  const printPending = (extra: Record<string, unknown> = {}) => {
    if (pendingJson === undefined) return;
    printJson({ ...pendingJson, ...extra });
    pendingJson = undefined;
    beforeInterruptExit = undefined;
  };
  try {
    finishWithOutputs(done, deferJson ? { ...o, onJson: (out) => void (pendingJson = out) } : statedJson ? { ...o, onJson: (out) => printJson({ ...out, reproducibility: RUN_AGAIN_AFTER_JSON }) } : o, `run of ${label}`, recorded, undefined, causeLines);
  } catch (err) {
    // (An output that could not be written ends the command: the finding's JSON is printed first, as it was.)
    printPending();
    throw err;
  }
  done = undefined;
  if (!modules) return;
  if (pendingJson !== undefined) {
    beforeInterruptExit = (sig) => printPending({ reproducibilityUnchecked: `whether the run comes out alike when run again with its design modules loaded anew was not checked: interrupted (${sig}) while running again` });
  }
  try {
    const again = await digestAnew(o.design, 'the run', async (registry) => {
      const r = await simulateStream(
        { events: scenario.events(settings, { designs: registry }), header },
        { registry, maxWork: o.maxWork, maxScannerRevisions: o.maxScannerRevisions, whatIf, whatIfRegistry: await whatIfRegistry(whatIf, o.design, registry), progressLabel: `run ${scenario.name} again, its design modules loaded anew` },
      );
      againMain = r.summary.digest;
      return runDigests(r);
    });
    if ('unchecked' in again) {
      printPending({ reproducibilityUnchecked: again.unchecked });
      process.stderr.write(`replstorm: note: ${printable(again.unchecked)}\n`);
      return;
    }
    if ('digest' in again && again.digest === first) return;
    // (The recording holds the run, not its what-if: only a run that went otherwise replays otherwise; a review found
    // "replays otherwise" said of a what-if module's difference, and the recording replayed.)
    const mainOtherwise = 'digest' in again ? againMain !== firstMain : !again.inWhatIf;
    const recording = o.record !== undefined && mainOtherwise ? `; its recording, ${o.record}, replays otherwise` : '';
    printPending({ notReproducible: `${notReproducibleText(first, again)}${recording}` });
    process.stderr.write(`replstorm: WARNING: ${printable(notReproducibleText(first, again))}: the run summarised above is one run's${recording}\n`);
    throw new Inconclusive('');
  } finally {
    // (The run's JSON is printed whatever the run again did, an error included.)
    printPending();
  }
}

/** A run's final digest, with its what-if run's beside it when there is one (what digestAnew compares). */
function runDigests(res: SimulateResult): string {
  return res.whatIf === undefined ? res.summary.digest : `${res.summary.digest} (what-if ${res.whatIf.summary.digest})`;
}

/**
 * What running again gave (digestAnew): its digest; or a failure that shows it runs otherwise (`inWhatIf`: in a run's
 * --what-if run); or why it was not checked.
 */
type RunAgain = { readonly digest: string } | { readonly failed: string; readonly inWhatIf: boolean } | { readonly unchecked: string };

/**
 * [choice] A design module of the user's that is not a function of its inputs (Math.random, Date.now) gives figures
 * another run does not (a researcher's QA pass: a design stamping at random printed 27 conflicts in one `compare` and
 * 35 in the next, exit 0, and `run --record` wrote a recording whose replay refused it, "the recorded derived events
 * disagree with the engine", blaming the file). `run` and `compare` run such a design's inputs once more, the modules
 * loaded anew (as in a new process: a module-level variable starts afresh, so it is not what this finds; verify's
 * check is), and a final state that differs is said, exit 3, as verify, explore and replay say theirs. Built-in
 * designs are functions of their inputs (tested), and runs of them are not repeated: only a run that installs a
 * module (or runs one as its --what-if) takes twice its time. Running again, the design failing, its module failing
 * to load, or needing more engine work than the first run did within the same --max-work, runs otherwise too;
 * outgrowing memory leaves the question open, said so; anything else ends the command.
 */
async function digestAnew(designs: readonly string[] | undefined, what: string, run: (registry: DesignRegistry) => Promise<string>): Promise<RunAgain> {
  try {
    return { digest: await run(builtinRegistry(await freshDesigns(designs))) };
  } catch (err) {
    const inWhatIf = err instanceof WhatIfRefusal;
    // (A module that fails to load the second time runs otherwise too: it read as a bare load error, a review.)
    if (err instanceof UsageError) return { failed: `its design modules failed to load anew (${err.message})`, inWhatIf: false };
    if (!(err instanceof LogError)) throw err;
    if (err.code === 'DESIGN_FAILED') return { failed: `${what} failed when run again (${err.message})`, inWhatIf };
    if (err.code === 'RUN_TOO_LONG') return { failed: `${what} needed more engine work when run again than it did the first time, within the same work budget (--max-work; ${err.message})`, inWhatIf };
    // [choice] Not checked, exit 0, though a run again holds less than the first did (no blame, timeline or first
    // result): a run near the heap's limit can pass it once and not the next time (what the heap holds when the
    // guard looks differs from run to run), so it proves nothing either way. Not the engine's message: its "nothing
    // written" is false here, the run's outputs being written.
    if (err.code === 'RUN_TOO_LARGE') return { unchecked: `whether ${what} comes out alike when run again with its design modules loaded anew was not checked: it outgrew memory` };
    throw err;
  }
}

/** run --json --state of design modules: `reproducibility`, what its JSON says of the run again that follows it. */
const RUN_AGAIN_AFTER_JSON = 'checked after this output, by running again with the design modules loaded anew: a run again that ends otherwise is a WARNING on standard error and exit 3; one that cannot be checked, a note there';

/** What digestAnew found, said: the first run's digest and the second's, or how the second failed. */
function notReproducibleText(first: string, again: Exclude<RunAgain, { readonly unchecked: string }>): string {
  const second = 'failed' in again ? again.failed : `it ended in another state (digests ${first} and ${again.digest})`;
  return `run again on the same inputs with the design modules loaded anew, ${second}: a design is not a function of its inputs (Math.random, Date.now?)`;
}

async function cmdVerify(designArg: string, o: { runs: number; seed?: number; config?: string; out?: string; json?: boolean; design?: string[]; maxWork?: number }): Promise<void> {
  const out = o.out ?? DEFAULT_OUT;
  // Before loading: a module that is not used is refused without running its code (hostile-input QA).
  refuseUnusedModules(o.design, [designArg], 'verify NAME');
  const registry = await buildRegistry(o.design);
  const design = await resolveDesignArg(designArg, registry);
  const config = namingOption(`--config ${o.config}`, () => parseConfigList(o.config ?? '', 'config', design.defaults, ''));
  // A configuration the design refuses is the option's mistake (exit 2), not a violation of every invariant.
  try {
    checkDesignInstall(design, config);
  } catch (err) {
    if (err instanceof LogError) throw new UsageError(`${o.config !== undefined ? `--config ${o.config}` : `${designArg} (its default configuration)`}: ${err.message}`);
    throw err;
  }
  const seed = o.seed ?? (Math.random() * 0x7fffffff) | 0;
  // Where counterexamples would go is tried before the run by making it, and what was made removed at once, as explore
  // does (made again only for a log to write): a directory that cannot be made (under /proc, a read-only mount) was
  // found only once a counterexample was written, after the whole suite had run (a user's QA pass).
  tryOutDir(o.out);
  const progress = createProgress(`verify ${design.name}`);
  const isModule = /[\\/]/.test(designArg) || /\.(m?[tj]s)$/.test(designArg);
  // A design module loaded anew for each counterexample's check (one per invariant at most), as `replay` of its log
  // in a new process would load it: a module-level counter that only grows passed the check run in this process. And
  // one more for the check after the suite that cases run alike on it and on the copy the suite used (verifyDesign's
  // stateCheck: a module-level Set that stopped the design stamping after its first cases passed the suite).
  // A module given by --design NAME=path and named as the design is one too (a review: `verify once --design
  // once=path` loaded no copy, and neither check ran); its copies take the name it was given.
  const modulePath = isModule ? designArg : o.design?.map(checkedDesignSpec).find((d) => d.name === designArg)?.path;
  const freshCopies = modulePath !== undefined ? (await loadFreshDesignCopies(modulePath, INVARIANT_NAMES.length + 1)).map((d) => ({ ...d, name: design.name })) : [];
  // A case the engine's work budget refuses (a schedule of every millisecond over a case's 2-hour run) is no verdict:
  // said with its seed and the option that raises the budget (an operator's QA pass: it ended in the engine's bare
  // message, and verify had no --max-work).
  let result: ReturnType<typeof verifyDesign>;
  try {
    result = interruptible(() => verifyDesign(design, { config, runs: o.runs, seed, registry, freshDesign: () => freshCopies.shift(), onProgress: (p) => progress.tick(() => `${p.invariant}: run ${p.run} of ${p.runs}`), ...(o.maxWork !== undefined ? { limits: { maxWork: o.maxWork } } : {}) }));
  } catch (err) {
    if (err instanceof LogError && err.code === 'RUN_TOO_LONG') withWorkHint(new LogError(err.code, `verify ${design.name}, seed ${seed}: a random case was refused, so no verdict: ${err.message}`, {}));
    throw err;
  }
  progress.done();
  const written: Record<string, string> = {};
  const unwritten = new Unwritten();
  for (const inv of result.invariants) {
    if (inv.counterexample === undefined) continue;
    // (A leading dot too: a design named "../x" wrote `.._x-...`, a file `ls` does not show; a researcher's QA pass.)
    // [choice] The configuration given is in the name too: `verify smsdom` and `verify smsdom --config
    // ignoreSsoOnScheduled=true` with one seed and --out wrote the same file, the second over the first (a QA pass).
    const configPart = Object.entries(config).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(',');
    const stem = `${design.name}${configPart === '' ? '' : `-${configPart}`}`.replace(/[^A-Za-z0-9=,._-]/g, '_').replace(/^\./, '_');
    const file = unwritten.write(inv.name, out, boundedFileName(`${stem}-${inv.name}-${seed}`), inv.counterexample.log);
    if (file !== undefined) written[inv.name] = file;
  }
  // (A counterexample found under a raised --max-work replays under it too.)
  const replayCmd = (file: string) => replayHint(file, [...(o.design ?? []), ...(isModule ? [`${design.name}=${designArg}`] : [])], o.maxWork);
  // [choice] A design that runs otherwise on a fresh copy, with nothing violated or vacuous, is no verdict either way:
  // NOT DECIDED, exit 3, as explore's search whose paths run again reached other states (FAILED, 1, when something
  // failed all the same). So is one whose every violation found ran otherwise when its case ran again
  // (`counterexample.notReproducible`): its logs replay from a fresh start as "reproduced NO", so they show no fault,
  // and what the suite saw came of state the design kept from earlier cases. (It said FAILED, exit 1: a researcher's
  // QA pass, with a module-level cache keyed by OID, as scan-cache keeps in `remember`, which passes: the cases reuse
  // UNIDs and times, so the cache answered for another case's document.)
  const reproduced = result.invariants.some((i) => i.status === 'violated' && i.counterexample?.notReproducible !== true);
  const unreproduced = result.invariants.some((i) => i.status === 'violated' && i.counterexample?.notReproducible === true);
  const undecided = (result.notReproducible !== undefined || unreproduced) && !reproduced && result.vacuous.length === 0;
  if (o.json === true) {
    printJson({
      design: result.design,
      config: result.config,
      seed: result.seed,
      runs: result.runs,
      ok: result.ok,
      coverage: result.coverage,
      vacuous: result.vacuous,
      ...(result.notReproducible !== undefined ? { notReproducible: result.notReproducible } : {}),
      invariants: result.invariants.map((i) => ({
        name: i.name,
        description: i.description,
        status: i.status,
        runs: i.runs,
        ...(i.crashedRuns !== undefined ? { crashedRuns: i.crashedRuns } : {}),
        ...(i.counterexample !== undefined
          ? {
              violation: i.counterexample.message,
              path: i.counterexample.path,
              ...(written[i.name] !== undefined ? { counterexample: written[i.name], replay: replayCmd(written[i.name]!) } : { counterexample: null, notWritten: unwritten.reason(i.name) }),
              ...(i.counterexample.notReproducible === true ? { notReproducible: true } : {}),
            }
          : {}),
      })),
    });
  } else {
    const promises = promisesOf(design, config);
    process.stdout.write(`verify ${design.name}${o.config ? `:${o.config}` : ''}   seed ${seed}, ${o.runs} runs per invariant\n`);
    process.stdout.write(`  promises: read-only ${promises.readOnlyKinds?.length ? promises.readOnlyKinds.join(', ') : 'none'}${promises.quiescent ? ', quiescent' : ''}${promises.noConflicts ? ', no conflicts of its own (beyond what cleaning makes)' : ''}\n\n`);
    process.stdout.write(
      `${formatTable(
        ['invariant', 'result', 'runs', 'what it checks'],
        result.invariants.map((i) => [i.name, i.status === 'held' || i.status === 'held-partly' || i.status === 'unchecked' ? (i.crashedRuns !== undefined ? crashedCell(i.runs, i.crashedRuns) : 'held') : i.status === 'violated' ? 'VIOLATED' : 'n/a', i.status === 'violated' ? `failed at run ${i.runs}` : i.runs, i.description]),
        // The descriptions wrapped to the terminal (120 columns when the output is not one).
        { wrapLastAt: process.stdout.isTTY === true && process.stdout.columns > 0 ? process.stdout.columns : 120 },
      )}\n`,
    );
    for (const i of result.invariants) {
      if (i.counterexample === undefined) continue;
      const cex = written[i.name] !== undefined ? `${written[i.name]} (${i.counterexample.events.length} input events)\n  replay it: ${replayCmd(written[i.name]!)}` : `NOT WRITTEN (${unwritten.reason(i.name)})`;
      process.stdout.write(`\n${i.name} VIOLATED: ${i.counterexample.message}\n  seed ${seed}, path "${i.counterexample.path}"\n  shrunk counterexample: ${cex}\n`);
      if (i.counterexample.notReproducible === true) {
        process.stdout.write('  WARNING: this case ran differently when run again: the design carries something from one run to the next, or draws at random (a module-level variable? Math.random, Date.now?), so the log may not show the violation from a fresh start. A design must be a function of its inputs; keep per-server memory in `remember` (the server\'s store)\n');
      }
    }
    const c = result.coverage;
    process.stdout.write(`\ncoverage over the ${formatCount(c.runs)} run${c.runs === 1 ? '' : 's'} of ${c.invariant}: ${formatCount(c.scansPerformed)} scans performed and ${formatCount(c.scansSkipped)} skipped (${formatCount(c.infectedScans)} of the ${formatCount(c.scansPerformed + c.scansSkipped)}, performed or skipped, of a document with an infected attachment), ${formatCount(c.stampings)} stampings, ${formatCount(c.arrivals)} replicated arrivals, ${formatCount(c.deletions)} user deletion${c.deletions === 1 ? '' : 's'} (${formatCount(c.deletionsUndone)} of those documents back where they were deleted at the end)\n`);
    if (result.vacuous.length > 0) {
      process.stdout.write(`VACUOUS: ${result.vacuous.join(', ')} never happened, so the suite says nothing about them for this design (a vacuous check fails the verdict)\n`);
      // The usual cause of a vacuous `stampings`: a design that never saves a clean document but does not say so.
      // Unless its code threw: then the crash is why (the advice to declare read-only scans read as the fix).
      const crashed = result.invariants.some((i) => i.name === 'design-runs' && i.status === 'violated');
      if (crashed) {
        // ("Threw" for a decision refused, a verdict no design may return, read as false: a researcher's QA pass.)
        process.stdout.write('  the design failed (design-runs, above: its code threw, or its decision was refused): the runs end at the failure, so what never happened may be the failure\'s doing\n');
      } else if (result.vacuous.includes('stampings')) {
        process.stdout.write('  no scan saved a clean document: if the design never does, declare it (`promises: { readOnlyKinds: [\'mail\', \'on-write\', \'scheduled\', \'manual\'] }`) and the suite holds it to that (the read-only invariant) instead of waiting for stampings\n');
      }
    }
    if (result.notReproducible !== undefined) process.stdout.write(`\nWARNING: ${result.notReproducible}. A design must be a function of its inputs; keep per-server memory in \`remember\` (the server's store)\n`);
    const whyUndecided = result.notReproducible === undefined ? 'the warning above: no violation found reproduces from a fresh start' : unreproduced ? 'the warnings above' : 'the warning above';
    process.stdout.write(`\n${result.ok ? 'verdict: every invariant held' : undecided ? `verdict: NOT DECIDED (${whyUndecided})` : 'verdict: FAILED'}\n`);
  }
  unwritten.throwIfAny();
  if (undecided) throw new Inconclusive('');
  if (!result.ok) throw new CheckFailed('');
}

function parseCompareChoices(args: readonly string[]): DesignChoice[] {
  if (args.length === 0) return [...SEED_COMPARISON];
  return args.map((a) => {
    // The argument named in the message: with several, "parameter \"smsdom\"" alone did not say which was wrong.
    const { design, configText } = namingOption(`compare ${a}`, () => parseDesignSpec(a));
    return { design, config: configText };
  });
}

async function cmdCompare(designs: string[], o: { scenario: string; set?: string[]; json?: boolean; design?: string[]; maxScannerRevisions?: number }): Promise<void> {
  const scenario = findScenario(o.scenario);
  if (scenario === undefined) throw new UsageError(`unknown scenario "${o.scenario}" (available: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  const choices = parseCompareChoices(designs);
  const settings = parseSets(o.set ?? []);
  // Each row's design and configuration come from the arguments; a scenario parameter choosing them would be ignored.
  // Said before an unused --design is: `--set design=mine --design mine=...` was first told mine was not used (a
  // researcher's QA pass), and the fix is this one.
  for (const key of ['design', 'config'] as const) {
    if (settings[key] !== undefined) throw new UsageError(`--set ${key}=${settings[key]}: compare takes its designs as arguments (e.g. compare ${key === 'design' ? `smsdom ${settings[key]}` : 'smsdom:ignoreSsoOnScheduled=true noop'})`);
  }
  refuseUnusedModules(o.design, choices.map((c) => c.design), 'add NAME to the designs compared');
  const registry: DesignRegistry = await buildRegistry(o.design);
  for (const c of choices) {
    if (!registry.has(c.design)) throw new UsageError(`unknown design "${c.design}"${nearestName(c.design, [...registry.keys()])} (known: ${[...registry.keys()].join(', ')}; ${moduleHint(c.design, `and compare NAME${c.config ? `:${c.config}` : ''}`)})`);
    checkDesignConfig(c.design, c.config ?? '', registry, c.config ? `${c.design}:${c.config}` : c.design);
  }
  const parameters = checkScenarioSettings(scenario, settings, registry);
  const progress = createProgress(`compare on ${scenario.name}`);
  let done = 0;
  const t0 = performance.now();
  // A row of a design module of the user's, after its first, runs a copy of the module loaded anew, as a run in a new
  // process would: a module-level variable carried one row's state into the next (a researcher's QA pass: the same
  // design twice gave 100 conflicts, then none). By the module's file, not the name: one module under two names is one
  // module (a review). State kept in a module the design imports is still shared.
  const modules = new Map((o.design ?? []).map((spec) => designSpecParts(spec)).map(({ name, path }) => [name, path] as const));
  const ran = new Set<string>();
  const rows: ComparisonRow[] = [];
  // [choice] A design whose code throws fails its own row only: the others still run and the table is printed, the
  // failure said below it, and compare then exits 2 as before (the whole table was lost for one throwing design: a
  // researcher's QA pass). Only a design's failure: anything else (bad settings, memory) still ends compare at once.
  const failed: { readonly label: string; readonly design: string; readonly config: string; readonly message: string }[] = [];
  // Within a row: progress, and the memory guard `run` has (a storm given a large --max-scanner-revisions,
  // or a scenario too large for the heap, ended in V8's out-of-memory abort, exit 134, where `run` of the
  // same settings is refused, exit 2).
  const onWork = (sim: Simulator, label: string): void => {
    progress.tick(() => `${done}/${choices.length} designs (now: ${label}, at ${formatVirtualTime(sim.now)} virtual; ${growthText(sim)})`);
    const use = heapFullness();
    if (use < MEMORY_STOP_AT) return;
    const g = sim.growth();
    throw new LogError(
      'RUN_TOO_LARGE',
      `${label}: the run outgrew memory: the heap is ${Math.round(use * 100)}% full (of ${heapLimitMb().toLocaleString('en-US')} MB) at virtual time ${formatVirtualTime(sim.now)}, with ${g.documents.toLocaleString('en-US')} documents across the replicas, ${g.revisions.toLocaleString('en-US')} revisions, ${g.replicatedChanges.toLocaleString('en-US')} replicated changes and ${g.conflicts.toLocaleString('en-US')} conflict documents so far; refused rather than crash, nothing written: a smaller --max-scanner-revisions, a shorter horizonMs, or more memory for Node (NODE_OPTIONS=--max-old-space-size=8192)`,
    );
  };
  // Rows whose figures another run does not give (digestAnew): said below the table, and under --json (each by its
  // index in `rows` and its label); exit 3. And rows whose run again could not say (it outgrew memory): said, exit 0.
  const notReproducible: { readonly row: number; readonly label: string; readonly message: string }[] = [];
  const reproducibilityUnchecked: { readonly row: number; readonly label: string; readonly message: string }[] = [];
  for (const c of choices) {
    let rowRegistry = registry;
    const path = modules.get(c.design);
    const file = path === undefined ? undefined : samePathKey(path);
    if (path !== undefined && ran.has(file!)) {
      const [fresh] = await loadFreshDesignCopies(path, 1);
      rowRegistry = new Map(registry).set(c.design, { ...fresh!, name: c.design });
    }
    if (file !== undefined) ran.add(file);
    try {
      const before = rows.length;
      rows.push(
        ...interruptible(() =>
          compareDesigns([c], scenario, settings, {
            registry: rowRegistry,
            ...(o.maxScannerRevisions !== undefined ? { maxScannerRevisions: o.maxScannerRevisions } : {}),
            onWork,
            onRow: (r) => {
              done++;
              progress.tick(() => `${done}/${choices.length} designs (last: ${r.label})`);
            },
          }),
        ),
      );
      // A module's row, run once more with the module loaded anew (digestAnew): the same figures, or said below.
      const row = rows[before];
      if (path !== undefined && row !== undefined) {
        progress.tick(() => `${done}/${choices.length} designs (${row.label} again, its module loaded anew)`);
        const again = await digestAnew(o.design?.filter((spec) => designSpecParts(spec).name === c.design), 'the row', async (fresh) =>
          interruptible(() => compareDesigns([c], scenario, settings, { registry: fresh, ...(o.maxScannerRevisions !== undefined ? { maxScannerRevisions: o.maxScannerRevisions } : {}), onWork }))[0]!.summary.digest,
        );
        // (By the row's place too: one module compared twice, `compare a a`, gives two rows of one label.)
        if ('unchecked' in again) reproducibilityUnchecked.push({ row: before, label: row.label, message: again.unchecked });
        else if (!('digest' in again) || again.digest !== row.summary.digest) notReproducible.push({ row: before, label: row.label, message: notReproducibleText(row.summary.digest, again) });
      }
    } catch (err) {
      if (err instanceof LogError && err.code === 'DESIGN_FAILED' && choices.length > 1) {
        const e = scenarioError(err, `compare on ${scenario.name}`) as Error;
        failed.push({ label: c.label ?? (c.config ? `${c.design}:${c.config}` : c.design), design: c.design, config: c.config ?? '', message: e.message.replace(`compare on ${scenario.name}: `, '') });
        done++;
        continue;
      }
      // A row's configuration is the argument the user typed (smsdom:scheduleEveryMs=...), not a --set config=: a
      // refusal of the scenario's "config" names that argument (compare audit: it said parameter "config").
      if (err instanceof LogError && err.code === 'BAD_CONFIG' && err.field === 'config' && c.config) {
        throw new UsageError(`compare ${c.design}:${c.config}: ${err.message.replace(/^parameter "config": /, '')}`);
      }
      throw scenarioError(err, `compare on ${scenario.name}`);
    }
  }
  progress.done();
  if (o.json === true) {
    // `settings`: what --set gave, as the scenario reads it (numbers and booleans typed, not the command line's text);
    // `parameters`: every parameter the rows share, defaults included. Not `design` and `config`: each row has its own
    // (the scenario's default design was listed, "smsdom" above rows that ran noop: hostile-input QA).
    const { design: _design, config: _config, ...shared } = parameters;
    printJson({ scenario: scenario.name, settings: typedSettings(settings, parameters), parameters: shared, rows: rows.map(({ summary, ...r }) => ({ ...r, summary })), ...(failed.length > 0 ? { failed } : {}), ...(notReproducible.length > 0 ? { notReproducible } : {}), ...(reproducibilityUnchecked.length > 0 ? { reproducibilityUnchecked } : {}) });
    throwIfRowsFailed(failed, scenario.name);
    if (notReproducible.length > 0) throw new Inconclusive('');
    return;
  }
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  process.stdout.write(`${scenario.name}${Object.keys(settings).length ? ` (${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}: each design on the same inputs, ${seconds} s\n\n`);
  // (The column where the scenario asks for deletions, whether or not a row's run made any: a row cut short before
  // its first deletion left it out, a QA pass.)
  const deletes = Number(parameters['userDeletes'] ?? 0) > 0 || rows.some((r) => r.documentsDeleted > 0);
  // (The table has the column "infected left" where a row leaves any, and the legend and footnotes say it.)
  const infectedLeft = rows.some((r) => r.infectedCopiesLeft > 0);
  process.stdout.write(`${formatCompareTable(rows, deletes, infectedLeft)}\n`);
  const cut = rows.filter((r) => r.cutShort !== undefined);
  // A budget reached is not proof of a storm (a long horizon can need more revisions): the note says what is known.
  // The row's other counts stop at the cut too: its scans, replicated changes, conflicts and misses read beside the
  // finished rows' totals as if they were the storm's (README: 5,606 conflicts against the default's 14,277).
  // The row's run as a command (compare cuts as run --max-scanner-revisions does: the same figures), with a report: a QA
  // pass found "one command away" needed the row's own settings, which the table's label only names in words.
  const budget = o.maxScannerRevisions ?? DEFAULT_MAX_SCANNER_REVISIONS;
  const runOf = (r: ComparisonRow) =>
    [
      cliCommand(),
      'run',
      shellWord(scenario.name),
      ...(o.design ?? []).filter((spec) => designSpecParts(spec).name === r.design).flatMap((spec) => ['--design', shellWord(spec)]),
      ...Object.entries({ ...settings, ...r.settings }).flatMap(([k, v]) => ['--set', shellWord(`${k}=${v}`)]),
      '--set',
      shellWord(`design=${r.design}`),
      ...(r.config !== '' ? ['--set', shellWord(`config=${r.config}`)] : []),
      '--max-scanner-revisions',
      String(budget),
      '--report',
      'cut.html',
    ].join(' ');
  for (const r of cut) process.stdout.write(`\n* ${r.label}: cut short after ${formatCount(r.scannerRevisions)} scanner ${r.scannerRevisions === 1 ? 'revision' : 'revisions'} at ${formatVirtualTime(r.cutShort!)} virtual (the --max-scanner-revisions budget): its other counts are those at that time (lower bounds: the run did not end${infectedLeft ? '; infected left an upper bound' : ''}), and a larger budget shows whether revisions ever stop; the same run with its report: ${printable(runOf(r))}`);
  // A design without a schedule setting is not given the scenario's scheduled scans: a row of zeros needs its reason.
  // Nor is one with the setting but no scheduleEveryMs(config) to read it: the scenario sets the setting, and nothing
  // schedules a pass (a user audit: such a design's row was all zeros, without a word).
  // A design that schedules itself (selfSchedule) scans on every server at its own interval: said so, not called
  // unscheduled (a QA pass: "it scans only what its watches() takes on writes" beside 12,800 scheduled scans).
  const rowNotes = rows.flatMap((r) => {
    const d = registry.get(r.design);
    if (r.design === 'noop') return [];
    const own = d !== undefined ? selfSchedule(d, parseConfigList(r.config, 'config', d.defaults)) : undefined;
    if (own !== undefined) return [{ r, note: `the design schedules its own scans (every ${own.toLocaleString('en-US')} ms on every server: its scheduleEveryMs), so the scenario's scanEveryMs and scanServers do not apply to it` }];
    const gap = d !== undefined ? scheduleGap(d) : undefined;
    return gap === undefined ? [] : [{ r, note: `the design ${gap}, so the scenario's scheduled scans (scanEveryMs) do not apply to it: it scans only what its watches() takes on writes` }];
  });
  for (const r of rows) {
    const note = scenario.name === 'smsdom-storm' ? clusterAwareAloneNote(r.design, { ...parameters, ...r.settings }) : undefined;
    if (note !== undefined) rowNotes.push({ r, note });
  }
  // keys=per-server (for every row, or this row's) gives each server its own key: a row whose design has no key
  // setting runs as before, said (compare passes the setting over for it: oneOfSeveral).
  for (const r of rows) {
    const d = registry.get(r.design);
    const perServer = (r.settings['keys'] ?? settings['keys']) === 'per-server';
    if (perServer && d !== undefined && !Object.prototype.hasOwnProperty.call(d.defaults, 'key')) rowNotes.push({ r, note: 'the design has no key setting, so keys=per-server does not apply to it' });
  }
  // Two rows of one design under one configuration (defaults filled in) and the same settings run the same thing: said,
  // not left to read as a second opinion (a CLI QA pass: `compare smsdom smsdom:sso=true`, sso true by default).
  const runs = new Map<string, string>();
  for (const r of rows) {
    const d = registry.get(r.design);
    if (d === undefined) continue;
    let resolved: string;
    try {
      resolved = JSON.stringify([r.design, Object.entries(resolveConfig(d, parseConfigList(r.config, 'config', d.defaults))).sort(), Object.entries(r.settings).sort()]);
    } catch {
      continue;
    }
    const first = runs.get(resolved);
    if (first === undefined) runs.set(resolved, r.label);
    else rowNotes.push({ r, note: `the same design, configuration and settings as ${first} (its defaults filled in): one run twice` });
  }
  for (const { r, note } of rowNotes) process.stdout.write(`\n- ${r.label}: ${note}`);
  // (The message says what failed: code that threw, or a decision refused, such as a verdict no design may return. "Its
  // code threw" for both read as false for the second: a researcher's QA pass.)
  for (const f of failed) process.stdout.write(`\n- ${printable(`${f.label}: NO ROW: ${f.message}`)}`);
  for (const x of notReproducible) process.stdout.write(`\n- ${printable(`${x.label}: NOT REPRODUCIBLE: ${x.message}, so its figures are one run's and another run gives others`)}`);
  for (const x of reproducibilityUnchecked) process.stdout.write(`\n- ${printable(`${x.label}: ${x.message}`)}`);
  process.stdout.write(`${cut.length || rowNotes.length || failed.length || notReproducible.length || reproducibilityUnchecked.length ? '\n' : ''}\ncolumns: scans performed / skipped (not scanned: a verified tag, a cache, or a design that does not scan, noop; smsdom's scheduled scans still rewrite a verified tag, rewriteValidTags), revisions the scanner saved, changes replication applied (the setup's spread included), replication conflicts made, whether all work drained by the end (cut: not known, the run was cut short), documents with an infected attachment passed as not infected (skipped, or called clean)${infectedLeft ? '; document copies still holding an infected attachment at the end (a row cut short: at its cut, an upper bound), whether a scan passed them or none reached them' : ''}${deletes ? '; deleted documents back where they were deleted at the end, of those the run deleted (R6: a deletion loses to a copy saved more than once since the two parted, or saved after it, and a stamp is a save; whoever\'s doing, users\' edits too)' : ''}\n`);
  throwIfRowsFailed(failed, scenario.name);
  if (notReproducible.length > 0) throw new Inconclusive('');
}

/** compare's exit when a design failed in its row (its code threw, or its decision was refused; the other rows printed): 2, naming the first. */
function throwIfRowsFailed(failed: readonly { readonly label: string; readonly message: string }[], scenario: string): void {
  if (failed.length === 0) return;
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more: ${failed.slice(1).map((f) => f.label).join(', ')})` : '';
  throw new UsageError(`compare on ${scenario}: ${failed[0]!.message}${more}; the other rows are printed`);
}

/**
 * compare's table. [choice] The column of deleted documents back where they were deleted (R6) only where the scenario
 * deletes (`userDeletes`): "deleted back", the documents back of those the row's run deleted ("12/500"; a row cut
 * short may have applied fewer). The seed's table, which deletes nothing, keeps its columns. Likewise "infected left",
 * the document copies still infected at the end (`infectedCopiesLeft`), only where a row leaves any: `missed` counts
 * what a scan passed, and noop, which no scheduled pass reaches, read "missed 0" beside 182 infected copies; a note
 * below the table said it, which a researcher comparing designs on infections did not see (a QA pass).
 */
export function formatCompareTable(rows: readonly ComparisonRow[], deletes = rows.some((r) => r.documentsDeleted > 0), infected = rows.some((r) => r.infectedCopiesLeft > 0)): string {
  return formatTable(
    ['design', 'scans', 'skipped', 'scanner revisions', 'replicated', 'conflicts', 'quiescent', 'missed', ...(infected ? ['infected left'] : []), ...(deletes ? ['deleted back'] : [])],
    rows.map((r) => [
      r.label,
      r.scansPerformed,
      r.scansSkipped,
      r.cutShort !== undefined ? `${formatCount(r.scannerRevisions)}+ *` : r.scannerRevisions,
      r.replicatedChanges,
      r.conflicts,
      quiescentCell(r),
      r.infectionsMissed,
      ...(infected ? [r.cutShort !== undefined ? `${formatCount(r.infectedCopiesLeft)} *` : r.infectedCopiesLeft] : []),
      // (A row cut short counts at its cut, with work pending: marked as its scanner revisions are, its footnote saying so.)
      ...(deletes ? [`${formatCount(r.deletionsUndone)}/${formatCount(r.documentsDeleted)}${r.cutShort !== undefined ? ' *' : ''}`] : []),
    ]),
  );
}

/**
 * The quiescent column: a row cut short at the budget had work pending when it stopped (`quiescent: false` in its
 * summary, as the spec defines it), but whether its work would ever drain is not known: [choice] the text says `cut *`
 * (the row's footnote), not `NO`, which read as a storm for a design that settles after a pass longer than the budget
 * (cluster-aware with --max-scanner-revisions 1500: 2,000 revisions, then quiet).
 */
function quiescentCell(r: ComparisonRow): string {
  return r.cutShort !== undefined ? 'cut *' : r.quiescent ? 'yes' : 'NO';
}

/**
 * A held invariant's result when the design failed in some runs (they prove nothing about it): "held in 0 (3
 * crashed)" read as held at a glance, so a check no run made is "not checked". [choice] "the design failed", not
 * "crashed": a run ends as well at a decision the engine refuses (a field `sett` for `set`, a verdict misspelt),
 * where the design's code ran to its end (design-runs says which; `crashedRuns` under --json counts both).
 */
function crashedCell(runs: number, crashed: number): string {
  return crashed >= runs ? `not checked (the design failed in all ${formatCount(runs)})` : `held in ${formatCount(runs - crashed)} of ${formatCount(runs)} (the design failed in ${formatCount(crashed)})`;
}

/**
 * What to do instead, when a scenario's place holds a design (a module's path, or a design's name): `run` and `explore`
 * take a scenario, and install a design with `--set design=` (a researcher's QA pass: `explore mine.ts` said only that
 * explore knows smsdom-storm). Else "".
 */
function designInScenarioHint(name: string, command: 'run' | 'explore'): string {
  const module = /\.(?:[cm]?[jt]s|[jt]sx)$/i.test(name);
  if (!module && !builtinRegistry().has(name)) return '';
  const install = module ? `--design mine=${shellWord(name)} --set design=mine` : `--set design=${name}`;
  return `; "${printable(name)}" is a design${module ? ' module' : ''}, installed on a scenario's servers: ${command} smsdom-storm ${install}`;
}

/** `1 step`, `3 steps`. */
function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}

async function cmdExplore(
  scenarioName: string,
  o: { set?: string[]; depth: number; invariant?: string[]; maxStates: number; userActions: number; faults?: boolean; symmetry: boolean; partialOrder: boolean; out?: string; json?: boolean; storms: boolean; design?: string[] },
): Promise<void> {
  const out = o.out ?? DEFAULT_OUT;
  if (scenarioName !== 'smsdom-storm') throw new UsageError(`explore knows the scenario smsdom-storm (got "${scenarioName}")${designInScenarioHint(scenarioName, 'explore')}`);
  const scenario = findScenario(scenarioName)!;
  const settings = parseSets(o.set ?? []);
  // Before loading: a module that is not used is refused without running its code (hostile-input QA).
  refuseUnusedDesigns(o.design, scenario, settings);
  const registry = await buildRegistry(o.design);
  // [choice] The default invariant is no-conflict, any conflict, without user saves: every save on a path is then a
  // scanner's, and the shortest conflict is the design's (the seed's, both members stamping one document). With
  // --user-actions it is no-scanner-conflicts, the design's own conflicts as verify judges them: two users saving one
  // document on two servers conflict under any design (R5), so no-conflict failed every design, noop included, on
  // that 3-step path, and said nothing of the design (a researcher's QA pass). --invariant no-conflict asks for it.
  const defaulted = (o.invariant ?? []).length === 0;
  const invariantNames = !defaulted ? o.invariant! : o.userActions > 0 ? ['no-scanner-conflicts'] : ['no-conflict'];
  // (As a --set key given twice: the search checked it once and --json listed it twice.)
  const twice = invariantNames.find((name, i) => invariantNames.indexOf(name) !== i);
  if (twice !== undefined) throw new UsageError(`--invariant ${twice} is given twice: give each invariant once`);
  // [choice] design-runs beside other invariants is taken as said and needs nothing (every search checks it: a review
  // found it refused there); alone it is refused below, saying so, rather than running a search that checks nothing
  // the user named.
  const invariants = (invariantNames.length > 1 ? invariantNames.filter((n) => n !== 'design-runs') : invariantNames).map((name) => {
    // An own property only: "constructor" or "__proto__" found Object.prototype's (exit 70, hostile-input QA).
    const inv = Object.hasOwn(EXPLORE_INVARIANTS, name) ? EXPLORE_INVARIANTS[name] : undefined;
    // [choice] verify's invariants that explore does not check say so, and why, rather than "unknown": a researcher
    // who read verify's table tried `explore --invariant no-scanner-reappearances` (explore has no user deletion among
    // its actions, and its invariants judge states, where verify's judge a whole run against a baseline).
    if (name === 'design-runs') throw new UsageError(`--invariant design-runs is checked by every search: a design that throws, or whose decision is refused, is reported with its shortest path whatever the invariants; give the others (${Object.keys(EXPLORE_INVARIANTS).join(', ')})`);
    if (inv === undefined && (INVARIANT_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`--invariant ${name} is verify's, not explore's: verify judges it on whole runs of random cases${name === 'no-scanner-reappearances' ? ' (explore has no user deletion among its actions)' : name === 'quiescence' ? ' (explore looks for storms, loops of steps that make scanner revisions, unless given --no-storms)' : ''}; run \`replstorm verify <design>\`. explore checks: ${Object.keys(EXPLORE_INVARIANTS).join(', ')}`);
    }
    if (inv === undefined) throw new UsageError(`unknown invariant "${name}"${nearestName(name, Object.keys(EXPLORE_INVARIANTS))} (known: ${Object.keys(EXPLORE_INVARIANTS).join(', ')})`);
    return inv;
  });
  // Exploration scans by its own actions (one document on any server, at any step); a scheduled scan on some servers
  // would run beside them on a clock the search does not choose. The scenario's other timed activity is not explored
  // either: it would be fixed events of the initial state (user edits, forwards, definitions updates at their times)
  // or be ignored (no schedule, no horizon: the depth bounds a path).
  for (const [key, why] of Object.entries(EXPLORE_REFUSED)) {
    if (settings[key] !== undefined) throw new UsageError(`--set ${key}=${settings[key]}: ${why}`);
  }
  const settingsUsed = checkScenarioSettings(scenario, settings, registry);
  // Where counterexamples go is tried before the search by making it (a directory that cannot be made is said at
  // once, not after it has run), and what was made is removed again at once: the search holds nothing on disk, so
  // SIGTERM can end it where it is (interruptible), and a search that writes nothing leaves no empty directory (it
  // did: a researcher's QA pass). It is made again below only for a log to write.
  tryOutDir(o.out);
  const model = stormExploreModel({ settings, userActions: o.userActions, faults: o.faults === true, registry });
  const progress = createProgress(`explore ${model.name}`);
  // What the search found before a Ctrl-C is said, not lost with it (an explore QA pass: a 3-step conflict a search of
  // minutes had found went unsaid). [choice] Said, no log written: the log is made after the search, and the depth
  // that finds it again at once is given.
  // Those of the search under way only: one started again with a longer step abandons what it had found (a review).
  const found: { invariant: string; message: string; steps: number }[] = [];
  let foundAtStep = 0;
  const r = interruptible(() => explore(model, {
    onViolation: (v, stepMs) => {
      if (stepMs !== foundAtStep) found.length = 0;
      foundAtStep = stepMs;
      found.push({ invariant: v.invariant, message: v.message, steps: v.steps });
    },
    depth: o.depth,
    invariants,
    maxStates: o.maxStates,
    symmetry: o.symmetry,
    partialOrder: o.partialOrder,
    storms: o.storms,
    onProgress: (p) => progress.tick(() => `depth ${p.depth}, ${formatCount(p.distinct)} distinct states`),
    clock: () => performance.now(),
    // Stop cleanly, with a message, when the heap is 80% full, rather than die out of memory mid-search.
    memoryUse: heapFullness,
  }), () => {
    progress.done();
    for (const f of found) {
      process.stderr.write(`found before the interruption: ${f.invariant} VIOLATED, shortest path ${plural(f.steps, 'step')}: ${printable(f.message)} (no log written: explore again with --depth ${Math.max(1, f.steps)} to write it)\n`);
    }
  });
  progress.done();
  const files: Record<string, string> = {};
  const unwritten = new Unwritten();
  const save = (kind: string, log: string) => {
    // Named by the settings and the options that change the space (user saves, faults), so two searches of
    // different spaces do not write over each other's counterexamples.
    const named = [...Object.entries(settings).map(([k, v]) => `${k}=${v}`), ...(o.userActions > 0 ? [`user-actions=${o.userActions}`] : []), ...(o.faults === true ? ['faults'] : [])];
    const file = unwritten.write(kind, out, boundedFileName(`explore-${kind}-${named.join(',').replace(/[^A-Za-z0-9=,._-]/g, '_') || 'default'}`), log);
    if (file !== undefined) files[kind] = file;
  };
  /** A violation in --json: its path in words (the setup's part apart), scanner saves on it, and where its log went. */
  const violationJson = (v: NonNullable<typeof r.violation>) => ({ invariant: v.invariant, message: v.message, setup: v.setup ?? null, steps: v.explanation, scannerRevisions: v.scannerRevisions, scannerCleanings: v.scannerCleanings, ...(v.cleanOnlyConflicts !== undefined ? { cleanOnlyConflicts: v.cleanOnlyConflicts } : {}), log: files[v.invariant] ?? null, ...(files[v.invariant] === undefined ? { notWritten: unwritten.reason(v.invariant) } : {}) });
  /** Where a counterexample went, with the command that replays it, or why it was not written. */
  const logLine = (kind: string) => (files[kind] !== undefined ? `${files[kind]} (replay it: ${replayHint(files[kind], o.design)})` : `NOT WRITTEN (${unwritten.reason(kind)})`);
  // Directories made for the logs are removed again if none could be written into them (a full disk). One that
  // cannot be made now is said for each log (Unwritten), after the findings.
  let made: string[] = [];
  if (r.violations.length > 0 || r.storm !== undefined) {
    try {
      made = ensureOutDir(out, '--out');
    } catch {
      // (Unwritten.write tries again, and says why.)
    }
  }
  const madeOut = holdMadeDirectories(made);
  for (const v of r.violations) save(v.invariant, v.log);
  if (r.storm !== undefined) save('storm', r.storm.log);
  madeOut.finish();
  // The search's own rate: the checks after it (checkSeconds) are said apart.
  const searchSeconds = Math.max(0, r.seconds - r.checkSeconds);
  const rate = searchSeconds > 0 ? Math.round(r.distinctStates / searchSeconds) : 0;
  // Why partial-order reduction was not applied (the text's "reductions" line and --json's partialOrderOff say the
  // same: the text said a bare "off" for --no-partial-order, a researcher's QA pass).
  const partialOrderOff = r.partialOrder ? undefined : !o.partialOrder ? '--no-partial-order' : (model.noPartialOrder ?? 'it is not used when periodic work runs between steps');
  // Why symmetry reduction was not applied (the text's "reductions" line and --json's symmetryOff say the same).
  const symmetryOff = o.symmetry && model.symmetricServers.length > 1 ? undefined : !o.symmetry ? '--no-symmetry' : (model.noSymmetry ?? (model.setup.filter((e) => e.type === 'server').length < 2 ? 'one server: nothing to rename' : 'the servers are not all configured alike, and the reduction renames them all'));
  // [choice] Said, not refused (explore.test.ts pins the search with a timer): the cluster replicator's ticks run
  // between steps and push each step's changes before the next action, so "every interleaving" and "exhausted" do
  // not cover two actions inside one interval, the seed's conflict (scans 7 s apart within 15 s) among them. Said in
  // the text and in --json (`interleavingsLeftOut`): `"exhausted": true` with no violation read, to a script, as the
  // design's clean bill (SSO-on smsdom, whose members conflict within one interval).
  const clusterMs = Number(settings['clusterIntervalMs'] ?? 0);
  const leftOut =
    (settings['replication'] ?? 'cluster') === 'cluster' && clusterMs > 0
      ? `the cluster replicator pushes on its own timer (every ${formatVirtualTime(clusterMs)}) between steps ${formatVirtualTime(r.stepMs)} apart, so interleavings of two actions within one of its intervals were not searched (two members stamping before either push: the seed's conflicts); clusterIntervalMs=0, the default here, makes every push an action`
      : undefined;
  // A design the search cannot trust its states with (it acts on the time's value, on server names though declared
  // name-blind, or is no function of its inputs): the search's "no new state at the last depth" is no exhaustion of
  // what the design can reach. Then `exhausted` is false in --json as in the text (a researcher's QA pass: the text
  // said NOT every reachable state was checked, --json said exhausted), and `complete` is false: it is true only when
  // every path up to the depth (or to exhaustion) was searched with nothing left out (no --max-states or memory cut,
  // no interleavings left to the cluster's timer, no such design): what a script may read as a proof to that depth.
  const untrusted =
    r.timeDependent !== undefined
      ? 'a design here acts on the time\'s value or a document\'s seq'
      : r.notSymmetric !== undefined
        ? 'a design here acts on server names though it declares itself name-blind'
        : r.notReproducible !== undefined
          ? 'a design here is not a function of its inputs'
          : undefined;
  const exhausted = r.exhausted && untrusted === undefined;
  const complete = untrusted === undefined && leftOut === undefined && !r.hitMaxStates && !r.hitMemoryLimit;
  if (o.json === true) {
    printJson({
      model: r.model,
      // What was searched: a result is only read with these.
      options: {
        settings: typedSettings(settings, settingsUsed),
        invariants: invariants.map((i) => i.name),
        storms: o.storms,
        // (What was asked, as partialOrder here; the top-level `symmetry` is what was applied: an explore QA pass found
        // this one the applied value, alone of the options.)
        symmetry: o.symmetry,
        partialOrder: o.partialOrder,
        userActions: o.userActions,
        faults: o.faults === true,
        maxStates: o.maxStates,
      },
      stepMs: r.stepMs,
      depth: r.depth,
      depthReached: r.depthReached,
      statesGenerated: r.statesGenerated,
      distinctStates: r.distinctStates,
      transitions: r.transitions,
      designFailures: r.designFailures,
      symmetry: symmetryOff === undefined ? model.symmetricServers : false,
      partialOrder: r.partialOrder,
      prunedByPartialOrder: r.prunedByPartialOrder,
      // Why a reduction was not applied, as the text's "reductions" line says it (an explore QA pass: `options.symmetry`
      // false read the same whether --no-symmetry was given or the design reads server names).
      ...(symmetryOff === undefined ? {} : { symmetryOff }),
      ...(partialOrderOff === undefined ? {} : { partialOrderOff }),
      exhausted,
      complete,
      ...(leftOut !== undefined ? { interleavingsLeftOut: leftOut } : {}),
      hitMaxStates: r.hitMaxStates,
      hitMemoryLimit: r.hitMemoryLimit,
      seconds: r.seconds,
      checkSeconds: r.checkSeconds,
      statesPerSecond: rate,
      scannerRevisions: r.scannerRevisions,
      ...(r.notReproducible !== undefined ? { notReproducible: r.notReproducible } : {}),
      ...(r.notSymmetric !== undefined ? { notSymmetric: r.notSymmetric } : {}),
      ...(r.symmetryUnchecked !== undefined ? { symmetryUnchecked: r.symmetryUnchecked } : {}),
      ...(r.timeDependent !== undefined ? { timeDependent: r.timeDependent } : {}),
      ...(r.timeUnchecked !== undefined ? { timeUnchecked: r.timeUnchecked } : {}),
      // `violation` is the first found; `violations` has each violated invariant's (the first among them).
      ...(r.violation !== undefined ? { violation: violationJson(r.violation) } : {}),
      violations: r.violations.map(violationJson),
      ...(r.stormUndecided !== undefined ? { stormUndecided: r.stormUndecided } : {}),
      ...(r.stormNotConfirmed === true ? { stormNotConfirmed: true } : {}),
      ...(r.storm !== undefined ? { storm: { loopStart: r.storm.loopStart, loopLength: r.storm.loopEvents.length, setup: r.storm.setup ?? null, steps: r.storm.explanation, log: files['storm'] ?? null, ...(files['storm'] === undefined ? { notWritten: unwritten.reason('storm') } : {}) } } : {}),
    });
  } else {
    // A rate over less than a tenth of a second measures start-up (a search of a handful of states): not printed.
    const speed = searchSeconds >= 0.1 ? ` (${formatCount(rate)} distinct states/s)` : '';
    const checks = r.checkSeconds >= 0.1 ? `, and ${r.checkSeconds.toFixed(2)} s of checks after it` : '';
    // A search cut by --max-states or memory reached that depth, not through it (it read "depth 6 of 6": an explore QA pass).
    // (States generated are 1 + transitions + the actions a design failed on: said, or "3 generated, 0 transitions"
    // read as miscounted, a researcher's QA pass.)
    const cutIn = r.hitMaxStates || r.hitMemoryLimit ? ' (cut within it)' : '';
    process.stdout.write(`explore ${r.model}: depth ${r.depthReached} of ${r.depth}${cutIn}, ${plural(r.statesGenerated, 'state')} generated${r.designFailures > 0 ? ` (${formatCount(r.designFailures)} of them design failures, no state)` : ''}, ${formatCount(r.distinctStates)} distinct, ${plural(r.transitions, 'transition')}, ${searchSeconds.toFixed(2)} s${speed}${checks}\n`);
    process.stdout.write(
      `  reductions: symmetry ${symmetryOff === undefined ? `over ${model.symmetricServers.join(', ')}${r.symmetryUnchecked !== undefined ? ` (as the designs declare, not checked: ${r.symmetryUnchecked}; --no-symmetry searches every renaming)` : ''}` : `off (${symmetryOff})`}; partial order ${partialOrderOff === undefined ? `on (${formatCount(r.prunedByPartialOrder)} transitions not tried)` : `off (${partialOrderOff})`}\n`,
    );
    process.stdout.write(
      r.exhausted && untrusted !== undefined
        ? `  no new state at the last depth, but NOT every reachable state was checked: ${untrusted} (WARNING below)\n`
        : r.exhausted
        ? leftOut === undefined
          ? r.designFailures > 0
            ? '  the state space was exhausted: every state reachable without a design failure was checked\n'
            : '  the state space was exhausted: every reachable state was checked\n'
          : `  the state space was exhausted, with the cluster's pushes on their timer: every state reachable so${r.designFailures > 0 ? ' without a design failure' : ''} was checked, NOT every interleaving (timing, below)\n`
        : r.hitMaxStates
          ? `  stopped at --max-states ${formatCount(o.maxStates)}: the space was NOT exhausted (raise --max-states or lower --depth)\n`
          : r.hitMemoryLimit
            ? `  stopped at ${formatCount(r.distinctStates)} states with the heap 80% full (${formatCount(heapLimitMb())} MB): the space was NOT exhausted, the results hold for the states checked (lower --depth, or give node more memory: NODE_OPTIONS=--max-old-space-size=8192)\n`
          : untrusted !== undefined
            ? `  bounded to ${r.depthReached} actions, but NOT every path was checked: ${untrusted} (WARNING below)\n`
            : `  bounded: every path of up to ${r.depthReached} actions was checked${r.designFailures > 0 ? ', each up to a design failure on it' : ''}\n`,
    );
    if (r.designFailures > 0) process.stdout.write(`  ${plural(r.designFailures, 'action')} made the design fail (design-runs): a path ends at its failure, and what lies past it was not searched\n`);
    // (Said where the search checked it: the line above claims every path, and this invariant, the default with user
    // saves, is judged on the first path to each state only; README. A review.)
    if (invariants.some((i) => i.name === 'no-scanner-conflicts')) process.stdout.write('  no-scanner-conflicts is judged on the path that first reaches each state (against that path run with scanners that only clean): unlike the others it depends on the path, so a search that finds no violation covers those paths, not every path\n');
    // ("Exhausted" said alone above it, with every action failing, read as a contradiction: a researcher's QA pass.)
    process.stdout.write(`  invariants: ${invariants.map((i) => i.name).join(', ')}${defaulted && o.userActions > 0 ? ' (the default with --user-actions: users\' own concurrent saves conflict under any design, R5; --invariant no-conflict counts them too)' : ''}${o.storms ? ', no storm (liveness)' : ''}; scanner revisions on explored transitions (the setup's included): ${formatCount(r.scannerRevisions)}\n`);
    if (r.stepMs !== STEP_MS) process.stdout.write(`  steps are ${formatVirtualTime(r.stepMs)} apart in the logs, a late save at the millisecond before the next (an action's work took longer than half of ${formatVirtualTime(STEP_MS)}, or clocks are that far apart)\n`);
    if (leftOut !== undefined) process.stdout.write(`  timing: ${leftOut}\n`);
    if (r.timeUnchecked !== undefined) process.stdout.write(`  time: ${r.timeUnchecked}\n`);
    for (const v of r.violations) {
      process.stdout.write(`
${v.invariant} VIOLATED: ${v.message}
shortest path (${plural(v.steps, 'step')}):
${[...(v.setup !== undefined ? [v.setup] : []), ...v.explanation].map((l) => `  ${l}`).join('\n')}
  log: ${logLine(v.invariant)}\n`);
      // (Its steps were told by running the path again after the search, on the design as the search left it: a design
      // that is not a function of its inputs read "no change" at every step below the violation they led to, a
      // researcher's QA pass.)
      if (r.notReproducible !== undefined) process.stdout.write('  (the steps are what the path did when run again after the search; this design does otherwise from one run to the next (WARNING below), so they need not show the violation: replay of the log loads the design anew)\n');
      // no-conflict counts every conflict: two user saves of one document on two servers make one with any design
      // (noop included), which read as the design's (a user audit).
      // (None of these notes for a design that is not a function of its inputs: the path's facts are not what its log
      // replays, and "user saves alone" was said with --user-actions 0: a researcher's QA pass. The warning below says
      // why.)
      const noted = v.invariant === 'no-conflict' && r.notReproducible === undefined;
      if (noted && v.scannerRevisions === 0) {
        process.stdout.write('  note: no scanner saved anything on this path: the conflict is between user saves alone (--user-actions), as it would be with any design; --invariant no-scanner-conflicts judges the design by the conflicts it adds\n');
      } else if (noted && v.scannerCleanings === v.scannerRevisions) {
        // [choice] Said, not excused: no-conflict counts every conflict (README); verify's no-scanner-conflicts is the
        // check that holds a design only to the conflicts a scanner that just cleans would not make.
        process.stdout.write(`  note: every scanner save on this path cleaned an infected attachment ($FILE), as any scanner that removes infections must, and stamped nothing: members cleaning one document each make this conflict with any such design; --invariant no-scanner-conflicts (verify's check) judges a design against a scanner that only cleans\n`);
      } else if (noted && (v.cleanOnlyConflicts ?? 0) > 0) {
        process.stdout.write(`  note: the same path with each scanner only cleaning (its scans as they are, no stamp) makes ${plural(v.cleanOnlyConflicts!, 'conflict')} too, on it or in replication after it: this one is not the design's own doing (users' saves of one document on two servers, or two members each cleaning it, conflict whatever else a scanner writes); --invariant no-scanner-conflicts judges a design by the conflicts it adds\n`);
      }
    }
    if (r.storm !== undefined) {
      process.stdout.write(`
STORM: a loop of ${plural(r.storm.loopEvents.length, 'replication step')}, from step ${r.storm.loopStart}, that makes scanner revisions every time round (shown twice):
${[...(r.storm.setup !== undefined ? [r.storm.setup] : []), ...r.storm.explanation].map((l) => `  ${l}`).join('\n')}
  log: ${logLine('storm')}\n`);
    } else if (o.storms && r.stormUndecided !== undefined) {
      process.stdout.write(`  storms NOT decided: ${r.stormUndecided}; verify's quiescence${r.stormNotConfirmed === true ? '' : ', or a deeper search,'} decides\n`);
    } else if (o.storms) {
      process.stdout.write(`  no storm found: no loop of replication steps alone that makes scanner revisions, among the states reached${exhausted ? '' : ' (the space was not exhausted)'} (a design whose writes never repeat a state, e.g. a tag holding a counter or a time, loops without ever closing one: see verify's quiescence)\n`);
    }
    if (r.notSymmetric !== undefined) {
      process.stdout.write(`\nWARNING: ${r.notSymmetric}: a design here acts on server names though it declares itself name-blind (ScannerDesign.symmetric), so the search, which identified renamed states, may have missed some; run it with --no-symmetry, or drop the declaration\n`);
    }
    if (r.timeDependent !== undefined) {
      process.stdout.write(`\nWARNING: ${r.timeDependent}: a design here acts on the time's value (its \`at\` or \`clock\`, or a note's times) or on a document's seq or how many revisions it has, where the search identifies states that differ only in those, so it may have merged states that behave differently and missed paths; verify, which runs cases at their own times and counts, judges such a design\n`);
    }
    if (r.notReproducible !== undefined) {
      process.stdout.write(`\nWARNING: ${r.notReproducible}: the design carries something from one scan to the next outside the simulation, or draws at random (a module-level variable? Math.random, Date.now?), so the search did not explore what it really does and its result cannot be trusted${r.violation !== undefined || r.storm !== undefined ? ' (nor can its logs show it from a fresh start)' : ''}. A design must be a function of its inputs; keep per-server memory in \`remember\` (the server's store)\n`);
    }
  }
  unwritten.throwIfAny();
  if (r.violation !== undefined || r.storm !== undefined) throw new CheckFailed('');
  // [choice] A search that does not reproduce, whose symmetry reduction does not hold, or whose design acts on the
  // time's value (which the states it identifies do not hold), is no "ok", whatever it
  // found: exit 3, as a search cut short.
  if (r.notReproducible !== undefined || r.notSymmetric !== undefined || r.timeDependent !== undefined) throw new Inconclusive('');
  // Nothing found, but not everything up to the depth was searched: not an "ok" (exit 3, README).
  if (r.hitMaxStates || r.hitMemoryLimit) throw new Inconclusive('');
  // [choice] Storms not decided (replication steps alone still stamping at the last depth, with no loop closed: a tag
  // holding the scan time storms without one) is no "ok" either: exit 3, as a search cut short. It was 0, and a script
  // read a design that storms (verify: quiescence VIOLATED) as passing (an explore QA pass). [choice] Interleavings
  // left to the cluster's timer (`interleavingsLeftOut`, `complete` false) stay 0: the search ran to its depth over
  // the model the settings asked for, and says what that model leaves out.
  if (o.storms && r.stormUndecided !== undefined) throw new Inconclusive('');
}

async function cmdScenarios(o: { json?: boolean }): Promise<void> {
  if (o.json === true) {
    printJson(SCENARIOS.map((s) => ({ name: s.name, description: s.description, params: s.params })));
    return;
  }
  for (const s of SCENARIOS) {
    process.stdout.write(`${s.name}: ${s.description}\n\n`);
    process.stdout.write(`${formatTable(['parameter', 'default', 'meaning'], Object.entries(s.params).map(([k, p]) => [k, JSON.stringify(p.default), `${p.help}${p.choices ? ` (${p.choices.join('|')})` : ''}`]))}\n\n`);
    process.stdout.write(`set them with: replstorm run ${s.name} --set key=value ...\n`);
  }
}

async function cmdDesigns(o: { json?: boolean; design?: string[] }): Promise<void> {
  const registry = await buildRegistry(o.design);
  if (o.json === true) {
    // [choice] Every promise said, false or empty where the design makes none: passed through as written, a module's
    // read `{}` and smsdom's `{"readOnlyKinds":[]}`, and `promises.readOnlyKinds.includes(...)` threw for a module (a
    // JSON contracts QA pass).
    printJson([...registry.values()].map((d) => {
      const p = promisesOf(d);
      return { name: d.name, description: d.description, defaults: d.defaults, configHelp: d.configHelp ?? {}, promises: { readOnlyKinds: p.readOnlyKinds ?? [], quiescent: p.quiescent ?? false, noConflicts: p.noConflicts ?? false } };
    }));
    return;
  }
  // A module's name, description and settings are its author's text: shown escaped, one line each (a CLI QA pass: a
  // name holding an escape sequence cleared the terminal, a newline split the listing).
  for (const d of registry.values()) {
    const p = promisesOf(d);
    process.stdout.write(`${printable(`${d.name}: ${d.description}`)}\n`);
    process.stdout.write(`  promises (defaults): read-only ${p.readOnlyKinds?.length ? p.readOnlyKinds.join(', ') : 'none'}${p.quiescent ? ', quiescent' : ''}${p.noConflicts ? ', no conflicts of its own (beyond what cleaning makes)' : ''}\n`);
    const entries = Object.entries(d.defaults as Record<string, unknown>);
    if (entries.length > 0) {
      const table = formatTable(['setting', 'default', 'meaning'], entries.map(([k, v]) => [printable(k), printable(JSON.stringify(v) ?? String(v)), printable(String((d.configHelp as Record<string, unknown> | undefined)?.[k] ?? ''))]));
      process.stdout.write(`${table.split('\n').map((l) => `  ${l}`).join('\n')}\n`);
    }
    process.stdout.write('\n');
  }
  process.stdout.write('use one in a log ({"type":"scanner","design":NAME,"config":{...}}), in verify/compare, or as --what-if NAME:key=value,...\n');
}

function buildProgram(): Command {
  const program = new Command('replstorm')
    .description('Model how replicated Domino document stores behave when agents (antivirus scanners) write to them.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', helpAfter(`
Results go to standard output (--json: JSON only); progress, warnings and errors to standard error.
Exit codes: 0 done; 1 a check failed (an invariant, a storm, a recording the engine disagrees with); 2 bad usage or
bad input (a log's errors as file:line:column: message; a run refused for needing more engine work than --max-work
or outgrowing memory; an output file that could not be written, a finding printed in full first, or standard output
that could not be written: a full disk); 3 a check that could not finish (explore cut short by --max-states or a
full heap, with nothing found, or whose paths run again reached other states: a design that is not a function of its
inputs, not name-blind as it declares, or acting on a time's value or a document's seq; verify whose cases end
otherwise on a copy of the design loaded anew, or whose every violation ran otherwise when its case ran again;
explore whose storms are NOT decided; replay of a counterexample whose claim is not checked, or whose design modules
are not functions of their inputs; run or compare of a design module that, run again, ends otherwise; a violation or storm found is 1 all the
same, with the warning); 70 an internal error (a bug in replstorm:
please report it); 129/130/143 interrupted (SIGHUP, SIGINT, SIGTERM: no output file is left half-written, and one written before the signal is named; send it to replstorm's process, or its process group: npx and pnpm do not pass on a signal sent to them alone); 141 the
reader of standard output or error closed it while the command was still running (its progress lines); every command
writes its results once it has them, so \`| head\` keeps the command's own code.`))
    .exitOverride();
  const designOpt = () => new Option('--design <name=path>', 'make a researcher\'s design module available under a name (trusted code: it runs; repeatable)').argParser(collectDesign);

  // What replay and run share: the outputs of a simulated run.
  // `source`: what the inputs come from, for the help's words (run's help spoke of "the log" and of a recording).
  const withRunOutputs = (cmd: Command, source: 'log' | 'scenario') =>
    cmd
      .option('--json', `print the summary object (event-log.md) as JSON, and nothing else on stdout${source === 'log' ? '; a recording adds `recording` ({checked, mismatch?}), a counterexample `claim` ({recordedBy, invariant, claimed, reproduced, checked, message?, unchecked?, notDeterministic?})' : ''}`)
      .option('--state', 'add the final state of every replica')
      .option('--what-if <design[:key=value,...]>', `the same inputs with another scanner design in place of each one the ${source} installs (servers without a scanner keep none), side by side; each keeps the ${source}'s settings the new design also has (its key, scanReplicatedWrites, a schedule, ...), then the ones given here (once); where the ${source} deletes documents, a row says how many each run has back where they were deleted (R6)`, collect)
      .option('--blame', 'revisions and conflicts by actor and cause, following via chains')
      .option('--report <file.html>', 'write a self-contained HTML report (summary; for a run of at most 300 inputs, such as a counterexample, each input and what followed it; timeline charts; blame by actor and by cause)')
      .option('--record <file>', 'write the complete log (inputs and derived events) that replay reproduces to the same digest')
      .option('--max-work <n>', 'refuse a run needing more than this many pieces of engine work between two input events (default 20,000,000, of which at most 1,000,000 periodic actions: scheduled scans, connections, cluster ticks; a value given bounds both)', parseNonNegativeInt('--max-work'))
      .addOption(designOpt());

  withRunOutputs(
    program
      .command('replay')
      .description('replay a recorded v1 event log (a file, or - for standard input): simulate, summarise, check recorded derived events, and check again the violation a counterexample of verify or explore claims (exit 1 when the violation does not happen again)')
      .argument('<log>', 'the log file, or - for standard input')
      .option('--max-run <ms>', 'stop this long after the last input event (default 7 days)', parseNonNegativeInt('--max-run'))
      .option('--max-scanner-revisions <n>', 'for a log of input events: cut the run short at the next instant once its scanners have saved more than this many revisions, as run does (default: no budget); each run of --what-if has the same budget, and for a recording, whose own run is checked as recorded, it cuts the --what-if run alone', parseNonNegativeInt('--max-scanner-revisions'))
      .option('--strict', 'warn about what a hand-written log most likely did not mean: fields the format does not know (a scanner setting its design lacks too: passed over), a key written twice, a save that sets and removes one item, a partition into two groups or more leaving servers out (they form one more group), a connection scheduled twice, a cluster, server or database name differing only in case from another (two of them), an actor kind differing only in case from another or from the engine\'s (counted apart), an input by one of the engine\'s own actors (scanner/, replicator/, router/: counted as theirs), a partition naming no server (a heal), a replicate without db between servers holding no database in common (nothing to replicate)')
      // (An operator's QA pass: the exit codes were only in the top-level help, and what a mismatch writes only in the README.)
      .addHelpText('after', helpAfter(`
A log with derived events is a recording: each is checked against the engine's, and the first that differs is named
as file:line:column. A counterexample that verify or explore wrote has its claim checked again ("reproduced").
Exit codes: 0 replayed (and the recording agrees, and a counterexample's claim is reproduced); 1 the
recording disagrees with the engine (the run's results are still printed, and --record, --report written: they show
what the engine derived; but a recording cut before its end, which the engine derives past, stops there: no summary,
nothing written, under --json only "recording" with "endedShort"), or a counterexample's violation does not happen again ("reproduced NO"); 2 bad input
(file:line:column: what is wrong; nothing written), also a counterexample whose claim is that the design's code threw
or its decision was refused: the failure, at its line, is the claim reproduced; 3 a counterexample's claim not
decided: not checked ("reproduced    not checked: ...", and why: a property's check that replay does not run, an
invariant it does not know, a header naming another design than the log installs, more than 10,000 inputs), or its
design modules are not functions of their inputs (two runs ended otherwise);
129/130/143 interrupted (nothing half-written). See replstorm --help.`)),
    'log',
  ).action((log: string, o) => cmdReplay(log, o));

  withRunOutputs(
    program
      .command('run')
      .description('run a built-in scenario (see: replstorm scenarios)')
      .argument('<scenario>', 'scenario name, e.g. smsdom-storm')
      .option('--set <key=value>', 'a scenario parameter (repeatable)', collect)
      .option('--seed <n>', 'the scenario\'s seed, 0..4294967295 (default: the scenario\'s own, see replstorm scenarios)', parseNonNegativeInt('--seed'))
      // Hidden, and refused with the reason: a scenario's last input is its `end` (horizonMs), so a cap after the
      // last input never applied; the option was offered and changed nothing (a mutation audit).
      .addOption(new Option('--max-run <ms>').hideHelp())
      .option('--max-scanner-revisions <n>', 'cut the run short at the next instant once its scanners have saved more than this many revisions (default: no budget): a storm then gives its summary, report and recording (with an end event where it stopped) instead of running until memory runs out; each run of --what-if has the same budget', parseNonNegativeInt('--max-scanner-revisions'))
      // (A user's QA pass: run, compare, explore, scenarios and designs gave no exit codes; replay and verify did.)
      .addHelpText('after', helpAfter(`
A run that installs a design module (--design), or runs one as its --what-if, is run once more with the modules
loaded anew, after its summary and outputs: a final state that differs means a design is not a function of its
inputs (Math.random, Date.now): a WARNING on standard error, exit 3 (under --json too: the summary is the first run's,
printed once the run again is checked, with \`notReproducible\` saying so; with --state, printed at once, its \`reproducibility\` saying that the check follows).
Exit codes: 0 done; 2 bad input (an unknown scenario, parameter or design, a value out of range; a design that
failed to load, whose code threw or whose decision was refused; a run refused for needing more engine work than
--max-work or outgrowing memory; an output that could not be written, which comes first: the run is not run
again); 3 a design module's run (or --what-if), run again, ended otherwise: another state, its code throwing or a
refusal at --max-work there (its summary, report and recording are written: that run's; outgrowing memory there
is a note, 0); 129/130/143 interrupted (nothing half-written). See replstorm --help.`)),
    'scenario',
  ).action((name: string, o) => cmdRun(name, o));

  program
    .command('verify')
    .description('run the invariant suite on a design (built-in name or path to a module); failures write a replayable counterexample')
    .addHelpText('after', helpAfter(`
Verdict: FAILED when an invariant is violated, or when something the suite needs never happened in its random cases
(VACUOUS: no scan performed, no replicated arrival, or no stamping by a design that does not declare every kind of scan
read-only). A design states what it guarantees in \`promises\`: its readOnlyKinds are the scans the read-only invariant
holds it to (none declared: n/a); quiescence and no-scanner-conflicts hold every design to them whether it promises
quiescent and noConflicts or not (a design that never promised "no conflicts" still FAILS on one), and so does
no-scanner-reappearances: no document a user deleted, which the design saved, is back where it was deleted at the
end where a scanner that only cleans leaves it deleted (R6: a deletion loses to a copy saved more than once since, or
after it; a stamp is a save).
Writing a design: a module whose default export (or export named design) is {name, description, defaults, scan(ctx)}; scan calls
ctx.virusScan() and returns {verdict, set?, remove?, remember?}. A dozen lines: examples/designs/stamp-if-missing.ts;
the contract: README, "Writing a design" (and ScannerDesign in packages/scenarios/src/design.ts).
A design module is loaded once, and every case runs on it: after the suite, 8 more cases drawn from the seed run on
the copy it used and on a copy loaded anew, and if one ends otherwise the design acts on something kept from earlier
runs (a module-level variable): a WARNING, and the verdict is NOT DECIDED.
Exit codes: 0 every invariant held, 1 FAILED, 2 bad input or a design that failed to load, 3 NOT DECIDED (a design
module whose cases end otherwise on a copy loaded anew, nothing violated; or every violation found ran otherwise when
its case ran again, so its log does not show it from a fresh start) (see replstorm --help).`))
    .argument('<design>', 'a built-in design name or a path to a design module (.ts/.js)')
    .option('--runs <n>', 'random cases per invariant', parseNonNegativeInt('--runs', 1), 100)
    .option('--seed <n>', 'seed, 0..4294967295 (default: a random one, printed; give it again to reproduce)', parseNonNegativeInt('--seed', 0, 0xffffffff))
    .option('--config <key=value,...>', 'the design\'s configuration on every server')
    .option('--out <dir>', `where counterexample logs go (default: ${DEFAULT_OUT})`)
    .option('--json', 'print the result as JSON')
    .option('--max-work <n>', 'refuse a case needing more than this many pieces of engine work between two input events (default 20,000,000, of which at most 1,000,000 periodic actions: scheduled scans, connections, cluster ticks; a value given bounds both); a refused case ends verify with exit 2, no verdict', parseNonNegativeInt('--max-work'))
    .addOption(designOpt())
    .action((d: string, o) => cmdVerify(d, o));

  program
    .command('compare')
    .description('run one scenario once per design and print the cost table (default: the seed\'s designs and fixes)')
    .argument('[designs...]', 'designs as name[:key=value,...]')
    .option('--scenario <name>', 'scenario', 'smsdom-storm')
    .option('--set <key=value>', 'a scenario parameter (repeatable)', collect)
    .option('--max-scanner-revisions <n>', 'cut a design\'s run short past this many scanner revisions (default 150,000; the row is then marked as cut short)', parseNonNegativeInt('--max-scanner-revisions'))
    .option('--json', 'print the rows as JSON')
    .addOption(designOpt())
    .addHelpText('after', helpAfter(`
With --set userDeletes=N (users delete N documents), a column "deleted back" gives the documents back where they
were deleted at the end, of those the row's run deleted (R6: a deletion loses to a copy saved more than once since
the two parted, or saved after it, and a stamp is a save; a row cut short counts at its cut, marked *); every row's
\`documentsDeleted\` and \`deletionsUndone\` under --json (0 without deletions).
Where a row leaves document copies infected at the end (--set infectedShare=...), a column "infected left" gives
them, whether a scan passed them (missed) or none reached them (noop: no scheduled pass reaches it); a row cut short
counts at its cut, marked *, an upper bound (scans only clean); every row's \`infectedCopiesLeft\` under --json.
A row of a design module (--design) is run once more with the module loaded anew: a final state that differs is
said below the table (NOT REPRODUCIBLE; under --json in \`notReproducible\`, each by its \`row\` index and label); one
that outgrew memory when run again is said not checked (\`reproducibilityUnchecked\`), exit 0.
Exit codes: 0 the table was printed (a design's storm or conflicts are its figures, not a failure); 2 bad input (an
unknown scenario, design or setting; a design that failed to load, whose code threw or whose decision was refused:
then the other designs' rows are printed first, the failure below them, and under --json in \`failed\`); 3 a
module's row, run again, ended otherwise (the table is printed; a failed row's 2 comes first); 129/130/143
interrupted.
See replstorm --help.`))
    .action((d: string[], o) => cmdCompare(d, o));

  program
    .command('explore')
    .description('check every interleaving of actions up to a depth (breadth first: the shortest counterexample), and look for storm cycles')
    .argument('<scenario>', 'scenario name (smsdom-storm)')
    .option('--set <key=value>', `a scenario parameter (repeatable); exploration defaults: ${Object.entries(EXPLORE_DEFAULTS).filter(([k]) => !Object.prototype.hasOwnProperty.call(EXPLORE_REFUSED, k)).map(([k, v]) => `${k}=${v}`).join(' ')}; refused, as activity on a clock rather than actions: ${Object.keys(EXPLORE_REFUSED).join(', ')} (user saves: --user-actions)`, collect)
    .option('--depth <n>', 'actions per path (at least 1)', parseNonNegativeInt('--depth', 1), 6)
    .option('--invariant <name>', 'a safety invariant: no-conflict (any conflict, users\' included; the default without --user-actions), no-scanner-conflicts (a conflict the same path with scanners that only clean does not make: the design\'s own, as verify judges; the default with --user-actions, whose users\' concurrent saves conflict under any design), no-scanner-revision (repeatable)', collect)
    .option('--no-storms', 'do not look for storm cycles')
    .option('--max-states <n>', 'keep at most this many distinct states: the search stops at the first new state past them (a space of exactly that many is searched whole)', parseNonNegativeInt('--max-states', 1), 1_000_000)
    .option('--user-actions <n>', 'user saves allowed on a path (a save a scanner watches is tried late in its step too, its on-write scan after the next step\'s action)', parseNonNegativeInt('--user-actions'), 0)
    .option('--faults', 'also partitions, heals, crashes and restarts')
    .option('--no-symmetry', 'do not identify states of identically configured servers')
    .option('--no-partial-order', 'try every order of actions on different servers and documents (partial-order reduction is used unless periodic work runs between steps, or a design may write a time: scan-cache, tagIncludesScanTime, a design of yours)')
    .option('--out <dir>', `where counterexample logs go (default: ${DEFAULT_OUT})`)
    .option('--json', 'print the result as JSON')
    .addOption(designOpt())
    .addHelpText('after', helpAfter(`
Exit codes: 0 the search reached --depth (or exhausted the space) with no violation and no storm; 1 a violation or a
storm found (its shortest path written to --out as a log replay reproduces); 2 bad input; 3 the search could not
finish: cut short by --max-states or a full heap with nothing found, storms NOT decided (replication steps alone still
stamping at the last depth, with no loop closed; or a loop closed that its path, run, does not repeat), or a design whose paths run again reached other states (not a
function of its inputs, not name-blind as it declares, or acting on a time's value or a document's seq); a violation
or storm found is still 1, with the warning; 129/130/143 interrupted. See replstorm --help.`))
    .action((name: string, o) => cmdExplore(name, o));

  program.command('scenarios').description('list the built-in scenarios and their parameters').option('--json', 'as JSON').addHelpText('after', helpAfter('\nExit codes: 0 listed; 2 bad usage. See replstorm --help.')).action((o) => cmdScenarios(o));
  program
    .command('designs')
    .description('list the scanner designs, their settings and promises')
    .option('--json', 'as JSON')
    .addOption(designOpt())
    .addHelpText('after', helpAfter('\nExit codes: 0 listed; 2 bad usage, or a --design module that failed to load or is not a design. See replstorm --help.'))
    .action((o) => cmdDesigns(o));
  return program;
}

/**
 * An option that takes one value, given twice, is refused, as a --set key or a --design name given twice is (the last
 * was kept without a word: `--record a --record b` wrote b alone; hostile-input QA). Repeatable options (`collect`)
 * are not touched.
 */
function refuseRepeatedOptions(program: Command): void {
  for (const cmd of [program, ...program.commands]) {
    const given = new Map<string, string>();
    for (const opt of cmd.options) {
      const parse = opt.parseArg as ((value: string, previous: unknown) => unknown) | undefined;
      if ((!opt.required && !opt.optional) || parse === collect || parse === collectDesign) continue;
      const name = opt.long ?? opt.flags;
      opt.argParser((value: string, previous: unknown) => {
        const first = given.get(name);
        if (first !== undefined) throw new UsageError(`${name} is given twice (${JSON.stringify(first)} and ${JSON.stringify(value)}): give it once`);
        given.set(name, value);
        return parse === undefined ? value : parse(value, previous);
      });
    }
  }
}

/**
 * An option whose value is missing takes the next option for it: `replay x.jsonl --what-if --report o.html` read
 * "--report" as the design and then refused "o.html" as "too many arguments for 'replay'", naming neither (a QA
 * pass). [choice] A value that is one of the command's own options (`--report`, `--report=x`) is refused, naming the
 * option left without a value; any other value starting with "-" is passed on (a file may be named so).
 */
function refuseOptionsAsValues(program: Command): void {
  for (const cmd of [program, ...program.commands]) {
    const longs = new Set(cmd.options.flatMap((o) => (o.long !== undefined ? [o.long] : [])));
    for (const opt of cmd.options) {
      if (!opt.required) continue;
      const parse = opt.parseArg as ((value: string, previous: unknown) => unknown) | undefined;
      const name = opt.long ?? opt.flags;
      opt.argParser((value: string, previous: unknown) => {
        // (--help and -h are commander's own, not among the command's options.)
        const asOption = value === '-h' ? value : value.startsWith('--') ? value.split('=')[0]! : undefined;
        if (asOption !== undefined && (longs.has(asOption) || asOption === '--help' || asOption === '-h')) throw new UsageError(`${name} needs a value, and the next argument is the option ${asOption}: give ${name} its value (${opt.flags})`);
        return parse === undefined ? value : parse(value, previous);
      });
    }
  }
}

/** Runs the CLI with these arguments (without node and the script); returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // pnpm passes a literal `--` through to scripts.
  const args = argv[0] === '--' ? argv.slice(1) : argv.slice();
  currentFile = undefined;
  // (A command's own outputs: main runs once per process, and again per call where tests run it in one.)
  forgetCommittedOutputs();
  const program = buildProgram();
  refuseRepeatedOptions(program);
  refuseOptionsAsValues(program);
  // `help help` is `help` (commander took it for a command named help it did not know: exit 2).
  while (args[0] === 'help' && args[1] === 'help') args.splice(1, 1);
  // `help bogus` printed the general help without saying that there is no such command (hostile-input QA).
  if (args[0] === 'help' && args[1] !== undefined && !args[1].startsWith('-') && !program.commands.some((c) => c.name() === args[1] || c.aliases().includes(args[1]!))) {
    process.stderr.write(`replstorm: unknown command '${printable(args[1])}' (the commands: ${program.commands.map((c) => c.name()).filter((n) => n !== 'help').join(', ')})\n`);
    return 2;
  }
  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (err) {
    removePendingOutputs();
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      // No command at all: the help goes to stderr, as a usage error.
      if (err.code === 'commander.help') return err.exitCode === 0 ? 0 : 2;
      if (err.code === 'commander.executeSubCommandAsync') return 0;
      return 2;
    }
    if (err instanceof LogError && err.line === 0 && currentFile === undefined) {
      process.stderr.write(`replstorm: ${err.message}\n`);
      return 2;
    }
    const { code, message } = describeError(err, currentFile);
    // `file:line:column: message` exactly (event-log.md, "Errors"); other messages say who is speaking.
    const located = ((err instanceof LogError || (err instanceof UsageError && err.at !== undefined)) && currentFile !== undefined) || (err instanceof CheckFailed && err.located);
    if (message !== '') process.stderr.write(`${code === 70 || located ? '' : 'replstorm: '}${message}\n`);
    return code;
  }
}

/**
 * What a command has finished and not yet printed, to print before a signal ends it (run --json's result held through
 * the run again of its design modules): set while it waits, cleared once printed.
 */
let beforeInterruptExit: ((sig: keyof typeof SIGNAL_CODES) => void) | undefined;

// 128 + the signal's number, as a shell reports it. SIGHUP: the terminal closed (its message may go nowhere).
const SIGNAL_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

/** What a signal does: half-written outputs removed, a word said, the signal's exit code. */
function interrupted(sig: keyof typeof SIGNAL_CODES): never {
  removePendingOutputs();
  const before = beforeInterruptExit;
  beforeInterruptExit = undefined;
  try {
    before?.(sig);
  } catch {
    // (Standard output closed: the signal's exit stands.)
  }
  try {
    // (What was written before the signal stays, complete: said by name, as the exit code alone says "interrupted".)
    const written = committedOutputs();
    process.stderr.write(`\nreplstorm: interrupted (${sig}); ${written.length > 0 ? `${written.length === 1 ? 'this output was' : 'these outputs were'} written before it, complete, in place of any file there before: ${written.join(', ')}; no other` : 'no'} output file was left half-written\n`);
  } catch {
    // (No terminal to write to.)
  }
  if (readMayBlockExit()) {
    // [choice] A read of a pipe may hold a worker thread that process.exit would wait for, for ever: the process ends
    // by the signal itself (its default action, the listeners taken off), which a shell reports as the same 130, 143
    // or 129, as interruptible's signals do. Only then: a program sees a signal, not an exit code.
    process.removeAllListeners(sig);
    process.kill(process.pid, sig);
  }
  process.exit(SIGNAL_CODES[sig]);
}

/**
 * Runs `work`, synchronous (a search, a comparison's rows, verify's runs), so that Ctrl-C stops it where it is. Node
 * runs a signal's handler between tasks only: a long computation held SIGINT until it ended, and a design's scan
 * stuck in a loop held it for ever (a researcher's QA pass: compare printed its whole table before "interrupted"; a
 * looping design stopped only with SIGKILL). vm's `breakOnSigint` ends the running script at SIGINT, wherever it is
 * (a design's own try/catch cannot keep it: V8 ends the script, not by an exception).
 * SIGTERM and SIGHUP have no such watchdog: their listeners (runCli) ran only once the search was over, after it had
 * printed its findings and written its logs (an explore of 46 s went on to its end; a hostile-input audit). While
 * the work runs and this process holds no file on disk (no temporary output, no directory made for one: explore
 * tries its --out before the search and makes it only to write a log), the listeners are taken off, so those signals
 * do what they do to any program: end it where it is. [choice] The exit is then the signal's own (a shell reports
 * 143 or 129, as listed in --help), without the "interrupted" line the listener writes. When a file is held, the
 * listeners stay, so that it is removed, and the signal waits for the work as before. [limitation] replay and run
 * (which yield between turns of work) are not wrapped: a turn is cut short by a signal only between turns. Wrapping
 * each stretch of their work (a chunk of log, a slice) was tried where design modules run, and not kept: each vm call
 * takes SIGINT's listeners off and puts them back (Node's sigintHandlersWrap), and at thousands a second a Ctrl-C
 * met the gap, ending the process by the signal's default (temporary files left) or going unseen (1 of 100 runs
 * finished and wrote their outputs, exit 0: a review). A worker thread for the run would do it.
 */
function interruptible<T>(work: () => T, onInterrupt?: () => void): T {
  const off = holdsFiles() ? [] : signalListeners.filter(([sig, listener]) => sig !== 'SIGINT' && process.listeners(sig).includes(listener));
  for (const [sig, listener] of off) process.removeListener(sig, listener);
  try {
    return new Script('work()').runInContext(createContext({ work }), { breakOnSigint: true }) as T;
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') {
      onInterrupt?.();
      interrupted('SIGINT');
    }
    throw err;
  } finally {
    for (const [sig, listener] of off) process.on(sig, listener);
  }
}

/** A regular file's size (progress says how much of it was read); undefined for standard input, a pipe or a device. */
function regularFileSize(log: string): number | undefined {
  if (log === '-') return undefined;
  try {
    const st = statSync(log);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined; // (said when it is read)
  }
}

/** The listener runCli gives each signal of SIGNAL_CODES. */
const signalListeners = (Object.keys(SIGNAL_CODES) as (keyof typeof SIGNAL_CODES)[]).map((sig) => [sig, () => interrupted(sig)] as const);

/** The process around `main`: signals remove half-written outputs; an output closed by its reader ends the command (141). */
export function runCli(argv: readonly string[]): void {
  for (const [sig, listener] of signalListeners) process.on(sig, listener);
  // [choice] Standard output is replstorm's own (its tables, its JSON), written with process.stdout: what a design
  // module prints through `console` (a researcher's debugging line) goes to standard error. It came out ahead of the
  // JSON, which no longer parsed: `verify --json` of a design logging each scan printed 685 lines before it (a CLI QA
  // pass). (A module writing to process.stdout itself is not caught.) The console's methods that write are taken from
  // one writing to standard error; the others (profile, timeStamp, ...) stay: a bare Console lacks them, and a module
  // calling console.timeStamp failed to load (a review).
  const toStderr = new Console({ stdout: process.stderr, stderr: process.stderr }) as unknown as Record<string, unknown>;
  for (const m of ['log', 'info', 'debug', 'dir', 'dirxml', 'table', 'trace', 'group', 'groupCollapsed', 'groupEnd', 'count', 'countReset', 'time', 'timeLog', 'timeEnd', 'assert', 'warn', 'error', 'clear']) {
    const f = toStderr[m];
    if (typeof f === 'function') (console as unknown as Record<string, unknown>)[m] = f.bind(toStderr);
  }
  // Whatever else ends the process (an error no one caught), no temporary file outlives it. (An operator's QA pass
  // saw a hidden temporary file left in 3 of 8 Ctrl-C's of `pnpm replstorm replay --record` sent to the whole process
  // group. The cause, found by a later QA pass: the script ran the tsx command, which kills its child with SIGKILL
  // when it does not answer a relayed signal within 60 ms, and no handler runs then. The script runs node with tsx's
  // hooks since: interrupt.test.ts, "Ctrl-C through the replstorm script".)
  process.on('exit', () => removePendingOutputs());
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    // The reader went away (`| head`): stop, as a tool killed by SIGPIPE would (128 + 13), unless the command has
    // finished: its own code stands. (Exit 0 here turned a failed check into a pass: hostile-input QA.)
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 141);
    // Any other failure lost the output: `--json > out.json` on a full disk (ENOSPC) exited 0 with the file cut short
    // or empty. Said, and exit 2, as for an output file that could not be written (a finding the command made is not
    // hidden by it: 2 is a failure too, and the message says the output is what failed).
    process.stderr.write(`replstorm: ${describeError(e, 'standard output').message} (the output is incomplete)\n`);
    process.exit(2);
  });
  // Standard error gone (`2>&1 | head -1`, a full disk under `2>file`): nothing can be said, but the exit code still
  // says what happened (the error went uncaught: exit 1, a failed check, for a refused log). As for standard output:
  // the command's own code once it has finished, else 141 for a reader gone, 2 for an output lost.
  process.stderr.on('error', (e: NodeJS.ErrnoException) => process.exit(process.exitCode ?? (e.code === 'EPIPE' ? 141 : 2)));
  // [choice] A process ended with code 0 before the command finished was ended by code that is not replstorm's: a
  // design module calling process.exit(0) (while it loads, or in a scan). Its 0 read as a verdict, "every invariant
  // held", with nothing printed (a CLI QA pass). It is exit 2, bad input, said. (Any other code it chose stands.)
  let finished = false;
  process.on('exit', (code) => {
    if (finished || code !== 0) return;
    try {
      process.stderr.write('replstorm: the process was ended (exit 0) before the command finished, by code that is not replstorm\'s or left with nothing to wait for: a design module calling process.exit, or one whose loading never settles (a top-level await)? The command did not finish: what it prints and writes at its end was not\n');
    } catch {
      // (No standard error to write to: the exit code says it.)
    }
    process.exitCode = 2;
  });
  void main(argv).then((code) => {
    finished = true;
    process.exitCode = code;
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) runCli(process.argv.slice(2));

