import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogError } from '../util/logError.js';
import { assertLogProperty, oneLineLog } from '../../test/property.js';
import { decodeLogText } from './decodeLog.js';
import { jsonErrorAt } from './jsonErrorAt.js';
import { propertyRuns } from '../../../../scripts/propertySeed.js';

// Errors (event-log.md): a line that is not JSON is refused at `file:line:column`, the column where it breaks. The
// column is found by jsonErrorAt, held here to V8's JSON.parse: the same texts refused, and the same position where
// V8's message names one (Node 20 names none for an unexpected token; the token it quotes is then the character at
// the position found).

const H = '{"replog":1,"meta":{}}';

function refusal(line: string): { line: number; column: number; message: string } {
  try {
    decodeLogText(`${H}\n${line}\n`);
  } catch (e) {
    if (e instanceof LogError) return { line: e.line, column: e.column, message: e.message };
    throw e;
  }
  throw new Error('not refused');
}

/** What V8 says of the text: accepted, or refused with the position or token its message names, if any. */
function v8(text: string): { ok: true } | { ok: false; position?: number; token?: string } {
  try {
    JSON.parse(text);
    return { ok: true };
  } catch (e) {
    const message = (e as Error).message;
    const position = /at position (\d+)/.exec(message);
    const token = /^Unexpected token '(.)'/u.exec(message) ?? /^Unexpected token (.), /u.exec(message);
    return { ok: false, ...(position ? { position: Number(position[1]) } : {}), ...(token ? { token: token[1]! } : {}) };
  }
}

// Texts near JSON: well-formed values with a few characters inserted, removed or replaced from JSON's own alphabet.
const SAMPLES = ['{"at":0,"type":"server","name":"A"}', '{"replog":1,"meta":{"x":[1,2.5e3,-0.1,true,false,null,"\\u00e9\\n"]}}', '[{"a":{"b":[]}},{}]', '"s"', '-12.5E+3'];
const ALPHABET = ['{', '}', '[', ']', ',', ':', '"', '\\', '/', 'b', 'u', '0', '1', '-', '.', 'e', 'E', '+', 't', 'r', 'n', 'l', 'f', ' ', '\t', '\r', 'a', '\u0001', "'", '\ud800'];
const arbNearJson: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...SAMPLES), fc.array(fc.tuple(fc.nat(), fc.constantFrom('insert', 'remove', 'replace'), fc.constantFrom(...ALPHABET)), { minLength: 1, maxLength: 3 }))
  .map(([s, edits]) => {
    let t = s;
    for (const [p, op, ch] of edits) {
      const i = p % (t.length + 1);
      t = op === 'insert' ? t.slice(0, i) + ch + t.slice(i) : op === 'remove' ? t.slice(0, i) + t.slice(i + 1) : t.slice(0, i) + ch + t.slice(i + 1);
    }
    return t;
  });

describe('Errors: where a line that is not JSON breaks', () => {
  it('Errors: jsonErrorAt refuses exactly what JSON.parse refuses, at the position V8 names, or at the token it quotes', () => {
    assertLogProperty({
      name: 'json-error-at',
      arbitrary: arbNearJson,
      numRuns: propertyRuns(3000),
      // The text as line 2 of a log: a replay refuses it at the column found here.
      toLog: (t) => oneLineLog(t),
      predicate: (t) => {
        const at = jsonErrorAt(t);
        const want = v8(t);
        expect(at === -1).toBe(want.ok);
        if (!want.ok && want.position !== undefined) expect(at).toBe(want.position);
        if (!want.ok && want.token !== undefined) expect(t[at]).toBe(want.token);
      },
    });
  });

  it('Errors: the cases of an operator\'s QA pass, where Node 20 names no position, and a grammar case of each kind', () => {
    // [text, index of the error]
    const cases: [string, number][] = [
      [`{"at":0,"type":"server","name":'A'}`, 31],
      ['{"replog":1,"meta":{}, "x":}', 27],
      ['{"a":1,}', 7],
      ['[1,]', 3],
      ['{"a":tru}', 8],
      ['{"a":"x\u0001"}', 7],
      ['{"a":"\\q"}', 7],
      ['{"a":"\\u12G4"}', 10],
      ['{"a":-}', 6],
      ['{"a":1.}', 7],
      ['{"a":1e+}', 8],
      ['{"a":01}', 6],
      ['{"a" 1}', 5],
      ['{"a":1} x', 8],
      ['{"a":[1,2', 9],
      ['', 0],
      ['  ', 2],
      ['{"a":"unterminated', 18],
    ];
    for (const [text, index] of cases) {
      expect(jsonErrorAt(text), text).toBe(index);
      expect(v8(text).ok, text).toBe(false);
    }
    for (const ok of ['{}', '[]', ' {"a":[{"b":null}]} ', '"\\u00e9"', '"\\/\\b\\f\\n\\r\\t\\\\\\""', '-0.5e-7', 'true']) expect(jsonErrorAt(ok), ok).toBe(-1);
    // Nesting deeper than a recursive scanner's stack.
    expect(jsonErrorAt(`${'['.repeat(200_000)}${']'.repeat(200_000)}`)).toBe(-1);
    expect(jsonErrorAt(`${'['.repeat(200_000)}${']'.repeat(199_999)}`)).toBe(400_000 - 1);
  });

  it('Errors: a refused line is located where it breaks, and its message names no 0-based position beside the column', () => {
    const quoted = `{"at":0,"type":"server","name":'A'}`;
    expect(refusal(quoted)).toMatchObject({ line: 2, column: 32 });
    const missing = '{"at":0,"type":"server","name":"A",}';
    const r = refusal(missing);
    expect(r).toMatchObject({ line: 2, column: missing.length });
    expect(r.message).not.toMatch(/position/);
    const colon = '{"at" 0}';
    expect(refusal(colon)).toMatchObject({ column: 7 });
    expect(refusal(colon).message).toBe("invalid JSON: Expected ':' after property name");
  });
});
