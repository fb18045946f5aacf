import { describeInput, explainDerived, explainsEvent, type DerivedEvent, type Discarded, type InputEvent, type Simulator } from '@replstorm/core';

// The report's steps: each input event of a run (its line), and what the engine derived after it until the next
// input, in words (core's explainDerived, the wording explore prints for a counterexample's steps). A counterexample
// from explore or verify is a few dozen inputs: the report then reads as the step-by-step explanation explore gives
// (an explore QA pass: the report of an explore log had none).
// [choice] What followed an input is what the engine derived from it to the next input, in time order: scheduled
// work that falls in between (a connection's session, a scheduled pass, the cluster replicator's timer) is listed
// there too, and said as what it is; it is not the input's doing. Causes are blame's tables.

/**
 * [choice] Steps are listed for a run of at most STEPS_SHOWN inputs (a counterexample, a hand-made log); a longer one
 * is a recording, read by its timeline and blame, and lists none (what was kept is dropped once the run passes it).
 */
export const STEPS_SHOWN = 300;
/** Events said per step (a push of thousands of documents): the rest are counted. */
const EVENTS_KEPT = 100;
/**
 * Scans that let an infection through, said in a step; the rest counted. (A review: a noop pass over 150 infected
 * documents filled a step with 60 of them before its text was cut, and took the slots of its revisions.)
 */
const MISSED_SAID = 3;
/**
 * Characters of a step's text, at most, before its count of what it does not say: the report cuts any text past
 * 10,000 (htmlReport's MAX_SHOWN), and a step's cut there fell mid-UNID and lost its "and N more" (an operator's QA
 * pass). Cut here at the last part that fits, and said.
 */
const STEP_TEXT_MAX = 8_000;

/** `text` cut to STEP_TEXT_MAX at the end of a part ("; "), said so. */
function fitted(text: string): string {
  if (text.length <= STEP_TEXT_MAX) return text;
  const at = text.lastIndexOf('; ', STEP_TEXT_MAX);
  return `${text.slice(0, at > 0 ? at : STEP_TEXT_MAX)}; … (cut here: ${text.length.toLocaleString('en-US')} characters in all)`;
}

export interface Step {
  /** The input's line (as blame numbers causes). */
  readonly line: number;
  readonly at: number;
  readonly input: string;
  /** What the engine derived after it, in words ('no change' when nothing). */
  readonly followed: string;
}

export interface Steps {
  /** Every input applied, when there are at most STEPS_SHOWN of them; else none. */
  readonly steps: readonly Step[];
  /** Inputs applied in all. */
  readonly inputs: number;
}

export interface StepsBuilder {
  /** An input about to be applied, at its line; for a crash, what its server's cluster queues hold (Simulator.queuedOn). */
  input(line: number, e: InputEvent, lost?: ReturnType<Simulator['queuedOn']>): void;
  /** The input just applied, a scheduled `scan`, was declined by this scanner's design (Simulator.takeDeclinedPass). */
  declined(actor: string): void;
  /**
   * `madeDocument` false: a conflict the engine says made no document (R5), not said (as the timeline counts).
   * `discarded`: what an arrival threw away of its destination's copy (the Simulator's onDerived), said with it.
   * `missed`: a scan that let an infection through (the Simulator's onDerived), said though it saved nothing.
   */
  add(e: DerivedEvent, madeDocument?: boolean, discarded?: Discarded, startedBy?: number, missed?: boolean): void;
  result(): Steps;
}


/** The inputs a scanner's save answers directly (a pass they ask for, or a write scanned on write): see `add`. */
const SCANNED_BY: ReadonlySet<InputEvent['type']> = new Set(['scan', 'save', 'delete', 'deliver', 'forward']);

/**
 * The step of the input whose scan a scanner's save or scan is (`cause`: its line), when that input is one a scan
 * answers (SCANNED_BY) and still shown; else `last`, in time order (a pass of the scanner's own schedule: its cause
 * is the `scanner` input that installed it).
 */
function answeringStep<S extends { readonly line: number; readonly e: InputEvent }>(open: readonly S[], last: S, cause: number | undefined): S {
  if (cause === undefined || cause === last.line) return last;
  for (let i = open.length - 2; i >= 0; i--) {
    if (open[i]!.line !== cause) continue;
    return SCANNED_BY.has(open[i]!.e.type) ? open[i]! : last;
  }
  return last;
}

