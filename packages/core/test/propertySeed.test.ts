import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { writtenLogs } from '../../../scripts/totalsReporter.js';
import { configureFastCheck, propertyRuns, runsFactorFromEnv, seedFromEnv } from '../../../scripts/propertySeed.js';
import { reproduceCommand } from '../../../scripts/counterexample.js';

// REPLSTORM_SEED reproduces a property run: it must reach every fast-check property (also those that name no seed of
// their own: vitest's setup file applies it globally) and be refused when it is not a seed (it used to read as 0 or NaN).
describe('REPLSTORM_SEED', () => {
  const saved = { env: process.env['REPLSTORM_SEED'], config: fc.readConfigureGlobal() };
  afterEach(() => {
    if (saved.env === undefined) delete process.env['REPLSTORM_SEED'];
    else process.env['REPLSTORM_SEED'] = saved.env;
    fc.configureGlobal(saved.config);
  });

  it('a printed seed is read back as that seed, negative ones (fast-check prints them) included', () => {
    for (const [text, seed] of [['123456789', 123456789], ['-5', -5], ['0', 0]] as const) {
      process.env['REPLSTORM_SEED'] = text;
      expect(seedFromEnv()).toBe(seed);
    }
    delete process.env['REPLSTORM_SEED'];
    expect(seedFromEnv()).toBeUndefined();
  });

  it.each(['abc', '1.5', '1e3', '0x10', '99999999999'])('%s is refused, not read as some other seed', (text) => {
    process.env['REPLSTORM_SEED'] = text;
    expect(() => seedFromEnv()).toThrow(`REPLSTORM_SEED=${text}: expected a whole number`);
  });

  it('every fast-check property prints its seed, and REPLSTORM_SEED set to it draws the same values again', () => {
    delete process.env['REPLSTORM_SEED'];
    const lines: string[] = [];
    configureFastCheck((l) => lines.push(l), () => 'probe');
    const draw = () => {
      const seen: number[] = [];
      fc.assert(fc.property(fc.integer(), (n) => void seen.push(n)), { numRuns: 5 });
      return seen;
    };
    const first = draw();
    const printed = /^\[fast-check probe\] seed=(-?\d+) runs=5$/.exec(lines[0] ?? '');
    expect(printed, lines.join('\n')).not.toBeNull();
    process.env['REPLSTORM_SEED'] = printed![1]!;
    configureFastCheck(() => {});
    expect(draw()).toEqual(first);
  });

  it('a failing fast-check property still fails, with fast-check\'s report and its own error as the cause', () => {
    const lines: string[] = [];
    configureFastCheck((l) => lines.push(l));
    let thrown: unknown;
    try {
      fc.assert(fc.property(fc.nat(), (n) => n < 10), { numRuns: 200 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toMatch(/Property failed after \d+ tests/);
    expect((thrown as Error).message).toContain('Counterexample: [10]');
    expect(lines[0]).toMatch(/seed=-?\d+ runs=\d+ FAILED$/);
    expect(lines).toHaveLength(1); // (no reproduce command given: none printed)
  });

  it('a failing fast-check property prints the command that runs it again with its seed, and its error starts with it', () => {
    const lines: string[] = [];
    configureFastCheck((l) => lines.push(l), () => 'probe', (seed) => `REPLSTORM_SEED=${seed} npx vitest run x.test.ts -t 'probe$'`);
    let thrown: unknown;
    try {
      fc.assert(fc.property(fc.nat(), (n) => n < 10), { numRuns: 200 });
    } catch (err) {
      thrown = err;
    }
    const seed = /seed=(-?\d+) /.exec(lines[0] ?? '')?.[1];
    expect(seed, lines.join('\n')).toBeDefined();
    expect(lines[1]).toBe(`reproduce: REPLSTORM_SEED=${seed} npx vitest run x.test.ts -t 'probe$'`);
    expect((thrown as Error).message.startsWith(`reproduce: REPLSTORM_SEED=${seed} `)).toBe(true);
    expect((thrown as Error).message).toContain('Counterexample: [10]');
  });

  it('reaches a property that names no seed: two runs under the same REPLSTORM_SEED draw the same values', () => {
    process.env['REPLSTORM_SEED'] = '424242';
    configureFastCheck();
    const draw = () => {
      const seen: number[] = [];
      fc.assert(fc.property(fc.integer(), (n) => void seen.push(n)), { numRuns: 20 });
      return seen;
    };
    expect(draw()).toEqual(draw());
  });

  it('the suites\' setup prints, for a failing property, a command that runs it again from any directory (pnpm -C and the root: it ran only from the root, a developer\'s QA pass)', () => {
    let thrown: unknown;
    // (Its printed lines, a FAILED and a reproduce:, kept out of the suite's output: a red run's reader took the first
    // "reproduce:" for the real failure's, a developer's QA pass. They are checked here.)
    const printed = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    let lines: string[] = [];
    try {
      fc.assert(fc.property(fc.integer(), () => false), { numRuns: 1 });
    } catch (err) {
      thrown = err;
    } finally {
      lines = printed.mock.calls.map((c) => String(c[0]));
      printed.mockRestore();
    }
    expect(lines).toEqual([expect.stringMatching(/ seed=-?\d+ runs=1 FAILED$/), expect.stringMatching(/^reproduce: REPLSTORM_SEED=/)]);
    const root = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
    expect((thrown as Error).message).toMatch(new RegExp(`^reproduce: REPLSTORM_SEED=-?\\d+ (REPLSTORM_RUNS_FACTOR=\\d+ )?npx -y pnpm@10\\.34\\.9 -C '?${root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'? exec vitest run packages/core/test/propertySeed\\.test\\.ts -t `));
  });
});

// REPLSTORM_RUNS_FACTOR draws each property's runs that many times over (a developer's QA pass: no way to run the
// properties harder before a push; a bug caught in 8 runs of 10 passed the first time).
describe('REPLSTORM_RUNS_FACTOR', () => {
  const saved = { env: process.env['REPLSTORM_RUNS_FACTOR'], config: fc.readConfigureGlobal() };
  afterEach(() => {
    if (saved.env === undefined) delete process.env['REPLSTORM_RUNS_FACTOR'];
    else process.env['REPLSTORM_RUNS_FACTOR'] = saved.env;
    fc.configureGlobal(saved.config);
  });

  it('multiplies a property\'s own runs, and fast-check\'s default for one that names none; unset, 1', () => {
    delete process.env['REPLSTORM_RUNS_FACTOR'];
    expect(runsFactorFromEnv()).toBe(1);
    expect(propertyRuns(300)).toBe(300);
    process.env['REPLSTORM_RUNS_FACTOR'] = '10';
    expect(propertyRuns(300)).toBe(3000);
    const lines: string[] = [];
    configureFastCheck((l) => lines.push(l), () => 'probe');
    let drawn = 0;
    fc.assert(fc.property(fc.integer(), () => void drawn++));
    expect(drawn).toBe(1000);
    expect(lines).toEqual([expect.stringMatching(/ runs=1000$/)]);
    drawn = 0;
    fc.assert(fc.property(fc.integer(), () => void drawn++), { numRuns: propertyRuns(7) });
    expect(drawn).toBe(70);
  });

  it('the command a failure prints carries the factor: a seed drawn under it reproduces under it', () => {
    process.env['REPLSTORM_RUNS_FACTOR'] = '10';
    expect(reproduceCommand(5)).toMatch(/^REPLSTORM_SEED=5 REPLSTORM_RUNS_FACTOR=10 npx -y pnpm@10\.34\.9 exec vitest run packages\/core\/test\/propertySeed\.test\.ts -t /);
    delete process.env['REPLSTORM_RUNS_FACTOR'];
    expect(reproduceCommand(5)).toMatch(/^REPLSTORM_SEED=5 npx /);
  });

  it.each(['0', '-1', '1.5', 'x', '20000'])('%s is refused', (text) => {
    process.env['REPLSTORM_RUNS_FACTOR'] = text;
    expect(() => propertyRuns(1)).toThrow(`REPLSTORM_RUNS_FACTOR=${text}: expected a whole number from 1 to 10000`);
  });
});

// The suite's last lines, when tests failed, name the counterexample logs the run wrote (a developer's QA pass: in a
// failing run of the whole suite they were some thousand lines up, the totals line alone at the end).
describe('totalsReporter: the counterexample logs a failing run wrote', () => {
  it('names those written since the run started, oldest first, ten at most and the rest counted; none, nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replstorm-totals-'));
    try {
      const start = Date.now();
      const old = join(dir, 'old.jsonl');
      writeFileSync(old, '');
      utimesSync(old, new Date(start - 3_600_000), new Date(start - 3_600_000));
      expect(writtenLogs(dir, start)).toBe('');
      for (let i = 0; i < 12; i++) {
        const f = join(dir, `p-${String(i).padStart(2, '0')}.jsonl`);
        writeFileSync(f, '');
        utimesSync(f, new Date(start + i * 1000), new Date(start + i * 1000));
      }
      writeFileSync(join(dir, 'notes.txt'), '');
      const text = writtenLogs(dir, start);
      const shown = relative(process.cwd(), dir);
      expect(text).toBe(`\nCounterexample logs this run wrote (replstorm replay FILE runs each, and says whether it reproduces the claim, or that the property's own check is needed; the failing test printed the command that runs it again):\n${Array.from({ length: 10 }, (_, i) => `  ${join(shown, `p-${String(i).padStart(2, '0')}.jsonl`)}\n`).join('')}  and 2 more in ${shown}\n`);
      expect(writtenLogs(join(dir, 'none'), start)).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
