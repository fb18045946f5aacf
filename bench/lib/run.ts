import type { PhaseName } from './workload.js';

// What one run of a workload on one system produced: its time, and per document the outcome as that system sees it.

export interface DocOutcome {
  /** Domino: a conflict document ($Conflict, $REF = this UNID) exists. CouchDB: `_conflicts` is not empty. */
  readonly conflicted: boolean;
  /** The winning version (`deleted`, or its user fields). */
  readonly winner: string;
  /** The losing version(s) kept as conflicts, same form. */
  readonly losers: readonly string[];
}

export interface RunResult {
  readonly ms: number;
  readonly phases: Readonly<Record<PhaseName, number>>;
  readonly rounds: number;
  readonly converged: boolean;
  readonly outcomes: ReadonlyMap<string, DocOutcome>;
  readonly extra: Readonly<Record<string, number | boolean | string>>;
}

/** Phase durations from the marks taken at each phase boundary and at the end. */
export function phaseDurations(marks: readonly [PhaseName, number][], end: number): Record<PhaseName, number> {
  const out: Record<PhaseName, number> = { create: 0, edits: 0, conflicts: 0 };
  marks.forEach(([name, t], i) => {
    out[name] += (marks[i + 1]?.[1] ?? end) - t;
  });
  return out;
}

