import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '@replstorm/scenarios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtomicFile } from '../src/output.js';
import { simulateStream, type SimulateResult } from '../src/simulateStream.js';
import { runCli } from './cliHarness.js';

// event-log.md: derived events in a file are checked, not obeyed; a run without `end` stops once nothing is pending
// after its last input event, or at its cap (maxRunMs after it). A replay used to advance the engine to each derived
// line's time whatever it held: a recording whose `end` was deleted replayed to what its derived lines said (an hour
// of storm more than its inputs make), and reported "the engine agrees". Derived lines past where the run stops are
// now the file's mismatch, and the summary is the run's own: the same as replaying the inputs alone.

const dir = mkdtempSync(join(tmpdir(), 'replstorm-past-stop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DERIVED = /"type":"(revised|replicated|conflict|session|scanned)"/;
let recording: string[] = [];

beforeAll(async () => {
  const file = join(dir, 'storm.jsonl');
  const res = await runCli(['run', 'smsdom-storm', '--set', 'databases=5', '--set', 'docs=10', '--record', file]);
  expect(res.code).toBe(0);
  recording = readFileSync(file, 'utf8').trimEnd().split('\n');
  expect(recording[recording.length - 1]).toMatch(/"type":"end"/);
});

const text = (lines: readonly string[]) => `${lines.join('\n')}\n`;
const replay = (lines: readonly string[], options: Partial<Parameters<typeof simulateStream>[1]> = {}): Promise<SimulateResult> =>
  simulateStream({ chunks: [text(lines)] as unknown as AsyncIterable<string> }, { registry: builtinRegistry(), ...options });

/** The recording without its end event, and the same inputs without any derived line. */
function withoutEnd(): { lines: string[]; inputs: string[] } {
  const lines = recording.filter((l) => !l.includes('"type":"end"'));
  return { lines, inputs: lines.filter((l) => !DERIVED.test(l)) };
}

describe('a recording whose derived lines go on past where its run stops', () => {
  it.each([
    ['held until the file ends (a few lines past the stop)', 10_000],
    ['past the bound of held lines: the engine runs on, and is undone at the end of the file', 10],
  ] as const)('event-log.md: without its end event, a storm recording replays to the run of its inputs, with a mismatch at the first line past the stop (%s)', async (_, holdDerived) => {
    const { lines, inputs } = withoutEnd();
    const alone = await replay(inputs);
    expect(alone.summary.stopped).toBe('idle');
    const r = await replay(lines, { holdDerived });
    // The run's own summary: it was that of the file's derived lines (an hour more of storm, another digest).
    expect(r.summary).toEqual(alone.summary);
    // The first derived line after the time the run stops is the mismatch.
    const first = lines.findIndex((l, i) => i > 0 && DERIVED.test(l) && Number(/"at":(\d+)/.exec(l)![1]) > alone.summary.endAt) + 1;
    expect(r.conformance.mismatch?.line).toBe(first);
    expect(r.conformance.mismatch?.message).toMatch(/^the run stops at 0:01:30\.010, with nothing pending after its last input event \(event-log\.md: without an end event, a run stops there\), but the file goes on with this derived event/);
  });

  it('event-log.md: with an end event the same lines are the run\'s (the engine runs on past each idle point: an input follows), whatever the bound', async () => {
    const whole = await replay(recording);
    expect(whole.conformance.mismatch).toBeUndefined();
    const small = await replay(recording, { holdDerived: 10 });
    expect(small.conformance.mismatch).toBeUndefined();
    expect(small.summary).toEqual(whole.summary);
    expect(small.conformance.checked).toBe(whole.conformance.checked);
  });

  it('the run is undone with its outputs: --record writes the run of the inputs, and blame and the timeline count its events only', async () => {
    const { lines, inputs } = withoutEnd();
    const record = async (src: readonly string[], holdDerived: number) => {
      const path = join(dir, `rec-${holdDerived}-${src.length}.jsonl`);
      const out = new AtomicFile(path);
      const res = await replay(src, { holdDerived, record: out, blame: true, timeline: true });
      out.commit();
      return { res, text: readFileSync(path, 'utf8') };
    };
    const alone = await record(inputs, 10_000);
    for (const hold of [10_000, 10]) {
      const r = await record(lines, hold);
      expect(r.text, `hold ${hold}`).toBe(alone.text);
      // (Causes name lines of the file replayed, which differ: the actors' counts do not.)
      expect(r.res.blame?.byActor).toEqual(alone.res.blame?.byActor);
      expect(r.res.timeline).toEqual(alone.res.timeline);
      expect(r.res.outputsPastStop).toBeUndefined();
    }
  });

  it('event-log.md: a capped run undone past its stop: --record is cut back to where it stopped, then ends with its end event (no hole, no stale bytes)', async () => {
    // The end event is written after the undo's truncation: it must go where the file now ends.
    const file = join(dir, 'capped-source.jsonl');
    const res = await runCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=2', '--set', 'keys=per-server', '--set', 'config=scanReplicatedWrites=true', '--record', file]);
    expect(res.code).toBe(0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').filter((l) => !l.includes('"type":"end"'));
    const inputs = lines.filter((l) => !DERIVED.test(l));
    const maxRunMs = 600_000;
    const recordOf = async (src: readonly string[], holdDerived: number) => {
      const path = join(dir, `capped-rec-${holdDerived}-${src.length}.jsonl`);
      const out = new AtomicFile(path);
      await replay(src, { maxRunMs, holdDerived, record: out });
      out.commit();
      return readFileSync(path, 'utf8');
    };
    const alone = await recordOf(inputs, 10_000);
    expect(alone.trimEnd().split('\n').at(-1)).toMatch(/"type":"end"/);
    expect(await recordOf(lines, 10)).toBe(alone);
  });

  it('event-log.md: a storm that never idles stops at its cap (maxRunMs after the last input): lines past the cap are the mismatch', async () => {
    const file = join(dir, 'capped.jsonl');
    const res = await runCli(['run', 'smsdom-storm', '--set', 'databases=1', '--set', 'docs=2', '--set', 'keys=per-server', '--set', 'config=scanReplicatedWrites=true', '--record', file]);
    expect(res.code).toBe(0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').filter((l) => !l.includes('"type":"end"'));
    const inputs = lines.filter((l) => !DERIVED.test(l));
    const maxRunMs = 600_000;
    const alone = await replay(inputs, { maxRunMs });
    expect(alone.summary.stopped).toBe('cap');
    for (const holdDerived of [10_000, 10]) {
      const r = await replay(lines, { maxRunMs, holdDerived });
      expect(r.summary).toEqual(alone.summary);
      expect(r.conformance.mismatch?.message).toMatch(new RegExp(`^the run stops at its cap, .* \\(maxRunMs after its last input event\\), but the file goes on`));
    }
  });

  it('event-log.md: a work budget met while running past the stop waits for the file: at its end the run is undone and the first line past the stop is the mismatch (it was refused, exit 2); with an input after it the refusal stands', async () => {
    const { lines, inputs } = withoutEnd();
    // 300 pieces of work between inputs: enough for the run of the inputs, not for the next hour's scan past its stop.
    const maxWork = 300;
    const alone = await replay(inputs, { maxWork });
    expect(alone.summary.stopped).toBe('idle');
    const r = await replay(lines, { maxWork, holdDerived: 10 });
    expect(r.summary).toEqual(alone.summary);
    const first = lines.findIndex((l, i) => i > 0 && DERIVED.test(l) && Number(/"at":(\d+)/.exec(l)![1]) > alone.summary.endAt) + 1;
    expect(r.conformance.mismatch?.line).toBe(first);
    expect(r.conformance.mismatch?.message).toMatch(/^the run stops at 0:01:30\.010, with nothing pending/);
    // The recording with its end event: the engine's run past each idle point is the run's, and so is its refusal.
    await expect(replay(recording, { maxWork, holdDerived: 10 })).rejects.toMatchObject({ code: 'RUN_TOO_LONG' });
    // A bad line after the held refusal is still refused for what it is.
    const last = lines[lines.length - 1]!;
    expect(last).toMatch(/"sent":\d+/);
    const bad = [...lines.slice(0, -1), last.replace(/"sent":\d+/, '"sent":-1')];
    await expect(replay(bad, { maxWork, holdDerived: 10 })).rejects.toMatchObject({ line: bad.length });
  });

  it('the CLI: exit 1 naming the line, and the run\'s summary (it said "the engine agrees", exit 0, with the storm\'s numbers)', async () => {
    const { lines, inputs } = withoutEnd();
    const noEnd = join(dir, 'no-end.jsonl');
    const onlyInputs = join(dir, 'inputs.jsonl');
    await import('node:fs').then((fs) => {
      fs.writeFileSync(noEnd, text(lines));
      fs.writeFileSync(onlyInputs, text(inputs));
    });
    const a = await runCli(['replay', noEnd]);
    const b = await runCli(['replay', onlyInputs]);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/no-end\.jsonl:\d+:1: the recorded derived events disagree with the engine: the run stops at 0:01:30\.010/);
    const digest = (s: string) => /digest\s+(sha256:\w+)/.exec(s)?.[1];
    expect(digest(a.stdout)).toBe(digest(b.stdout));
    expect(a.stdout).not.toContain('the engine agrees');
  });
});
