import { describe, expect, it } from 'vitest';
import { differences, differentialCases, normalizeOutput, failureLine, type SideResult } from '../../../scripts/differentialCases.js';

// `pnpm differential` (scripts/differential.ts) says whether a change moved anything the CLI prints, records or
// replays. Its verdict is only as good as its comparison: these hold it to "different exactly when something but
// wall-clock time and the output directory differs", and its cases to a function of the seed.

const side = (over: Partial<SideResult> = {}): SideResult => ({
  code: 0,
  stdout: '{"digest":"sha256:00"}',
  failure: '',
  logs: new Map([['recording.jsonl', '{"replog":1}\n{"at":0,"type":"server","name":"A"}\n']]),
  replayedByOther: new Map([['recording.jsonl', 0]]),
  replayedBySelf: new Map([['recording.jsonl', 0]]),
  ...over,
});

describe('differential: cases', () => {
  it('are a function of the seed (the seed printed runs the same cases again), and seeds differ', () => {
    expect(differentialCases(5, 10, 10)).toEqual(differentialCases(5, 10, 10));
    expect(differentialCases(5, 10, 10)).not.toEqual(differentialCases(6, 10, 10));
    const cases = differentialCases(5, 7, 3);
    expect(cases.map((c) => c.kind)).toEqual([...Array(7).fill('run'), ...Array(3).fill('explore')]);
  });

  it('draw only combinations the CLI accepts: a config key the design has, a key only for designs with one, one skew per server', () => {
    for (const c of differentialCases(1, 300, 300)) {
      const set = new Map<string, string>();
      for (let i = 0; i < c.args.length; i++) if (c.args[i] === '--set') set.set(c.args[i + 1]!.split('=')[0]!, c.args[i + 1]!.slice(c.args[i + 1]!.indexOf('=') + 1));
      const design = set.get('design')!;
      if (design === 'noop') expect(set.has('config')).toBe(false);
      if (design === 'noop' || design === 'scan-cache') expect(set.has('keys')).toBe(false);
      // noop has no schedule to set: run refuses scanEveryMs for it, and scanServers but none.
      if (design === 'noop' && c.kind === 'run') {
        expect(set.has('scanEveryMs')).toBe(false);
        expect(set.get('scanServers')).toBe('none');
      }
      if (set.get('servers') === '1') for (const k of ['clockSkewsMs', 'scanOffsetsMs']) expect((set.get(k) ?? '0').split(',')).toHaveLength(1);
    }
  });
});

describe('differential: comparison', () => {
  it('ignores only explore\'s timings and the directory each version wrote into', () => {
    const a = normalizeOutput('{"distinctStates":9,"seconds":0.5,"checkSeconds":0.1,"statesPerSecond":18,"violation":{"log":"/tmp/x/old/ce/a.jsonl"}}', '/tmp/x/old');
    const b = normalizeOutput('{"distinctStates":9,"seconds":2.5,"checkSeconds":0.3,"statesPerSecond":4,"violation":{"log":"/tmp/x/new/ce/a.jsonl"}}', '/tmp/x/new');
    expect(a).toBe(b);
    expect(normalizeOutput('{"distinctStates":10,"seconds":0.5}', '/tmp/x/new')).not.toBe(a);
    // Not JSON (a command's text): compared as it is, but for the directory.
    expect(normalizeOutput('wrote /tmp/x/old/r.jsonl\n', '/tmp/x/old')).toBe(normalizeOutput('wrote /tmp/x/new/r.jsonl\n', '/tmp/x/new'));
    expect(failureLine('progress 1\nreplstorm: /tmp/x/old/r.jsonl:3:1: bad\n', '/tmp/x/old')).toBe('replstorm: <out>/r.jsonl:3:1: bad');
    // A crash: its message, not the last frame of its stack.
    expect(failureLine('internal error (a bug in replstorm, please report it):\nError: boom\n    at f (/a.ts:1:1)\n    at g (/b.ts:2:2)\n\nNode.js v20.20.2\n', '/tmp/x/old')).toBe('Error: boom');
  });

  it('finds nothing between identical sides, and names each kind of difference', () => {
    expect(differences(side(), side())).toEqual([]);
    expect(differences(side(), side({ code: 1 }))).toEqual(['exit code 0 -> 1']);
    expect(differences(side(), side({ stdout: '{"digest":"sha256:01"}' }))).toEqual(['output (--json) differs']);
    // Fields the new version adds, and nothing else changed: said by name (each case's files had to be read to see it).
    expect(differences(side({ stdout: '{"a":1,"b":{"c":[1,{"d":2}]}}' }), side({ stdout: '{"a":1,"x":3,"b":{"c":[1,{"d":2,"y":4}]}}' }))).toEqual(['output (--json) differs only by fields the new version adds: b.c[1].y, x']);
    // Anything else changed as well, or a field gone: the plain difference.
    expect(differences(side({ stdout: '{"a":1}' }), side({ stdout: '{"a":2,"x":3}' }))).toEqual(['output (--json) differs']);
    expect(differences(side({ stdout: '{"a":1,"x":3}' }), side({ stdout: '{"a":1}' }))).toEqual(['output (--json) differs']);
    // Standard error counts only when a side failed (a refusal, a crash): otherwise it holds progress, not results.
    expect(differences(side({ code: 2, failure: 'x:1:1: bad' }), side({ code: 2, failure: 'x:2:1: bad' }))).toEqual(['standard error: "x:1:1: bad" -> "x:2:1: bad"']);
    expect(differences(side(), side({ code: 70, failure: 'TypeError: boom' }))).toEqual(['exit code 0 -> 70', 'standard error: "" -> "TypeError: boom"']);
    expect(differences(side({ failure: 'progress 1' }), side({ failure: 'progress 2' }))).toEqual([]);
    const other = side({ logs: new Map([['recording.jsonl', '{"replog":1}\n{"at":1,"type":"server","name":"A"}\n']]) });
    expect(differences(side(), other)).toEqual(['log recording.jsonl: events differ from line 2 (2 lines against 2)']);
    expect(differences(side(), side({ logs: new Map([['recording.jsonl', '{"replog":1,"meta":{}}\n{"at":0,"type":"server","name":"A"}\n']]) }))).toEqual(['log recording.jsonl: header differs']);
    expect(differences(side({ logs: new Map(), replayedByOther: new Map(), replayedBySelf: new Map() }), side())).toEqual(['log recording.jsonl written by the new version only']);
    expect(differences(side({ replayedByOther: new Map([['recording.jsonl', 1]]) }), side())).toEqual(["the old version's recording.jsonl replays with exit 1 in the new version, 0 in its own"]);
  });
});
