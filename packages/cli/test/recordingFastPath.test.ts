import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DERIVED_EVENT_TYPES, LogError, decodeLogText } from '@replstorm/core';
import { builtinRegistry } from '@replstorm/scenarios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateStream } from '../src/simulateStream.js';
import { ERROR_LINE, runCli } from './cliHarness.js';

// Replay checks a recording's derived events against the engine's (event-log.md, "Derived events"). It takes a line
// written exactly as the recorder writes the engine's event without parsing it, and decodes any other line: the answer
// must be the one decoding every line gives. A line written by another tool (any key order, any spacing: "File", JSON
// Lines) conforms when its event is equal, a different value is a mismatch at its line (exit 1), and a line that breaks
// the format is refused at its line and column (exit 2, "Errors"), wherever it is.

const tmp = mkdtempSync(join(tmpdir(), 'replstorm-fastpath-'));
const F = join(tmp, 'storm.jsonl');
let lines: string[] = [];
let digest = '';
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const derivedTypes: ReadonlySet<string> = new Set(DERIVED_EVENT_TYPES);
const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;
const isDerived = (line: string) => derivedTypes.has(String(parse(line)['type']));

function digestIn(stdout: string): string {
  const m = /digest\s+(sha256:[0-9a-f]{64})/.exec(stdout);
  if (m === null) throw new Error(`no digest in:\n${stdout}`);
  return m[1]!;
}

beforeAll(async () => {
  const res = await runCli(['run', 'smsdom-storm', '--set', 'databases=3', '--set', 'docs=5', '--record', F]);
  expect(res.code, res.stderr).toBe(0);
  digest = digestIn(res.stdout);
  lines = readFileSync(F, 'utf8').split('\n');
  expect(lines.pop()).toBe('');
});

/** The recording with some lines rewritten (1-based line numbers), written to `name`. */
function rewritten(name: string, edit: (line: string, n: number) => string): string {
  const path = join(tmp, name);
  writeFileSync(path, `${lines.map((l, i) => edit(l, i + 1)).join('\n')}\n`);
  return path;
}

/** The same event as another writer might put it: keys in reverse order, spaces around `:` and `,`. */
function otherWriter(line: string): string {
  const e = parse(line);
  return `{ ${Object.keys(e)
    .reverse()
    .map((k) => `${JSON.stringify(k)} : ${JSON.stringify(e[k])}`)
    .join(' ,  ')} }`;
}

/** Line numbers of derived lines (of `type`, matching `where`). */
function derivedLines(type?: string, where: (e: Record<string, unknown>) => boolean = () => true): number[] {
  const out: number[] = [];
  lines.forEach((l, i) => {
    if (i > 0 && isDerived(l) && (type === undefined || parse(l)['type'] === type) && where(parse(l))) out.push(i + 1);
  });
  return out;
}

/** Where decoding every line up front refuses the file: the reference for the replay's refusal. */
function eagerRefusal(path: string): { line: number; column: number; message: string } {
  try {
    decodeLogText(readFileSync(path, 'utf8'));
  } catch (e) {
    if (e instanceof LogError) return { line: e.line, column: e.column, message: e.message };
    throw e;
  }
  throw new Error('expected the file to be refused');
}

async function expectRefusedAsDecoding(path: string, line: number): Promise<void> {
  const expected = eagerRefusal(path);
  expect(expected.line).toBe(line);
  const res = await runCli(['replay', path]);
  expect(res.code, res.stderr).toBe(2);
  expect(res.stdout).toBe('');
  expect(res.stderr).not.toMatch(/^\s+at /m);
  const m = ERROR_LINE.exec(res.stderr.trimEnd());
  expect(m, res.stderr).not.toBeNull();
  expect({ file: m![1], line: Number(m![2]), column: Number(m![3]), message: m![4] }).toEqual({ file: path, ...expected });
}

/** How a replay of `path` checked its derived lines. */
async function conformanceOf(path: string) {
  return (await simulateStream({ chunks: createReadStream(path) }, { registry: builtinRegistry() })).conformance;
}

