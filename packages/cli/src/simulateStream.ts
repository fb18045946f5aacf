import {
  DEFAULT_MAX_LINE_BYTES,
  LogError,
  Simulator,
  canonicalJson,
  columnOfField,
  createLazyLogDecoder,
  derivedEventsEqual,
  describeInput,
  encodeEvent,
  encodeHeader,
  isRawEncodingOf,
  isInputEvent,
  isScannerRevision,
  type DerivedEvent,
  type Discarded,
  type InputEvent,
  type LocatedEvent,
  type LogHeader,
  type LogWarning,
  type RawDerivedLine,
  type SimSnapshot,
  type Summary,
} from '@replstorm/core';
import { getHeapStatistics } from 'node:v8';
import { MAX_CLAIM_INPUTS, UserDeletions, behaviourFactory, checkDesignInstall, conflictDocumentsHeld, deletionsBack, infectedCopies, scheduleOf, type DesignRegistry } from '@replstorm/scenarios';
import { createBlame, type BlameResult } from './blame.js';
import { formatVirtualTime } from './format.js';
import type { AtomicFile } from './output.js';
import { createProgress, heapFullness, heapLimitMb } from './output.js';
import { createSteps, type Steps } from './report/steps.js';
import { createTimeline, type Timeline } from './report/timeline.js';
import { RecordingEndedShort, UsageError, moduleHint } from './errors.js';

/** A scanner design and configuration to install on every server instead of the log's (what-if replay). */
export interface WhatIf {
  readonly design: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly label: string;
}

export interface SimulateOptions {
  readonly registry: DesignRegistry;
  /** The log's size in bytes, when known (a regular file): progress then says how much of it was read. */
  readonly sourceBytes?: number | undefined;
  readonly maxRunMs?: number | undefined;
  /** Pieces of engine work allowed between two input events (Simulator's maxWorkBetweenInputs). */
  readonly maxWork?: number | undefined;
  /**
   * Cut each run (the log's, the what-if's) at the next instant once its scanners have saved more revisions than this
   * (Simulator's cutWhen): `run` and `replay --max-scanner-revisions`. The recording then has an `end` event where the
   * run stopped. For input events (a scenario, a log of inputs): a log's first derived line is refused (a recording's
   * run is checked as recorded, and a replay pauses where a run would stop, which knows no cut).
   */
  readonly maxScannerRevisions?: number | undefined;
  readonly strict?: boolean;
  readonly onWarning?: (w: LogWarning) => void;
  readonly whatIf?: WhatIf | undefined;
  /**
   * The designs of the what-if run (default `registry`): its design module loaded anew (main.ts whatIfRegistry), so
   * that a module-level variable the log's run changes is not seen by the what-if run beside it, as a plain replay of
   * the edited log in a new process would not see it.
   */
  readonly whatIfRegistry?: DesignRegistry | undefined;
  readonly blame?: boolean;
  readonly timeline?: boolean;
  /** Write the complete log (inputs and the engine's derived events) here. */
  readonly record?: AtomicFile | undefined;
  readonly recordMeta?: Readonly<Record<string, unknown>>;
  readonly progressLabel?: string;
  /** Derived lines held waiting for the engine before it runs their instant's work ahead (default HOLD_DERIVED; tests). */
  readonly holdDerived?: number;
  /** How full the heap is, 0 to 1 (default heapFullness: the old generation; tests pass their own). See MEMORY_STOP_AT. */
  readonly memoryUse?: () => number;
  /**
   * Whether to keep the input events a log with this header applies (SimulateResult.inputs), at most MAX_CLAIM_INPUTS
   * of them (as many as a claim is checked on): replay keeps a counterexample's, to check its header's claim again (recheckClaim).
   */
  readonly keepInputs?: (header: LogHeader) => boolean;
}

/** A run cut short by its scanner-revision budget (SimulateOptions.maxScannerRevisions). */
export interface CutShort {
  /** Virtual time where the run stopped (the summary's `endAt`). */
  readonly at: number;
  /** The scanner revisions it had made (more than `budget`). */
  readonly scannerRevisions: number;
  readonly budget: number;
}

/** A refusal by the --what-if run, not the log's own (a design-runs claim is not reproduced by the what-if's design). */
export class WhatIfRefusal extends LogError {}

/**
 * [choice] A run stops, refused (RUN_TOO_LARGE, exit 2, nothing written), once the heap is this full, rather than let
 * V8 crash the process with a stack trace minutes later: a storm that makes conflicts of conflicts grows without end
 * (the smsdom-storm with per-server keys and scanned arrivals, run for a day, passed 2.5 GB in ten minutes and died),
 * and every revision stays in its document's `revisions` (R1; no cap unless the database sets `limitRevisions`).
 * Checked between slices of engine work (every 50 ms of it) and every 64 items within one, every 1,024 input events
 * and before the summary.
 */
// 75%, not explore's 80%: a run still builds its summary after the last check (the digest's text cache alone is up to
// 16 MB), and near the limit forced collections count towards V8's "ineffective mark-compacts" abort: at 80%, a storm
// under a 68 MB heap crashed in two runs of three where it was refused or finished before (QA).
export const MEMORY_STOP_AT = 0.75;

/** The first place where a recorded log and the engine disagree. */
export interface Mismatch {
  readonly line: number;
  /**
   * 1-based, where the line differs: the leftmost key of a field that differs, for the same event with other values
   * (the differing field, not the line's start: a revised line with another seqTime points at "seqTime"); else 1.
   */
  readonly column?: number;
  readonly message: string;
  readonly file?: DerivedEvent;
  readonly engine?: DerivedEvent;
}

/** SimulateResult's whatIf.deletionsUndone, for one run: documents deleted, and how many of them are back. */
export interface DeletionsUndone {
  readonly deleted: number;
  readonly undone: number;
  /**
   * The first document back (by database, then UNID): where and when it was deleted, its `seq` there now, and every
   * server holding it as a document. Absent when none is back.
   */
  readonly first?: { readonly unid: string; readonly db: string; readonly deletedOn: string; readonly deletedAt: number; readonly seq: number; readonly liveOn: readonly string[] };
}

/** DeletionsUndone for a run (UserDeletions fed what it applied). */
function deletionsUndoneOf(sim: Simulator, deletions: UserDeletions): DeletionsUndone {
  const back = deletionsBack(sim, deletions);
  let first: DeletionsUndone['first'];
  for (const { deletion: d, liveOn } of back.values()) {
    if (first !== undefined && (d.db > first.db || (d.db === first.db && d.unid >= first.unid))) continue;
    const seq = sim.replica(d.server, d.db)?.get(d.unid)?.seq ?? 0;
    first = { unid: d.unid, db: d.db, deletedOn: d.server, deletedAt: d.at, seq, liveOn };
  }
  return { deleted: deletions.byDoc.size, undone: back.size, ...(first !== undefined ? { first } : {}) };
}

export interface SimulateResult {
  readonly header: LogHeader;
  readonly summary: Summary;
  /**
   * R6: the documents deleted by the inputs this run applied (`delete` inputs not by a scanner, whose deletion
   * stands: UserDeletions) and how many of them are back where they were deleted when it stopped (deletionsBack).
   */
  readonly deletionsUndone: DeletionsUndone;
  /**
   * The what-if run beside this one. `infectedCopiesLeft`: copies of live documents still holding an infected
   * attachment when each run stopped (this run's, the what-if's). The summary's `missed` counts only scans that passed
   * an infection; a design that never scans (noop) misses only what a manual pass or mail.box hands it (simple.ts) and
   * leaves every infection in place: this says so.
   */
  readonly whatIf?: {
    readonly label: string;
    readonly summary: Summary;
    readonly infectedCopiesLeft: { readonly base: number; readonly whatIf: number };
    /**
     * Conflict documents held at the end, per run, each counted once however many replicas hold it (the single run's
     * `conflictDocumentsHeld`): the table's row shows where either run holds other than it made (an operator's QA pass:
     * the line the single run prints went with --what-if, and its figure with it).
     */
    readonly conflictDocumentsHeld: { readonly base: number; readonly whatIf: number };
    /**
     * R6: per run (this one, the what-if), the documents deleted by the inputs it applied (`deleted`: `delete` inputs
     * not by a scanner; see UserDeletions), and how many of those are back where they were deleted when the run
     * stopped (`undone`: a document there, not a deletion stub), whoever's doing (deletionsBack). A design that stamps
     * a user's edit as it is written turns one edit into two saves, and the edit then beats the deletion: the
     * summary's counts do not show it (`discarded` is 1 either way). Documents, not deletions: one deleted on two
     * servers is one.
     */
    readonly deletionsUndone: { readonly base: DeletionsUndone; readonly whatIf: DeletionsUndone };
    readonly scannersReplaced: number;
    /** The first scanners replaced (at most 100), with the log's settings kept and dropped. */
    readonly scanners: readonly WhatIfScanner[];
    /** The what-if design's schedule setting where a replaced scanner did not carry it (its default, which the what-if ran with there), else undefined. */
    readonly scheduleDefaulted: ScheduleDefaulted | undefined;
    /** Servers whose scanner was replaced that were in no cluster when it was (WhatIfRewriter.outsideClusters). */
    readonly outsideClusters: { readonly servers: readonly string[]; readonly count: number; readonly all: boolean };
    /** Set when the what-if run was cut short (SimulateOptions.maxScannerRevisions). */
    readonly cutShort?: CutShort;
  };
  /** Whether the source had derived events to check, and the first disagreement. */
  readonly conformance: {
    readonly checked: number;
    /**
     * Of those, the lines equal to the engine event's encoding (as text, or as bytes), taken without being decoded (the
     * rest were decoded).
     */
    readonly byText: number;
    /** The most derived lines of the file that waited at once for the engine's events (see HOLD_DERIVED). */
    readonly heldAtMost: number;
    readonly mismatch?: Mismatch;
  };
  readonly blame?: BlameResult;
  readonly timeline?: Timeline;
  /** The report's steps (collected with the timeline): each input and what followed it, in words. */
  readonly steps?: Steps;
  /**
   * Set when the run was cut short by SimulateOptions.maxScannerRevisions: where it stopped (the summary's `endAt`,
   * `stopped: 'end'`, as a replay of its recording stops at the `end` written there) and its scanner revisions then.
   */
  readonly cutShort?: CutShort;
  /**
   * The header's `meta.maxScannerRevisions` (a whole number), and whether this run's end is where that budget cut it:
   * the scanners passed it, and nothing came at a later time before the end (a budget cuts at the next instant).
   */
  readonly headerBudget?: { readonly budget: number; readonly endIsItsCut: boolean };
  /**
   * Blame and the timeline also count events the engine derived past where the run stops (a file whose derived lines
   * went on past it by more than BEYOND_STOP_KEPT events: they were passed on before the file's end undid them).
   */
  readonly outputsPastStop?: true;
  readonly inputEvents: number;
  /** The input events applied, when SimulateOptions.keepInputs asked for them and there were at most MAX_CLAIM_INPUTS. */
  readonly inputs?: readonly InputEvent[];
  /** Input events after an `end` (at a later time): ignored. */
  readonly ignoredAfterEnd: number;
  /** The designs the log's `scanner` events name (applied or not): what a `--design` module given to replay is for. */
  readonly designsNamed: ReadonlySet<string>;
  readonly sim: Simulator;
}

