import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogError } from '@replstorm/core';
import { builtinRegistry } from '@replstorm/scenarios';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateStream } from '../src/simulateStream.js';

// event-log.md, File: "events with the same `at` happen in file order, then engine work due then". A recording writes
// an instant's inputs, then the events of that instant's work; the engine runs that work once no input of the instant
// can still come. The derived lines of one instant wait for it in memory: they must not wait without bound (a million
// bogus lines at one instant held 377 MB, and a 64 MB heap ran out), and a recording with many lines at one instant
// must still replay, and be checked, exactly.

const dir = mkdtempSync(join(tmpdir(), 'replstorm-held-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const root = join(import.meta.dirname, '..', '..', '..');

const unid = (i: number) => i.toString(16).toUpperCase().padStart(32, '0');

/** Inputs: `docs` documents saved on A, then one push session A -> B at 100,000 ms, moving them all at that instant. */
function bigInstantInputs(docs: number): string[] {
  const lines = ['{"replog":1,"meta":{}}', '{"at":0,"type":"server","name":"A","replicationMsPerDoc":0}', '{"at":0,"type":"server","name":"B","replicationMsPerDoc":0}', '{"at":0,"type":"database","name":"d","replicas":["A","B"]}'];
  for (let i = 0; i < docs; i++) lines.push(`{"at":${1 + i},"type":"save","server":"A","db":"d","unid":"${unid(i)}","by":"user/u","set":{"Body":"x"}}`);
  lines.push('{"at":100000,"type":"replicate","server":"A","partner":"B","mode":"push"}');
  lines.push('{"at":200000,"type":"save","server":"B","db":"d","unid":"' + unid(3) + '","by":"user/v","set":{"Body":"y"}}');
  return lines;
}

/** Records `inputs` (replay --record's path) and returns the recording's lines. */
async function record(inputs: readonly string[]): Promise<string[]> {
  const chunks: string[] = [];
  const sink = { write: (s: string) => void chunks.push(s) };
  await simulateStream({ chunks: [`${inputs.join('\n')}\n`] as unknown as AsyncIterable<string> }, { registry: builtinRegistry(), record: sink as never });
  return chunks.join('').split('\n').filter((l) => l !== '');
}

const replay = (lines: readonly string[], holdDerived: number) => simulateStream({ chunks: [`${lines.join('\n')}\n`] as unknown as AsyncIterable<string> }, { registry: builtinRegistry(), holdDerived });

describe('derived lines of one instant wait for the engine, within a bound', () => {
  it('event-log.md File: a recording with 2,000 derived lines at one instant replays and is checked with at most 101 lines held', async () => {
    const rec = await record(bigInstantInputs(1_000));
    const atInstant = rec.filter((l) => l.startsWith('{"at":100000,') && !l.includes('"type":"replicate"')).length;
    expect(atInstant).toBe(1_001); // 1,000 replicated, one session
    const held = await replay(rec, 100);
    expect(held.conformance.mismatch).toBeUndefined();
    expect(held.conformance.checked).toBe(2_001 + 1); // 1,000 revised + 1,001 at the instant + the last save's revised
    expect(held.conformance.heldAtMost).toBeLessThanOrEqual(101);
    // Running the instant's work ahead changes nothing: the same digest as with every line of the instant held.
    const unbounded = await replay(rec, 1_000_000);
    expect(unbounded.conformance.heldAtMost).toBeGreaterThanOrEqual(1_001);
    expect(held.summary.digest).toBe(unbounded.summary.digest);
  });

  it('event-log.md File: derived lines the engine never derives at that instant are a mismatch at the first of them, found after at most the bound', async () => {
    const rec = await record(bigInstantInputs(10));
    const bogus = '{"at":150000,"type":"scanned","server":"A","db":"d","unid":"' + unid(1) + '","kind":"manual","verdict":"clean","saved":false}';
    const at = rec.findIndex((l) => l.startsWith('{"at":200000,'));
    const lines = [...rec.slice(0, at), ...Array.from({ length: 5_000 }, () => bogus), ...rec.slice(at)];
    const r = await replay(lines, 100);
    expect(r.conformance.mismatch?.line).toBe(at + 1);
    expect(r.conformance.mismatch?.message).toMatch(/runs? all its work up to 0:02:30 and derives nothing more then, but the file has this derived event \(and 100 more/);
    expect(r.conformance.heldAtMost).toBeLessThanOrEqual(101);
  });

  it('event-log.md File: an input of an instant after more than the bound of that instant\'s derived lines is refused at its line (exit 2 path)', async () => {
    const rec = await record(bigInstantInputs(300));
    // Move the input at 200,000 ms back to 100,000 ms, after the session's derived lines (where no recording puts it).
    const last = rec.findIndex((l) => l.startsWith('{"at":200000,"type":"save"'));
    const moved = [...rec.slice(0, last), rec[last]!.replace('"at":200000', '"at":100000')];
    const err = await replay(moved, 100).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LogError);
    expect(err).toMatchObject({ code: 'TIME_DECREASED', line: last + 1, column: 2, field: 'at' });
    expect((err as LogError).message).toMatch(/after more than 100 derived lines of that same instant/);
    // Within the bound, the same file is checked as before: the input's own event is where the file disagrees.
    const within = await replay(moved, 1_000_000);
    expect(within.conformance.mismatch).toBeDefined();
  });

  it('a work-budget refusal while an instant\'s work runs ahead of its held lines says so, and names the instant\'s last input', async () => {
    // --max-work counts the engine work between two inputs. Past the bound of held lines, the engine runs the instant's
    // work at once: a refusal there is about that instant's work (it said "after the last event", with inputs to come).
    const rec = await record(bigInstantInputs(300));
    const push = rec.findIndex((l) => l.startsWith('{"at":100000,"type":"replicate"'));
    const err = await simulateStream({ chunks: [`${rec.join('\n')}\n`] as unknown as AsyncIterable<string> }, { registry: builtinRegistry(), holdDerived: 100, maxWork: 200 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LogError);
    expect(err).toMatchObject({ code: 'RUN_TOO_LONG', line: push + 1 });
    expect((err as LogError).message).toMatch(/more than 200 pieces of engine work after this event \(at virtual time 100000 ms, running to 100000 ms\): refused at the work limit.*\(replay ran the work of 0:01:40 early, on reaching line \d+: it holds at most 100 of one instant's derived lines before running that instant's work\)/);
    expect((err as LogError).message).not.toMatch(/after the last event/);
    // Held without a bound, the same budget refuses the same work at the next input's line, as any replay does.
    const unbounded = await simulateStream({ chunks: [`${rec.join('\n')}\n`] as unknown as AsyncIterable<string> }, { registry: builtinRegistry(), holdDerived: 1_000_000, maxWork: 200 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(unbounded).toMatchObject({ code: 'RUN_TOO_LONG', line: rec.findIndex((l) => l.startsWith('{"at":200000,')) + 1 });
  });

  it('event-log.md File: 300,000 bogus derived lines at one instant are refused under --max-old-space-size=64 (they were held until the end: out of memory)', () => {
    const file = join(dir, 'bogus.jsonl');
    const bogus = '{"at":2000,"type":"scanned","server":"A","db":"d","unid":"' + unid(10) + '","kind":"manual","verdict":"clean","saved":false}\n';
    const head = ['{"replog":1,"meta":{}}', '{"at":0,"type":"server","name":"A"}', '{"at":0,"type":"database","name":"d","replicas":["A"]}', '{"at":1000,"type":"save","server":"A","db":"d","unid":"' + unid(10) + '","by":"user/u","set":{"Body":"x"}}',
      '{"at":1000,"type":"revised","server":"A","db":"d","unid":"' + unid(10) + '","seq":1,"seqTime":1000,"items":["Body"],"by":"user/u","cause":4}',
    ].join('\n');
    writeFileSync(file, `${head}\n${bogus.repeat(300_000)}`);
    const r = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', join(root, 'packages/cli/src/main.ts'), 'replay', file], { encoding: 'utf8', cwd: root });
    expect(r.stderr).toContain(`${file}:6:1: the recorded derived events disagree with the engine: the engine has run all its work up to 0:00:02`);
    expect(r.status).toBe(1);
  });
});
