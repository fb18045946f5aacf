import fc from 'fast-check';
import { itemKey } from '../note/note.js';
import { encodeLog } from './encodeLog.js';
import {
  REPLICATED_OUTCOMES,
  REPLICATION_MODES,
  SCAN_EVENT_KINDS,
  SCAN_VERDICTS,
  SCANNED_KINDS,
  SESSION_DIRECTIONS,
} from './eventFields.js';
import type {
  Attachment,
  DerivedEvent,
  InputEvent,
  ItemValue,
  LogEvent,
  LogHeader,
  LogItems,
} from './events.js';

// fast-check arbitraries of valid log events, as decodeLog returns them (UNIDs upper case, no -0), for round trips
// and for driving the engine. Exported from core's `./testing` entry point only.

const MAX = Number.MAX_SAFE_INTEGER;
const noNegativeZero = (x: number): number => (x === 0 ? 0 : x);

// Decoded events are ordinary objects; fc.record alone sometimes makes null-prototype ones.
function record<T, K extends keyof T = keyof T>(
  model: { [P in keyof T]: fc.Arbitrary<T[P]> },
  requiredKeys?: K[],
): fc.Arbitrary<fc.RecordValue<T, K>> {
  const constraints = requiredKeys === undefined ? { noNullPrototype: true } : { noNullPrototype: true, requiredKeys };
  return fc.record<T, K>(model, constraints);
}

const arbAt = fc.oneof(fc.nat(10_000_000), fc.maxSafeNat());
const arbNat = fc.oneof(fc.nat(1000), fc.maxSafeNat());
const arbInt = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger());
const arbPositive = fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: MAX }));

/** Server, database and design names: familiar ones, and any non-empty Unicode. */
export function arbName(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('Alpha', 'Beta', 'Gamma', 'mail/ann.nsf', 'names.nsf'),
    fc.string({ minLength: 1, unit: 'grapheme' }),
    fc.string({ minLength: 1, unit: 'binary' }),
  );
}

/** Upper case, as decodeLog returns UNIDs. */
export function arbUnid(): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...'0123456789ABCDEF'), minLength: 32, maxLength: 32 });
}

export function arbActor(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom('user', 'agent', 'router', 'scanner', 'replicator'), arbName())
    .map(([kind, name]) => `${kind}/${name}`);
}

/** Item names, with the ones plain objects get wrong (`__proto__`, `constructor`, integer-like) and mixed case. */
export function arbItemName(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Subject', 'SUBJECT', 'subject', 'From', 'Body',
      '$FILE', '$file', 'X-SSOTag', '0', '1', '42', 'İ', 'ß',
    ),
    fc.string({ minLength: 1, unit: 'grapheme' }),
    fc.string({ minLength: 1, unit: 'binary' }),
  );
}

const arbScalar = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(noNegativeZero),
  fc.boolean(),
);

export function arbItemValue(): fc.Arbitrary<ItemValue> {
  return fc.oneof(arbScalar, fc.array(arbScalar, { maxLength: 5 }));
}

export function arbAttachment(): fc.Arbitrary<Attachment> {
  return record(
    {
      name: fc.string({ unit: 'grapheme' }),
      bytes: fc.oneof(fc.nat(), fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }).map(noNegativeZero)),
      infected: fc.boolean(),
    },
    ['name'],
  );
}

/** A `set`: names unique case-insensitively; `$FILE` (any case) holds attachments, every other name a value. */
export function arbItems(): fc.Arbitrary<LogItems> {
  return fc
    .uniqueArray(fc.tuple(arbItemName(), arbItemValue(), fc.array(arbAttachment(), { maxLength: 3 })), {
      selector: ([name]) => itemKey(name),
      maxLength: 6,
    })
    .map(
      (entries) =>
        new Map(
          entries.map(([name, value, files]): [string, ItemValue] => [name, itemKey(name) === '$file' ? files : value]),
        ),
    );
}

// Free-form `meta` and `config`, as JSON.parse makes them (JSON has no -0; "__proto__" stays an own key).
const arbFree = (): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .dictionary(fc.oneof(arbItemName(), fc.string()), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
    .map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);

export function arbLogHeader(): fc.Arbitrary<LogHeader> {
  return arbFree().map((meta): LogHeader => ({ replog: 1, meta }));
}