/** Exit 1 at `line`, at the column of the key of `field`, the field changed (written once in the line). */
async function expectMismatchAt(path: string, line: number, field: string): Promise<void> {
  const res = await runCli(['replay', path]);
  expect(res.code, res.stderr).toBe(1);
  const text = readFileSync(path, 'utf8').split('\n')[line - 1]!;
  const keys = [...text.matchAll(new RegExp(`"${field}"\\s*:`, 'g'))];
  expect(keys).toHaveLength(1);
  expect(res.stderr).toContain(`${path}:${line}:${keys[0]!.index + 1}: the recorded derived events disagree with the engine`);
}

describe('a recording as the engine writes it', () => {
  it('Derived events: every derived line is checked, each as text, without being decoded', async () => {
    const c = await conformanceOf(F);
    expect(c.mismatch).toBeUndefined();
    expect(c.checked).toBe(derivedLines().length);
    expect(c.byText).toBe(c.checked);
  });
});

describe('derived lines another tool wrote', () => {
  it('File: every derived line with its keys reordered and spaced out still conforms, to the same digest', async () => {
    const path = rewritten('reordered.jsonl', (l, n) => (n > 1 && isDerived(l) ? otherWriter(l) : l));
    expect(readFileSync(path, 'utf8')).not.toBe(readFileSync(F, 'utf8'));
    const res = await runCli(['replay', path]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(digestIn(res.stdout)).toBe(digest);
    expect(res.stdout).toContain(`${derivedLines().length} derived events checked: the engine agrees`);
    expect(await conformanceOf(path)).toEqual({ checked: derivedLines().length, byText: 0, heldAtMost: expect.any(Number) });
  });

  it('File: recorded and rewritten lines mixed, and lower-case UNIDs (read upper case), still conform', async () => {
    const lowerUnid = (l: string) => l.replace(/"unid":"([0-9A-F]{32})"/, (_, u: string) => `"unid":"${u.toLowerCase()}"`);
    const path = rewritten('mixed.jsonl', (l, n) => (n === 1 || !isDerived(l) ? l : n % 3 === 0 ? otherWriter(l) : n % 3 === 1 ? lowerUnid(l) : l));
    expect(readFileSync(path, 'utf8')).toMatch(/"unid":"[0-9a-f]*[a-f][0-9a-f]*"/);
    const res = await runCli(['replay', path]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(digestIn(res.stdout)).toBe(digest);
  });
});

describe('a derived line differing in one value', () => {
  it('Derived events: as the recorder writes it, it is reported at its line (exit 1)', async () => {
    const n = derivedLines('scanned', (e) => e['saved'] === true)[0]!;
    const path = rewritten('saved-false.jsonl', (l, k) => (k === n ? l.replace('"saved":true', '"saved":false') : l));
    await expectMismatchAt(path, n, 'saved');
  });

  it('Derived events: written by another tool, it is reported at its line (exit 1)', async () => {
    // (One without `via`, whose own `seq` the reversed keys would put first.)
    const n = derivedLines('revised', (e) => e['via'] === undefined)[3]!;
    const path = rewritten('seq-reordered.jsonl', (l, k) => (k > 1 && isDerived(l) ? otherWriter(k === n ? l.replace(/"seq":(\d+)/, (_, s: string) => `"seq":${Number(s) + 1}`) : l) : l));
    await expectMismatchAt(path, n, 'seq');
  });

  it('Derived events: two fields differing in a line written by another tool (keys reversed): the column is the leftmost of the two as written', async () => {
    const n = derivedLines('revised', (e) => e['via'] === undefined)[2]!;
    const bump = (l: string) => l.replace(/"seq":(\d+)/, (_, s: string) => `"seq":${Number(s) + 1}`).replace(/"seqTime":(\d+)/, (_, s: string) => `"seqTime":${Number(s) + 1}`);
    const path = rewritten('two-fields-reordered.jsonl', (l, k) => (k > 1 && isDerived(l) ? otherWriter(k === n ? bump(l) : l) : l));
    const text = readFileSync(path, 'utf8').split('\n')[n - 1]!;
    // Reversed keys: seqTime is written before seq (the recorder's order has seq first).
    expect(text.search(/"seqTime"\s*:/)).toBeLessThan(text.search(/"seq"\s*:/));
    await expectMismatchAt(path, n, 'seqTime');
  });

  it('Derived events: a field the line lacks (the engine\'s via) beside one it has that differs: the column is the one it has, not 1', async () => {
    // An arrival's on-write scan stamps with `via` (per-server keys, scans arrivals).
    const rec = join(tmp, 'via.jsonl');
    const res = await runCli(['run', 'smsdom-storm', '--set', 'servers=2', '--set', 'databases=1', '--set', 'docs=1', '--set', 'keys=per-server', '--set', 'config=scanReplicatedWrites=true', '--set', 'horizonMs=60000', '--record', rec]);
    expect(res.code, res.stderr).toBe(0);
    const recorded = readFileSync(rec, 'utf8').split('\n');
    const n = recorded.findIndex((l) => l.includes('"type":"revised"') && l.includes('"via":')) + 1;
    expect(n).toBeGreaterThan(0);
    const path = join(tmp, 'via-missing.jsonl');
    writeFileSync(path, recorded.map((l, i) => (i + 1 === n ? l.replace(/"seqTime":(\d+)/, (_, s: string) => `"seqTime":${Number(s) + 1}`).replace(/,"via":\{[^}]*\}/, '') : l)).join('\n'));
    await expectMismatchAt(path, n, 'seqTime');
  });

  it('Derived events: a later line differing too does not move the report', async () => {
    const [a, b] = derivedLines('replicated');
    const path = rewritten('two-changed.jsonl', (l, k) => (k === a || k === b ? l.replace(/"seqTime":(\d+)/, (_, s: string) => `"seqTime":${Number(s) + 7}`) : l));
    await expectMismatchAt(path, a!, 'seqTime');
  });
});

describe('a malformed derived line', () => {
  it('Errors: a bad value in a line written as the recorder writes it: exit 2 at its line and column', async () => {
    const n = derivedLines('scanned')[5]!;
    const path = rewritten('saved-string.jsonl', (l, k) => (k === n ? l.replace(/"saved":(true|false)/, '"saved":"yes"') : l));
    await expectRefusedAsDecoding(path, n);
  });

  it('Errors: a line cut short (bad JSON) in the middle of the file: exit 2 at its line and column', async () => {
    const n = derivedLines('replicated')[2]!;
    const path = rewritten('cut.jsonl', (l, k) => (k === n ? l.slice(0, -20) : l));
    await expectRefusedAsDecoding(path, n);
  });

  it('Errors: after the first mismatch, a bad line is still refused (exit 2, not 1)', async () => {
    const [a, b] = derivedLines('revised');
    const path = rewritten('mismatch-then-bad.jsonl', (l, k) =>
      k === a ? l.replace(/"seq":(\d+)/, (_, s: string) => `"seq":${Number(s) + 1}`) : k === b ? l.replace(/"cause":\d+/, '"cause":0') : l,
    );
    await expectRefusedAsDecoding(path, b!);
  });

  it('Errors: a bad derived line comes before an engine refusal of a later input line', async () => {
    const n = derivedLines('session')[0]!;
    const input = lines.findIndex((l, i) => i + 1 > n && !isDerived(l) && parse(l)['type'] === 'save') + 1;
    expect(input).toBeGreaterThan(n);
    const path = rewritten('bad-then-unknown-server.jsonl', (l, k) =>
      k === n ? l.replace(/"interrupted":(true|false)/, '"interrupted":"no"') : k === input ? l.replace(/"server":"[^"]*"/, '"server":"Nowhere"') : l,
    );
    // Decoding every line up front refuses line n; the engine alone would refuse the save naming an unknown server.
    await expectRefusedAsDecoding(path, n);
  });

  it('Errors: an extra bad derived line waiting for the engine comes before an engine refusal of the next input line', async () => {
    // After a save's derived lines the engine has caught up: an extra derived line then waits for its counterpart.
    const save = lines.findIndex((l, i) => i > 1 && !isDerived(l) && parse(l)['type'] === 'save' && isDerived(lines[i - 1]!)) + 1;
    const at = String(parse(lines[save - 1]!)['at']);
    const extra = lines[derivedLines('session')[0]! - 1]!.replace(/"at":\d+/, `"at":${at}`).replace(/"sent":\d+/, '"sent":"x"');
    const path = join(tmp, 'waiting-bad.jsonl');
    const copy = lines.slice();
    copy[save - 1] = copy[save - 1]!.replace(/"server":"[^"]*"/, '"server":"Nowhere"');
    copy.splice(save - 1, 0, extra);
    writeFileSync(path, `${copy.join('\n')}\n`);
    await expectRefusedAsDecoding(path, save);
  });

  it('Errors: a bad derived line comes before bad JSON on a later input line read in the same chunk', async () => {
    const n = derivedLines('scanned')[1]!;
    const input = lines.findIndex((l, i) => i + 1 > n && !isDerived(l)) + 1;
    const path = rewritten('bad-then-bad-json.jsonl', (l, k) => (k === n ? l.replace(/"kind":"[^"]*"/, '"kind":"weekly"') : k === input ? `${l},` : l));
    await expectRefusedAsDecoding(path, n);
  });

  it('Errors: a bad line queued behind a mismatching one (both ahead of the engine) is refused, not reported as a mismatch', async () => {
    // A save's first derived line, with another seq, and a bad line moved before the save: both wait for the engine.
    const save = lines.findIndex((l, i) => i > 1 && !isDerived(l) && parse(l)['type'] === 'save' && isDerived(lines[i - 1]!) && isDerived(lines[i + 1]!)) + 1;
    const changed = lines[save]!.replace(/"seq":(\d+)/, (_, q: string) => `"seq":${Number(q) + 1}`);
    const bad = lines[save]!.replace(/"by":"[^"]*"/, '"by":"nobody"');
    const copy = lines.slice();
    copy.splice(save - 1, 2, changed, bad, lines[save - 1]!);
    const path = join(tmp, 'ahead.jsonl');
    writeFileSync(path, `${copy.join('\n')}\n`);
    await expectRefusedAsDecoding(path, save + 1);
  });

  it('Errors: a bad line after an extra one at the end is refused, not reported as a mismatch', async () => {
    const endAt = String(parse(lines[lines.length - 1]!)['at']);
    const session = lines[derivedLines('session')[0]! - 1]!.replace(/"at":\d+/, `"at":${endAt}`);
    const path = join(tmp, 'extra-then-bad.jsonl');
    writeFileSync(path, `${[...lines, session, session.replace('"direction":"', '"direction":"sideways-')].join('\n')}\n`);
    await expectRefusedAsDecoding(path, lines.length + 2);
  });

  it('Errors: a bad derived line is refused even when the engine gives up running to its time', async () => {
    const path = join(tmp, 'far-bad.jsonl');
    writeFileSync(path, `${[
      '{"replog":1,"meta":{}}',
      '{"at":0,"type":"server","name":"A"}',
      '{"at":0,"type":"server","name":"B"}',
      '{"at":0,"type":"database","name":"d","replicas":["A","B"]}',
      '{"at":0,"type":"connection","server":"A","partner":"B","everyMs":1}',
      '{"at":100000000,"type":"session","server":"A","partner":"B","db":"d","direction":"pull","sent":"x","changed":0,"interrupted":false}',
    ].join('\n')}\n`);
    const expected = eagerRefusal(path);
    expect(expected.line).toBe(6);
    const res = await runCli(['replay', '--max-work', '1000', path]);
    expect(res.code).toBe(2);
    expect(res.stderr.trimEnd()).toBe(`${path}:${expected.line}:${expected.column}: ${expected.message}`);
  });

  it('Errors: a bad derived line the engine never derives (left over at the end) is refused, and --record writes nothing', async () => {
    const last = lines.length;
    const extra = lines[derivedLines('session')[0]! - 1]!.replace(/"at":\d+/, `"at":${String(parse(lines[last - 1]!)['at'])}`).replace(/"sent":\d+/, '"sent":-1');
    const path = join(tmp, 'extra-bad.jsonl');
    writeFileSync(path, `${[...lines, extra].join('\n')}\n`);
    await expectRefusedAsDecoding(path, last + 1);
    const target = join(tmp, 'extra-bad.recorded.jsonl');
    const res = await runCli(['replay', '--record', target, path]);
    expect(res.code).toBe(2);
    expect(existsSync(target)).toBe(false);
  });
});
