import { freeze } from 'immer';
import {
  LogError,
  nearestName,
  Revisions,
  behaviourTimingProblem,
  attachmentsOf,
  filesOf,
  type Attachment,
  type Behaviour,
  type BehaviourFactory,
  type InputEvent,
  type InstallContext,
  type ItemValue,
  type Note,
  type ScanDecision,
  type ScanInput,
  type ScanKind,
  type WriteNotice,
} from '@replstorm/core';

/** The virus scan as the model knows it: which attachments are infected, and the `$FILE` list without them. */
export interface VirusScanResult {
  readonly infected: boolean;
  readonly clean: readonly Attachment[];
}

/** What a design's `scan` sees: the core's scan input, its configuration, and the model's virus scan. */
export interface DesignScanContext<C> extends ScanInput {
  readonly config: C;
  /**
   * Scans the attachments (the model knows which are infected). Calling it is what "performing a scan" means: the
   * decision's verdict is then "clean" or "infected", and "skipped" is refused (the design's error: `skipped` counts a
   * scan avoided, by a verified tag or a cache, so the cost table would show a scan paid for as saved). A verdict
   * "clean" or "infected" is counted as a scan performed whether or not it was called: the `scanned` event records the
   * verdict alone (event-log.md), and a document called clean unscanned is what `missed` counts. Only this call is
   * counted: `virusScanOf`, exported for designs that wrap another, scans unseen (a design calling it and returning
   * "skipped" passes the check).
   */
  virusScan(): VirusScanResult;
}

/**
 * What a design promises: `designs` and verify print it beside the verdict. `readOnlyKinds` decides which scans the
 * read-only invariant holds to no writes (none declared: not applicable); every other invariant is checked whatever
 * the design promises (it read "the invariant suite holds it to these": a contributor's QA pass).
 */
export interface DesignPromises {
  /** Kinds of scan that never save a clean document (cleaning an infected one is the only write allowed). */
  readonly readOnlyKinds?: readonly ScanKind[];
  /** With no user writes, scanner revisions stop within a bounded number of cluster intervals. */
  readonly quiescent?: boolean;
  /** Scanner writes never cause a replication conflict. */
  readonly noConflicts?: boolean;
}

/**
 * A scanner design (or any agent that scans and writes documents). Pure: everything it may depend on is in its
 * arguments; it decides, the engine does. Every write it returns is an ordinary save by `scanner/<name>` (R1, R13).
 * Memory between scans goes through `remember` (the server's store, part of the run's state): a module-level variable
 * would outlive the run, and verify's cases and compare's rows would see each other's state (README, "Writing a
 * design").
 */
export interface ScannerDesign<C extends object = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  /** The configuration's defaults; a `scanner` event's `config` overrides them field by field. */
  readonly defaults: C;
  /** One line per configuration field, for `replstorm designs`. */
  readonly configHelp?: Readonly<Partial<Record<keyof C, string>>>;
  /** What the design promises, possibly depending on its configuration. */
  readonly promises?: DesignPromises | ((config: C) => DesignPromises);
  /**
   * Refuses a configuration the design cannot run, beyond the types the defaults give (throws
   * `LogError('BAD_CONFIG', ...)` naming the field, e.g. `field "config.key": ...`). Called when installed.
   */
  check?(config: C): void;
  /** Whether messages in mail.box are scanned (default true). */
  scansMail?(config: C): boolean;
  /** Virtual time per document scan (default 10 ms). */
  scanMsPerDoc?(config: C): number;
  /** Scheduled passes every this many ms from the `scanner` event on; undefined: none. */
  scheduleEveryMs?(config: C): number | undefined;
  /** Whether this write triggers an on-write scan (default: saves made on the server, not arrivals). */
  watches?(write: WriteNotice, config: C): boolean;
  /** Whether this server runs scheduled passes (default: every server). */
  runsScheduledPass?(where: { server: string; cluster: string | undefined; clusterMembers: readonly string[] }, config: C): boolean;
  /**
   * True when nothing the design decides depends on a server's name (`server`, `clusterMembers` and their order), only
   * on what it is given otherwise: then two servers configured alike are interchangeable, and `explore` may identify
   * states that differ by swapping them (symmetry reduction). [choice] Default false: a design that says nothing is
   * searched under every renaming, which is slower but never misses a path (cluster-aware, which scans on the first
   * member by name only, would be unsound under symmetry: 9 states instead of 11 at depth 2).
   */
  readonly symmetric?: boolean;
  scan(ctx: DesignScanContext<C>): ScanDecision;
}

/** Identity function that gives a design object its type: `export default defineDesign({ ... })`. */
export function defineDesign<C extends object>(design: ScannerDesign<C>): ScannerDesign<C> {
  return design;
}

/** The model's virus scan of a note's attachments. */
export function virusScanOf(note: Note): VirusScanResult {
  const files = attachmentsOf(note);
  // Nothing infected (nearly every scan): the list itself, read-only, not a filtered copy of it (a copy per scan was a
  // hundredth of an exploration's time).
  let infected = false;
  for (const a of files) if (a.infected === true) infected = true;
  return infected ? { infected, clean: files.filter((a) => a.infected !== true) } : { infected, clean: files };
}

/**
 * virusScanOf of the note the engine handed to a scan (its own: Note.files holds for it), whose attachments are not
 * read when the note says none is infected.
 */
function virusScanOfScanned(note: Note): VirusScanResult {
  return filesOf(note) === 1 ? { infected: false, clean: attachmentsOf(note) } : virusScanOf(note);
}

