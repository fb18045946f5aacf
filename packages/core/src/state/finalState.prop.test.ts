import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeLog } from '../log/encodeLog.js';
import type { InputEvent, LogEvent, LogItems } from '../log/events.js';
import type { ItemValue } from '../note/note.js';
import { arbItems, arbName } from '../log/logArbitraries.js';
import { itemKey } from '../note/note.js';
import { runEvents } from '../simulate/runEvents.js';
import { sha256Hex, usePureJsSha256 } from '../util/hash.js';
import { canonicalJson } from './canonicalJson.js';
import { assertLogProperty } from '../../test/property.js';
import { propertyRuns } from '../../../../scripts/propertySeed.js';

// event-log.md, "--json summary": `digest` is sha256 of the canonical JSON of the final state (`--state`). The digest
// writes that JSON as UTF-8 bytes itself, a character at a time for what is ASCII and needs no escape, and through
// JSON.stringify, canonicalJson and the hash's own encoding for the rest: this holds it to the text, over names and
// values that need escapes, are not ASCII, hold lone surrogates, and numbers that are not safe integers, on replicas that
// share versions (replication) and hold conflict documents. The pure-JS SHA-256 gives the same digest.

interface Case {
  readonly servers: readonly [string, string];
  readonly db: string;
  readonly saves: readonly { readonly on: 0 | 1; readonly doc: number; readonly set: LogItems; readonly replicateAfter: boolean }[];
}

// The characters where the written bytes and the text could part: what JSON escapes (quote, backslash, controls), DEL
// (ASCII, not escaped), two- to four-byte UTF-8, lone surrogates (escaped by JSON.stringify). Any Unicode string draws
// them too seldom to notice a writer that forgot one (a writer not escaping backslashes passed 200 runs of it).
const arbSpecial = fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', 'Z', '"', '\\', '\n', '\u001f', '\u007f', '\u0080', 'é', '€', '😀', '\ud800', '\udc00') });
// Long strings too (a writer may copy long text another way): plain text with such characters before, inside or after
// it.
const arbPlain = fc.string({ minLength: 16, maxLength: 40, unit: fc.constantFrom('a', 'Z', ' ', '~', '/', '\u007f') });
const arbHostile = fc.oneof(
  arbSpecial,
  arbPlain,
  fc.tuple(arbPlain, arbSpecial, arbPlain).map(([a, b, c]) => a + b + c),
  fc.tuple(arbSpecial, arbPlain).map(([a, b]) => a + b),
);
// Lists of objects: attachments, and objects with other keys (a design may write any list; the digest writes the
// three attachment keys itself and anything else through canonicalJson).
const arbObjects = fc.array(fc.record({ name: arbHostile, bytes: fc.nat(), infected: fc.boolean(), [`x`]: arbHostile, __proto__: fc.nat() }, { requiredKeys: [] }), { maxLength: 3 });
const arbEmptyObjects = fc.constant([{}, {}]);
const arbHostileValue = fc.oneof(arbHostile, fc.array(arbHostile, { maxLength: 3 }), arbObjects, arbEmptyObjects, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.constantFrom(-1, -0, 0, 9, 10, -10, 99, 100, 999_999_999, 1e9, 1e9 + 1, -1e9, 1e9 * 1e6 - 1, 1_733_356_800_000, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 60, 1e21, 0.5),
  // Near multiples of 1e9, where the digits are written as two halves.
  fc.tuple(fc.integer({ min: 1, max: 9_007_199 }), fc.integer({ min: -2, max: 2 })).map(([k, d]) => k * 1e9 + d));
const arbSet: fc.Arbitrary<LogItems> = fc
  .tuple(arbItems(), fc.array(fc.tuple(arbHostile, arbHostileValue), { maxLength: 3 }))
  .map(([items, extra]) => {
    const m = new Map(items);
    const keys = new Set([...m.keys()].map(itemKey));
    for (const [k, v] of extra) if (!keys.has(itemKey(k)) && itemKey(k) !== '$file') {
      keys.add(itemKey(k));
      // Not an ItemValue for lists of objects other than attachments: what a design's code may write all the same.
      m.set(k, v as ItemValue);
    }
    return m;
  });

const arbCase: fc.Arbitrary<Case> = fc.record({
  servers: fc.uniqueArray(fc.oneof(arbName(), arbHostile), { minLength: 2, maxLength: 2 }).map((xs) => [xs[0]!, xs[1]!] as const),
  db: fc.oneof(arbName(), arbHostile),
  saves: fc.array(
    fc.record({ on: fc.constantFrom(0 as const, 1 as const), doc: fc.nat(2), set: arbSet, replicateAfter: fc.boolean() }),
    { minLength: 1, maxLength: 10 },
  ),
});

function unid(doc: number): string {
  return `${doc}`.padStart(32, 'A');
}

function eventsOf(c: Case): InputEvent[] {
  const [a, b] = c.servers;
  const events: InputEvent[] = [
    { at: 0, type: 'server', name: a, replicationMsPerDoc: 0 },
    { at: 0, type: 'server', name: b, replicationMsPerDoc: 0 },
    { at: 0, type: 'database', name: c.db, replicas: [a, b] },
  ];
  let at = 0;
  for (const s of c.saves) {
    at += 1_000;
    events.push({ at, type: 'save', server: c.servers[s.on], db: c.db, unid: unid(s.doc), by: 'user/ann', set: s.set });
    if (s.replicateAfter) {
      at += 1_000;
      events.push({ at, type: 'replicate', server: a, partner: b, db: c.db, mode: 'pull-push' });
    }
  }
  return events;
}

describe('digestState', () => {
  it('event-log.md, --json summary: the digest is sha256 of the canonical JSON of --state, for any names and values (and with the pure-JS SHA-256)', () => {
    assertLogProperty({
      name: 'digest-is-canonical-json',
      arbitrary: arbCase,
      predicate: (c) => {
        const { summary, sim } = runEvents(eventsOf(c));
        expect(summary.digest).toBe(`sha256:${sha256Hex(canonicalJson(sim.finalState()))}`);
        usePureJsSha256(true);
        try {
          expect(sim.digest()).toBe(summary.digest);
        } finally {
          usePureJsSha256(false);
        }
      },
      toLog: (c) => encodeLog({ replog: 1, meta: {} }, eventsOf(c) as LogEvent[]),
      noteFailure: true,
      numRuns: propertyRuns(200),
    });
  });
});