/**
 * Derived events kept back from blame and the timeline while the engine runs past where the run would stop (see
 * `beyondStop` in simulateStream), to be dropped if the file ends before another input. Past this many they are
 * passed on (memory), and such a file's report and blame then include them too (`outputsPastStop`). [choice] A file
 * that goes on this far past its run's stop is a mismatch anyway; its summary, state and recording are exact.
 * [choice] 100 a MB of the heap's limit, from 10,000 to 100,000 (100,000 from 1 GB on): at 100,000 under a 64 MB heap
 * the events held took most of the quarter of the heap the memory check leaves (MEMORY_STOP_AT), and 0.8 MB more of
 * them tipped a storm recording's replay into V8's abort in 4 runs of 8 (memoryGuard.test). It only decides when a
 * mismatching file's report and blame include the undone run (said, `outputsPastStop`).
 */
const BEYOND_STOP_KEPT = Math.min(100_000, Math.max(10_000, heapLimitMb() * 100));

/**
 * A FIFO queue with O(1) push and shift: a ring whose size is a power of two, doubled when full, never shrunk (the
 * file's side holds at most an instant's lines, HOLD_DERIVED; the engine's, its events before the log shows whether it
 * is a recording, INPUTS_ONLY_AFTER, or those of one input's application). It was an array read from a position and
 * cut down once half read: a replay of the bench's recording pushed 2.2 million items through two of them, and their
 * growth and cuts were 5% of its allocation (V8's sampling heap profiler).
 */
export class Queue<T> {
  private items: (T | undefined)[] = new Array<T | undefined>(16).fill(undefined);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(x: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & (this.items.length - 1)] = x;
    this.count++;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** Keeps the first `n` items. */
  truncate(n: number): void {
    while (this.count > n) {
      this.count--;
      this.items[(this.head + this.count) & (this.items.length - 1)] = undefined;
    }
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const x = this.items[this.head];
    this.items[this.head] = undefined; // (not kept alive by the ring)
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count--;
    return x;
  }

  private grow(): void {
    const old = this.items;
    const next = new Array<T | undefined>(old.length * 2).fill(undefined);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.items = next;
    this.head = 0;
  }
}

/**
 * Once the engine has derived this many events and the file none, the file is taken as inputs only. Counted outside
 * the application of an input: what one input derives at once (a delivery to 10,001 databases) is written in a
 * recording right after that input's line, which has not been read yet.
 */
const INPUTS_ONLY_AFTER = 10_000;

/**
 * [choice] At most this many of a recording's derived lines wait for the engine. A recording writes the events of an
 * instant's work after that instant's inputs, and the engine runs an instant's work only once a later line (or the
 * end) shows no input of that instant can still come; the lines of one instant then wait unread-by-the-engine: a
 * million lines at one instant held 377 MB, and a 64 MB heap ran out. Past this many, the engine runs the instant's
 * work at once (slice by slice, until half as many wait), and an input of that instant coming after it is refused
 * (it would run after the work it precedes in the engine's order). About 4 MB of lines.
 */
// [limitation] A file that puts an input of an instant after more than this many derived lines of it (no recording
// does; a hand-edited file may) is refused, where a shorter one is replayed: the bound shows.
const HOLD_DERIVED = 10_000;

/**
 * The longest line this process can read: the format's 64 MiB, or a sixteenth of the heap where that is less (a 4 GB
 * heap, Node's default here, keeps 64 MiB). [choice] A line is held as text, parsed, and its values kept and named in
 * what follows: a 30 MB line under --max-old-space-size=64 (a heap of 112 MB) ended the process in V8's out-of-memory
 * abort (exit 134, a native stack trace: a hardening QA pass), and so did a 14 MB server name; 7 MB (a sixteenth)
 * replays.
 */
function lineLimit(): { maxLineBytes: number; maxLineWhy?: string } {
  const heap = getHeapStatistics().heap_size_limit;
  const fits = Math.floor(heap / 16);
  if (fits >= DEFAULT_MAX_LINE_BYTES) return { maxLineBytes: DEFAULT_MAX_LINE_BYTES };
  return { maxLineBytes: fits, maxLineWhy: `with this process's heap of ${Math.round(heap / 1_048_576).toLocaleString('en-US')} MB (a log allows ${DEFAULT_MAX_LINE_BYTES.toLocaleString('en-US')}; a larger --max-old-space-size reads longer lines)` };
}

/** A progress line's account of how big a run has grown (a storm shows itself here first). */
export function growthText(sim: Simulator): string {
  const g = sim.growth();
  return `${g.revisions.toLocaleString('en-US')} revisions, ${g.documents.toLocaleString('en-US')} documents, ${g.conflicts.toLocaleString('en-US')} conflicts`;
}

/** The fields in which two events differ (by their JSON), in the file event's order then the engine's. */
function differingFields(file: DerivedEvent, engine: DerivedEvent): string[] {
  const a = file as unknown as Record<string, unknown>;
  const b = engine as unknown as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  // Canonical JSON (keys sorted): a nested object written with its keys in another order is the same value, and a
  // `revised` event's items in another order are the same names (derivedEventsEqual).
  const text = (k: string, v: unknown) => (v === undefined ? 'undefined' : canonicalJson(k === 'items' && file.type === 'revised' && Array.isArray(v) ? [...(v as unknown[])].map(String).sort() : v));
  return keys.filter((k) => text(k, a[k]) !== text(k, b[k]));
}

/** A derived event of the file: decoded, or its line still undecoded (createLazyLogDecoder). */
type FileDerived = LocatedEvent<DerivedEvent> | RawDerivedLine;

const isRaw = (x: LocatedEvent | RawDerivedLine): x is RawDerivedLine => !('event' in x);

/**
 * Compares the derived events found in a log with the ones the engine derives, in order. A log either has none
 * (inputs only: nothing to check) or is a recording, whose derived events must be exactly the engine's.
 *
 * A raw line equal to the engine event's encoding matches without being parsed: it is valid by construction
 * (isRawEncodingOf: the line's bytes where the decoder kept them, most lines of a file, read from the end of the start
 * the decoder read; else its text). Any other raw line is decoded, which refuses it if it breaks the format, and compared
 * as an event, so another writer's key order or spacing conforms. Every raw line is decoded or matched, and no later
 * than a refusal of a later line is reported (`settle`): a log is refused at its first bad line, as when every line
 * was decoded up front.
 */
class Conformance {
  // Queues with a read position (shift() on a long array is linear): a recording's derived events and the engine's
  // meet within one instant of virtual time, so both stay short.
  private fileQ = new Queue<FileDerived>();
  private engineQ = new Queue<DerivedEvent>();
  private engineSeen = 0;
  private mode: 'unknown' | 'check' | 'inputs-only' = 'unknown';
  checked = 0;
  byText = 0;
  mismatch: Mismatch | undefined;

  /** An input event is being applied (its own derived events are coming). */
  applying = false;

  constructor(private readonly decodeRaw: (raw: RawDerivedLine) => LocatedEvent<DerivedEvent>) {}

  onEngine(e: DerivedEvent): void {
    if (this.mismatch !== undefined || this.mode === 'inputs-only') return;
    this.engineSeen++;
    this.engineQ.push(e);
    if (this.mode === 'unknown' && !this.applying && this.engineQ.length > INPUTS_ONLY_AFTER) {
      this.mode = 'inputs-only';
      this.engineQ = new Queue();
      return;
    }
    this.compare();
    // Past the file's end, an event no line waits for is one the file does not have.
    if (this.ended !== undefined && this.fileQ.length === 0 && this.engineQ.length > 0) {
      this.finish(this.ended);
      this.pastEnd = this.mismatch !== undefined;
    }
  }

  /** Whether `f` was already handed over (onFile): it waited while the engine was paused at its stop. */
  isQueued(f: FileDerived): boolean {
    return this.lastQueued === f;
  }
  private lastQueued: FileDerived | undefined;

  /** The file's derived lines waiting for the engine's events, now and at most so far. */
  get held(): number {
    return this.fileQ.length;
  }
  heldAtMost = 0;

  onFile(f: FileDerived): void {
    this.lastQueued = f;
    if (this.mismatch !== undefined) {
      this.decoded(f); // nothing left to compare, but a bad line is still refused
      return;
    }
    if (this.mode === 'inputs-only') {
      this.mismatch = { line: f.line, message: `the file's first derived event comes after ${this.engineSeen} the engine derived without it: not a recording of this run`, file: this.decoded(f).event };
      return;
    }
    this.mode = 'check';
    this.fileQ.push(f);
    this.compare();
    if (this.fileQ.length > this.heldAtMost) this.heldAtMost = this.fileQ.length;
  }

  /** Engine events compared so far. */
  private engineCompared = 0;
  /** Engine events derived before the run went past where it would stop (see `beyondStop`), while that is undecided. */
  private boundary: number | undefined;
  /** The first file line compared with an engine event derived after the boundary. */
  private firstAfterBoundary: number | undefined;

  /** The engine is about to run past where the run stops without another input: its events from now may be undone. */
  markBoundary(): void {
    this.boundary = this.engineSeen;
    this.firstAfterBoundary = undefined;
  }

  /** An input followed: what the engine derived after the boundary stands. */
  clearBoundary(): void {
    this.boundary = undefined;
    this.firstAfterBoundary = undefined;
  }