/** The items a design writes to clean an infected document: the infected `$FILE` entries go (the item too if none is left). */
export function cleaningWrites(result: VirusScanResult): { set: [string, ItemValue][]; remove: string[] } {
  return result.clean.length > 0 ? { set: [['$FILE', result.clean]], remove: [] } : { set: [], remove: ['$FILE'] };
}

/**
 * Merges a `scanner` event's configuration over a design's defaults. A field of the wrong type is refused with
 * LogError('BAD_CONFIG') naming it. A field the design does not know is refused too (`ignoreUnknown` false: what a
 * user types, --config, --set config=, --what-if, so a typo never silently runs the default), or passed over
 * (`ignoreUnknown` true: a log's `scanner` event). [choice] event-log.md: "readers ignore fields they do not know (and
 * `--strict` says so)", and it calls a configuration's keys fields ("Every field is optional"): a log written for a
 * design with a setting this one lacks replays (a spec audit: it was refused, exit 2), and `replay --strict` names
 * the field (simulateStream).
 */
export function resolveConfig<C extends object>(design: ScannerDesign<C>, config: Readonly<Record<string, unknown>>, ignoreUnknown = false): C {
  const out: Record<string, unknown> = { ...(design.defaults as Record<string, unknown>) };
  for (const key of Object.keys(config)) {
    if (!Object.prototype.hasOwnProperty.call(design.defaults, key)) {
      if (ignoreUnknown) continue;
      const has = Object.keys(design.defaults);
      // (With the nearest setting's name, as the log reader gives it: --what-if and --set config=... gave the list alone.)
      throw new LogError('BAD_CONFIG', `field "config.${key}": the design "${design.name}" has no such setting${nearestName(key, has)} (${has.length > 0 ? `it has: ${has.join(', ')}` : 'it has none'})`, { field: `config.${key}` });
    }
    const want = (design.defaults as Record<string, unknown>)[key];
    const got = config[key];
    if (want !== undefined && want !== null && got !== undefined && typeof got !== typeof want) {
      const shown = typeof got === 'object' && got !== null ? (Array.isArray(got) ? 'an array' : 'an object') : JSON.stringify(got);
      throw new LogError('BAD_CONFIG', `field "config.${key}": expected a ${typeof want}, got ${shown}`, { field: `config.${key}` });
    }
    out[key] = got;
  }
  return out as C;
}

/**
 * The schedule a design gives itself whatever the scenario sets: what its `scheduleEveryMs(config)` returns when that
 * does not change with its `scheduleEveryMs` setting (if it has one: tried at 0, the scenario's "no scheduled scans on
 * this server", and at two schedules). A design whose schedule is fixed (`scheduleEveryMs: () => 1_800_000`) runs its
 * passes on every server, so the scenario's scanEveryMs and scanServers do not reach it (a QA pass: `--set
 * scanServers=first` changed nothing, and compare's note said the design scanned only on writes). One that reads its
 * setting and falls back to an interval of its own at 0 is reached by the scenario, and is not such a design (a later
 * QA pass). undefined when it gives none, or when its code throws (the run that installs it then reports that, as the
 * design's error).
 */
export function selfSchedule(design: ScannerDesign<object>, config: Readonly<Record<string, unknown>>): number | undefined {
  if (design.scheduleEveryMs === undefined) return undefined;
  const has = Object.prototype.hasOwnProperty.call(design.defaults, 'scheduleEveryMs');
  const at = (every: number | undefined) => scheduleOf(design, every === undefined ? config : { ...config, scheduleEveryMs: every });
  const v = at(has ? 0 : undefined);
  if (v === undefined || (has && (at(3_600_000) !== v || at(60_000) !== v))) return undefined;
  return v;
}

/**
 * Why the scenario's schedule (scanEveryMs, scanServers) cannot reach a design, or undefined when it can: it declares
 * no `scheduleEveryMs` setting, or has one that no `scheduleEveryMs(config)` reads. `run` refuses the settings for it,
 * `compare` says it beside the row: one reason, worded once.
 */
export function scheduleGap(design: ScannerDesign<object>): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(design.defaults, 'scheduleEveryMs')) return 'declares no scheduleEveryMs setting';
  if (design.scheduleEveryMs === undefined) return 'has a scheduleEveryMs setting but no scheduleEveryMs(config) that returns it';
  return undefined;
}