export function createSteps(shown = STEPS_SHOWN): StepsBuilder {
  let open: { line: number; e: InputEvent; derived: DerivedEvent[]; discarded: (Discarded | undefined)[]; started: (number | undefined)[]; missed: (boolean | undefined)[]; more: number; missedSaid: number; missedMore: number; lost: ReturnType<Simulator['queuedOn']> | undefined; declinedBy: string | undefined }[] = [];
  let inputs = 0;
  // The lines of `scanner` inputs: a save they caused is a pass of the scanner's own schedule (explainDerived says so).
  const scannerLines = new Set<number>();
  // Each database's limitRevisions, from its definition (the explanation of a conflict the cap may have made).
  const caps = new Map<string, number>();
  // The step each arrival said went under (server, database, UNID, seq): an on-write stamp of it (`via`) goes there
  // too, among inputs of one instant (it went under the input its version's `cause` names, before the arrival it
  // answers: an operator's QA pass). Only arrivals kept (EVENTS_KEPT a step), so it stays small.
  const arrivedUnder = new Map<string, (typeof open)[number]>();
  const arrivalKey = (server: string, db: string, unid: string, seq: number) => `${server}\u0000${db}\u0000${unid}\u0000${seq}`;
  return {
    input(line, e, lost) {
      inputs++;
      if (e.type === 'database') caps.set(e.name, e.limitRevisions ?? 0);
      if (e.type === 'scanner') scannerLines.add(line);
      if (inputs <= shown) open.push({ line, e, derived: [], discarded: [], started: [], missed: [], more: 0, missedSaid: 0, missedMore: 0, lost, declinedBy: undefined });
      else if (open.length > 0) open = [];
    },
    declined(actor) {
      const last = inputs <= shown ? open[open.length - 1] : undefined;
      if (last !== undefined) last.declinedBy = actor;
    },
    add(e, madeDocument, discarded, startedBy, missed) {
      // Only what it says: scans that saved nothing filled a step's slots, and a pass over more than EVENTS_KEPT
      // documents read "no change" with its cleaning past them counted (a review). But a scan that let an infection
      // through, the step a missed-infection counterexample fails at, which no other event shows (a new user's QA pass).
      if (open.length === 0 || inputs > shown || !(explainsEvent(e) || (e.type === 'scanned' && missed === true))) return;
      if (e.type === 'conflict' && madeDocument === false) return;
      // [choice] Among inputs of one instant, whose work the engine runs after all of them (event-log.md), a transfer
      // goes under the push or replication that started it, and a revision under the line it names (`cause`), not
      // under the instant's last input: explore's 3-server setup pushes to Beta and Gamma at one instant, and the
      // first read "no change" while the second carried both, Beta's copy labelled the cluster's timer (an explore
      // QA pass). Anything else, and what no input of that instant started, goes under the last, as before.
      const last = open[open.length - 1]!;
      let step = last;
      if (e.type === 'scanned') {
        // A scan that missed an infection goes where its save would (below), by the line of the input whose scan it
        // is (`startedBy`): it and the scan's stamp of another document went under two steps (a review).
        step = answeringStep(open, last, startedBy);
      } else if (startedBy !== undefined && startedBy > 0) {
        // A transfer's event: the engine's word on which input's transfer made it (Simulator's onDerived `startedBy`;
        // 0, the timer's, a retry's or a connection's, stays under the last input, in time order).
        step = open.find((x) => x.line === startedBy) ?? last;
      } else if (e.type === 'revised') {
        // A revision: an on-write stamp of an arrival goes where the arrival went; another, under the line it names
        // (`cause`), among inputs of one instant.
        const answered = e.via !== undefined ? arrivedUnder.get(arrivalKey(e.server, e.db, e.via.unid, e.via.seq)) : undefined;
        if (answered !== undefined && answered.e.at === last.e.at && open.includes(answered)) step = answered;
        else for (let i = open.length - 1; i >= 0 && open[i]!.e.at === last.e.at; i--) if (open[i]!.line === e.cause) step = open[i]!;
        // [choice] A scanner's save goes under the input whose scan it is, a `scan` (its pass) or a write it scanned on
        // write, even when a later input came first, in the milliseconds the scan took (scanMsPerDoc): a verify log's
        // "scheduled scan on Gamma" read "no change" and the next step, "scheduled scan on Beta" 10 ms later, carried
        // Gamma's cleaning save, where --blame gave it to Gamma's scan (a researcher's QA pass). Not a pass of the
        // scanner's own schedule, whose cause is the `scanner` input that installed it, hours before: in time order. Nor
        // a stamp of an arrival (`via`), which goes where the arrival went (above).
        if (step === last && step.line !== e.cause && e.via === undefined && e.by.startsWith('scanner/')) step = answeringStep(open, last, e.cause);
      }
      if (e.type === 'scanned') {
        if (step.missedSaid >= MISSED_SAID || step.derived.length >= EVENTS_KEPT) {
          step.missedMore++;
          return;
        }
        step.missedSaid++;
      }
      if (step.derived.length < EVENTS_KEPT) {
        step.derived.push(e);
        step.discarded.push(discarded);
        step.missed.push(missed);
        step.started.push(startedBy);
        if (e.type === 'replicated') arrivedUnder.set(arrivalKey(e.to, e.db, e.unid, e.seq), step);
      }
      // (A conflict's arrival is said with the conflict, and a timer's push as a label: neither is counted.)
      else if (e.type === 'revised' || e.type === 'conflict' || (e.type === 'replicated' && e.outcome !== 'conflict')) step.more++;
    },
    result() {
      return {
        inputs,
        steps: open.map((s) => ({
          line: s.line,
          at: s.e.at,
          input: describeInput(s.e),
          followed: fitted(explainDerived(s.derived, s.e, s.discarded, s.lost, caps, { lines: s.started, line: s.line, scannerLines }, s.missed)) + (s.declinedBy !== undefined ? `; the scan did not run: ${s.declinedBy} runs no scheduled pass on ${(s.e as Extract<InputEvent, { type: 'scan' }>).server}${s.declinedBy === 'scanner/cluster-aware' ? ' (cluster-aware runs them on its cluster\'s first member by name)' : ''}` : '') + (s.more > 0 ? `; and ${s.more.toLocaleString('en-US')} more revisions, changes and conflicts` : '') + (s.missedMore > 0 ? `; and ${s.missedMore.toLocaleString('en-US')} more ${s.missedMore === 1 ? 'scan' : 'scans'} that missed an infection` : ''),
        })),
      };
    },
  };
}
