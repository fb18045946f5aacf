import { describeInput, explainDerived, type DerivedEvent, type InputEvent } from '@replstorm/core';

// The report's steps: each input event of a run (its line), and what the engine derived after it until the next
// input, in words (core's explainDerived, the wording explore prints for a counterexample's steps). A counterexample
// from explore or verify is a few dozen inputs: the report then reads as the step-by-step explanation explore gives
// (an explore QA pass: the report of an explore log had none).
// [choice] What followed an input is what the engine derived from it to the next input, in time order: scheduled
// work that falls in between (a connection's session, a scheduled pass, the cluster replicator's timer) is listed
// there too, and said as what it is; it is not the input's doing. Causes are blame's tables.

/** [choice] Inputs listed: a counterexample's size and more; a log longer than that lists its first STEPS_SHOWN. */
export const STEPS_SHOWN = 300;
/** Derived events kept per step (a push of thousands of documents): the rest are counted. */
const EVENTS_KEPT = 100;

export interface Step {
  /** The input's line (as blame numbers causes). */
  readonly line: number;
  readonly at: number;
  readonly input: string;
  /** What the engine derived after it, in words ('no change' when nothing). */
  readonly followed: string;
}

export interface Steps {
  /** The first STEPS_SHOWN inputs applied. */
  readonly steps: readonly Step[];
  /** Inputs applied in all. */
  readonly inputs: number;
}

export interface StepsBuilder {
  /** An input about to be applied, at its line. */
  input(line: number, e: InputEvent): void;
  /** `madeDocument` false: a conflict the engine says made no document (R5), not said (as the timeline counts). */
  add(e: DerivedEvent, madeDocument?: boolean): void;
  result(): Steps;
}

export function createSteps(shown = STEPS_SHOWN): StepsBuilder {
  const open: { line: number; e: InputEvent; derived: DerivedEvent[]; more: number }[] = [];
  let inputs = 0;
  return {
    input(line, e) {
      inputs++;
      if (open.length < shown) open.push({ line, e, derived: [], more: 0 });
    },
    add(e, madeDocument) {
      // Only what follows a listed input, the last listed one until the next input comes.
      if (open.length === 0 || inputs > open.length) return;
      if (e.type === 'conflict' && madeDocument === false) return;
      const step = open[open.length - 1]!;
      if (step.derived.length < EVENTS_KEPT) step.derived.push(e);
      else if (e.type !== 'scanned' && e.type !== 'session') step.more++;
    },
    result() {
      return {
        inputs,
        steps: open.map((s) => ({
          line: s.line,
          at: s.e.at,
          input: describeInput(s.e),
          followed: explainDerived(s.derived, s.e) + (s.more > 0 ? `; and ${s.more.toLocaleString('en-US')} more revisions, changes and conflicts` : ''),
        })),
      };
    },
  };
}
