/**
 * A run's limits as replay takes them (`--max-run`, `--max-work`), for the runs that check a counterexample's claim
 * again (recheck.ts): they judge the run the replay showed.
 */
export interface RunLimits {
  /** Stop this long after the last input (the Simulator's maxRunMs; its default when undefined). */
  readonly maxRunMs?: number | undefined;
  /** Engine work allowed between two inputs, periodic work included (the Simulator's budgets; their defaults when undefined). */
  readonly maxWork?: number | undefined;
}

/** The Simulator's options for `limits`, as replay sets them (simulateStream: --max-work bounds both budgets). */
export function simulatorLimits(limits: RunLimits): { maxRunMs?: number; maxWorkBetweenInputs?: number; maxPeriodicWorkBetweenInputs?: number } {
  return {
    ...(limits.maxRunMs !== undefined ? { maxRunMs: limits.maxRunMs } : {}),
    ...(limits.maxWork !== undefined ? { maxWorkBetweenInputs: limits.maxWork, maxPeriodicWorkBetweenInputs: limits.maxWork } : {}),
  };
}