/** What the design's `scheduleEveryMs(config)` returns for this configuration (over its defaults): an interval > 0, or undefined (none, or its code threw). */
export function scheduleOf(design: ScannerDesign<object>, config: Readonly<Record<string, unknown>>): number | undefined {
  if (design.scheduleEveryMs === undefined) return undefined;
  try {
    const v: unknown = design.scheduleEveryMs(resolveConfig(design, config, true));
    return typeof v === 'number' && v > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Installs a design on one server: the core's Behaviour. An untrusted design (a researcher's module) is handed notes
 * deeply frozen with immer's `freeze`: the note is the engine's own, shared by every replica holding that version, and
 * a design that tried to change it would otherwise corrupt them all silently. Built-in designs are trusted and skip it
 * (it costs about as much as the scan itself at the seed's scale).
 */
export function toBehaviour<C extends object>(design: ScannerDesign<C>, rawConfig: Readonly<Record<string, unknown>>, _where: InstallContext, trusted = false, ignoreUnknown = false): Behaviour {
  const config = resolveConfig(design, rawConfig, ignoreUnknown);
  if (design.check !== undefined) guarded(design, () => 'checking its configuration', () => design.check!(config));
  // (immer freezes plain objects and arrays: a note's revision list, a class instance, is frozen on its own.)
  const guard = trusted ? (n: Note) => n : (n: Note) => (Revisions.freeze(n.revisions), freeze(n, true));
  // Every function of the design runs guarded: an exception from any of them is the design's error (DESIGN_FAILED),
  // never an internal one; a researcher's yes/no answer must be a boolean (a string "yes" would read as true).
  const ask = (doing: () => string, f: () => unknown): boolean => {
    const v = guarded(design, doing, f);
    if (trusted || typeof v === 'boolean') return v as boolean;
    throw designFailed(design, doing(), new Error(`it returned ${show(v)} (expected true or false)`));
  };
  const scanMsPerDoc = design.scanMsPerDoc === undefined ? 10 : guarded(design, () => 'giving its scan time (scanMsPerDoc)', () => design.scanMsPerDoc!(config));
  const scheduleEveryMs = design.scheduleEveryMs === undefined ? undefined : guarded(design, () => 'giving its schedule (scheduleEveryMs)', () => design.scheduleEveryMs!(config));
  const scansMail = design.scansMail === undefined ? true : ask(() => 'deciding whether it scans mail (scansMail)', () => design.scansMail!(config));
  const shared = trusted ? new ScanContext<C>(config, false) : undefined;
  return {
    actor: `scanner/${design.name}`,
    scanMsPerDoc,
    scheduleEveryMs,
    scansMail,
    watchesWrite: (w) => {
      if (design.watches === undefined) return w.origin === 'save';
      // `ask` written out: it is asked for every write and arrival (half a million at the seed's scale), and its two
      // closures per call were most of what a replicated arrival allocated.
      let v: unknown;
      try {
        v = design.watches(trusted ? w : { ...w, note: guard(w.note) }, config);
      } catch (err) {
        if (isLogError(err)) throw err;
        throw designFailed(design, watching(w), err);
      }
      if (trusted || typeof v === 'boolean') return v as boolean;
      throw designFailed(design, watching(w), new Error(`it returned ${show(v)} (expected true or false)`));
    },
    runsScheduledPass: (where) => {
      if (design.runsScheduledPass === undefined) return true;
      return ask(() => `deciding whether to run a scheduled pass on ${where.server}`, () => design.runsScheduledPass!(where, config));
    },
    scan: (input) => {
      // A class instance rather than an object literal with a closure: no allocation beyond the context itself. A
      // built-in design keeps nothing of its context (it reads it and returns a decision): one context per installed
      // behaviour is refilled for each of its scans (a quarter of a million at the seed's scale). A researcher's
      // design gets a context of its own each time: it may keep it.
      const ctx = shared !== undefined ? shared.fill(input, input.note) : new ScanContext<C>(config, true).fill(input, guard(input.note));
      let d: ScanDecision;
      try {
        d = design.scan(ctx);
      } catch (err) {
        if (isLogError(err)) throw err;
        throw designFailed(design, `scanning ${input.unid} in ${input.db} on ${input.server} at ${input.at} ms`, err);
      }
      // A researcher's design may return anything: what the engine would store is checked as a log's items are
      // (event-log.md), so a bad value is the design's error, not a crash inside the engine. Built-ins are trusted.
      // (In a function of its own: this closure runs for every scan, and its size is what V8 weighs to inline it.)
      if (!trusted) d = checkedDecision(design, input, ctx, d);
      return d;
    },
  };
}

/**
 * A researcher's design's decision, checked as returned (a getter, a hole or a cycle in what it remembers is named),
 * then read once into plain data, which is checked again and handed to the engine: reading runs the design's getters
 * (one that throws is the design's error), and a value read again could differ from the one checked ("clean" to the
 * check, "skipped" to the engine: a review). Throws the design's error (DESIGN_FAILED).
 */
function checkedDecision(design: { readonly name: string }, input: ScanInput, ctx: { readonly virusScans: number }, returned: ScanDecision): ScanDecision {
  const doing = () => `scanning ${input.unid} in ${input.db} on ${input.server} at ${input.at} ms`;
  let d = returned;
  let problem: string | undefined;
  try {
    problem = decisionProblem(d);
    if (problem === undefined) {
      d = plainData(d) as ScanDecision;
      problem = decisionProblem(d);
    }
    problem ??= d.verdict === 'skipped' && ctx.virusScans > 0 ? 'the verdict "skipped" after calling virusScan(): a scan performed is "clean" or "infected" ("skipped" counts a scan avoided, by a verified tag or a cache, in scans.skipped and compare\'s table)' : undefined;
  } catch (err) {
    if (isLogError(err)) throw err;
    throw designFailed(design, doing(), err);
  }
  if (problem !== undefined) throw designFailed(design, doing(), new Error(`it returned ${problem}`));
  return d;
}

/**
 * Installs a design once with this configuration, as a `scanner` event would, with the engine's check of its timings
 * (whole milliseconds >= 0): a tool can refuse a configuration before a run, naming its own option. Throws LogError.
 */
export function checkDesignInstall<C extends object>(design: ScannerDesign<C>, rawConfig: Readonly<Record<string, unknown>>): void {
  const b = toBehaviour(design, rawConfig, { server: '(check)', design: design.name, cluster: undefined }, TRUSTED_DESIGNS.has(design));
  const timing = behaviourTimingProblem(b, design.name);
  if (timing !== undefined) throw new LogError('BAD_CONFIG', timing);
}

/**
 * The design's promises under this configuration (raw `scanner` config, merged over the defaults). Throws LogError
 * (BAD_CONFIG, the CLI's exit 2) when they are not promises (promisesProblem).
 */
export function promisesOf<C extends object>(design: ScannerDesign<C>, rawConfig: Readonly<Record<string, unknown>> = {}): DesignPromises {
  const p = design.promises;
  let promises: unknown;
  if (typeof p !== 'function') promises = p ?? {};
  else {
    const config = resolveConfig(design, rawConfig);
    promises = guarded(design, () => 'stating its promises', () => p(config));
  }
  const problem = promisesProblem(promises);
  if (problem !== undefined) throw new LogError('BAD_CONFIG', `the design "${design.name}" promises ${problem}`);
  return promises as DesignPromises;
}

const SCAN_KINDS: readonly unknown[] = ['mail', 'on-write', 'scheduled', 'manual'] satisfies readonly ScanKind[];
const PROMISE_FIELDS: readonly string[] = ['readOnlyKinds', 'quiescent', 'noConflicts'];

/**
 * What is wrong with a design's promises (the object, or what its function returned), or undefined. [choice] Refused,
 * not passed over, as a decision's unknown field is: a kind misspelt in readOnlyKinds (`"sheduled"`) was a promise
 * never tested that verify's table listed as held, a field misspelt (`noConflict`) one never made, and a kind given
 * as a string instead of a list stopped verify with an internal error (exit 70): a researcher's review.
 */
export function promisesProblem(p: unknown): string | undefined {
  const kinds = '"mail", "on-write", "scheduled", "manual"';
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return `${show(p)} instead of an object {readOnlyKinds?, quiescent?, noConflicts?}`;
  for (const k of Object.keys(p)) {
    if (!PROMISE_FIELDS.includes(k)) return `the field ${JSON.stringify(k)}${nearestName(k, PROMISE_FIELDS)} (promises are readOnlyKinds, quiescent, noConflicts)`;
  }
  const { readOnlyKinds, quiescent, noConflicts } = p as Record<string, unknown>;
  if (readOnlyKinds !== undefined) {
    if (!Array.isArray(readOnlyKinds)) return `readOnlyKinds ${show(readOnlyKinds)}, not a list of scan kinds (${kinds})`;
    for (const k of readOnlyKinds as unknown[]) {
      if (!SCAN_KINDS.includes(k)) return `readOnlyKinds ${show(readOnlyKinds)}: ${show(k)}${typeof k === 'string' ? nearestName(k, SCAN_KINDS as string[]) : ''} is not a scan kind (${kinds})`;
    }
  }
  for (const [name, v] of [['quiescent', quiescent], ['noConflicts', noConflicts]] as const) {
    if (v !== undefined && typeof v !== 'boolean') return `${name} ${show(v)}, not true or false`;
  }
  return undefined;
}

const VERDICTS: readonly unknown[] = ['clean', 'infected', 'skipped'];
const DECISION_FIELDS: readonly string[] = ['verdict', 'set', 'remove', 'remember'];

/** The fields of a ScannerDesign (what `unknownDesignFields` knows). */
const DESIGN_FIELDS: readonly string[] = ['name', 'description', 'defaults', 'configHelp', 'promises', 'check', 'scansMail', 'scanMsPerDoc', 'scheduleEveryMs', 'watches', 'runsScheduledPass', 'symmetric', 'scan'];

/**
 * A design object's own fields that replstorm does not read, each with the known field it most likely means: a
 * typo (`promise`, `watch`) is otherwise a setting silently dropped. For the CLI to warn about (a design may carry
 * helpers of its own).
 */
export function unknownDesignFields(design: object): { field: string; hint: string }[] {
  return Object.keys(design).filter((k) => !DESIGN_FIELDS.includes(k)).map((field) => ({ field, hint: nearestName(field, DESIGN_FIELDS) }));
}

/**
 * `v` read once into plain data: arrays and plain objects (a null prototype kept) copied, their elements and own
 * enumerable fields read once each (a getter runs once); anything else as it is, for the check to name (a Promise, a
 * Set, a Map, a class instance), and a cycle left as it is where it closes, for the check to name too.
 */
function plainData(v: unknown, seen: Set<unknown> = new Set()): unknown {
  if (typeof v !== 'object' || v === null || seen.has(v)) return v;
  const proto: unknown = Object.getPrototypeOf(v);
  if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return v;
  seen.add(v);
  try {
    if (Array.isArray(v)) {
      const list = v as unknown[];
      return Array.from({ length: list.length }, (_, i) => plainData(list[i], seen));
    }
    const out = (proto === null ? Object.create(null) : {}) as Record<string, unknown>;
    // (defineProperty: an own field named __proto__ stays a field, not the copy's prototype.)
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: plainData((v as Record<string, unknown>)[k], seen), enumerable: true, writable: true, configurable: true });
    return out;
  } finally {
    seen.delete(v);
  }
}

