// Test support (not a test file): runs a fast-check property, prints its seed, and on failure writes the shrunk
// counterexample as a v1 event log that `replstorm replay` reproduces. Lives outside src/ because it writes files.
import fc from 'fast-check';
import { replayCommand, reproduceCommand, writeCounterexample } from '../../../scripts/counterexample.js';
import { propertySeed } from '../../../scripts/propertySeed.js';

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
}

/**
 * Checks the property; prints `seed` and, on failure, `path` and the counterexample log's file
 * (counterexamples/<name>-<seed>.jsonl at the repository root), then throws with all three.
 */
export function assertLogProperty<T>(p: LogProperty<T>): void {
  const seed = p.seed ?? propertySeed();
  const details = fc.check(fc.property(p.arbitrary, p.predicate), { seed, numRuns: p.numRuns ?? 100 });
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
    logs.forEach((log, i) => {
      const file = writeCounterexample(`${p.name}-${seed}${i === 0 ? '' : `-${i + 1}`}`, log);
      written += `\ncounterexample written to ${file}\nreplay it: ${replayCommand(file)}`;
    });
  }
  const header =
    `property ${p.name} failed after ${details.numRuns} runs\nseed: ${seed}, path: "${details.counterexamplePath ?? ''}"` +
    `\nreproduce: ${reproduceCommand(seed)}${written}`;
  // The assertion's own error, with its expected/actual diff, under the header (a new Error kept only its message).
  const e = details.errorInstance;
  if (e instanceof Error) {
    e.message = `${header}\n${e.message}`;
    throw e;
  }
  throw new Error(`${header}\n${String(e)}`);
}
