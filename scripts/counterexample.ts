// Test support: where a failing property writes its counterexample log, and the commands it prints to run the test
// again and to replay the log. One place, so every property's failure reads the same (assertLogProperty, the verify
// suite's assertHeld).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect } from 'vitest';
import { COUNTEREXAMPLES_DIR, REPO_ROOT } from './paths.js';
import { runsFactorFromEnv } from './propertySeed.js';

export { REPO_ROOT };

/** Writes `log` to counterexamples/<base>.jsonl at the repository root (made if missing); returns the file. */
export function writeCounterexample(base: string, log: string | Uint8Array): string {
  const file = join(COUNTEREXAMPLES_DIR, `${base}.jsonl`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, log);
  return file;
}

/**
 * The command that replays a counterexample log. `designs`: the `name=path` of each researcher's design the log names
 * (paths from the repository root, where pnpm runs the CLI); a log naming only built-in designs needs none.
 */
export function replayCommand(file: string, designs: readonly string[] = []): string {
  return `npx -y pnpm@10.34.9 ${anywhere()}replstorm replay ${designs.map((d) => `--design ${d} `).join('')}${file}`;
}

/**
 * pnpm's `-C <repository root>`: a printed command runs from any directory (from packages/core, `pnpm replstorm` was
 * "Command replstorm not found": a developer's QA pass). Only in what is printed: a log's header keeps the command
 * as run from the root, as the README gives it, with no path of this machine's in it.
 */
function anywhere(): string {
  return `-C ${shellQuote(REPO_ROOT)} `;
}

/**
 * The command that runs the current test again with `seed`: its file, and the test by name (`-t`: every property of the
 * file ran with the seed, a developer's review), REPLSTORM_SEED reaching its properties. Without a seed (a test whose
 * seeds are fixed), the test alone.
 */
export function reproduceCommand(seed?: number, printed = false): string {
  const { testPath, currentTestName } = expect.getState();
  const where = testPath !== undefined ? relative(REPO_ROOT, testPath) : '';
  // (A seed drawn under REPLSTORM_RUNS_FACTOR reproduces under the same factor: the runs before the failing one depend on it.)
  const factor = runsFactorFromEnv();
  return `${seed !== undefined ? `REPLSTORM_SEED=${seed} ` : ''}${factor > 1 ? `REPLSTORM_RUNS_FACTOR=${factor} ` : ''}npx -y pnpm@10.34.9 ${printed ? anywhere() : ''}exec vitest run ${where}${currentTestName ? ` -t ${shellQuote(testNamePattern(currentTestName))}` : ''}`;
}

/**
 * A `-t` pattern for the test vitest names `describe > test`: vitest matches it as a regular expression against the
 * names joined by spaces, so each name is escaped, the separators match anything (a name may hold " > " itself), and
 * the end is anchored (a test named `eq` selected `equal ...` too).
 */
export function testNamePattern(currentTestName: string): string {
  return `${currentTestName
    .split(' > ')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')}$`;
}

/** `s` as one word for a POSIX shell. */
function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}
