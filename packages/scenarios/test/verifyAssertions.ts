// Test support for the invariant suite (not a test file): checks what verifyDesign found for one invariant and, when
// that is not what the test expects, fails with what it takes to see it again: the seed and fast-check path, the
// command that runs the test file again with that seed, and a violated invariant's counterexample log, written to
// counterexamples/ (as assertLogProperty does) with the command that replays it.
import { expect } from 'vitest';
import { builtinRegistry, type InvariantName, type InvariantResult, type VerifyResult } from '../src/index.js';
import { replayCommand, reproduceCommand, writeCounterexample } from '../../../scripts/counterexample.js';

type Counterexample = NonNullable<InvariantResult['counterexample']>;

export interface HeldOptions {
  /** The module of a design that is not built in, from the repository root: its log replays with `--design name=path`. */
  readonly module?: string;
}

function invariantOf(r: VerifyResult, name: InvariantName): InvariantResult {
  const inv = r.invariants.find((i) => i.name === name);
  if (inv === undefined) throw new Error(`verify ${r.design}: no result for ${name} (it ran ${r.invariants.map((i) => i.name).join(', ')})`);
  return inv;
}

const label = (r: VerifyResult) => `${r.design} ${JSON.stringify(r.config)}`;

/** counterexamples/verify-<design>[-<config>]-<invariant>-<seed>.jsonl: one file per design, configuration and invariant. */
function fileBase(r: VerifyResult, inv: InvariantResult): string {
  const config = Object.entries(r.config).map(([k, v]) => `${k}=${String(v)}`).join(',').replace(/[^A-Za-z0-9=,._-]/g, '_');
  return `verify-${r.design}${config === '' ? '' : `-${config}`}-${inv.name}-${inv.seed}`;
}

/**
 * Expects the invariant held (R13–R16: what the design promises). Otherwise fails with the seed, path, reproduce
 * command, the counterexample log's file and replay command, and the invariant's message.
 */
export function assertHeld(r: VerifyResult, name: InvariantName, options: HeldOptions = {}): InvariantResult {
  const inv = invariantOf(r, name);
  if (inv.status === 'held') return inv;
  const cex = inv.counterexample;
  let header = `invariant ${name} of ${label(r)}: ${inv.status} after ${inv.runs} runs, expected held\nseed: ${inv.seed}, path: "${cex?.path ?? ''}"\nreproduce: ${reproduceCommand(inv.seed, true)}`;
  if (cex !== undefined) {
    const file = writeCounterexample(fileBase(r, inv), cex.log);
    const builtin = builtinRegistry().has(r.design);
    const designs = builtin ? [] : [`${r.design}=${options.module ?? '<its module>'}`];
    header += `\ncounterexample written to ${file}\nreplay it: ${replayCommand(file, designs)}`;
    if (cex.notReproducible === true) header += '\n(the case ran differently when run again: the design keeps state between runs, so the log may not show it)';
    header += `\n${cex.message}`;
  }
  expect(inv.status, header).toBe('held');
  return inv;
}

/** Expects the invariant violated (a negative test: the suite catches the faulty design); returns its counterexample. */
export function assertViolated(r: VerifyResult, name: InvariantName): Counterexample {
  const inv = invariantOf(r, name);
  const header = `invariant ${name} of ${label(r)}: ${inv.status} after ${inv.runs} runs, expected violated (the suite missed the fault)\nseed: ${inv.seed}\nreproduce: ${reproduceCommand(inv.seed, true)}`;
  expect(inv.status, header).toBe('violated');
  expect(inv.counterexample, `${header}\nno counterexample`).toBeDefined();
  return inv.counterexample!;
}
