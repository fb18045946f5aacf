// Test support (not a test file): runs a fast-check property, prints its seed, and on failure writes the shrunk
// counterexample as a v1 event log that `replstorm replay` reproduces. Lives outside src/ because it writes files.
import fc from 'fast-check';
import { replayCommand, reproduceCommand, writeCounterexample } from '../../../scripts/counterexample.js';
import { propertyRuns, propertySeed } from '../../../scripts/propertySeed.js';

export { propertySeed };

/** A log as text, or as bytes (a decoder property's counterexample may be bytes that are not UTF-8). */
export type LogText = string | Uint8Array;

/** A log of the header and one line: the counterexample of a property about one event or one line. */
export function oneLineLog(line: string): string {
  return `{"replog":1,"meta":{}}\n${line}\n`;
}

export interface LogProperty<T> {
  /** Short name, used in the counterexample's file name. */
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  /** Throws (or returns false) when the property fails. */
  readonly predicate: (value: T) => boolean | void;
  /**
   * The value as a v1 event log (text), for the counterexample file; several logs when the property compares runs (each
   * gets its own file). May throw (the model the property checks may be what fails): the value is then printed.
   */
  readonly toLog: (value: T) => LogText | readonly LogText[];
  readonly numRuns?: number;
  readonly seed?: number;
  /**
   * Write the failure into the counterexample's header (`meta.recordedBy`, `invariant`, `violation`, `seed`, `path`),
   * which `replstorm replay` prints ("written by"): a replay shows the run, and this says what in it is wrong (a
   * winner rule broken both ways still converges: the summary alone looks fine). For properties whose log is a case of
   * the engine (simulation, replication); off for those whose log is the text under test (a decoder's): its header
   * must stay as it was drawn.
   */
  readonly noteFailure?: boolean;
}

/**
 * `log` with the failure in its header's meta (LogProperty.noteFailure), or `log` itself when its first line is not a
 * header object with a `meta` object.
 */
