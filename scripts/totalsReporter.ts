import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { COUNTEREXAMPLES_DIR } from './paths.js';
/** The most counterexample files the last lines name; the rest are counted. */
const NAMED = 10;

/**
 * Ends a vitest run with one plain line, `N passed, N failed` (`, N skipped` when any), so CI and people can see at a
 * glance how many tests ran — a run that executed none shows as `0 passed, 0 failed`. When tests failed, the lines
 * before it name the counterexample logs this run wrote (`counterexamples/`, by their time), each a log that
 * `replstorm replay` reproduces: in a failing run of the whole suite they were some hundred lines up, among thousands
 * (a developer's QA pass: 4,107 lines, the four logs at lines 1,301-1,539, the totals alone at the end).
 */
export default class TotalsReporter implements Reporter {
  private started = Date.now();

  onTestRunStart(): void {
    this.started = Date.now();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else if (state === 'skipped') skipped++;
      }
      // A module that failed to load has no tests: count it as a failure so it cannot hide.
      if (m.state() === 'failed' && [...m.children.allTests()].length === 0) failed++;
    }
    failed += unhandledErrors.length;
    if (failed > 0) process.stdout.write(writtenLogs(COUNTEREXAMPLES_DIR, this.started));
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
  }
}

/** The counterexample logs in `dir` written since `since` (ms), in lines to print: none when there are none. */
export function writtenLogs(dir: string, since: number): string {
  let files: { name: string; at: number }[];
  try {
    // (A second's grace: a file system's times may be coarser than the clock's.)
    files = readdirSync(dir)
      .filter((n) => n.endsWith('.jsonl'))
      .map((n) => ({ name: n, at: statSync(join(dir, n)).mtimeMs }))
      .filter((f) => f.at >= since - 1000)
      .sort((a, b) => a.at - b.at || (a.name < b.name ? -1 : 1));
  } catch {
    return '';
  }
  if (files.length === 0) return '';
  const shown = relative(process.cwd(), dir) || '.';
  const named = files.slice(0, NAMED).map((f) => `  ${join(shown, f.name)}\n`).join('');
  const more = files.length > NAMED ? `  and ${files.length - NAMED} more in ${shown}\n` : '';
  return `\nCounterexample logs this run wrote (replstorm replay FILE runs each, and says whether it reproduces the claim, or that the property's own check is needed; the failing test printed the command that runs it again):\n${named}${more}`;
}
