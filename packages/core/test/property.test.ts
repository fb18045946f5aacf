import { readFileSync, rmSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Revisions, decodeLogText } from '../src/index.js';
import { assertLogProperty, firstDifference } from './property.js';

// A property's counterexample log must say, when replayed, what failed: `replstorm replay` prints the header's
// `meta.violation` ("written by"). A rule broken symmetrically (R5's tie-break reversed) leaves the replayed run
// quiescent and converged, so without it the replay of the counterexample shows nothing wrong.
const LOG = '{"replog":1,"meta":{"property":"probe"}}\n{"at":0,"type":"server","name":"A"}\n';

function failingRun(noteFailure: boolean | undefined, predicate: (n: number) => void = (n) => {
  if (n >= 0) throw new Error('R5: the winner (seq 2, seqTime 23) sent to the loser\'s replica changed nothing\nmore detail');
}): { message: string; file: string } {
  let message = '';
  // (The probe's own "[property probe-...] seed=42 runs=1 FAILED" line is kept out of the suite's output, where a red
  // run's reader took it for a failure: a developer's QA pass. It is checked below.)
  const printed = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  let lines: string[] = [];
  try {
    assertLogProperty({
      name: `probe-note-failure-${process.pid}`,
      arbitrary: fc.nat(),
      predicate,
      toLog: () => LOG,
      seed: 42,
      numRuns: 5,
      ...(noteFailure !== undefined ? { noteFailure } : {}),
    });
  } catch (err) {
    message = (err as Error).message;
  } finally {
    lines = printed.mock.calls.map((c) => String(c[0]));
    printed.mockRestore();
  }
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\[property probe-note-failure-${process.pid}\\] seed=42 runs=\\d+ FAILED$`)));
  const file = /counterexample written to (.*\.jsonl)/.exec(message)?.[1];
  expect(file, message).toBeDefined();
  return { message, file: file! };
}

describe('assertLogProperty: the counterexample log', () => {
  it('Counterexamples: with noteFailure the header names the property, its failure, seed and path, and the events are unchanged', () => {
    const { file } = failingRun(true);
    try {
      const text = readFileSync(file, 'utf8');
      const decoded = decodeLogText(text);
      expect(decoded.header.meta).toEqual({
        property: 'probe',
        recordedBy: `property probe-note-failure-${process.pid}`,
        invariant: `probe-note-failure-${process.pid}`,
        violation: 'R5: the winner (seq 2, seqTime 23) sent to the loser\'s replica changed nothing',
        seed: 42,
        path: expect.any(String),
        reproduce: expect.stringMatching(/^REPLSTORM_SEED=42 (REPLSTORM_RUNS_FACTOR=\d+ )?npx -y pnpm@10\.34\.9 exec vitest run packages\/core\/test\/property\.test\.ts -t '/),
      });
      expect(text.slice(text.indexOf('\n'))).toBe(LOG.slice(LOG.indexOf('\n')));
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('R1: an equality that fails says in the header where the two sides first differ (vitest\'s first line elides both: "expected { …(4) } to deeply equal { …(4) }")', () => {
    const { file } = failingRun(true, () => {
      expect({ unid: 'A1', seq: 2, itemSeq: { Subject: 2, Body: 1 }, revisions: [[1, 10]] }).toEqual({ unid: 'A1', seq: 2, itemSeq: { Subject: 1, Body: 1 }, revisions: [[1, 10]] });
    });
    try {
      const violation = decodeLogText(readFileSync(file, 'utf8')).header.meta['violation'];
      expect(violation).toMatch(/^expected .* to deeply equal .*: at \.itemSeq\.Subject: 2 where 1 was expected$/);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('firstDifference: a note\'s revisions are compared by their entries (a Revisions list has no keys to walk: two different lists were found equal, a developer\'s QA pass)', () => {
    const note = (entries: [number, number][]) => ({ unid: 'U', seq: 3, revisions: Revisions.from(entries) });
    expect(firstDifference(note([[1, 10], [2, 20]]), note([[1, 10], [2, 20]]))).toBeUndefined();
    expect(firstDifference(note([[1, 10], [2, 20]]), note([[1, 10], [2, 30]]))).toBe('at .revisions[1][1]: 20 where 30 was expected');
    expect(firstDifference(note([[1, 10]]), [[1, 10]])).toBe('at the top: {"unid":"U","seq":3,"revisions":[[1,10]]} where [[1,10]] was expected');
  });

  it('firstDifference: an asymmetric matcher is asked, a Set compared whole, a cycle walked once; another matcher gives none', () => {
    expect(firstDifference({ a: 1, b: 'x' }, { a: expect.any(Number), b: 'x' })).toBeUndefined();
    expect(firstDifference({ a: 'one' }, { a: expect.any(Number) })).toBe('at .a: "one" where Any<Number> was expected');
    expect(firstDifference({ s: new Set([1, 2]) }, { s: new Set([2, 1]) })).toBeUndefined();
    expect(firstDifference({ s: new Set([1, 2]) }, { s: new Set([1, 3]) })).toBe('at .s: Set(2) [1,2] where Set(2) [1,3] was expected');
    const a: Record<string, unknown> = { n: 1 };
    a['self'] = a;
    const b: Record<string, unknown> = { n: 2 };
    b['self'] = b;
    expect(firstDifference(a, b)).toBe('at .n: 1 where 2 was expected');
    // Another matcher has an `expected` too (1000), but no diff: nothing is added to its message.
    const { file } = failingRun(true, () => {
      expect(5).toBeGreaterThan(1000);
    });
    try {
      expect(decodeLogText(readFileSync(file, 'utf8')).header.meta['violation']).toBe('expected 5 to be greater than 1000');
    } finally {
      rmSync(file, { force: true });
    }
  });

  const TITLE = 'the reproduce command runs this test alone (-t), its name escaped: parentheses (R5), quotes (\'s) and " > " in it';
  it(TITLE, () => {
    const { message, file } = failingRun(false);
    rmSync(file, { force: true });
    const command = /reproduce: (.*)/.exec(message)?.[1] ?? '';
    // Printed with pnpm's -C (the repository root): it runs from any directory.
    expect(command).toMatch(/^REPLSTORM_SEED=42 (REPLSTORM_RUNS_FACTOR=\d+ )?npx -y pnpm@10\.34\.9 -C '[^']+' exec vitest run packages\/core\/test\/property\.test\.ts -t '/);
    // The shell word back to the pattern, which vitest matches against the names joined by spaces.
    const quoted = command.slice(command.indexOf(" -t '") + 4);
    const pattern = quoted.slice(1, -1).replaceAll("'\\''", "'");
    const full = `assertLogProperty: the counterexample log ${TITLE}`;
    expect(new RegExp(pattern).test(full), pattern).toBe(true);
    expect(new RegExp(pattern).test('assertLogProperty: the counterexample log another test')).toBe(false);
    // Anchored at the end: a test whose name this one's begins (`eq`, `equal ...`) is not selected too.
    expect(new RegExp(pattern).test(`${full}, and more`)).toBe(false);
  });

  it('without noteFailure the log is written exactly as toLog made it (a decoder property\'s log is the text under test)', () => {
    const { file } = failingRun(undefined);
    try {
      expect(readFileSync(file, 'utf8')).toBe(LOG);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
