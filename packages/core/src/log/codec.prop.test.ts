import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogError } from '../util/logError.js';
import { createLogDecoder, decodeLogText } from './decodeLog.js';
import { encodeEvent, encodeHeader, encodeLog } from './encodeLog.js';
import { EVENT_SCHEMAS } from './eventFields.js';
import type { LocatedEvent, LogEvent } from './events.js';
import { arbByteEdit, arbLog, arbLogEvent, arbLogHeader, editedLogBytes } from './logArbitraries.js';
import { assertLogProperty, oneLineLog } from '../../test/property.js';
import { propertyRuns } from '../../../../scripts/propertySeed.js';

// Each property prints its seed; a failure writes its shrunk counterexample as a log (counterexamples/<name>-<seed>.jsonl)
// that `replstorm replay` reads: the event's line after a header, or the text or bytes the decoder was given.

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
    assertLogProperty({
      name: 'codec-event-roundtrip',
      arbitrary: arbLogEvent(),
      predicate: (e) => {
        expectSame(decodeOne(e), e);
      },
      toLog: (e) => oneLineLog(encodeEvent(e)),
      numRuns: propertyRuns(2000),
    });
  });

  it('Input and derived events: encoding is a fixed point (field and item order survive decoding)', () => {
    assertLogProperty({
      name: 'codec-fixed-point',
      arbitrary: arbLogEvent(),
      predicate: (e) => {
        const line = encodeEvent(e);
        expect(encodeEvent(decodeOne(e))).toBe(line);
      },
      toLog: (e) => oneLineLog(encodeEvent(e)),
      numRuns: propertyRuns(1000),
    });
  });

  it('File: a whole log round-trips, as text and as bytes cut anywhere', () => {
    assertLogProperty({
      name: 'codec-log-roundtrip',
      arbitrary: fc.tuple(arbLog(), fc.array(fc.nat(), { maxLength: 6 }), fc.constantFrom('\n', '\r\n')),
      predicate: ([{ header, events }, cuts, eol]) => {
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
      toLog: ([{ header, events }, , eol]) => encodeLog(header, events).replaceAll('\n', eol),
      numRuns: propertyRuns(300),
    });
  });

  it('File: the header round-trips', () => {
    assertLogProperty({
      name: 'codec-header-roundtrip',
      arbitrary: arbLogHeader(),
      predicate: (header) => {
        expectSame(decodeLogText(encodeHeader(header)).header, header);
      },
      toLog: (header) => `${encodeHeader(header)}\n`,
    });
  });

  it('Encoding: `at` and `type` come first, then the table order', () => {
    assertLogProperty({
      name: 'codec-key-order',
      arbitrary: arbLogEvent(),
      predicate: (e) => {
        const keys = Object.keys(JSON.parse(encodeEvent(e)) as object);
        const order = ['at', 'type', ...EVENT_SCHEMAS.get(e.type)!.fields.map((f) => f.name)];
        expect(keys).toEqual(order.filter((k) => keys.includes(k)));
      },
      toLog: (e) => oneLineLog(encodeEvent(e)),
      numRuns: propertyRuns(300),
    });
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
    assertLogProperty({
      name: 'decode-any-text',
      arbitrary: fc.tuple(fc.string({ unit: 'binary', maxLength: 300 }), fc.boolean()),
      predicate: ([text, withHeader]) => {
        decodesOrRefuses(() => decodeLogText(withHeader ? header + text : text, { strict: true, onWarning: () => {} }));
      },
      // (Replay with --strict: the property decodes strictly.)
      toLog: ([text, withHeader]) => (withHeader ? header + text : text),
      numRuns: propertyRuns(2000),
    });
  });

  it('Errors: any bytes decode or are refused with a LogError', () => {
    assertLogProperty({
      name: 'decode-any-bytes',
      arbitrary: fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 4 })),
      predicate: ([bytes, cuts]) => {
        const input = new Uint8Array([...utf8(header), ...bytes]);
        decodesOrRefuses(() => decodeInPieces(input, cuts));
        decodesOrRefuses(() => decodeInPieces(bytes, cuts));
      },
      // Both inputs: after a header, and alone.
      toLog: ([bytes]) => [new Uint8Array([...utf8(header), ...bytes]), bytes],
      numRuns: propertyRuns(2000),
    });
  });

  it('Errors: event-shaped JSON decodes or is refused with a LogError', () => {
    const textOf = (lines: readonly { at: unknown; type: unknown; fields: Record<string, unknown> }[]): string =>
      header + lines.map(({ at, type, fields }) => JSON.stringify({ ...fields, at, type })).join('\n');
    assertLogProperty({
      name: 'decode-event-shaped',
      arbitrary: fc.tuple(fc.array(eventLike, { maxLength: 5 }), fc.boolean()),
      predicate: ([lines, strict]) => {
        decodesOrRefuses(() => decodeLogText(textOf(lines), { strict, onWarning: () => {} }));
      },
      toLog: ([lines]) => textOf(lines),
      numRuns: propertyRuns(3000),
    });
  });

  it('Errors: a valid log with bytes changed decodes or is refused with a LogError', () => {
    assertLogProperty({
      name: 'decode-edited-log',
      arbitrary: fc.tuple(arbLog({ maxEvents: 6 }), fc.array(arbByteEdit(), { minLength: 1, maxLength: 4 })),
      predicate: ([log, edits]) => {
        const bytes = editedLogBytes(log, edits);
        decodesOrRefuses(() => decodeInPieces(bytes, []));
      },
      toLog: ([log, edits]) => editedLogBytes(log, edits),
      numRuns: propertyRuns(1000),
    });
  });
});