/** What is wrong with a design's scan decision, or undefined: the shapes ScanDecision and event-log.md's item values allow. */
function decisionProblem(d: unknown): string | undefined {
  if (typeof d !== 'object' || d === null) return `${show(d)} instead of a decision {verdict, set?, remove?, remember?}`;
  if (typeof (d as { then?: unknown }).then === 'function') return 'a Promise instead of a decision: scan must decide at once (no async, no await)';
  // [choice] A field a decision does not have is refused, not passed over: `sett` for `set` was a stamp silently not
  // written, and `remeber` a cache that never filled, with nothing said (a researcher's review).
  for (const k of Object.keys(d)) {
    if (!DECISION_FIELDS.includes(k)) return `a decision with the field ${JSON.stringify(k)}${nearestName(k, DECISION_FIELDS)} (a decision has verdict, set, remove, remember)`;
  }
  const { verdict, set, remove, remember } = d as Record<string, unknown>;
  // Its size first, before any of it is quoted (writing a value out, to cut it, is what the limit is for).
  const chars = charsIn(set, 0) + charsIn(remove, 0) + charsIn(remember, 0);
  if (chars > MAX_DECISION_CHARS) {
    return `a decision of ${chars.toLocaleString('en-US')} characters or more (item names and values, attachment names, removals and what it remembers, together), where a scan's decision holds at most ${MAX_DECISION_CHARS.toLocaleString('en-US')} (a scanner writes tags and verdicts; Domino keeps large content in attachments, $FILE)`;
  }
  if (!VERDICTS.includes(verdict)) return `the verdict ${show(verdict)} (expected "clean", "infected" or "skipped")`;
  if (set !== undefined) {
    if (!Array.isArray(set)) return `a "set" that is ${show(set)}, not a list of [name, value] pairs`;
    for (const pair of set as unknown[]) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || pair[0] === '') return `a "set" entry ${show(pair)}, not a [name, value] pair with a non-empty name`;
      const problem = itemValueProblem(pair[0] as string, pair[1]);
      if (problem !== undefined) return `item "${pair[0] as string}" = ${show(pair[1])}: ${problem}`;
    }
  }
  if (remove !== undefined && (!Array.isArray(remove) || !(remove as unknown[]).every((n) => typeof n === 'string' && n !== ''))) return `a "remove" that is ${show(remove)}, not a list of item names`;
  if (remember !== undefined) {
    if (!Array.isArray(remember) || !(remember as unknown[]).every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string')) {
      return `a "remember" that is ${show(remember)}, not a list of [key, value] pairs`;
    }
    for (const [key, value] of remember as [string, unknown][]) {
      const problem = memoryProblem(value);
      if (problem !== undefined) return `"remember" key ${JSON.stringify(key)} with ${problem}`;
    }
  }
  return undefined;
}

