// The seed of a property run, for every test that draws random cases (fast-check's and the suites' own). Test support:
// reads the environment, so it lives outside the pure packages.
import fc from 'fast-check';

/**
 * REPLSTORM_SEED, when set: the seed a failing run printed, to run it again. A whole number (fast-check seeds are
 * 32-bit: -2^31..2^32-1); anything else is refused rather than read as 0 or NaN, which would reproduce nothing.
 */
export function seedFromEnv(): number | undefined {
  const env = process.env['REPLSTORM_SEED'];
  if (env === undefined || env === '') return undefined;
  const n = /^-?[0-9]+$/.test(env.trim()) ? Number(env.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < -(2 ** 31) || n > 2 ** 32 - 1) {
    throw new Error(`REPLSTORM_SEED=${env}: expected a whole number, the seed a property printed (e.g. REPLSTORM_SEED=123456789)`);
  }
  return n | 0;
}

/**
 * REPLSTORM_RUNS_FACTOR, when set: how many times each property's own number of runs to draw, a whole number from 1
 * (default 1). For a developer's "run them harder before I push": the suite's numbers are sized for CI's time, and a
 * bug a property catches in 8 runs of 10 (a developer's QA pass: a failed cluster push dropping its unsent documents,
 * sim-cluster-converges at 200 runs) passed the first time. The printed seed reproduces a failure with the same
 * factor: the runs drawn before it depend on it, and `runs=` in the line says how many ran.
 */
export function runsFactorFromEnv(): number {
  const env = process.env['REPLSTORM_RUNS_FACTOR'];
  if (env === undefined || env === '') return 1;
  const n = /^[0-9]+$/.test(env.trim()) ? Number(env.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > 10_000) {
    throw new Error(`REPLSTORM_RUNS_FACTOR=${env}: expected a whole number from 1 to 10000, how many times each property's runs to draw (e.g. REPLSTORM_RUNS_FACTOR=10)`);
  }
  return n;
}

/** A property's number of runs, `runs`, times REPLSTORM_RUNS_FACTOR. */
export function propertyRuns(runs: number): number {
  return runs * runsFactorFromEnv();
}

/** The seed for this run: REPLSTORM_SEED if set (to reproduce), else a fresh one (the caller prints it). */
export function propertySeed(): number {
  return seedFromEnv() ?? (Math.random() * 0x7fffffff) | 0;
}

/**
 * For vitest's setupFiles: every fast-check property prints its seed (`[fast-check <test>] seed=N runs=M`), as the
 * suite's own properties do, passing or failing; with REPLSTORM_SEED set, every one uses it, those that name no seed
 * of their own included (REPLSTORM_SEED=N runs again what printed seed=N).
 */
export function configureFastCheck(
  log: (line: string) => void = (line) => console.log(line),
  testName: () => string | undefined = () => undefined,
  reproduce: (seed: number) => string | undefined = () => undefined,
): void {
  const seed = seedFromEnv();
  const factor = runsFactorFromEnv();
  fc.configureGlobal({
    ...fc.readConfigureGlobal(),
    ...(seed !== undefined ? { seed } : {}),
    // (A property that names no number of runs draws fast-check's default, 100, times the factor.)
    ...(factor > 1 ? { numRuns: 100 * factor } : {}),
    // fast-check's own report on failure (its message, the error as cause), after the line with the seed, and the
    // command that runs the failing test again with it (a developer's review: the suites' own properties printed one,
    // fast-check's through this reporter did not).
    reporter: (details) => {
      const name = testName();
      log(`[fast-check${name !== undefined ? ` ${name}` : ''}] seed=${details.seed} runs=${details.numRuns}${details.failed ? ' FAILED' : ''}`);
      if (!details.failed) return;
      const again = reproduce(details.seed);
      if (again !== undefined) log(`reproduce: ${again}`);
      throw new Error(`${again !== undefined ? `reproduce: ${again}\n` : ''}${fc.defaultReportMessage(details)}`, { cause: details.errorInstance });
    },
  });
}
