import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../state/canonicalJson.js';
import { derivedEventsEqual, eventsEqual } from './eventsEqual.js';
import { arbDerivedEvent } from './logArbitraries.js';
import type { LogEvent } from './events.js';

describe('eventsEqual (replay checks recordings with it)', () => {
  it('File: agrees with comparing canonical JSON, for any two derived events and for an event and its copy', () => {
    fc.assert(
      fc.property(arbDerivedEvent(), arbDerivedEvent(), (a, b) => {
        expect(eventsEqual(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
        expect(eventsEqual(a, structuredClone(a))).toBe(true);
      }),
    );
  });

  it('File: one field changed, added or removed makes events differ; field order and undefined fields do not', () => {
    const e = { at: 5, type: 'revised', server: 'A', db: 'd', unid: 'U', seq: 2, seqTime: 9, items: ['X'], by: 'user/a', cause: 3 } as const;
    expect(eventsEqual(e, { ...e, seq: 3 })).toBe(false);
    expect(eventsEqual(e, { ...e, items: ['X', 'Y'] })).toBe(false);
    expect(eventsEqual(e, { ...e, via: { server: 'B', unid: 'U', seq: 1 } })).toBe(false);
    // Field order does not matter; a field present as undefined counts as absent (as in the log, where it is left out).
    const reordered = { cause: 3, by: 'user/a', items: ['X'], seqTime: 9, seq: 2, unid: 'U', db: 'd', server: 'A', type: 'revised', at: 5 } as const;
    expect(eventsEqual(e, reordered)).toBe(true);
    expect(eventsEqual(e, { ...e, via: undefined } as unknown as typeof e)).toBe(true);
  });

  it('derivedEventsEqual: a revised event\'s items in another order are the same names (a save\'s `set` order means nothing); other names, a name twice, or another field are not', () => {
    const e: LogEvent = { at: 5, type: 'revised', server: 'A', db: 'd', unid: '0123456789ABCDEF0123456789ABCDEF', seq: 2, seqTime: 5, items: ['Subject', 'From', '$FILE'], by: 'user/a', cause: 3 };
    expect(eventsEqual(e, { ...e, items: ['$FILE', 'From', 'Subject'] })).toBe(false);
    expect(derivedEventsEqual(e, { ...e, items: ['$FILE', 'From', 'Subject'] })).toBe(true);
    expect(derivedEventsEqual(e, { ...e, items: ['$FILE', 'From', 'Body'] })).toBe(false);
    expect(derivedEventsEqual(e, { ...e, items: ['Subject', 'Subject', 'From'] })).toBe(false);
    expect(derivedEventsEqual(e, { ...e, items: ['$FILE', 'From', 'Subject'], seq: 3 })).toBe(false);
    // Item names compare as item names do, case-insensitively (event-log.md), ASCII only (itemKey).
    expect(derivedEventsEqual(e, { ...e, items: ['subject', 'FROM', '$file'] })).toBe(true);
    expect(derivedEventsEqual(e, { ...e, items: ['Subject', 'SUBJECT', '$FILE'] })).toBe(false);
    expect(derivedEventsEqual({ ...e, items: ['\u00c9t\u00e9'] }, { ...e, items: ['\u00e9t\u00e9'] })).toBe(false);
    // Other arrays keep their order: a partition's groups, a delivery's recipients.
    const d: LogEvent = { at: 1, type: 'session', server: 'A', partner: 'B', db: 'd', direction: 'push', sent: 1, changed: 1, interrupted: false };
    expect(derivedEventsEqual(d, { ...d, sent: 2 })).toBe(false);
  });
});
