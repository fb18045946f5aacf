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
 * For vitest's setupFiles: with REPLSTORM_SEED set, every fast-check property of the run uses it, including those that
 * name no seed of their own (a failing one prints fast-check's `seed: N`; REPLSTORM_SEED=N runs it again).
 */
export function configureFastCheckSeed(): void {
  const seed = seedFromEnv();
  if (seed !== undefined) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
}