export function withFailureInHeader(log: string, failure: { readonly name: string; readonly message: string; readonly seed: number; readonly path: string; readonly difference?: string; readonly reproduce?: string }): string {
  const end = log.indexOf('\n');
  const first = end < 0 ? log : log.slice(0, end);
  let header: unknown;
  try {
    header = JSON.parse(first);
  } catch {
    return log;
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return log;
  const meta = (header as { meta?: unknown }).meta;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return log;
  // The message's first line (an expect() failure goes on with its diff), without colour codes, kept short.
  // eslint-disable-next-line no-control-regex
  const firstLine = (failure.message.split('\n').find((l) => l.trim() !== '') ?? '').replace(/\u001b\[[0-9;]*m/g, '').trim();
  // An expect() failure's first line elides both sides ("expected { …(4) } to deeply equal { …(4) }", a developer's
  // review): where they first differ is said after it.
  // Cut past 500 characters, and said (a header cut mid-digest read as the whole of it: a developer's QA pass).
  const whole = `${firstLine}${failure.difference !== undefined ? `: ${failure.difference}` : ''}`;
  const violation = whole.length > 500 ? `${whole.slice(0, 497)}...` : whole;
  // `reproduce`: the command that runs the property again (replay cannot make its assertion, and says so with it).
  const noted = { ...header, meta: { ...meta, recordedBy: `property ${failure.name}`, invariant: failure.name, violation, seed: failure.seed, path: failure.path, ...(failure.reproduce !== undefined ? { reproduce: failure.reproduce } : {}) } };
  return `${JSON.stringify(noted)}${end < 0 ? '' : log.slice(end)}`;
}

/**
 * Checks the property; prints `seed` and, on failure, `path` and the counterexample log's file
 * (counterexamples/<name>-<seed>.jsonl at the repository root), then throws with all three.
 */
export function assertLogProperty<T>(p: LogProperty<T>): void {
  const seed = p.seed ?? propertySeed();
  // (A property's own number is scaled where it is written, `propertyRuns(N)`; the default here.)
  const details = fc.check(fc.property(p.arbitrary, p.predicate), { seed, numRuns: p.numRuns ?? propertyRuns(100) });
  console.log(`[property ${p.name}] seed=${seed} runs=${details.numRuns}${details.failed ? ' FAILED' : ''}`);
  if (!details.failed) return;
  let written = '';
  if (details.counterexample !== null) {
    const value = details.counterexample[0];
    let logs: readonly LogText[] = [];
    try {
      const made = p.toLog(value);
      logs = typeof made === 'string' || made instanceof Uint8Array ? [made] : (made as readonly LogText[]);
    } catch (err) {
      // The log is made by running the case again, which is what failed: the report must not be lost with it.
      written = `\nthe counterexample could not be written as a log (${err instanceof Error ? err.message : String(err)}); it is:\n${fc.stringify(value)}`;
    }
    if (p.noteFailure === true) {
      const e = details.errorInstance;
      // Only an equality's (its diff is shown: `showDiff`): toBeGreaterThan(1000) has an `expected` too, 1000.
      const eq = e instanceof Error && (e as { showDiff?: unknown }).showDiff === true && 'actual' in e && 'expected' in e;
      const difference = eq ? firstDifference((e as { actual: unknown }).actual, (e as { expected: unknown }).expected) : undefined;
      const failure = { name: p.name, message: e instanceof Error ? e.message : String(e), seed, path: details.counterexamplePath ?? '', reproduce: reproduceCommand(seed), ...(difference !== undefined ? { difference } : {}) };
      logs = logs.map((log) => (typeof log === 'string' ? withFailureInHeader(log, failure) : log));
    }
    logs.forEach((log, i) => {
      const file = writeCounterexample(`${p.name}-${seed}${i === 0 ? '' : `-${i + 1}`}`, log);
      written += `\ncounterexample written to ${file}\nreplay it: ${replayCommand(file)}`;
    });
  }
  const header =
    `property ${p.name} failed after ${details.numRuns} runs\nseed: ${seed}, path: "${details.counterexamplePath ?? ''}"` +
    `\nreproduce: ${reproduceCommand(seed, true)}${written}`;
  // The assertion's own error, with its expected/actual diff, under the header (a new Error kept only its message).
  const e = details.errorInstance;
  if (e instanceof Error) {
    e.message = `${header}\n${e.message}`;
    throw e;
  }
  throw new Error(`${header}\n${String(e)}`);
}

/**
 * Where two values an equality compared first differ, as `at <path>: <actual> where <expected> was expected`
 * (objects by key, arrays by index, Maps by key, depth first), or undefined when none is found. An asymmetric matcher
 * (`expect.any(Number)`) is asked; a Set is compared as a whole; a value met again on its own path (a cycle) is not
 * walked twice.
 */
export function firstDifference(actual: unknown, expected: unknown, path = '', seen: Set<unknown> = new Set()): string | undefined {
  if (Object.is(actual, expected)) return undefined;
  const short = (v: unknown): string => {
    let t: string;
    try {
      t = v instanceof Set ? `Set(${v.size}) ${JSON.stringify([...v])}` : v instanceof Map ? `Map(${v.size})` : v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v));
    } catch {
      t = String(v);
    }
    return t.length > 80 ? `${t.slice(0, 77)}...` : t;
  };
  const here = () => `at ${path === '' ? 'the top' : path}: ${short(actual)} where ${short(expected)} was expected`;
  if (typeof expected === 'object' && expected !== null && typeof (expected as { asymmetricMatch?: unknown }).asymmetricMatch === 'function') {
    const m = expected as { asymmetricMatch: (v: unknown) => boolean; toAsymmetricMatcher?: () => string };
    return m.asymmetricMatch(actual) ? undefined : `at ${path === '' ? 'the top' : path}: ${short(actual)} where ${typeof m.toAsymmetricMatcher === 'function' ? m.toAsymmetricMatcher() : String(m)} was expected`;
  }
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null || Array.isArray(actual) !== Array.isArray(expected)) return here();
  if (seen.has(actual)) return undefined;
  // A value that says what it is in JSON (a note's Revisions, its entries in private fields; a note's memo, none):
  // compared by that. Walked by its keys, a Revisions has none, and two different lists were found equal, so a failed
  // equality of notes named no difference, or one beside the point (a developer's QA pass: R4 and R5 failures turn on
  // them).
  const asJson = (v: object): unknown => (typeof (v as { toJSON?: unknown }).toJSON === 'function' ? (v as { toJSON(): unknown }).toJSON() : v);
  const ja = asJson(actual);
  const jb = asJson(expected);
  if (ja !== actual || jb !== expected) return firstDifference(ja, jb, path, seen);
  seen.add(actual);
  try {
    if (actual instanceof Set || expected instanceof Set) {
      const same = actual instanceof Set && expected instanceof Set && actual.size === expected.size && [...actual].every((x) => expected.has(x));
      return same ? undefined : here();
    }
    if (actual instanceof Map || expected instanceof Map) {
      if (!(actual instanceof Map && expected instanceof Map)) return here();
      for (const k of new Set([...expected.keys(), ...actual.keys()])) {
        const d = firstDifference(actual.get(k), expected.get(k), `${path}.get(${short(k)})`, seen);
        if (d !== undefined) return d;
      }
      return undefined;
    }
    if (Array.isArray(actual) && Array.isArray(expected)) {
      for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
        const d = firstDifference(actual[i], expected[i], `${path}[${i}]`, seen);
        if (d !== undefined) return d;
      }
      return undefined;
    }
    const a = actual as Record<string, unknown>;
    const b = expected as Record<string, unknown>;
    for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
      const d = firstDifference(a[k], b[k], `${path}.${k}`, seen);
      if (d !== undefined) return d;
    }
    return undefined;
  } finally {
    seen.delete(actual);
  }
}
