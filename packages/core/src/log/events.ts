import { columnOfPath } from './decodeLog.js';
import type { Attachment, ItemValue } from '../note/note.js';

// The v1 recorded event log (../shared/spec/event-log.md). Field names are normative: other tools depend on them.

/** Line 1 of a log. `meta` is free-form. */
export interface LogHeader {
  readonly replog: 1;
  readonly meta: Readonly<Record<string, unknown>>;
}

/** Item values as the log writes them: `$FILE` holds attachments. */
export type LogItems = ReadonlyMap<string, ItemValue>;
export type { Attachment, ItemValue };

interface At {
  /** Virtual milliseconds, an integer 0 <= at <= 2^53 - 1, never decreasing from one line to the next. */
  readonly at: number;
}

export type ReplicationMode = 'pull-push' | 'pull' | 'push' | 'pull-pull';
export type ScanKind = 'mail' | 'on-write' | 'scheduled' | 'manual';

export interface ServerEvent extends At {
  readonly type: 'server';
  readonly name: string;
  readonly cluster?: string;
  readonly clockSkewMs?: number;
  readonly clusterIntervalMs?: number;
  readonly replicationMsPerDoc?: number;
}
export interface DatabaseEvent extends At {
  readonly type: 'database';
  readonly name: string;
  readonly replicas: readonly string[];
  readonly limitRevisions?: number;
  readonly purgeDays?: number;
}
export interface ConnectionEvent extends At {
  readonly type: 'connection';
  readonly server: string;
  readonly partner: string;
  readonly everyMs: number;
  readonly mode?: ReplicationMode;
  readonly db?: string;
}
export interface ScannerEvent extends At {
  readonly type: 'scanner';
  readonly server: string;
  readonly design: string;
  /** Free-form configuration of the design; keys are looked up with own-property checks only. */
  readonly config?: Readonly<Record<string, unknown>>;
}
export interface DefinitionsEvent extends At {
  readonly type: 'definitions';
  readonly server: string;
  readonly version: string;
}
export interface SaveEvent extends At {
  readonly type: 'save';
  readonly server: string;
  readonly db: string;
  readonly unid: string;
  readonly by: string;
  /** Items to set, in file order. A Map, so `__proto__` is an ordinary name. */
  readonly set?: LogItems;
  readonly remove?: readonly string[];
}
export interface DeleteEvent extends At {
  readonly type: 'delete';
  readonly server: string;
  readonly db: string;
  readonly unid: string;
  readonly by: string;
}
export interface ReplicateEvent extends At {
  readonly type: 'replicate';
  readonly server: string;
  readonly partner: string;
  readonly db?: string;
  readonly mode?: ReplicationMode;
}
export interface PushEvent extends At {
  readonly type: 'push';
  readonly server: string;
  readonly partner: string;
  readonly db?: string;
}
export interface ScanEvent extends At {
  readonly type: 'scan';
  readonly server: string;
  readonly kind: 'scheduled' | 'manual';
  readonly db?: string;
  readonly unid?: string;
}
export interface DeliverEvent extends At {
  readonly type: 'deliver';
  readonly server: string;
  readonly unid: string;
  readonly to: readonly string[];
  readonly set: LogItems;
}
export interface ForwardEvent extends At {
  readonly type: 'forward';
  readonly server: string;
  readonly db: string;
  readonly unid: string;
  readonly newUnid: string;
  readonly to: readonly string[];
  readonly by: string;
}
export interface PartitionEvent extends At {
  readonly type: 'partition';
  readonly groups: readonly (readonly string[])[];
}
export interface HealEvent extends At {
  readonly type: 'heal';
}
export interface CrashEvent extends At {
  readonly type: 'crash';
  readonly server: string;
}
export interface RestartEvent extends At {
  readonly type: 'restart';
  readonly server: string;
}
export interface EndEvent extends At {
  readonly type: 'end';
}

/** What happened in the world: the engine obeys these. */
export type InputEvent =
  | ServerEvent
  | DatabaseEvent
  | ConnectionEvent
  | ScannerEvent
  | DefinitionsEvent
  | SaveEvent
  | DeleteEvent
  | ReplicateEvent
  | PushEvent
  | ScanEvent
  | DeliverEvent
  | ForwardEvent
  | PartitionEvent
  | HealEvent
  | CrashEvent
  | RestartEvent
  | EndEvent;