  /**
   * No input followed: the engine's events after the boundary never happened (the engine is back where the run
   * stops), and the first file line checked against one of them is the first the run does not derive: a mismatch
   * there (`message`), or at the first file line still waiting.
   */
  undoPastBoundary(message: string): void {
    const boundary = this.boundary;
    const at = this.firstAfterBoundary;
    if (boundary === undefined) return;
    this.clearBoundary();
    if (this.mode !== 'check') return;
    this.engineQ.truncate(Math.max(0, boundary - this.engineCompared));
    this.engineSeen = Math.min(this.engineSeen, boundary);
    if (at !== undefined) {
      if (this.mismatch === undefined || this.mismatch.line >= at) {
        this.mismatch = { line: at, message };
        this.settle(Number.POSITIVE_INFINITY);
      }
      return;
    }
    this.stoppedBefore(message);
  }

  private compare(): void {
    while (this.mismatch === undefined && this.fileQ.length > 0 && this.engineQ.length > 0) {
      const f = this.fileQ.shift()!;
      const e = this.engineQ.shift()!;
      this.checked++;
      this.engineCompared++;
      if (this.boundary !== undefined && this.firstAfterBoundary === undefined && this.engineCompared > this.boundary) this.firstAfterBoundary = f.line;
      if (isRaw(f) && isRawEncodingOf(f, e)) {
        this.byText++;
        continue;
      }
      const file = this.decoded(f).event;
      if (!derivedEventsEqual(file, e)) {
        // The same event with other values: which fields differ. Another event (another type or document): a line is
        // missing, extra or out of order here, and listing every field that differs says nothing.
        const same = file.type === e.type && (file as { unid?: unknown }).unid === (e as { unid?: unknown }).unid;
        const fields = same ? differingFields(file, e) : [];
        const message = same
          ? `the engine derives ${encodeEvent(e)} (the file differs in ${fields.join(', ')})`
          : `the engine derives ${encodeEvent(e)} where the file has ${encodeEvent(file)}: a derived line is missing, extra or out of order here`;
        // The leftmost of the differing fields' keys, as the line is written (another writer's key order too). A field
        // the line does not have (the engine's `via`, missing) has no key to point at: columnOfField gives 1 for it,
        // which is no column of a key (the line starts with `{`) and must not win over a key the line has.
        const text = f.text;
        const columns = text === undefined ? [] : fields.map((k) => columnOfField(text, k)).filter((c) => c > 1);
        const column = columns.length > 0 ? Math.min(...columns) : 1;
        this.mismatch = { line: f.line, column, message, file, engine: e };
        this.settle(Number.POSITIVE_INFINITY);
      }
    }
  }

  /**
   * An input line of a recording comes next (line `line`), the engine having run the work due before it: an event the
   * engine derived at an earlier time and still unmatched can only have been written before this line (`at` never
   * decreases from line to line, event-log.md): a line is missing here. Said at this line, not at the next derived
   * line, which is intact (an operator's QA pass: a deleted line was reported a line late). [choice] Events of this
   * same instant may still follow the input (file order within an instant is not fixed for derived lines): not judged.
   *
   * The other way round is judged: a derived line of the file still waiting here claims an event before this input
   * that the engine, having applied every input before it and run the work due before its time, has not derived. An
   * instant's inputs come first, in file order, then the work due then (event-log.md, "File"), and an input's own
   * events follow it: the line is out of order or extra. (A `revised` line written before the `save` behind it, its
   * `cause` naming the next line, was accepted, as only the order of derived events among themselves was compared: a
   * conformance review.)
   */
  inputLine(line: number, e: InputEvent): void {
    // The next input, and the file has given none of what the engine derived applying the inputs before it, which a
    // recording writes right after each input's line: past INPUTS_ONLY_AFTER, inputs only, as past it between inputs.
    // (Only there was it decided: a log whose every derived event comes from applying an input, with nothing running
    // between inputs, kept all of them queued, and a 37 MB log of one document outgrew a 64 MB heap: a hardening QA
    // pass.)
    if (this.mode === 'unknown' && this.mismatch === undefined && this.engineQ.length > INPUTS_ONLY_AFTER) {
      this.mode = 'inputs-only';
      this.engineQ = new Queue();
      return;
    }
    if (this.mismatch !== undefined || this.mode !== 'check') return;
    const early = this.fileQ.peek();
    if (early !== undefined) {
      this.fileQ.shift();
      const file = this.decoded(early).event;
      this.mismatch = {
        line: early.line,
        message: `the file has this derived event before the input at line ${line} (${e.type} at ${e.at} ms), and the engine derives no such event before that input: a derived line is out of order or extra here (an instant's inputs come first, in file order, then the work due then; an input's own events follow it)`,
        file,
      };
      this.settle(Number.POSITIVE_INFINITY);
      return;
    }
    if (this.engineQ.length === 0) return;
    const missing = this.engineQ.peek()!;
    if (missing.at >= e.at) return;
    this.mismatch = { line, message: `the engine derives ${encodeEvent(missing)} before this input (${e.type} at ${e.at} ms), and the file has no such line before it: a derived line is missing here`, engine: missing };
    this.settle(Number.POSITIVE_INFINITY);
  }

  /** The engine will derive nothing more: the first file event still waiting is a mismatch (and the rest are decoded). */
  stoppedBefore(message: string): void {
    if (this.mismatch !== undefined || this.mode !== 'check') return;
    const f = this.fileQ.shift();
    if (f === undefined) return;
    this.mismatch = { line: f.line, message, file: this.decoded(f).event };
    this.settle(Number.POSITIVE_INFINITY);
  }

  /** Decodes the raw lines still queued up to line `line` (refusing the first bad one); a refusal there comes next. */
  settle(line: number): void {
    for (let f = this.fileQ.peek(); f !== undefined && f.line <= line; f = this.fileQ.peek()) {
      this.fileQ.shift();
      this.decoded(f);
    }
  }

  private decoded(f: FileDerived): LocatedEvent<DerivedEvent> {
    return isRaw(f) ? this.decodeRaw(f) : f;
  }

  /**
   * The file has no more lines (its last is `lastLine`): in a recording, any event the engine derives from now on is
   * one the file does not have, and the first is the mismatch at once. (It was found only once the run had finished:
   * a storm's recording cut before its `end` ran for two minutes and outgrew memory, exit 2 with no word of it: a
   * hardening QA pass.)
   */
  fileDone(lastLine: number): void {
    this.ended = lastLine;
  }
  private ended: number | undefined;
  private pastEnd = false;

  /**
   * Whether the run need not go on: the engine derived an event past the file's end (the mismatch). A mismatch found
   * before it leaves the run to finish, as it did: its figures are the whole run's.
   */
  get endedOnMismatch(): boolean {
    return this.pastEnd;
  }

  finish(lastLine: number): void {
    if (this.mode !== 'check' || this.mismatch !== undefined) return;
    const f = this.fileQ.shift();
    if (f !== undefined) {
      const file = this.decoded(f).event;
      this.settle(Number.POSITIVE_INFINITY);
      this.mismatch = { line: f.line, message: 'the engine derives nothing more, but the file has this derived event', file };
      return;
    }
    const e = this.engineQ.peek();
    const more = this.engineQ.length - 1;
    if (e !== undefined) this.mismatch = { line: lastLine + 1, message: `the file ends, but the engine derives ${encodeEvent(e)}${more > 0 ? ` (and ${more} more)` : ''}`, engine: e };
  }
}

/** A scanner a what-if replaced (WhatIfRewriter.scanners). */
export interface WhatIfScanner {
  readonly server: string;
  readonly at: number;
  /** The log's design there. */
  readonly design: string;
  /** The log's settings the what-if design also has and the what-if does not give, kept. */
  readonly kept: Readonly<Record<string, unknown>>;
  /** The log's settings the what-if design has not, dropped. */
  readonly dropped: readonly string[];
}

/** The most replaced scanners a what-if lists (a log may install scanners many times over). */
const MAX_REPLACED_KEPT = 100;

/** WhatIfRewriter.scheduleDefaulted: the default schedule the what-if ran with, where, and in place of which designs. */
export interface ScheduleDefaulted {
  /** The what-if design's default interval (0: no scheduled scans). */
  readonly everyMs: number;
  /** The servers whose replaced scanner had no such setting, in the order met. */
  readonly servers: string[];
  /** Their designs (the log's). */
  readonly designs: string[];
  /** Every scanner replaced lacked it. */
  readonly all: boolean;
}

/**
 * Rewrites scanner events for a what-if replay: the what-if design replaces the log's on every server the log
 * installs a scanner on, at the same time [choice: a server the log never gives a scanner keeps none, so the two runs
 * differ only by the design], keeping the log's settings the what-if design also has (a schedule, a key), then the
 * what-if's own settings over them.
 */
class WhatIfRewriter {
  /** Scanner events rewritten: none when the log installs no scanner (both runs are then the same). */
  replaced = 0;
  /**
   * [choice] The what-if design's `scheduleEveryMs` setting when a replaced scanner did not carry it (its design has
   * no such setting: noop has none) and the what-if did not give it: the what-if ran at its default (smsdom's: no
   * scheduled scans), and the output says so. A QA pass: a log recorded with noop, replayed with --what-if smsdom,
   * read 0 conflicts, with no word that smsdom then ran no scheduled scan (30 conflicts on the log's schedule). A key
   * is not said: the scenario's default (one key, keys=shared) is the design's own.
   */
  get scheduleDefaulted(): ScheduleDefaulted | undefined {
    return this.defaulted === undefined ? undefined : { ...this.defaulted, all: this.carried === 0 };
  }
  private defaulted: Omit<ScheduleDefaulted, 'all'> | undefined;
  /**
   * Each scanner replaced: where and when, the log's design, and which of its settings were kept (the what-if design
   * has them) and dropped (it has not): said beside the comparison (an operator's QA pass: --what-if scan-cache kept a
   * log's scanReplicatedWrites=true and dropped its key, and only --help said it could). At most MAX_REPLACED_KEPT.
   */
  readonly scanners: WhatIfScanner[] = [];
  constructor(
    private readonly w: WhatIf,
    private readonly registry: DesignRegistry,
  ) {
    const d = registry.get(w.design);
    if (d === undefined) throw new UsageError(`--what-if: unknown design "${w.design}" (known: ${[...registry.keys()].join(', ')}; ${moduleHint(w.design, `with --what-if ${w.label.startsWith(`${w.design}:`) ? `NAME${w.label.slice(w.design.length)}` : 'NAME'}`)})`);
    // Refuse a bad configuration before the run starts, as the option's mistake (not the replayed log's): the
    // design installed once, as the engine installs it, with the engine's check of its timings.
    try {
      checkDesignInstall(d, w.config);
    } catch (err) {
      if (err instanceof LogError) throw new UsageError(`--what-if ${w.label}: ${err.message}`);
      throw err;
    }
  }

