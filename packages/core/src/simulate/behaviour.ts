import type { ItemValue, Note } from '../note/note.js';
import type { ScanKind } from '../log/events.js';

// Behaviours (scanners, any agent that writes documents) are plugged in from outside: core never imports scenarios.
// A behaviour decides; the simulator does. Every write it asks for goes through the same save path as a user's
// (R1, R13), so its revisions are ordinary revisions, counted and blamed like any other.

/** A write the simulator observed on a server, offered to the server's behaviour (on-write scanning, R13). */
export interface WriteNotice {
  readonly server: string;
  readonly db: string;
  readonly unid: string;
  readonly note: Note;
  /** The actor of a save (`user/jdoe`, `router/Alpha`); for arrivals, `replicator/<server>`. */
  readonly by: string;
  /** How the version got here: a save on this server, a replicated arrival, or a document the replicator made. */
  readonly origin: 'save' | 'replicated' | 'conflict' | 'merged';
}

/** What a behaviour sees when it scans one document. Everything it may depend on is here: it must be pure. */
export interface ScanInput {
  readonly kind: ScanKind;
  readonly server: string;
  /** The server's cluster name, and its members by name (this server included), when it is in a cluster. */
  readonly cluster: string | undefined;
  readonly clusterMembers: readonly string[];
  readonly db: string;
  readonly unid: string;
  readonly note: Note;
  /** Virtual time (`at`) and the server's clock (`at + clockSkewMs`). */
  readonly at: number;
  readonly clock: number;
  /** The server's virus-definitions version ("" until a `definitions` event). */
  readonly definitions: string;
  /** The behaviour's own server-local store: it does not replicate. */
  readonly store: ReadonlyMap<string, unknown>;
}

/** A behaviour's decision for one scan. A non-empty `set` or `remove` is a save by the behaviour's actor. */
export interface ScanDecision {
  readonly verdict: 'clean' | 'infected' | 'skipped';
  readonly set?: readonly (readonly [string, ItemValue])[];
  readonly remove?: readonly string[];
  /** Entries to write to the server-local store (`undefined` deletes). */
  readonly remember?: readonly (readonly [string, unknown])[];
}

/** A behaviour installed on one server (made by a factory from a design name and its configuration). */
export interface Behaviour {
  /** The actor its saves are made by: `scanner/<design>`. */
  readonly actor: string;
  /** Virtual time one document scan takes (on-write scans happen this long after the write; passes step by it). */
  readonly scanMsPerDoc: number;
  /** A scheduled pass over every database this often, from the `scanner` event on; undefined: none. */
  readonly scheduleEveryMs?: number | undefined;
  /** Whether messages in mail.box are scanned before delivery (default true). */
  readonly scansMail?: boolean;
  /** Whether this write triggers an on-write scan. Never asked for the behaviour's own saves. */
  watchesWrite(w: WriteNotice): boolean;
  /** Whether a scheduled pass runs on this server now (a cluster-aware design lets one member run them). */
  runsScheduledPass?(input: { server: string; cluster: string | undefined; clusterMembers: readonly string[] }): boolean;
  scan(input: ScanInput): ScanDecision;
}

/** Where the behaviour is installed, for its factory. */
/**
 * What is wrong with an installed behaviour's timings, or undefined: virtual time is whole milliseconds (event-log.md),
 * so `scanMsPerDoc` and `scheduleEveryMs` must be whole numbers >= 0. The engine refuses a `scanner` event with it;
 * tools check a configuration with it before a run.
 */
export function behaviourTimingProblem(b: Behaviour, design: string): string | undefined {
  for (const [name, v] of [['scanMsPerDoc', b.scanMsPerDoc], ['scheduleEveryMs', b.scheduleEveryMs ?? 0]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) return `the design "${design}" asks for a ${name} of ${typeof v === 'string' ? JSON.stringify(v) : String(v)} with this configuration; virtual time needs a whole number of milliseconds from 0 to 2^53 - 1 (9,007,199,254,740,991)`;
  }
  return undefined;
}

export interface InstallContext {
  readonly server: string;
  readonly design: string;
  readonly cluster: string | undefined;
}

/**
 * Makes a behaviour from a `scanner` event's design name and configuration. Throws `LogError('BAD_CONFIG')` for a
 * configuration it refuses. Returns undefined for a design it does not know.
 */
export type BehaviourFactory = (design: string, config: Readonly<Record<string, unknown>>, where: InstallContext) => Behaviour | undefined;