const JSON_DATA = 'not JSON data (remember null, booleans, finite numbers, strings, and arrays and plain objects of those)';

/**
 * What is wrong with a value a design remembers, or undefined. The server's store is part of the run's state, and
 * explore identifies states by its JSON text: a value JSON cannot write (a BigInt) crashed the search, and one it
 * writes as something else (a Set or Map as `{}`, NaN as null) merged states the design tells apart (R16).
 * [choice] undefined at the top deletes the key (the simulator's decide); nowhere else.
 */
function memoryProblem(v: unknown): string | undefined {
  // Once per scan: the common values are answered before anything recursive or allocating.
  if (typeof v === 'string' || v === undefined || v === null || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `${v}, ${JSON_DATA}`;
  const problem = jsonDataProblem(v, '', []);
  return problem === undefined ? undefined : `${problem.what}${problem.at === '' ? '' : ` at ${problem.at}`}, ${problem.why ?? JSON_DATA}`;
}

/**
 * Values already checked and deeply frozen (so still JSON data): a design that remembers what it read back costs a
 * lookup, and data shared inside one value is walked once.
 */
const CHECKED_DATA = new WeakSet<object>();

/** The maximum nesting of a remembered value (a bound on the recursion, far beyond a researcher's memory). */
const MAX_MEMORY_DEPTH = 64;

/**
 * Checks that `v` is JSON data, and freezes every array and object in it. [choice] Frozen: the store is handed back to
 * the design, and explore shares a stored value between the states it snapshots; a value changed in place would
 * change states already hashed. A design that tries gets a TypeError (DESIGN_FAILED) saying the object is not
 * extensible or read-only. [choice] A plain object's own properties are read through their descriptors, so a getter,
 * a symbol key or a non-enumerable property (JSON.stringify would call the first and skip the others) is refused
 * rather than hashed as something it is not; an array's keys are only counted (its holes and extra properties), its
 * elements read as values.
 */
function jsonDataProblem(v: unknown, at: string, path: object[]): { what: string; at: string; why?: string } | undefined {
  if (typeof v === 'string' || v === null || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : { what: String(v), at };
  if (typeof v !== 'object') return { what: kindOf(v), at };
  if (CHECKED_DATA.has(v)) return undefined;
  if (path.includes(v)) return { what: 'a cycle', at, why: 'not JSON data (the value contains itself)' };
  if (path.length >= MAX_MEMORY_DEPTH) return { what: `nesting deeper than ${MAX_MEMORY_DEPTH}`, at, why: 'too deep to remember' };
  const proto = Object.getPrototypeOf(v) as unknown;
  path.push(v);
  try {
    if (Array.isArray(v) && proto === Array.prototype) {
      const xs = v as unknown[];
      if (Object.keys(xs).length !== xs.length) return { what: 'an array with holes or extra properties', at };
      for (let i = 0; i < xs.length; i++) {
        if (xs[i] === undefined) return { what: 'undefined', at: `${at}[${i}]` };
        const p = jsonDataProblem(xs[i], `${at}[${i}]`, path);
        if (p !== undefined) return p;
      }
    } else if (proto === Object.prototype || proto === null) {
      const props = Object.getOwnPropertyDescriptors(v);
      for (const k of Reflect.ownKeys(props)) {
        if (typeof k === 'symbol') return { what: `a symbol key ${String(k)}`, at };
        const d = props[k]!;
        const here = `${at}${/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`}`;
        if (!('value' in d)) return { what: 'a getter or setter', at: here };
        if (d.enumerable !== true) return { what: 'a non-enumerable property', at: here };
        if (d.value === undefined) return { what: 'undefined', at: here };
        const p = jsonDataProblem(d.value, here, path);
        if (p !== undefined) return p;
      }
    } else {
      return { what: kindOf(v), at };
    }
  } finally {
    path.pop();
  }
  CHECKED_DATA.add(Object.freeze(v));
  return undefined;
}

/** A value that is not JSON data, named so a person recognises it (JSON.stringify shows a Set as `{}`). */
function kindOf(v: unknown): string {
  if (typeof v === 'bigint') return `the BigInt ${v}n`;
  if (typeof v === 'symbol') return `a symbol (${String(v)})`;
  if (typeof v === 'function') return 'a function';
  if (typeof v !== 'object' || v === null) return String(v);
  const ctor = (Object.getPrototypeOf(v) as { constructor?: unknown } | null)?.constructor;
  const name = typeof ctor === 'function' && ctor.name !== '' ? ctor.name : undefined;
  if (name === undefined) return 'an object with a prototype of its own';
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
}

/** event-log.md: strings, finite numbers, booleans or arrays of those; `$FILE` a list of {name, bytes?, infected?}. */
function itemValueProblem(name: string, v: unknown): string | undefined {
  if (name.toLowerCase() === '$file') {
    if (!Array.isArray(v)) return 'expected a list of attachments {name, bytes?, infected?}';
    for (const a of v as unknown[]) {
      if (typeof a !== 'object' || a === null || typeof (a as { name?: unknown }).name !== 'string') return 'expected attachments with a string name';
      const { bytes, infected } = a as { bytes?: unknown; infected?: unknown };
      if (bytes !== undefined && (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0)) return 'an attachment\'s bytes must be a finite number >= 0';
      if (infected !== undefined && typeof infected !== 'boolean') return 'an attachment\'s infected must be a boolean';
    }
    return undefined;
  }
  if (scalar(v) || (Array.isArray(v) && (v as unknown[]).every(scalar))) return undefined;
  return 'expected a string, finite number, boolean, or a list of those (null and undefined are not values)';
}

/**
 * [choice] The most characters a scan's decision may hold: its item names and values, attachment names, removals and
 * what it remembers, together: 1 MiB. A design that wrote 200,000,000 characters ('x'.repeat, which V8 keeps as a
 * small rope until something reads it) to each of 40 documents passed the run's memory guard and ended the run at its
 * digest with V8's out-of-memory abort, exit 134 (a researcher's QA pass); so did 200 items of 1 MiB each, against a
 * cap on each item alone (a review). Domino's summary items hold at most 64 KB (16 MB with large summary support),
 * and a scanner's writes are tags and verdicts: a megabyte is far past any of them, and refusing it names the design
 * at the scan that wrote it (design-runs), as any other decision a design may not make. [limitation] A design that
 * writes up to the cap on every document of a large run can still outgrow memory where the strings are first read
 * whole (the end-of-run digest).
 */
const MAX_DECISION_CHARS = 1 << 20;

/**
 * The characters of the strings in `x` (and of plain objects' keys), counted without reading them (a string's length
 * is known without flattening it); stops counting past MAX_DECISION_CHARS, and below 32 levels (a cycle).
 */
function charsIn(x: unknown, depth: number): number {
  if (typeof x === 'string') return x.length;
  if (typeof x !== 'object' || x === null || depth > 32) return 0;
  let n = 0;
  if (Array.isArray(x)) {
    for (const v of x as unknown[]) {
      n += charsIn(v, depth + 1);
      if (n > MAX_DECISION_CHARS) break;
    }
  } else {
    for (const k of Object.keys(x)) {
      n += k.length + charsIn((x as Record<string, unknown>)[k], depth + 1);
      if (n > MAX_DECISION_CHARS) break;
    }
  }
  return n;
}

/** A scalar item value. At module level: tsx wraps a function made per call in its keepNames helper, each time. */
function scalar(x: unknown): boolean {
  return typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));
}

function show(x: unknown): string {
  if (x === undefined) return 'undefined';
  if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
  // What JSON cannot write is named (a researcher's QA pass: the BigInt 10n was shown as 10, a valid number).
  if (typeof x === 'bigint' || typeof x === 'symbol' || typeof x === 'function') return kindOf(x);
  if (typeof x === 'object' && x !== null && !Array.isArray(x) && Object.getPrototypeOf(x) !== Object.prototype && Object.getPrototypeOf(x) !== null) return kindOf(x);
  try {
    const s = JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n (a BigInt)` : v));
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(x);
  }
}

/** What a design was doing when its `watches` failed. */
function watching(w: WriteNotice): string {
  return `deciding whether to scan ${w.unid} on ${w.server}`;
}

/** Runs a design's code; an exception from it (a researcher's bug) becomes a LogError that says whose and where. */
function guarded<T>(design: { readonly name: string }, doing: () => string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (isLogError(err)) throw err;
    throw designFailed(design, doing(), err);
  }
}