  /** Scanner events replaced whose design has the schedule setting (or whose schedule the what-if gives). */
  private carried = 0;
  /** Each server's cluster, as its `server` event last gave it (none: in no cluster). */
  private readonly clusterOf = new Map<string, string | undefined>();
  /**
   * The servers whose scanner was replaced while they were in no cluster, in the order met (the first
   * MAX_REPLACED_KEPT), how many, and whether every server whose scanner was replaced was: where a design that acts by
   * cluster (cluster-aware: one member's scheduled passes) acts as its base design does, which the output says (a blame
   * audit: --what-if cluster-aware of an unclustered log read 0 against 0 on every row, with no word why).
   */
  get outsideClusters(): { readonly servers: readonly string[]; readonly count: number; readonly all: boolean } {
    return { servers: [...this.outside].slice(0, MAX_REPLACED_KEPT), count: this.outside.size, all: this.outside.size > 0 && this.outside.size === this.replacedOn.size };
  }
  private readonly outside = new Set<string>();
  private readonly replacedOn = new Set<string>();

  rewrite(e: InputEvent): InputEvent {
    if (e.type === 'server') this.clusterOf.set(e.name, e.cluster);
    if (e.type !== 'scanner') return e;
    this.replaced++;
    this.replacedOn.add(e.server);
    if (this.clusterOf.get(e.server) === undefined) this.outside.add(e.server);
    const d = this.registry.get(this.w.design)!;
    const kept: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e.config ?? {})) if (Object.prototype.hasOwnProperty.call(d.defaults, k)) kept[k] = v;
    const k = 'scheduleEveryMs';
    // (Only where the log's design has no such setting: one that has it and leaves it unset runs at its default too.)
    const from = this.registry.get(e.design);
    const lacks = from !== undefined && !Object.prototype.hasOwnProperty.call(from.defaults, k);
    const config = { ...kept, ...this.w.config };
    // (What the design's own scheduleEveryMs(config) makes of it: a design may fall back to an interval of its own.)
    // [choice] Said of the scanners that lacked it alone: a log with noop on one server and smsdom on its schedule on
    // the other read "the log's scanners carry no scheduleEveryMs", though the other's was kept and ran (an operator's
    // QA pass).
    if (lacks && Object.prototype.hasOwnProperty.call(d.defaults, k) && !Object.prototype.hasOwnProperty.call(this.w.config, k)) {
      const x = (this.defaulted ??= { everyMs: scheduleOf(d, config) ?? 0, servers: [], designs: [] });
      if (!x.servers.includes(e.server)) x.servers.push(e.server);
      if (!x.designs.includes(e.design)) x.designs.push(e.design);
    } else this.carried++;
    if (this.scanners.length < MAX_REPLACED_KEPT) {
      const dropped = Object.keys(e.config ?? {}).filter((x) => !Object.prototype.hasOwnProperty.call(kept, x));
      // (A setting the what-if gives is its own, not the log's kept: a review found "keeping its
      // scanReplicatedWrites=true" beside --what-if smsdom:scanReplicatedWrites=false.)
      const own = Object.fromEntries(Object.entries(kept).filter(([x]) => !Object.prototype.hasOwnProperty.call(this.w.config, x)));
      this.scanners.push({ server: e.server, at: e.at, design: e.design, kept: own, dropped });
    }
    return { ...e, design: this.w.design, config };
  }
}

/**
 * Runs a log (decoded from chunks) or generated input events through the simulator: checks a recording's derived
 * events, optionally replays a what-if design side by side, records, blames and collects a timeline. One pass, so a
 * log read from standard input or larger than memory works the same. A chunk's buffer is not changed once yielded (each
 * read a new one, as readChunks and streams give): the recording's lines are matched by their bytes (`chunksKept`).
 */
