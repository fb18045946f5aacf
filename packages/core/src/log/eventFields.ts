import type { LogEvent, ReplicatedOutcome, ReplicationMode, ScanKind } from './events.js';

// The event tables of event-log.md as data: the decoder checks fields with it, the encoder writes them in its order,
// and `strict` warns about the fields it does not list. The mapped type below ties it to events.ts at compile time:
// every field of every event type appears, none more, and a field is required exactly when events.ts requires it.

/** How a field's value is checked (decodeLog.ts) and written (encodeLog.ts). A string array is an enumeration. */
export type FieldKind =
  | 'name' // a non-empty string: server, database, design, cluster names
  | 'names' // a non-empty array of names
  | 'itemNames' // an array (possibly empty) of non-empty item names
  | 'groups' // an array of arrays of names
  | 'unid' // 32 hexadecimal digits; decoded upper case
  | 'by' // `kind/name`, both parts non-empty
  | 'string' // any string
  | 'int' // any safe integer
  | 'nat' // a safe integer >= 0
  | 'positive' // a safe integer > 0
  | 'line' // a line number: a safe integer >= 1
  | 'days' // a finite number >= 0
  | 'bool'
  | 'items' // `set`: an object of item name -> value, decoded to a Map
  | 'config' // a free-form object
  | 'via' // {server, unid, seq}
  | 'oid' // {seq, seqTime}
  | readonly string[];

/** A field's kind and whether the table requires it (no `?`). */
export type FieldSpec<Required extends boolean = boolean> = readonly [kind: FieldKind, required: Required];

type EventType = LogEvent['type'];
type EventOf<T extends EventType> = Extract<LogEvent, { type: T }>;
type IsRequired<E, K extends keyof E> = {} extends Pick<E, K> ? false : true;
type FieldTable = {
  readonly [T in EventType]: {
    readonly [K in Exclude<keyof EventOf<T>, 'at' | 'type'>]-?: FieldSpec<IsRequired<EventOf<T>, K>>;
  };
};

export const REPLICATION_MODES = [
  'pull-push', 'pull', 'push', 'pull-pull',
] as const satisfies readonly ReplicationMode[];
export const SCAN_EVENT_KINDS = ['scheduled', 'manual'] as const satisfies readonly ScanKind[];
export const SCANNED_KINDS = ['mail', 'on-write', 'scheduled', 'manual'] as const satisfies readonly ScanKind[];
export const REPLICATED_OUTCOMES = [
  'created', 'updated', 'merged', 'conflict', 'deleted', 'resurrected', 'collision',
] as const satisfies readonly ReplicatedOutcome[];
export const SESSION_DIRECTIONS = ['pull', 'push', 'cluster'] as const;
export const SCAN_VERDICTS = ['clean', 'infected', 'skipped'] as const;

// Key order is the table's column order, which is also the order encodeEvent writes.
const FIELDS: FieldTable = {
  server: {
    name: ['name', true],
    cluster: ['name', false],
    clockSkewMs: ['int', false],
    clusterIntervalMs: ['nat', false],
    replicationMsPerDoc: ['nat', false],
  },
  database: {
    name: ['name', true],
    replicas: ['names', true],
    limitRevisions: ['nat', false],
    purgeDays: ['days', false],
  },
  connection: {
    server: ['name', true],
    partner: ['name', true],
    everyMs: ['positive', true],
    mode: [REPLICATION_MODES, false],
    db: ['name', false],
  },
  scanner: { server: ['name', true], design: ['name', true], config: ['config', false] },
  definitions: { server: ['name', true], version: ['string', true] },
  save: {
    server: ['name', true],
    db: ['name', true],
    unid: ['unid', true],
    by: ['by', true],
    set: ['items', false],
    remove: ['itemNames', false],
  },
  delete: { server: ['name', true], db: ['name', true], unid: ['unid', true], by: ['by', true] },
  replicate: { server: ['name', true], partner: ['name', true], db: ['name', false], mode: [REPLICATION_MODES, false] },
  push: { server: ['name', true], partner: ['name', true], db: ['name', false] },
  scan: { server: ['name', true], kind: [SCAN_EVENT_KINDS, true], db: ['name', false], unid: ['unid', false] },
  deliver: { server: ['name', true], unid: ['unid', true], to: ['names', true], set: ['items', true] },
  forward: {
    server: ['name', true],
    db: ['name', true],
    unid: ['unid', true],
    newUnid: ['unid', true],
    to: ['names', true],
    by: ['by', true],
  },
  partition: { groups: ['groups', true] },
  heal: {},
  crash: { server: ['name', true] },
  restart: { server: ['name', true] },
  end: {},
  revised: {
    server: ['name', true],
    db: ['name', true],
    unid: ['unid', true],
    seq: ['nat', true],
    seqTime: ['int', true],
    items: ['itemNames', true],
    by: ['by', true],
    cause: ['line', true],
    via: ['via', false],
  },
  replicated: {
    from: ['name', true],
    to: ['name', true],
    db: ['name', true],
    unid: ['unid', true],
    seq: ['nat', true],
    seqTime: ['int', true],
    outcome: [REPLICATED_OUTCOMES, true],
  },
  conflict: {
    server: ['name', true],
    db: ['name', true],
    unid: ['unid', true],
    conflictUnid: ['unid', true],
    winner: ['oid', true],
    loser: ['oid', true],
  },
  session: {
    server: ['name', true],
    partner: ['name', true],
    db: ['name', true],
    direction: [SESSION_DIRECTIONS, true],
    sent: ['nat', true],
    changed: ['nat', true],
    interrupted: ['bool', true],
  },
  scanned: {
    server: ['name', true],
    db: ['name', true],
    unid: ['unid', true],
    kind: [SCANNED_KINDS, true],
    verdict: [SCAN_VERDICTS, true],
    saved: ['bool', true],
  },
};

export interface EventField {
  readonly name: string;
  readonly kind: FieldKind;
  readonly required: boolean;
}

export interface EventSchema {
  readonly type: EventType;
  /** In the table's order. */
  readonly fields: readonly EventField[];
  /** Every field name the type knows, `at` and `type` included (what `strict` does not warn about). */
  readonly known: ReadonlySet<string>;
}

/** The schema of every event type. A Map, so a `type` of "constructor" or "__proto__" finds nothing. */
export const EVENT_SCHEMAS: ReadonlyMap<string, EventSchema> = new Map(
  (Object.keys(FIELDS) as EventType[]).map((type): [string, EventSchema] => {
    const table: Readonly<Record<string, FieldSpec>> = FIELDS[type];
    const fields = Object.keys(table).map((name) => {
      const [kind, required] = table[name]!;
      return { name, kind, required };
    });
    return [type, { type, fields, known: new Set(['at', 'type', ...fields.map((f) => f.name)]) }];
  }),
);

/** Fields of the nested objects, for `strict` warnings. */
export const ATTACHMENT_FIELDS: ReadonlySet<string> = new Set(['name', 'bytes', 'infected']);
export const VIA_FIELDS: ReadonlySet<string> = new Set(['server', 'unid', 'seq']);
export const OID_FIELDS: ReadonlySet<string> = new Set(['seq', 'seqTime']);
export const HEADER_FIELDS: ReadonlySet<string> = new Set(['replog', 'meta']);