/**
 * Whether what a design's code threw is replstorm's own error (passed on as it is). Never throws: `instanceof` asks a
 * Proxy's getPrototypeOf trap, and one that threw made the design's error an internal one (a hardening QA pass).
 */
function isLogError(err: unknown): boolean {
  try {
    return err instanceof LogError;
  } catch {
    return false;
  }
}

function designFailed(design: { readonly name: string }, doing: string, err: unknown): LogError {
  let where = '';
  try {
    where = whereInDesign(err);
  } catch {
    // (A Proxy whose traps throw: no place to name.)
  }
  return new LogError('DESIGN_FAILED', `the design "${design.name}" failed while ${doing}: ${thrownText(err)}${where}${frozenHint(err)}`);
}

/**
 * A hint for a design that changed what it was handed: the note, its items, the store and a remembered value are
 * frozen, and V8's TypeError names only the property ("Cannot add property 1, object is not extensible" read as an
 * engine's failure: a researcher's QA pass). Never throws.
 */
function frozenHint(err: unknown): string {
  try {
    if (!(err instanceof TypeError) || !/not extensible|read.only|Cannot (add|assign to|delete|define) property/.test(String(err.message))) return '';
    return ' (what a design is handed is read-only: the note, its items, its attachments and the memory; return the changes instead, as set, remove and remember)';
  } catch {
    return '';
  }
}