export async function simulateStream(
  source: { chunks: AsyncIterable<Uint8Array | string> } | { events: Iterable<InputEvent>; header: LogHeader },
  options: SimulateOptions,
): Promise<SimulateResult> {
  const factory = behaviourFactory(options.registry);
  // (--strict names a scanner's settings its design does not have, which the engine passes over: design.ts resolveConfig.)
  const settingsOf = (name: string): readonly string[] | undefined => {
    const d = options.registry.get(name);
    return d === undefined ? undefined : Object.keys(d.defaults);
  };
  // Warnings are held until the run reaches their line, then given in the order of the file (line, then column). The
  // decoder reads a chunk of lines ahead of the engine: a later line's warning came before an earlier line's refusal
  // by the engine (an unknown server found when its line runs), and one line's warnings came by kind (QA). [choice]
  // A refusal ends the run: the warnings of lines after it are not given (they were read ahead, not run), as a line
  // after a refusal by the decoder is never read.
  const held: LogWarning[] = [];
  // (Called for every line: its work, with closures, is in giveHeldWarnings; see holdFewer.)
  const giveWarnings = (upTo: number): void => {
    if (options.onWarning !== undefined && held.length > 0) giveHeldWarnings(upTo, options.onWarning);
  };
  const giveHeldWarnings = (upTo: number, warn: (w: LogWarning) => void): void => {
    const now = held.filter((w) => w.line <= upTo).sort((a, b) => a.line - b.line || a.column - b.column);
    if (now.length === 0) return;
    const later = held.filter((w) => w.line > upTo);
    held.length = 0;
    held.push(...later);
    for (const w of now) warn(w);
  };
  const decoder = 'chunks' in source ? createLazyLogDecoder({ strict: options.strict === true, settingsOf, chunksKept: true, ...lineLimit(), ...(options.onWarning !== undefined ? { onWarning: (w: LogWarning) => void held.push(w) } : {}) }) : undefined;
  const conformance = new Conformance((raw) => decoder!.decodeRaw(raw));
  const labels = new Map<number, string>();
  // With --record, the engine's causes are lines of the recording it writes; the file replayed numbers its own lines,
  // which differ where it has blank lines or lines out of place. The file's derived lines are checked, and blame names
  // causes, in the file's own numbering whether or not --record is given: one verdict, the same numbers (an operator's
  // QA pass: a blank line added to a recording failed its check without --record and passed with it). [choice] Blame
  // names lines of the file the user gave: a replay's input log; a run's recording (a run has no input file).
  // Kept as the recording lines from which the file's line is further by another amount: pairs (line, shift), none
  // for a recording replayed as it is.
  const causeShifts: number[] = [];
  const causeLine = (line: number): number => {
    if (causeShifts.length === 0 || line < causeShifts[0]!) return line;
    let lo = 0;
    let hi = causeShifts.length / 2 - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (causeShifts[2 * mid]! <= line) lo = mid;
      else hi = mid - 1;
    }
    return line + causeShifts[2 * lo + 1]!;
  };
  /** `e` as the file numbers its cause (see causeShifts). */
  const inFileLines = (e: DerivedEvent): DerivedEvent => {
    if (causeShifts.length === 0 || e.type !== 'revised') return e;
    const cause = causeLine(e.cause);
    return cause === e.cause ? e : { ...e, cause };
  };
  const blame = options.blame === true ? createBlame((line) => labels.get(line), causeLine) : undefined;
  const timeline = options.timeline === true ? createTimeline() : undefined;
  const steps = options.timeline === true ? createSteps() : undefined;
  const record = options.record;
  let outLine = 0;
  const writeLine = (text: string) => {
    // A recording a replay cannot read is refused, not written: a line can come out longer than the one read (a
    // number written out in full, a deletion listing every item name). A UTF-16 unit is at most 3 UTF-8 bytes.
    if (text.length > DEFAULT_MAX_LINE_BYTES / 3 && Buffer.byteLength(text, 'utf8') > DEFAULT_MAX_LINE_BYTES) {
      throw new LogError('LINE_TOO_LONG', `--record: line ${outLine + 1} of the recording would be ${Buffer.byteLength(text, 'utf8').toLocaleString('en-US')} bytes, more than a log's line may hold (${DEFAULT_MAX_LINE_BYTES.toLocaleString('en-US')}): its replay could not read it, so nothing is recorded`);
    }
    record!.write(`${text}\n`);
    return ++outLine;
  };
  /**
   * event-log.md: derived events in a file are checked, not obeyed, and a run without `end` stops once nothing is
   * pending after its last input (or at its cap, `maxRunMs` after it). A replay advancing to a recording's derived
   * line must not run the engine past that point on the line's say-so: a file whose `end` was deleted, or whose
   * derived events go on past where its run stops, replayed to whatever the file said (a storm recorded without its
   * end ran on for an hour and reported agreement). Advancing for a derived line therefore pauses where the run would
   * stop (Simulator.advanceUnlessStopSome), and the file's derived lines wait (`waiting`) until an input line comes
   * (the engine then runs on, as a run does) or the file ends (the run stops there, and the first waiting line is a
   * mismatch). More than `holdLimit` lines cannot wait (memory): the engine then runs on ahead, from a snapshot of
   * the state where it paused (`beyondStop`), undone if the file ends before another input.
   */
  let waiting = false;
  let beyondStop:
    | {
        readonly snap: SimSnapshot;
        readonly recordMark: number | undefined;
        readonly outLine: number;
        /** The header budget's counters (headerBudget) where the run paused: put back with the engine. */
        readonly budgetMark: readonly [number, number | undefined, number | undefined];
        /** Events for blame and the timeline while undecided; undefined once passed on (too many to keep). */
        // (`missed` only where it is said, a scanned event's: up to BEYOND_STOP_KEPT of these are held, and a fifth
        // element in each tipped a storm recording's replay under a 64 MB heap past its memory check: memoryGuard.test.)
        held: ([DerivedEvent, boolean | undefined, Discarded | undefined, number | undefined] | [DerivedEvent, boolean | undefined, Discarded | undefined, number | undefined, boolean | undefined])[] | undefined;
      }
    | undefined;
  /** Blame and the timeline include events of a run past its stop that was then undone (see BEYOND_STOP_KEPT). */
  let outputsPastStop = false;
  const toOutputs = (e: DerivedEvent, madeDocument: boolean | undefined, discarded: Discarded | undefined, startedBy: number | undefined, missed: boolean | undefined) => {
    blame?.add(e, madeDocument);
    timeline?.add(e, madeDocument);
    // (A revision's cause, and a scan's, which is what `startedBy` is for a scanned event, are the recording's lines
    // under --record: the steps are the file's, as blame maps them (a review: with --record a scan's saves left its
    // step for later ones). A transfer's `startedBy` is the file's line already: mapped too, it put a replication's
    // changes under an earlier step, an operator's QA pass.)
    steps?.add(inFileLines(e), madeDocument, discarded, e.type === 'scanned' && startedBy !== undefined && startedBy > 0 ? causeLine(startedBy) : startedBy, missed);
  };
  // The scanner-revision budget (maxScannerRevisions): each run's count, and the cut it asks for (Simulator.cutWhen).
  const revisionBudget = options.maxScannerRevisions;
  let scannerRevisions = 0;
  let whatIfScannerRevisions = 0;
  /** Whether the recording's `end` at the cut is written (at the first input after it, or at the end of the input). */
  let cutEndWritten = false;
  // (A cut at the instant of the log's own `end` is no cut: Simulator.cutAt is then undefined.)
  const cutShort = (on: Simulator, count: number): { cutShort?: CutShort } =>
    on.cutAt !== undefined && revisionBudget !== undefined ? { cutShort: { at: on.cutAt, scannerRevisions: count, budget: revisionBudget } } : {};
  // Whether the run's end is where its header's budget (`meta.maxScannerRevisions`, written by run --record with
  // --max-scanner-revisions) cut the recorded run, for the note that its counts are lower bounds (main.ts,
  // recordedCutNote): a budget cuts at the next instant after the one its scanners passed it at, so no input is
  // applied and no event derived at a time between those two, and the `end` written there is the first thing after
  // it (a budget passed at the end's own instant is no cut, as Simulator.cutAt says). [choice] Said by what the run
  // shows, not by the header alone: replay --record copies the header's meta, and a recording whose `end` was taken
  // out, replayed to its cap and recorded again, kept a budget that cut nothing, and its replay said the budget had
  // cut it (a spec QA pass). [limitation] A log whose own `end` falls on the instant after the one its budget was
  // passed at reads as cut: the two cannot be told apart.
  let headerBudget: number | undefined;
  let headerBudgetCount = 0;
  let headerBudgetPassedAt: number | undefined;
  let headerBudgetNextAt: number | undefined;
  const seeTime = (at: number) => {
    if (headerBudgetPassedAt !== undefined && headerBudgetNextAt === undefined && at > headerBudgetPassedAt) headerBudgetNextAt = at;
  };
  const onDerived = (e: DerivedEvent, madeDocument?: boolean, discarded?: Discarded, startedBy?: number, missed?: boolean) => {
    if (revisionBudget !== undefined && isScannerRevision(e)) scannerRevisions++;
    if (headerBudget !== undefined) {
      seeTime(e.at);
      if (isScannerRevision(e) && ++headerBudgetCount > headerBudget && headerBudgetPassedAt === undefined) headerBudgetPassedAt = e.at;
    }
    conformance.onEngine(inFileLines(e));
    if (beyondStop?.held !== undefined && (blame !== undefined || timeline !== undefined)) {
      beyondStop.held.push(missed === true ? [e, madeDocument, discarded, startedBy, missed] : [e, madeDocument, discarded, startedBy]);
      if (beyondStop.held.length > BEYOND_STOP_KEPT) {
        for (const [x, m, d, b, i] of beyondStop.held) toOutputs(x, m, d, b, i);
        beyondStop.held = undefined;
      }
    } else toOutputs(e, madeDocument, discarded, startedBy, missed);
    if (record !== undefined) writeLine(encodeEvent(e));
  };
  /** Why the run stops where it did (for the mismatch at the first derived line past it). */
  const stopText = (s: Summary) =>
    s.stopped === 'cap'
      ? `the run stops at its cap, ${formatVirtualTime(s.endAt)} (maxRunMs after its last input event), but the file goes on with this derived event`
      : `the run stops at ${formatVirtualTime(s.endAt)}, with nothing pending after its last input event (event-log.md: without an end event, a run stops there), but the file goes on with this derived event`;
  /** The engine runs on past where the run would stop, undoably: the file's waiting lines are too many to hold. */
  const goBeyondStop = () => {
    waiting = false;
    beyondStop = { snap: sim.snapshot(), recordMark: typeof record?.mark === 'function' ? record.mark() : undefined, outLine, budgetMark: [headerBudgetCount, headerBudgetPassedAt, headerBudgetNextAt], held: [] };
    conformance.markBoundary();
  };
  /** An input line came: the engine's run past the stop stands (or, waiting, it may run on). */
  const inputFollows = () => {
    waiting = false;
    if (beyondStop === undefined) return;
    if (beyondStop.held !== undefined) for (const [x, m, d, b, i] of beyondStop.held) toOutputs(x, m, d, b, i);
    beyondStop = undefined;
    conformance.clearBoundary();
  };
  /**
   * The file ended: a run past its stop is undone (the engine back where it paused: finishing it runs nothing). Returns
   * what to say once the run has stopped: the lines waiting, or derived past the stop, are the file's mismatch.
   */
  const fileEnded = (): ((s: Summary) => void) | undefined => {
    if (waiting) {
      waiting = false;
      return (s) => conformance.stoppedBefore(stopText(s));
    }
    const b = beyondStop;
    if (b === undefined) return undefined;
    beyondStop = undefined;
    sim.restore(b.snap);
    [headerBudgetCount, headerBudgetPassedAt, headerBudgetNextAt] = b.budgetMark;
    if (b.recordMark !== undefined) record!.truncate(b.recordMark);
    outLine = b.outLine;
    if (b.held === undefined) outputsPastStop = true;
    return (s) => conformance.undoPastBoundary(stopText(s));
  };
  /**
   * A refusal (work budget, memory) met while the engine ran on past its stop (`beyondStop`), held until the file
   * says whether that run stands: an input line after it (the run stands, and so does its refusal: the input's time
   * is at or after the derived lines', so a run of the file meets the same work first) or the end of the file (the
   * run is undone and the first line past the stop is the mismatch, exit 1). Meanwhile the engine is back where it
   * paused and the rest of the file is only read. Refused at once, a recording cut off inside a storm gave exit 2
   * (`--max-work`) where its finding is the mismatch (QA). A run ahead that meets no refusal still runs to the file's end.
   */
  let refusedBeyondStop: LogError | undefined;
  /** `err`, raised while running past the stop: held (see refusedBeyondStop) if it is a refusal of the run's size. */
  const holdRefusal = (err: unknown): undefined => {
    if (beyondStop === undefined || !(err instanceof LogError) || (err.code !== 'RUN_TOO_LONG' && err.code !== 'RUN_TOO_LARGE')) throw err;
    refusedBeyondStop = err;
    inFlight = undefined;
    // The run ahead's state is let go now (its memory may be what was refused); fileEnded restores again, harmlessly.
    sim.restore(beyondStop.snap);
    return undefined;
  };
  // --max-work sets both budgets: a user who raises it for a dense schedule (scanEveryMs=10) means the periodic one too.
  const budget = options.maxWork !== undefined ? { maxWorkBetweenInputs: options.maxWork, maxPeriodicWorkBetweenInputs: options.maxWork } : {};
  const cut = (count: () => number) => (revisionBudget !== undefined ? { cutWhen: () => count() > revisionBudget } : {});
  /**
   * Whether the budget cuts the log's own run: not once the log shows it is a recording (its run is checked as
   * recorded), where, with --what-if, it cuts the what-if run alone. [choice] A what-if that storms on a recording could
   * not be cut short: the budget was refused for a recording, and --max-run stops only after the last input, so
   * "what would this design have done" ended after minutes in a refusal for memory, nothing printed (a QA pass at
   * scale). Not with --record, which writes the recording's own run (onDerivedLine).
   */
  let baseBudget = true;
  const sim = new Simulator({ behaviours: factory, maxRunMs: options.maxRunMs, onDerived, ...budget, ...(revisionBudget !== undefined ? { cutWhen: () => baseBudget && scannerRevisions > revisionBudget } : {}) });
  const whatIfRegistry = options.whatIfRegistry ?? options.registry;
  // The deletions the what-if compares (whatIf.deletionsUndone), of the inputs each run applied: the two runs may
  // stop at different inputs (a cut, --max-scanner-revisions), and a deletion a run ignored undid nothing (a QA pass:
  // a deletion after an `end` counted as undone in both).
  const baseDeletions = new UserDeletions();
  const whatIfDeletions = new UserDeletions();
  const whatIfSim =
    options.whatIf !== undefined
      ? new Simulator({
          behaviours: behaviourFactory(whatIfRegistry),
          maxRunMs: options.maxRunMs,
          ...budget,
          ...(revisionBudget !== undefined ? { onDerived: (e: DerivedEvent) => void (isScannerRevision(e) && whatIfScannerRevisions++) } : {}),
          ...cut(() => whatIfScannerRevisions),
        })
      : undefined;
  const rewriter = options.whatIf !== undefined ? new WhatIfRewriter(options.whatIf, whatIfRegistry) : undefined;
  const progress = createProgress(options.progressLabel ?? 'replstorm');
  // How much of the log was read, for progress (a replay of millions of lines said its input events and virtual time,
  // nothing a person could tell the time left from: a QA pass at scale).
  let bytesRead = 0;
  const readShare = (): string => {
    const total = options.sourceBytes;
    return total !== undefined && total > 0 ? `${Math.min(100, Math.floor((100 * bytesRead) / total))}% of the file read, ` : '';
  };
  let header: LogHeader | undefined;
  let inputs = 0;
  let ignored = 0;
  let kept: InputEvent[] | undefined;
  let lastLine = 1;

  const onHeader = (h: LogHeader) => {
    header = h;
    const budget = (h.meta as Record<string, unknown>)['maxScannerRevisions'];
    // (Only a budget run could have given: a whole number from 0.)
    if (typeof budget === 'number' && Number.isSafeInteger(budget) && budget >= 0) headerBudget = budget;
    if (options.keepInputs?.(h) === true) kept = [];
    if (record !== undefined) writeLine(encodeHeader({ replog: 1, meta: { ...h.meta, ...(options.recordMeta ?? {}) } }));
  };
  // Long stretches of engine work run in slices, with a turn of the event loop between them, so Ctrl-C and SIGTERM
  // are handled at once rather than when the stretch ends. [choice] The engine is pure (it knows no clock) and counts
  // work in items, but items differ a thousandfold in cost (a design's slow scan, a document with thousands of
  // revisions, garbage collection near a full heap: slices of 1,024 items took minutes in a storm, and SIGTERM waited
  // for them). So a slice is as many chunks of CHUNK items as fit in TURN_MS by the clock, read once per chunk.
  const CHUNK = 8;
  const TURN_MS = 50;
  // Memory is checked within a slice too, every MEMORY_CHUNKS chunks: a storm whose conflicts double the documents
  // stamps each new conflict document once, copying its history (thousands of entries), and in one 50 ms slice the
  // live heap grew from under 75% to past V8's limit (a 64 MB heap, CI): the process died of V8's out-of-memory abort
  // where it is refused between slices. A reading costs about 1 us, a chunk of a storm's items tens of us.
  const MEMORY_CHUNKS = 8;
  /** Runs `step` of `on`'s work in chunks until it is done (not 'more') or TURN_MS have passed; the first chunk is not timed. */
  const sliced = <T>(on: Simulator, step: (n: number) => T | 'more'): T | 'more' => {
    let r = step(CHUNK);
    if (r !== 'more') return r;
    const t0 = performance.now();
    let chunks = 0;
    do {
      if ((++chunks & (MEMORY_CHUNKS - 1)) === 0) checkMemory(on);
      r = step(CHUNK);
    } while (r === 'more' && performance.now() - t0 < TURN_MS);
    return r;
  };
  let lastTurn = performance.now();
  const yieldTurn = async (): Promise<void> => {
    if (performance.now() - lastTurn < TURN_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    lastTurn = performance.now();
  };
  const memoryUse = options.memoryUse ?? heapFullness;
  /** Refuses the run once the heap is MEMORY_STOP_AT full (see there), saying how big it had grown and when. */
  const checkMemory = (on: Simulator = sim): void => {
    const use = memoryUse();
    if (use < MEMORY_STOP_AT) return;
    const g = on.growth();
    const limitMb = heapLimitMb();
    // What to change, by what is run: a scenario (`run`) is made smaller by its settings (it takes no --max-run); a log
    // (`replay`) is stopped earlier by --max-run. The storm is named only when there are conflict documents to name.
    // (It suggested --max-run to `run`, which refuses it, and blamed conflicts with none made: an operator's QA pass.)
    // (A storm only where conflict documents are a tenth of the documents or more: a QA pass at scale read "a storm"
    // for a recording of users' edits with a few conflicts, refused for what --blame kept.)
    const storm = g.conflicts > 0 && g.conflicts * 10 >= g.documents ? ' (a storm whose conflicts make more conflicts grows without end)' : '';
    const budgetHint = revisionBudget !== undefined ? 'a smaller --max-scanner-revisions,' : 'cut a storm short with --max-scanner-revisions N (its summary, report and recording up to there),';
    // (--max-run stops a replay that long after its last input: no help where the inputs go on to the end, as a
    // recording's do, a QA pass at scale.)
    const whatIfHint = on === whatIfSim && revisionBudget === undefined ? 'cut the --what-if run short with --max-scanner-revisions N (for a recording, it cuts that run alone), ' : on === whatIfSim ? 'a smaller --max-scanner-revisions, ' : '';
    const smaller = 'events' in source ? `make it smaller (fewer databases or docs, or a shorter horizonMs), ${budgetHint}` : `${whatIfHint}replay a copy of the log cut between two instants before this point, ended with an end event at the next (\`{"at": <its time>, "type": "end"}\`: a recording cut anywhere else fails its check), stop it earlier after its last input (--max-run),`;
    // What this run keeps that another would not: attribution per revision, and revision lists no database caps.
    const kept = [
      ...(blame !== undefined || timeline !== undefined ? ['--blame and --report keep what they attribute per revision (some 0.8 KB each): without them the same run needs less memory'] : []),
      ...(g.revisions > 20 * Math.max(1, g.documents) ? [`each document keeps every revision's entry in its $Revisions list (${Math.round(g.revisions / Math.max(1, g.documents)).toLocaleString('en-US')} revisions a document here) unless its database sets limitRevisions`] : []),
    ];
    throw new LogError(
      'RUN_TOO_LARGE',
      // (the what-if run's refusal is named as its own by whatIfRefusal)
      `the run outgrew memory: the heap is ${Math.round(use * 100)}% full (of ${limitMb.toLocaleString('en-US')} MB) at virtual time ${formatVirtualTime(on.now)}, with ${g.documents.toLocaleString('en-US')} documents across the replicas, ${g.revisions.toLocaleString('en-US')} revisions, ${g.replicatedChanges.toLocaleString('en-US')} replicated changes and ${g.conflicts.toLocaleString('en-US')} conflict documents so far${storm}${kept.length > 0 ? `; ${kept.join('; ')}` : ''}; refused rather than crash, nothing written: ${smaller} or give Node more memory (NODE_OPTIONS=--max-old-space-size=8192)`,
    );
  };
  /**
   * Runs `step` of `on`'s work to its end: at once when one slice does it, else a promise of its outcome, slice after
   * slice with a turn of the event loop, a memory check and a progress line (`status`) between them.
   */
  const runInTurns = <T>(on: Simulator, step: (n: number) => T | 'more', status: () => string): T | Promise<T> => {
    const r = sliced(on, step);
    if (r !== 'more') return r;
    return (async () => {
      for (;;) {
        checkMemory(on);
        progress.tick(() => `${readShare()}${status()}; ${growthText(on)}`);
        await yieldTurn();
        const again = sliced(on, step);
        if (again !== 'more') return again;
      }
    })();
  };
  /** Advances `on` to `at`; returns the outcome, or a promise of it when the work had to be sliced (rare). */
  // (Its first chunk here, with no closure made, as advanceForDerived's: an input line of a log of inputs is one call.
  // Where it does not finish the work, runInTurns' first slice starts with another untimed chunk: two, not one, before
  // the slice's clock and its first memory check, a chunk's delay at most.)
  const advance = (at: number, line: number, on: Simulator = sim): 'done' | 'stopped' | Promise<'done' | 'stopped'> => {
    const first = on.advanceSome(at, line, CHUNK);
    return first !== 'more' ? first : advanceOnInTurns(at, line, on);
  };
  const advanceOnInTurns = (at: number, line: number, on: Simulator): 'done' | 'stopped' | Promise<'done' | 'stopped'> =>
    runInTurns(on, (n) => on.advanceSome(at, line, n), () => `virtual time ${formatVirtualTime(on.now)}, running to line ${line.toLocaleString('en-US')} (at ${formatVirtualTime(at)})`);
  /** `advance` for a derived line: pauses where the run would stop ('would-stop'), unless already running beyond it. */
  const advanceForDerived = (at: number, line: number): 'done' | 'stopped' | 'would-stop' | Promise<'done' | 'stopped' | 'would-stop'> => {
    // Most lines of a recording are derived and advance the engine a little, within one chunk: that first chunk runs
    // here, without the two closures runInTurns takes (about 300 bytes of garbage per line, sampled on the bench's
    // replay). Past it, runInTurns goes on in chunks and turns, as for any other advance.
    const first = beyondStop !== undefined ? sim.advanceSome(at, line, CHUNK) : sim.advanceUnlessStopSome(at, line, CHUNK);
    return first !== 'more' ? first : advanceInTurns(at, line);
  };
  /** advanceForDerived past its first chunk (no closure there: see holdFewer). */
  const advanceInTurns = (at: number, line: number): Promise<'done' | 'stopped' | 'would-stop'> | 'done' | 'stopped' | 'would-stop' => {
    return runInTurns(sim, (n) => (beyondStop !== undefined ? sim.advanceSome(at, line, n) : sim.advanceUnlessStopSome(at, line, n)), () => `virtual time ${formatVirtualTime(sim.now)}, running to line ${line.toLocaleString('en-US')} (at ${formatVirtualTime(at)})`);
  };
  /** Runs `on` to its end once the input is done (finishSome in turns). */
  const finishInTurns = (on: Simulator, status: () => string): true | Promise<true> => runInTurns(on, (n) => (on.finishSome(n) ? true : 'more'), status);
  /** The what-if run follows the same input, sliced the same way (its design may make a longer stretch). */
  // (Called for every input: its work, with closures, is in feedWhatIfRun; see holdFewer. A review found it made its
  // context on every input, with no --what-if.)
  const feedWhatIf = (located: LocatedEvent, e: InputEvent): Promise<void> | undefined =>
    whatIfSim === undefined || rewriter === undefined ? undefined : feedWhatIfRun(located, e, whatIfSim, rewriter);
  const feedWhatIfRun = (located: LocatedEvent, e: InputEvent, whatIfSim: Simulator, rewriter: WhatIfRewriter): Promise<void> | undefined => {
    const w = rewriter.rewrite(e);
    const feed = (): undefined => {
      try {
        // (The what-if run has been advanced to the input: whether a save lands on a stub is read before it applies.)
        const stub = whatIfDeletions.stubThere(whatIfSim, w);
        if (whatIfSim.feed({ line: located.line, event: w })) whatIfDeletions.see(w, stub);
      } catch (err) {
        // The log's run applied this line: what it names (a conflict document, a forwarded copy) was made by the log's
        // own design, and the what-if design did not make it. Said so, not left to read as a mistake in the log.
        if (err instanceof LogError && err.code === 'UNKNOWN_REFERENCE') {
          throw new LogError(err.code, `${err.message} (the log's own run has it: this input depends on what the log's designs did, which the what-if design did not do, so the what-if run cannot follow the log from this line)`, { line: err.line, column: err.column, ...(err.field !== undefined ? { field: err.field } : {}) });
        }
        throw err;
      }
      return undefined;
    };
    try {
      const reached = advance(w.at, located.line, whatIfSim);
      if (typeof reached === 'string') return feed();
      return reached.then(feed).catch((err: unknown) => {
        throw whatIfRefusal(err);
      });
    } catch (err) {
      throw whatIfRefusal(err);
    }
  };
  /** A refusal by the what-if run alone (its design's storm passing the work budget) is said to be the what-if's. */
  const whatIfRefusal = (err: unknown): unknown => {
    if (!(err instanceof LogError) || options.whatIf === undefined) return err;
    return new WhatIfRefusal(err.code, `the --what-if run (${options.whatIf.label}): ${err.message}`, { line: err.line, column: err.column, ...(err.field !== undefined ? { field: err.field } : {}) });
  };
  const designsNamed = new Set<string>();
  const applyInput = (located: LocatedEvent, e: InputEvent, reached: 'done' | 'stopped') => {
    if (e.type === 'scanner') designsNamed.add(e.design);
    // The run was cut (maxScannerRevisions) before this input: the recording says where with an `end`, before the
    // inputs of that instant (which are applied after it, as after any `end`), unless this input is the run's own
    // `end` there.
    if (sim.cutAt !== undefined && !cutEndWritten) {
      cutEndWritten = true;
      if (record !== undefined && !(e.type === 'end' && e.at === sim.cutAt)) writeLine(encodeEvent({ at: sim.cutAt, type: 'end' }));
    }
    if (reached !== 'done' && !(sim.stopped === 'end' && e.at === sim.now)) {
      // Ignored (after an `end`, at a later time), but a recording is the complete log: its replay ignores it too.
      ignored++;
      if (record !== undefined) writeLine(encodeEvent(e));
    } else {
      // Every input applied is checked against the derived lines before it: after an `end` at its instant too (a
      // review: the check ran only where the engine had run to the input, and a recording cut by
      // --max-scanner-revisions, whose instant's inputs follow its `end`, took a revised line moved before its save).
      conformance.inputLine(located.line, e);
      if (headerBudget !== undefined) seeTime(e.at);
      // Errors name the line of the input; derived events name the line of the log they are written to.
      const cause = record !== undefined ? writeLine(encodeEvent(e)) : located.line;
      if (record !== undefined && decoder !== undefined) {
        const shift = located.line - cause;
        if (shift !== (causeShifts.at(-1) ?? 0)) causeShifts.push(cause, shift);
      }
      if (blame !== undefined) {
        // A scanner's installation is the cause of its scheduled passes' revisions (its only ones blame gives it): said
        // in blame's label. Not in describeInput, which the report's steps also use: a design with no schedule read
        // "(its scheduled scans)" there, with none to come (a researcher's QA pass).
        labels.set(cause, e.type === 'scanner' ? `${describeInput(e)} (its scheduled scans)` : describeInput(e));
      }
      // Before it is applied: what the engine derives while applying it is its own (its revision, an on-write scan's
      // stamp). By the line in the file replayed, as blame names causes (`cause` is the recording's under --record).
      steps?.input(causeLine(cause), e, e.type === 'crash' ? sim.queuedOn(e.server) : undefined);
      // (Whether a save lands on a deletion stub, read before it applies: UserDeletions.see.)
      const stub = baseDeletions.stubThere(sim, e);
      conformance.applying = true;
      try {
        sim.apply(located as LocatedEvent<InputEvent>, cause);
      } finally {
        conformance.applying = false;
      }
      // (A scheduled scan the design declined: the step says so, by the decision the input met.)
      const declined = sim.takeDeclinedPass();
      if (declined !== undefined) steps?.declined(declined);
      baseDeletions.see(e, stub);
    }
    if ((inputs & 0x3ff) === 0) {
      checkMemory();
      progress.tick(() => `${readShare()}${inputs.toLocaleString('en-US')} input events, virtual time ${formatVirtualTime(sim.now)}; ${growthText(sim)}`);
    }
  };
  // A derived line whose time the engine is running to: if the engine fails on the way, a bad line is refused first.
  let inFlight: FileDerived | undefined;
  const holdLimit = Math.max(1, options.holdDerived ?? HOLD_DERIVED);
  /** The instant whose work ran ahead of the file's lines (see HOLD_DERIVED), or -1. */
  let ranThrough = -1;
  /** Keeps the derived lines waiting for the engine under `holdLimit`: runs the work of their instant, `at` (HOLD_DERIVED). */
  // [measured] A function whose closures capture its parameters allocates their context on every call, also where it
  // returns before making any: the hot paths below (a call per derived line) hand their rare work to another function,
  // each context some 50 bytes a line (V8's sampling heap profiler, the bench's replay: 14% of its allocation, with
  // onDerivedLine's and advanceForDerived's).
  const holdFewer = (f: FileDerived, at: number): Promise<void> | undefined => (conformance.held <= holdLimit ? undefined : runHeldInstant(f, at));
  const runHeldInstant = (f: FileDerived, at: number): Promise<void> | undefined => {
    inFlight = f;
    /** One chunk of the instant's work; true once caught up (or the file found to disagree). */
    const step = (): boolean => {
      if (sim.stopped !== undefined) {
        conformance.stoppedBefore(`the engine's run stopped at ${formatVirtualTime(sim.now)} (${sim.stopped === 'end' ? 'an end event' : 'its run cap'}), and derives nothing more without an input, but the file has this derived event (and ${(conformance.held - 1).toLocaleString('en-US')} more after it)`);
        return true;
      }
      ranThrough = at;
      // No line: the work is the held instant's, run early, not work before this derived line. A work-budget refusal
      // names the instant's last input (Simulator.advanceThroughSome) and says why the work ran then.
      let r: 'done' | 'more' | 'stopped' | 'would-stop';
      try {
        // (Not past where the run would stop, unless already beyond it: see `waiting`.)
        r = beyondStop !== undefined ? sim.advanceThroughSome(at, undefined, CHUNK) : sim.advanceUnlessStopSome(at, undefined, CHUNK, true);
      } catch (err) {
        if (!(err instanceof LogError) || err.code !== 'RUN_TOO_LONG') throw err;
        const held = `replay ran the work of ${formatVirtualTime(at)} early, on reaching line ${f.line.toLocaleString('en-US')}: it holds at most ${holdLimit.toLocaleString('en-US')} of one instant's derived lines before running that instant's work`;
        throw new LogError(err.code, `${err.message} (${held})`, { line: err.line, column: err.column, ...(err.field !== undefined ? { field: err.field } : {}) });
      }
      if (r === 'would-stop') {
        waiting = true;
        return true;
      }
      if (conformance.mismatch !== undefined || conformance.held <= holdLimit / 2) return true;
      if (r === 'done') {
        conformance.stoppedBefore(`the engine has run all its work up to ${formatVirtualTime(at)} and derives nothing more then, but the file has this derived event (and ${(conformance.held - 1).toLocaleString('en-US')} more up to that time)`);
        return true;
      }
      return false;
    };
    // In turns, as `advance`: catching up can be long (slow items), and Ctrl-C must not wait for it.
    const done = runInTurns(sim, () => (step() ? true : 'more'), () => `virtual time ${formatVirtualTime(sim.now)}, checking the recording's lines at ${formatVirtualTime(at)}`);
    if (done === true) {
      inFlight = undefined;
      return undefined;
    }
    return done.then(() => {
      inFlight = undefined;
    });
  };
  let derivedLines = 0;
  /** afterAdvance once `reached` settles (no closure in onDerivedLine: see holdFewer). */
  const afterAdvanceLater = (reached: Promise<'done' | 'stopped' | 'would-stop'>, f: FileDerived, at: number): Promise<void> | undefined => reached.then((r) => afterAdvance(f, at, r));
  /** A derived line once the engine has advanced to its time (or paused at its stop: the line waits). */
  const afterAdvance = (f: FileDerived, at: number, r: 'done' | 'stopped' | 'would-stop'): Promise<void> | undefined => {
    inFlight = undefined;
    if (!conformance.isQueued(f)) conformance.onFile(f);
    if (r === 'would-stop') {
      waiting = true;
      return undefined;
    }
    return holdFewer(f, at);
  };
  // The input line being applied: an error the engine raises for it (an undefined server) points at its field.
  let applying: LocatedEvent | undefined;
  /** One event of the source: synchronous unless engine work before it had to be sliced. */
  const onEvent = (located: LocatedEvent | RawDerivedLine): Promise<void> | undefined => {
    lastLine = located.line;
    giveWarnings(located.line);
    const derived = isRaw(located) || !isInputEvent(located.event);
    if (refusedBeyondStop !== undefined) {
      // An input: the run past the stop stands, and so does its refusal. A derived line is only read (decoded, so a
      // bad line is still refused), not checked: the engine no longer runs.
      if (!derived) throw refusedBeyondStop;
      if (isRaw(located)) decoder?.decodeRaw(located);
      return undefined;
    }
    if (derived) {
      if (beyondStop === undefined) return onDerivedLine(located as FileDerived);
      try {
        const wait = onDerivedLine(located as FileDerived);
        return wait === undefined ? undefined : wait.catch(holdRefusal);
      } catch (err) {
        return holdRefusal(err);
      }
    }
    return onInputLine(located as LocatedEvent<InputEvent>);
  };
  /** A derived line of the file: the engine runs to its time (not past where the run would stop) and checks it. */
  const onDerivedLine = (f: FileDerived): Promise<void> | undefined => {
    // A cut is for inputs: a recording's derived lines are checked against a run that must not stop where they go on
    // (the replay pauses where a run would stop, Simulator.wouldStop, which knows no cut).
    if (revisionBudget !== undefined && baseBudget) {
      if (whatIfSim === undefined || sim.cutAt !== undefined) {
        throw new UsageError(`--max-scanner-revisions is for a log of input events, or a recording's --what-if run, and this line is a derived event: a recording's run is checked as it was recorded; replay it whole, or stop it earlier with --max-run`, { line: f.line, column: 1 });
      }
      // (--record writes the log's own run, its header saying the budget given, which did not cut it: a replay of it
      // then read the recorded run's own cut as none, a review.)
      if (record !== undefined) {
        throw new UsageError(`--max-scanner-revisions with --record: this log is a recording (this line is a derived event), whose own run, the one --record writes, is checked whole, not cut; the budget cuts the --what-if run alone, which is not recorded: give one of the two`, { line: f.line, column: 1 });
      }
      baseBudget = false;
    }
    // Memory is checked between slices of work and every 1,024 inputs; a recording is mostly derived lines, each
    // advancing the engine a little (no slice), and blame keeps a record per version: checked here too (a storm
    // recording replayed with --blame under a 64 MB heap died of V8's out-of-memory abort instead).
    if ((++derivedLines & 0x3ff) === 0) {
      checkMemory();
      // (A recording is mostly derived lines: progress was said every 1,024 inputs alone, and a replay of 1.1 million
      // lines, its 10,000 inputs all in its first second, said nothing until its end.)
      progress.tick(() => `${readShare()}${derivedLines.toLocaleString('en-US')} derived lines checked, ${inputs.toLocaleString('en-US')} input events, virtual time ${formatVirtualTime(sim.now)}; ${growthText(sim)}`);
    }
    const at = isRaw(f) ? f.at : f.event.at;
    // A recording writes the engine's derived events as they happen: the engine can run the work due before this
    // one's time now (no input can still come before it), so the two sides meet at once instead of the file's
    // events piling up until the next input line.
    // The engine has stopped for good (its cap, an end) before this line's time: nothing it derives can match this
    // line or any still waiting before it. Said now, at the first of them, instead of holding every later line of a
    // long file in memory until its end.
    if (at > sim.now && sim.stopped !== undefined) {
      conformance.onFile(f);
      conformance.stoppedBefore(`the engine's run stopped at ${formatVirtualTime(sim.now)} (${sim.stopped === 'end' ? 'an end event' : 'its run cap'}), but the file goes on with this derived event`);
      return undefined;
    }
    if (waiting) {
      // Paused where the run would stop: the line waits for an input (or the end of the file) to say which.
      conformance.onFile(f);
      if (conformance.held <= holdLimit) return undefined;
      goBeyondStop();
    }
    if (at > sim.now && sim.stopped === undefined) {
      inFlight = f;
      const reached = advanceForDerived(at, f.line);
      // (No closure made per line on the common, synchronous path: tsx names each one, a defineProperty per line.)
      return typeof reached !== 'string' ? afterAdvanceLater(reached, f, at) : afterAdvance(f, at, reached);
    }
    if (!conformance.isQueued(f)) conformance.onFile(f);
    return holdFewer(f, at);
  };
  /** An input line: the engine runs to its time and applies it. */
  const onInputLine = (located: LocatedEvent<InputEvent>): Promise<void> | undefined => {
    // Also when the run was paused at its stop, or had gone past it: this input ends that (inputFollows), and the
    // engine then runs to the input's time as on the plain path. (Checked on the plain path alone, a derived line
    // missing just before a recording's `end`, in a run with scheduled work, was said at a line past the file's last,
    // "the file ends": an operator's QA pass.)
    inputFollows();
    const e = located.event;
    applying = located;
    if (e.at === ranThrough) {
      throw new LogError('TIME_DECREASED', `field "at": this input comes at ${formatVirtualTime(e.at)} after more than ${holdLimit.toLocaleString('en-US')} derived lines of that same instant; replay holds at most that many before it runs the instant's work to check them (its memory is bounded), and the engine runs an instant's inputs before its work: write the instant's inputs before its derived lines, as a recording does`, { line: located.line, field: 'at' });
    }
    inputs++;
    if (kept !== undefined) {
      if (kept.length < MAX_CLAIM_INPUTS) kept.push(e);
      else kept = undefined;
    }
    const reached = advance(e.at, located.line);
    if (typeof reached === 'string') {
      applyInput(located, e, reached);
      return feedWhatIf(located, e);
    }
    return applyLater(reached, located, e);
  };
  /** onInputLine's input once the engine has reached it (no closure there: see holdFewer). */
  const applyLater = (reached: Promise<'done' | 'stopped'>, located: LocatedEvent<InputEvent>, e: InputEvent): Promise<void> =>
    reached.then((r) => {
      applyInput(located, e, r);
      return feedWhatIf(located, e);
    });

  let summary: Summary;
  let whatIfSummary: Summary | undefined;
  try {
    if (decoder !== undefined && 'chunks' in source) {
      // A line the decoder refuses is reported after the lines before it have run: one of them the engine refuses
      // (an unknown replica) is the first error of the log, and is named first (LogDecoder.beforeFailure).
      const decoded = async (take: () => readonly (LocatedEvent | RawDerivedLine)[]): Promise<readonly (LocatedEvent | RawDerivedLine)[]> => {
        try {
          return take();
        } catch (err) {
          if (header === undefined && decoder.header !== undefined) onHeader(decoder.header);
          for (const e of decoder.beforeFailure) {
            const wait = onEvent(e);
            if (wait !== undefined) await wait;
          }
          throw err;
        }
      };
      for await (const chunk of source.chunks) {
        bytesRead += chunk.length;
        const events = await decoded(() => decoder.push(chunk));
        if (header === undefined && decoder.header !== undefined) onHeader(decoder.header);
        for (const e of events) {
          const wait = onEvent(e);
          if (wait !== undefined) await wait;
        }
        // A source read synchronously (readChunks, a regular file) gives the event loop no turn of its own between
        // chunks, as a stream's reads did: one is taken here every TURN_MS, so that signals are handled.
        await yieldTurn();
      }
      const rest = await decoded(() => decoder.end());
      if (header === undefined && decoder.header !== undefined) onHeader(decoder.header);
      for (const e of rest) {
        const wait = onEvent(e);
        if (wait !== undefined) await wait;
      }
    } else if ('events' in source) {
      onHeader(source.header);
      let line = 1;
      for (const e of source.events) {
        const wait = onEvent({ line: ++line, event: e });
        if (wait !== undefined) await wait;
      }
    }
    progress.tick(() => `input done (${inputs.toLocaleString('en-US')} events); running to the end`);
    refusedBeyondStop = undefined;
    const stoppedBeforeLines = fileEnded();
    conformance.fileDone(lastLine);
    // A recording whose engine derives more than its last line has failed its check: the run goes no further (a
    // recording cut before its end would run its storm on), and its summary is where it was found.
    await runInTurns(sim, (n) => (sim.finishSome(n) || conformance.endedOnMismatch ? true : 'more'), () => `input done (${inputs.toLocaleString('en-US')} events); virtual time ${formatVirtualTime(sim.now)}`);
    if (conformance.endedOnMismatch) {
      // No summary: the run did not stop where the file does, and one taken here read "stopped at the run cap" (a
      // review); nor a recording, a report or a --what-if run of it. The mismatch, as replay says any (exit 1).
      const m = conformance.mismatch!;
      throw new RecordingEndedShort(m.line, m.column ?? 1, m.message);
    }
    checkMemory();
    summary = sim.finish();
    stoppedBeforeLines?.(summary);
    // A run stopped by its cap (maxRunMs after the last input: --max-run, or the default 7 days) would run on to another
    // cap when its recording is replayed with other options: the recording ends with an `end` where this run stopped,
    // so it replays to the same run whatever the options. [choice] An input event the log did not have; it says where
    // the run was cut, which the log format has no other way to say.
    if (record !== undefined && summary.stopped === 'cap') writeLine(encodeEvent({ at: summary.endAt, type: 'end' }));
    // A run cut after its last input (maxScannerRevisions) ends its recording with the `end` where it stopped.
    if (record !== undefined && sim.cutAt !== undefined && !cutEndWritten) writeLine(encodeEvent({ at: sim.cutAt, type: 'end' }));
    try {
      if (whatIfSim !== undefined) await finishInTurns(whatIfSim, () => `the --what-if run, virtual time ${formatVirtualTime(whatIfSim.now)}`);
      whatIfSummary = whatIfSim?.finish();
    } catch (err) {
      throw whatIfRefusal(err);
    }
    progress.done();
    conformance.finish(lastLine);
    giveWarnings(Number.POSITIVE_INFINITY);
  } catch (err) {
    let refusal: unknown = err;
    try {
      // Raw lines before the refused one are decoded first (one of them may be the first bad line), as if every line
      // had been decoded as it was read.
      const upTo = err instanceof LogError && err.line > 0 ? err.line : Number.POSITIVE_INFINITY;
      conformance.settle(upTo);
      if (inFlight !== undefined && isRaw(inFlight) && inFlight.line <= upTo) decoder?.decodeRaw(inFlight);
      if (err instanceof LogError && err.column === 0 && err.field !== undefined && applying?.text !== undefined && err.line === applying.line) {
        refusal = new LogError(err.code, err.message, { line: err.line, column: columnOfField(applying.text, err.field), field: err.field });
      }
    } catch (earlier) {
      refusal = earlier;
    }
    // The warnings of the lines up to the refused one, then the refusal (see `held`).
    giveWarnings(refusal instanceof LogError && refusal.line > 0 ? refusal.line : Number.POSITIVE_INFINITY);
    throw refusal;
  }
  // R6: this run's deleted documents back where they were deleted (run and replay say it; the what-if gives both runs').
  const baseUndone = deletionsUndoneOf(sim, baseDeletions);
  return {
    header: header!,
    summary,
    deletionsUndone: baseUndone,
    ...(whatIfSummary !== undefined && whatIfSim !== undefined && options.whatIf !== undefined
      ? {
          whatIf: {
            label: options.whatIf.label,
            summary: whatIfSummary,
            infectedCopiesLeft: { base: infectedCopies(sim), whatIf: infectedCopies(whatIfSim) },
            conflictDocumentsHeld: { base: conflictDocumentsHeld(sim), whatIf: conflictDocumentsHeld(whatIfSim) },
            deletionsUndone: {
              base: baseUndone,
              whatIf: deletionsUndoneOf(whatIfSim, whatIfDeletions),
            },
            scannersReplaced: rewriter?.replaced ?? 0,
            scanners: rewriter?.scanners ?? [],
            scheduleDefaulted: rewriter?.scheduleDefaulted,
            outsideClusters: rewriter?.outsideClusters ?? { servers: [], count: 0, all: false },
            ...cutShort(whatIfSim, whatIfScannerRevisions),
          },
        }
      : {}),
    ...cutShort(sim, scannerRevisions),
    ...(headerBudget !== undefined ? { headerBudget: { budget: headerBudget, endIsItsCut: headerBudgetPassedAt !== undefined && headerBudgetNextAt === summary.endAt } } : {}),
    conformance: { checked: conformance.checked, byText: conformance.byText, heldAtMost: conformance.heldAtMost, ...(conformance.mismatch !== undefined ? { mismatch: conformance.mismatch } : {}) },
    ...(blame !== undefined ? { blame: blame.result() } : {}),
    ...(timeline !== undefined ? { timeline: timeline.result() } : {}),
    ...(steps !== undefined ? { steps: steps.result() } : {}),
    ...(outputsPastStop ? { outputsPastStop } : {}),
    inputEvents: inputs,
    ...(kept !== undefined ? { inputs: kept } : {}),
    ignoredAfterEnd: ignored,
    designsNamed,
    sim,
  };
}