export function arbInputEvent(): fc.Arbitrary<InputEvent> {
  const name = arbName();
  const names = fc.array(name, { minLength: 1, maxLength: 4 });
  const unid = arbUnid();
  const by = arbActor();
  const mode = fc.constantFrom(...REPLICATION_MODES);
  return fc.oneof(
    record(
      {
        at: arbAt,
        type: fc.constant('server' as const),
        name,
        cluster: name,
        clockSkewMs: arbInt,
        clusterIntervalMs: arbNat,
        replicationMsPerDoc: arbNat,
      },
      ['at', 'type', 'name'],
    ),
    record(
      {
        at: arbAt,
        type: fc.constant('database' as const),
        name,
        replicas: names,
        limitRevisions: arbNat,
        purgeDays: fc.oneof(arbNat, fc.double({ min: 0, max: 1e6, noNaN: true }).map(noNegativeZero)),
      },
      ['at', 'type', 'name', 'replicas'],
    ),
    record(
      {
        at: arbAt,
        type: fc.constant('connection' as const),
        server: name,
        partner: name,
        everyMs: arbPositive,
        mode,
        db: name,
      },
      ['at', 'type', 'server', 'partner', 'everyMs'],
    ),
    record(
      {
        at: arbAt,
        type: fc.constant('scanner' as const),
        server: name,
        design: fc.oneof(fc.constantFrom('smsdom', 'noop', 'scan-cache', 'cluster-aware', 'sso-mail-only'), name),
        config: arbFree(),
      },
      ['at', 'type', 'server', 'design'],
    ),
    record({ at: arbAt, type: fc.constant('definitions' as const), server: name, version: fc.string() }),
    record(
      {
        at: arbAt,
        type: fc.constant('save' as const),
        server: name,
        db: name,
        unid,
        by,
        set: arbItems(),
        remove: fc.array(arbItemName(), { maxLength: 4 }),
      },
      ['at', 'type', 'server', 'db', 'unid', 'by'],
    ),
    record({ at: arbAt, type: fc.constant('delete' as const), server: name, db: name, unid, by }),
    record(
      { at: arbAt, type: fc.constant('replicate' as const), server: name, partner: name, db: name, mode },
      ['at', 'type', 'server', 'partner'],
    ),
    record(
      { at: arbAt, type: fc.constant('push' as const), server: name, partner: name, db: name },
      ['at', 'type', 'server', 'partner'],
    ),
    record(
      {
        at: arbAt,
        type: fc.constant('scan' as const),
        server: name,
        kind: fc.constantFrom(...SCAN_EVENT_KINDS),
        db: name,
        unid,
      },
      ['at', 'type', 'server', 'kind'],
    ),
    record({ at: arbAt, type: fc.constant('deliver' as const), server: name, unid, to: names, set: arbItems() }),
    record({
      at: arbAt,
      type: fc.constant('forward' as const),
      server: name,
      db: name,
      unid,
      newUnid: unid,
      to: names,
      by,
    }),
    record({
      at: arbAt,
      type: fc.constant('partition' as const),
      groups: fc.array(fc.array(name, { maxLength: 3 }), { maxLength: 3 }),
    }),
    record({ at: arbAt, type: fc.constant('heal' as const) }),
    record({ at: arbAt, type: fc.constant('crash' as const), server: name }),
    record({ at: arbAt, type: fc.constant('restart' as const), server: name }),
    record({ at: arbAt, type: fc.constant('end' as const) }),
  );
}

export function arbDerivedEvent(): fc.Arbitrary<DerivedEvent> {
  const name = arbName();
  const unid = arbUnid();
  const oid = record({ seq: arbNat, seqTime: arbInt });
  return fc.oneof(
    record(
      {
        at: arbAt,
        type: fc.constant('revised' as const),
        server: name,
        db: name,
        unid,
        seq: arbNat,
        seqTime: arbInt,
        items: fc.array(arbItemName(), { maxLength: 4 }),
        by: arbActor(),
        cause: arbPositive,
        via: record({ server: name, unid, seq: arbNat }),
      },
      ['at', 'type', 'server', 'db', 'unid', 'seq', 'seqTime', 'items', 'by', 'cause'],
    ),
    record({
      at: arbAt,
      type: fc.constant('replicated' as const),
      from: name,
      to: name,
      db: name,
      unid,
      seq: arbNat,
      seqTime: arbInt,
      outcome: fc.constantFrom(...REPLICATED_OUTCOMES),
    }),
    record({
      at: arbAt,
      type: fc.constant('conflict' as const),
      server: name,
      db: name,
      unid,
      conflictUnid: unid,
      winner: oid,
      loser: oid,
    }),
    record({
      at: arbAt,
      type: fc.constant('session' as const),
      server: name,
      partner: name,
      db: name,
      direction: fc.constantFrom(...SESSION_DIRECTIONS),
      sent: arbNat,
      changed: arbNat,
      interrupted: fc.boolean(),
    }),
    record({
      at: arbAt,
      type: fc.constant('scanned' as const),
      server: name,
      db: name,
      unid,
      kind: fc.constantFrom(...SCANNED_KINDS),
      verdict: fc.constantFrom(...SCAN_VERDICTS),
      saved: fc.boolean(),
    }),
  );
}

/** Any event, input or derived. Its `at` is arbitrary: use arbLog for a sequence a decoder accepts. */
export function arbLogEvent(): fc.Arbitrary<LogEvent> {
  return fc.oneof(arbInputEvent(), arbDerivedEvent());
}

/** A header and events in non-decreasing `at` order: a whole valid log. */
export function arbLog(
  constraints: { maxEvents?: number } = {},
): fc.Arbitrary<{ header: LogHeader; events: LogEvent[] }> {
  return fc
    .record({ header: arbLogHeader(), events: fc.array(arbLogEvent(), { maxLength: constraints.maxEvents ?? 20 }) })
    .map(({ header, events }) => ({ header, events: [...events].sort((a, b) => a.at - b.at) }));
}

/** One edit of a log's bytes: at `at` (modulo the length + 1), remove `remove` bytes and insert `insert`. */
export interface ByteEdit {
  readonly at: number;
  readonly remove: number;
  readonly insert: Uint8Array;
}

/** Edits of a log's bytes, for fuzzing a decoder with logs that are valid but for a few bytes. */
export function arbByteEdit(): fc.Arbitrary<ByteEdit> {
  return fc.record({ at: fc.nat(), remove: fc.nat(8), insert: fc.uint8Array({ maxLength: 4 }) });
}

/** The log encoded as UTF-8, then the edits applied in turn. */
export function editedLogBytes(log: { readonly header: LogHeader; readonly events: readonly LogEvent[] }, edits: readonly ByteEdit[]): Uint8Array {
  let bytes = new TextEncoder().encode(encodeLog(log.header, log.events));
  for (const { at, remove, insert } of edits) {
    const i = at % (bytes.length + 1);
    bytes = new Uint8Array([...bytes.subarray(0, i), ...insert, ...bytes.subarray(i + remove)]);
  }
  return bytes;
}