/**
 * What a design's code threw, as text, whatever it threw: an Error's message; a string, number or symbol as it is;
 * another object as JSON (at most 200 characters) when it has some, else by its kind. Never throws: `String()` of an
 * object with no prototype (`throw Object.create(null)`), or whose getters throw, threw in turn, and the design's
 * error became an internal one, exit 70 with a stack (a hardening QA pass); a thrown `{}` read "[object Object]".
 */
export function thrownText(err: unknown): string {
  try {
    if (err instanceof Error) return String(err.message);
    if (typeof err !== 'object' || err === null) return String(err);
    let json: string | undefined;
    try {
      json = JSON.stringify(err);
    } catch {
      json = undefined;
    }
    const kind = `${Array.isArray(err) ? 'a list' : 'an object'} thrown (not an Error)`;
    if (json === undefined || json === '{}' || json === '[]') return kind;
    return `${kind}: ${json.length > 200 ? `${json.slice(0, 200)}...` : json}`;
  } catch {
    return 'a value thrown that cannot be written as text';
  }
}

/** Where replstorm's own sources are (…/packages/), from this module's URL: frames there are not a design's. */
const OWN_PACKAGES = /^file:\/\/(.*\/packages\/)scenarios\/src\/design\.[jt]s$/.exec(import.meta.url)?.[1];

/**
 * ` (at file:line:column)`: the innermost frame of the error's stack outside Node, node_modules and replstorm's own
 * core and scenarios sources, which is the design's line that threw or called what threw (tsx maps it to the
 * TypeScript source); "" when there is none. [choice] Said in the message: a design's runtime error was reported with
 * the log's place only, where a module failing to load names its line (a researcher's review). A fresh copy's name
 * (cli designs.ts: `.<name>.replstorm-fresh-<pid>-<hex><ext>` beside the module, removed after loading) is given as
 * the module's own.
 */
