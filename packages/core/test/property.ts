// Test support (not a test file): runs a fast-check property, prints its seed, and on failure writes the shrunk
// counterexample as a v1 event log that `replstorm replay` reproduces. Lives outside src/ because it writes files.
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The seed for this run: REPLSTORM_SEED if set (to reproduce), else a fresh one (printed). */
export function propertySeed(): number {
  const env = process.env['REPLSTORM_SEED'];
  if (env !== undefined && env !== '') return Number(env) | 0;
  return (Math.random() * 0x7fffffff) | 0;
}

export interface LogProperty<T> {
  /** Short name, used in the counterexample's file name. */
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<T>;
  /** Throws (or returns false) when the property fails. */
  readonly predicate: (value: T) => boolean | void;
  /** The value as a v1 event log (text), for the counterexample file. */
  readonly toLog: (value: T) => string;
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
  const file = join(repoRoot, 'counterexamples', `${p.name}-${seed}.jsonl`);
  let written = '';
  if (details.counterexample !== null) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, p.toLog(details.counterexample[0]));
    written = `\ncounterexample written to ${file}\nreplay it: npx -y pnpm@10.34.9 replstorm replay ${file}`;
  }
  const err = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    `property ${p.name} failed after ${details.numRuns} runs\nseed: ${seed}, path: "${details.counterexamplePath ?? ''}"` +
      `\nreproduce: REPLSTORM_SEED=${seed} npx -y pnpm@10.34.9 test${written}\n${err}`,
  );
}
