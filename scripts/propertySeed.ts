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
  fc.configureGlobal({
    ...fc.readConfigureGlobal(),
    ...(seed !== undefined ? { seed } : {}),
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