function whereInDesign(err: unknown): string {
  // (An error replstorm made itself, such as a refused decision, has no line of the design's to name.)
  if (!(err instanceof Error) || err instanceof LogError || typeof err.stack !== 'string') return '';
  const lines = err.stack.split('\n');
  // Frames follow the message, which may itself span lines: they are the lines from the first "    at " on.
  const first = lines.findIndex((l) => l.startsWith('    at '));
  if (first === -1) return '';
  for (const line of lines.slice(first)) {
    // `at name (location)` or `at location`; a location's path may hold parentheses ("designs (copy)/p.ts").
    if (!line.startsWith('    at ')) continue;
    const body = line.slice('    at '.length);
    const open = body.endsWith(')') ? body.indexOf(' (') : -1;
    const m = /^(.+):(\d+):(\d+)$/.exec(open === -1 ? body : body.slice(open + 2, -1));
    if (m === null) continue;
    let file = m[1]!;
    const url = file.startsWith('file://');
    if (url) file = decodeURIComponentSafe(file.slice('file://'.length).replace(/\?.*$/, ''));
    // replstorm's own sources (core, scenarios, cli: packages/*/src/), Node's internals and installed packages are not
    // the design (a design module in the repository, examples/ or a package's test/, is).
    if (file.startsWith('node:') || file.includes('/node_modules/') || (OWN_PACKAGES !== undefined && file.startsWith(OWN_PACKAGES) && /^[^/]+\/src\//.test(file.slice(OWN_PACKAGES.length)))) continue;
    file = file.replace(/\/\.([^/]+)\.replstorm-fresh-\d+-[0-9a-f]{8}(\.[A-Za-z]+)$/, '/$1$2');
    return ` (at ${file}:${m[2]}:${m[3]})`;
  }
  return '';
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** What an unfilled context holds (never read: a context is filled before a design sees it). */
const NO_NOTE: Note = { unid: '', seq: 0, seqTime: 0, revisions: Revisions.EMPTY, deleted: true, items: [], files: 0, memo: undefined };
const NO_STORE: ReadonlyMap<string, unknown> = new Map();

/**
 * The store as a researcher's design is handed it: the server's memory, read as a ReadonlyMap (`get`, `has`, `size`,
 * iteration), refusing what is not. [choice] A property that is not a Map's (`store[key]`, `store.seen`) throws, the
 * design's error naming it: it read undefined, so a cache read that way never hit and nothing said why (a new user's
 * QA pass: a design passed verify with 0 scans skipped). `set`, `delete`, `clear`, an assignment, a definition (and
 * `__defineGetter__`) throw too: the store is the engine's own map, and a write there bypassed `remember`'s checks and
 * every snapshot's copy-on-write. Object's own methods (`toString`, `hasOwnProperty`) read as on any object. A proxy
 * is not a Map to structuredClone or util.types.isMap: copy it with `new Map(store)` (README). One proxy a map object,
 * remembered: it reads the live map, whatever the design remembers into it. Built-in designs get the map.
 */
function guardedStore(store: ReadonlyMap<string, unknown>): ReadonlyMap<string, unknown> {
  let g = guardedStores.get(store);
  if (g === undefined) {
    const bound = new Map<PropertyKey, unknown>();
    const refuse = (what: string): never => {
      throw new TypeError(`${what}: a design writes its memory through the decision's remember (a list of [key, value] pairs; undefined forgets the key), not in the store`);
    };
    g = new Proxy(store as Map<string, unknown>, {
      get(target, prop) {
        if (prop === 'size') return target.size;
        if (prop === 'set' || prop === 'delete' || prop === 'clear' || prop === '__defineGetter__' || prop === '__defineSetter__') return () => refuse(`store.${prop}()`);
        // (valueOf handed out the map itself, and forEach's third argument is the map: both wrote through: a review.)
        if (prop === 'valueOf') return () => g;
        if (prop === 'forEach') return (f: (v: unknown, k: string, m: ReadonlyMap<string, unknown>) => void, self?: unknown) => target.forEach((v, k) => f.call(self, v, k, g!));
        const own = typeof prop === 'string' && Object.prototype.hasOwnProperty.call(Map.prototype, prop);
        if (own || typeof prop === 'symbol' || prop === 'toJSON' || prop === 'then' || prop in Object.prototype) {
          const v: unknown = Reflect.get(target, prop, target);
          if (typeof v !== 'function' || prop === 'constructor') return v;
          let f = bound.get(prop);
          if (f === undefined) bound.set(prop, (f = (v as (...a: unknown[]) => unknown).bind(target)));
          return f;
        }
        throw new TypeError(`store.${prop}: the store is a ReadonlyMap (the design's memory on this server), not an object: read a key with store.get(${JSON.stringify(prop)}) or store.has(...)`);
      },
      set: (_target, prop) => refuse(`store.${String(prop)} = ...`),
      defineProperty: (_target, prop) => refuse(`defining store.${String(prop)}`),
      deleteProperty: (_target, prop) => refuse(`delete store.${String(prop)}`),
      setPrototypeOf: () => refuse('Object.setPrototypeOf(store, ...)'),
      preventExtensions: () => refuse('freezing or sealing the store'),
    });
    guardedStores.set(store, g);
  }
  return g;
}
const guardedStores = new WeakMap<ReadonlyMap<string, unknown>, ReadonlyMap<string, unknown>>();

/** The context a design's `scan` receives (DesignScanContext), filled for each scan (`fill`). */
class ScanContext<C> implements DesignScanContext<C> {
  kind: ScanInput['kind'] = 'manual';
  server = '';
  cluster: string | undefined = undefined;
  clusterMembers: readonly string[] = [];
  db = '';
  unid = '';
  note: Note = NO_NOTE;
  at = 0;
  clock = 0;
  definitions = '';
  store: ReadonlyMap<string, unknown> = NO_STORE;
  readonly config: C;
  /**
   * An own function, so designs may destructure it (`scan({ virusScan })`) or spread the context. An arrow assigned
   * to a member rather than `bind`: binding names the function, and that cost a tenth of a seed-scale run. It reads
   * the note of the scan the context is filled for when it is called (a design runs to its decision at once).
   */
  readonly virusScan: () => VirusScanResult;
  /** The note virusScan reads: the one handed in, whatever a design assigns to `note`. */
  #scanned: Note = NO_NOTE;
  /** How many times virusScan was called for this scan (a design's "skipped" after one is refused: see virusScan). */
  #virusScans = 0;

  /** A researcher's design's context: its store guarded (guardedStore). */
  readonly #guarded: boolean;

  /** `counting`: a researcher's design's context, whose calls of virusScan are counted (a built-in's is not checked). */
  constructor(config: C, counting: boolean) {
    this.config = config;
    this.#guarded = counting;
    this.virusScan = counting
      ? () => {
          this.#virusScans++;
          return virusScanOfScanned(this.#scanned);
        }
      : () => virusScanOfScanned(this.#scanned);
  }

  /** The calls of virusScan this scan made (counted for a researcher's design only). */
  get virusScans(): number {
    return this.#virusScans;
  }

  fill(input: ScanInput, note: Note): this {
    this.kind = input.kind;
    this.server = input.server;
    this.cluster = input.cluster;
    this.clusterMembers = input.clusterMembers;
    this.db = input.db;
    this.unid = input.unid;
    this.note = note;
    this.#scanned = note;
    this.at = input.at;
    this.clock = input.clock;
    this.definitions = input.definitions;
    this.store = this.#guarded ? guardedStore(input.store) : input.store;
    return this;
  }
}


/** A name -> design table; its factory is what the simulator needs. */
export type DesignRegistry = ReadonlyMap<string, ScannerDesign<object>>;

/** Designs whose code ships with replstorm (registered by `designs/registry.ts`). */
export const TRUSTED_DESIGNS = new WeakSet<object>();

/**
 * Whether `events` install a design that does not ship with replstorm (a researcher's module, or one the registry does
 * not hold). [choice] Such a design may act on the time it is given (its scan's `at` and `clock`, a note's `seqTime`
 * and revisions, in `scan` or `watches`), which explore's states and replay's storm check take to mean nothing, so
 * both check it (watching reads of `at` and `clock` alone missed a design acting on `seqTime`, a review). Built-in
 * designs act on the order of events (smsdom's tagIncludesScanTime writes the time into the tag, which is state;
 * explore.test.ts checks a copy of it).
 */
export function installsDesignOfYours(events: readonly InputEvent[], registry: DesignRegistry): boolean {
  return events.some((e) => e.type === 'scanner' && !TRUSTED_DESIGNS.has(registry.get(e.design) ?? {}));
}

/**
 * The simulator's designs: a `scanner` event installs one. A setting the design does not know is passed over (see
 * resolveConfig: the event comes from a log); the tools check what a user types before they run (checkDesignInstall).
 */
export function behaviourFactory(registry: DesignRegistry): BehaviourFactory {
  return (name, config, where) => {
    const d = registry.get(name);
    return d === undefined ? undefined : toBehaviour(d, config, where, TRUSTED_DESIGNS.has(d), true);
  };
}