export type InputEventType = InputEvent['type'];

export type ReplicatedOutcome = 'created' | 'updated' | 'merged' | 'conflict' | 'deleted' | 'resurrected' | 'collision';

export interface RevisedEvent extends At {
  readonly type: 'revised';
  readonly server: string;
  readonly db: string;
  readonly unid: string;
  readonly seq: number;
  readonly seqTime: number;
  /** Names of the items written (as the document spells them). */
  readonly items: readonly string[];
  readonly by: string;
  /** Line of the input event behind this revision. */
  readonly cause: number;
  /** The replicated arrival that triggered a behaviour's save. */
  readonly via?: { readonly server: string; readonly unid: string; readonly seq: number };
}
export interface ReplicatedEvent extends At {
  readonly type: 'replicated';
  readonly from: string;
  readonly to: string;
  readonly db: string;
  readonly unid: string;
  readonly seq: number;
  readonly seqTime: number;
  readonly outcome: ReplicatedOutcome;
}
export interface ConflictEvent extends At {
  readonly type: 'conflict';
  readonly server: string;
  readonly db: string;
  readonly unid: string;
  readonly conflictUnid: string;
  readonly winner: { readonly seq: number; readonly seqTime: number };
  readonly loser: { readonly seq: number; readonly seqTime: number };
}
export interface SessionEvent extends At {
  readonly type: 'session';
  readonly server: string;
  readonly partner: string;
  readonly db: string;
  readonly direction: 'pull' | 'push' | 'cluster';
  readonly sent: number;
  readonly changed: number;
  readonly interrupted: boolean;
}
export interface ScannedEvent extends At {
  readonly type: 'scanned';
  readonly server: string;
  readonly db: string;
  readonly unid: string;
  readonly kind: ScanKind;
  readonly verdict: 'clean' | 'infected' | 'skipped';
  readonly saved: boolean;
}

/** What the engine concluded: written when it records a run; checked, not obeyed, on replay. */
export type DerivedEvent = RevisedEvent | ReplicatedEvent | ConflictEvent | SessionEvent | ScannedEvent;
export type DerivedEventType = DerivedEvent['type'];

export type LogEvent = InputEvent | DerivedEvent;

export const INPUT_EVENT_TYPES: readonly InputEventType[] = [
  'server', 'database', 'connection', 'scanner', 'definitions', 'save', 'delete', 'replicate', 'push', 'scan',
  'deliver', 'forward', 'partition', 'heal', 'crash', 'restart', 'end',
];
export const DERIVED_EVENT_TYPES: readonly DerivedEventType[] = ['revised', 'replicated', 'conflict', 'session', 'scanned'];

export function isInputEvent(e: LogEvent): e is InputEvent {
  return (INPUT_EVENT_TYPES as readonly string[]).includes(e.type);
}

/** A revision a scanner saved: its `by` is `scanner/<design>` (event-log.md), what every scanner-revision count counts. */
export function isScannerRevision(e: LogEvent): e is RevisedEvent {
  return e.type === 'revised' && e.by.startsWith('scanner/');
}

/** A decoded line: the event and where it came from (1-based line number in its file). */
export interface LocatedEvent<E extends LogEvent = LogEvent> {
  readonly line: number;
  readonly event: E;
  /**
   * The line's text, as read (a lazy decoder's input events): for pointing at the field an error names when the
   * engine, not the decoder, refuses the event (an undefined server, a crashed one).
   */
  readonly text?: string;
}

/**
 * The column (1-based) of `field`'s key in a line of the log, as a key of the line's top-level object (not a same-named
 * key inside `set` or `config`), and for `a.b` the key `b` inside `a` if the line has it (else `a`); 1 when not found.
 */
export function columnOfField(text: string, field: string): number {
  // `config.<key>` (a design's configuration) points at the key inside `config` when the line has it.
  const dot = field.indexOf('.');
  return columnOfPath(text, dot < 0 ? [field] : [field.slice(0, dot), field.slice(dot + 1)]);
}
