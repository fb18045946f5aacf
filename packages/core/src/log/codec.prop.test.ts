import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogError } from '../util/logError.js';
import { createLogDecoder, decodeLogText } from './decodeLog.js';
import { encodeEvent, encodeHeader, encodeLog } from './encodeLog.js';
import { EVENT_SCHEMAS } from './eventFields.js';
import type { LocatedEvent, LogEvent } from './events.js';
import { arbLog, arbLogEvent, arbLogHeader } from './logArbitraries.js';

// fast-check prints the seed and the shrunk counterexample of a failure; pass them back as { seed, path } to replay.

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

// toEqual for a readable diff; isDeepStrictEqual for prototypes and -0 too. (Not toStrictEqual: it compares
// `.constructor`, which an own item or config key named "constructor" — generated on purpose — overrides.)
function expectSame(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected);
  expect(isDeepStrictEqual(actual, expected)).toBe(true);
}

function decodeOne(e: LogEvent): LogEvent {
  return decodeLogText(`{"replog":1}\n${encodeEvent(e)}\n`).events[0]!.event;
}

/** Decodes bytes pushed in pieces cut at the given offsets. */
function decodeInPieces(bytes: Uint8Array, cuts: number[]): { events: LocatedEvent[]; lines: number } {
  const decoder = createLogDecoder();
  const events: LocatedEvent[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    events.push(...decoder.push(bytes.subarray(from, Math.max(from, cut))));
    from = Math.max(from, cut);
  }
  events.push(...decoder.push(bytes.subarray(from)), ...decoder.end());
  return { events, lines: decoder.lines };
}

/** Runs `decode`; true if it decoded, false if it refused with a LogError; anything else fails the property. */
function decodesOrRefuses(decode: () => unknown): boolean {
  try {
    decode();
    return true;
  } catch (e) {
    if (e instanceof LogError) {
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeGreaterThanOrEqual(1);
      return false;
    }
    throw e;
  }
}

describe('codec round trip', () => {
  it('Input and derived events: decode(encode(e)) equals e', () => {
    fc.assert(
      fc.property(arbLogEvent(), (e) => {
        expectSame(decodeOne(e), e);
      }),
      { numRuns: 2000 },
    );
  });

  it('Input and derived events: encoding is a fixed point (field and item order survive decoding)', () => {
    fc.assert(
      fc.property(arbLogEvent(), (e) => {
        const line = encodeEvent(e);
        expect(encodeEvent(decodeOne(e))).toBe(line);
      }),
      { numRuns: 1000 },
    );
  });

  it('File: a whole log round-trips, as text and as bytes cut anywhere', () => {
    fc.assert(
      fc.property(
        arbLog(),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.constantFrom('\n', '\r\n'),
        ({ header, events }, cuts, eol) => {
          const text = encodeLog(header, events).replaceAll('\n', eol);
          const expected = events.map((event, i) => ({ line: i + 2, event }));
          const decoded = decodeLogText(text);
          expectSame(decoded.header, header);
          expectSame(decoded.events, expected);
          const bytes = utf8(text);
          const pieces = decodeInPieces(
            bytes,
            cuts.map((c) => c % (bytes.length + 1)),
          );
          expect(pieces.events).toEqual(expected);
          expect(pieces.lines).toBe(events.length + 1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('File: the header round-trips', () => {
    fc.assert(
      fc.property(arbLogHeader(), (header) => {
        expectSame(decodeLogText(encodeHeader(header)).header, header);
      }),
    );
  });

  it('Encoding: `at` and `type` come first, then the table order', () => {
    fc.assert(
      fc.property(arbLogEvent(), (e) => {
        const keys = Object.keys(JSON.parse(encodeEvent(e)) as object);
        const order = ['at', 'type', ...EVENT_SCHEMAS.get(e.type)!.fields.map((f) => f.name)];
        expect(keys).toEqual(order.filter((k) => keys.includes(k)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('Errors: fuzzing the decoder', () => {
  const header = '{"replog": 1, "meta": {}}\n';
  const fieldNames = [...new Set([...EVENT_SCHEMAS.values()].flatMap((s) => [...s.known]))];
  const anyValue = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(null, -1, 0, 1.5, 2 ** 53, '', 'A', 'user/x', 'ABCDEF0123456789abcdef0123456789', [], [''], {}),
  );
  // Objects shaped like events, so the fuzz reaches the field checks and not only the JSON parser.
  const eventLike = fc.record({
    at: fc.oneof(fc.nat(100), anyValue),
    type: fc.oneof(fc.constantFrom(...EVENT_SCHEMAS.keys()), fc.string()),
    fields: fc.dictionary(fc.oneof(fc.constantFrom(...fieldNames, '$FILE', '__proto__'), fc.string()), anyValue, {
      maxKeys: 8,
    }),
  });

  it('Errors: any text decodes or is refused with a LogError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.boolean(), (text, withHeader) => {
        decodesOrRefuses(() => decodeLogText(withHeader ? header + text : text, { strict: true, onWarning: () => {} }));
      }),
      { numRuns: 2000 },
    );
  });

  it('Errors: any bytes decode or are refused with a LogError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 4 }), (bytes, cuts) => {
        const input = new Uint8Array([...utf8(header), ...bytes]);
        decodesOrRefuses(() => decodeInPieces(input, cuts));
        decodesOrRefuses(() => decodeInPieces(bytes, cuts));
      }),
      { numRuns: 2000 },
    );
  });

  it('Errors: event-shaped JSON decodes or is refused with a LogError', () => {
    fc.assert(
      fc.property(fc.array(eventLike, { maxLength: 5 }), fc.boolean(), (lines, strict) => {
        const text =
          header +
          lines.map(({ at, type, fields }) => JSON.stringify({ ...fields, at, type })).join('\n');
        decodesOrRefuses(() => decodeLogText(text, { strict, onWarning: () => {} }));
      }),
      { numRuns: 3000 },
    );
  });

  it('Errors: a valid log with bytes changed decodes or is refused with a LogError', () => {
    const edit = fc.record({ at: fc.nat(), remove: fc.nat(8), insert: fc.uint8Array({ maxLength: 4 }) });
    fc.assert(
      fc.property(arbLog({ maxEvents: 6 }), fc.array(edit, { minLength: 1, maxLength: 4 }), ({ header: h, events }, edits) => {
        let bytes = utf8(encodeLog(h, events));
        for (const { at, remove, insert } of edits) {
          const i = at % (bytes.length + 1);
          bytes = new Uint8Array([...bytes.subarray(0, i), ...insert, ...bytes.subarray(i + remove)]);
        }
        decodesOrRefuses(() => decodeInPieces(bytes, []));
      }),
      { numRuns: 1000 },
    );
  });
});
