import { filesOf, getItem, isScannerRevision, Simulator, type InputEvent, type Summary } from '@replstorm/core';
import { behaviourFactory, type DesignRegistry } from '../design.js';
import { builtinRegistry } from '../designs/registry.js';
import type { Scenario } from '../scenarios/registry.js';

/** One row of the comparison: what one design cost and caught on the same scenario. */
export interface ComparisonRow {
  /** How the row is shown (DesignChoice.label, or `design:config`). */
  readonly label: string;
  /** The design's name in the registry. */
  readonly design: string;
  /** The design's configuration, as `key=value,...` ('' = defaults). */
  readonly config: string;
  /** Scenario settings this row ran with besides the shared ones (DesignChoice.settings: e.g. keys=per-server). */
  readonly settings: Readonly<Record<string, string>>;
  readonly scansPerformed: number;
  readonly scansSkipped: number;
  readonly scannerRevisions: number;
  readonly replicatedChanges: number;
  readonly conflicts: number;
  readonly quiescent: boolean;
  readonly infectionsMissed: number;
  /**
   * Copies of live documents (server, database, UNID) still holding an infected attachment at the end. `missed` counts
   * what a scan passed as not infected; a document no scan reached is not in it (noop: missed 0, every infection left).
   */
  readonly infectedCopiesLeft: number;
  /**
   * R6: documents the scenario's users deleted in the run whose deletion stands (`userDeletes`; those the run
   * applied: a cut run ignores the rest; a later save on the stub would undo one by hand, UserDeletions), and how many
   * of them are back where they were deleted at the end (a document there, not a stub), whoever's doing: a stamp is a
   * save, and a copy saved more than once since the two parted, or saved after the deletion, beats it (deletionsBack).
   */
  readonly documentsDeleted: number;
  readonly deletionsUndone: number;
  /**
   * Set when the run was cut short at this virtual time because scanner revisions passed the budget (a storm): at the
   * next instant after the crossing, as an `end` event there would stop it (Simulator's cutWhen; `stopped: "end"`),
   * so the row's figures are those of `replstorm run` with the same settings and `--max-scanner-revisions`. Unset
   * when the run ended there anyway (its own `end`, nothing pending).
   */
  readonly cutShort?: number;
  readonly summary: Summary;
}

/**
 * Scanner revisions a row may make before its run is cut short (and marked): a storm would otherwise run to the
 * horizon making millions. At the seed's scale the faulty default makes about 50,000 in two hours; a storm passes
 * the budget within minutes of virtual time.
 */
export const DEFAULT_MAX_SCANNER_REVISIONS = 150_000;

/** Pieces of engine work between two calls of compareDesigns' `onWork`. */
const CHECK_EVERY = 64;
/** Input events between two calls of `onWork` (a power of two). */
const CHECK_INPUTS_EVERY = 1024;

/** A design to compare: a name from the registry, optionally with a configuration (`smsdom:ignoreSsoOnScheduled=true`). */
export interface DesignChoice {
  readonly design: string;
  readonly config?: string;
  /** Scenario settings this choice needs besides the design (e.g. keys=per-server). */
  readonly settings?: Readonly<Record<string, string>>;
  /** How the row is labelled (default `design` or `design:config`). */
  readonly label?: string;
}

/**
 * Runs the same scenario once per design (every server gets that design) and returns one row per design. The
 * scenario's other settings are shared, so the rows differ only by the design.
 */
export function compareDesigns(
  choices: readonly DesignChoice[],
  scenario: Scenario,
  settings: Readonly<Record<string, string | number | boolean>> = {},
  options: {
    registry?: DesignRegistry;
    onRow?: (row: ComparisonRow) => void;
    maxScannerRevisions?: number;
    /**
     * Called every CHECK_EVERY pieces of engine work and every CHECK_INPUTS_EVERY input events with the row's simulator (virtual time, growth): the caller may
     * throw to refuse the run (the CLI's memory guard, as `run` has) or show progress within a row.
     */
    onWork?: (sim: Simulator, label: string) => void;
  } = {},
): ComparisonRow[] {
  const factory = behaviourFactory(options.registry ?? builtinRegistry());
  return choices.map((c) => {
    const events: Iterable<InputEvent> = scenario.events({ ...settings, ...(c.settings ?? {}), design: c.design, config: c.config ?? '' }, { designs: options.registry ?? builtinRegistry(), oneOfSeveral: true });
    const budget = options.maxScannerRevisions ?? DEFAULT_MAX_SCANNER_REVISIONS;
    const label = c.label ?? (c.config ? `${c.design}:${c.config}` : c.design);
    let scannerRevisions = 0;
    let work = 0;
    const onWork = options.onWork;
    // runEvents' loop, with the simulator at hand for onWork. [choice] The cut is `run --max-scanner-revisions`'s
    // (cutWhen: the rest of the instant runs, then the run stops as at an end event), not a stop right after the
    // revision past the budget: a row cut short then reads as the run a researcher makes of it to see its report.
    const sim: Simulator = new Simulator({
      behaviours: factory,
      onDerived: (e) => {
        if (isScannerRevision(e)) scannerRevisions++;
      },
      ...(onWork !== undefined
        ? {
            stopWhen: () => {
              if (++work % CHECK_EVERY === 0) onWork(sim, label);
              return false;
            },
          }
        : {}),
      cutWhen: () => scannerRevisions > budget,
    });
    let line = 1;
    const deletions = new UserDeletions();
    for (const event of events) {
      // (Whether a save lands on a stub is read after the engine has run up to it, before it applies: stubThere. The
      // feed's own run up to it then has nothing left to do.)
      if (event.type === 'save' && deletions.byDoc.size > 0) sim.advance(event.at, line + 1);
      const stub = deletions.stubThere(sim, event);
      if (sim.feed({ line: ++line, event })) deletions.see(event, stub);
      // Inputs alone grow the run too (a million documents created with no replication work between them).
      if (onWork !== undefined && (line & (CHECK_INPUTS_EVERY - 1)) === 0) onWork(sim, label);
    }
    const summary = sim.finish();
    // (A cut at the instant of the scenario's own end is none: Simulator.cutAt is then undefined.)
    const cutAt = sim.cutAt;
    const row: ComparisonRow = {
      label,
      design: c.design,
      config: c.config ?? '',
      settings: { ...(c.settings ?? {}) },
      scansPerformed: summary.scans.performed,
      scansSkipped: summary.scans.skipped,
      scannerRevisions: summary.revisions.byActorKind['scanner'] ?? 0,
      replicatedChanges: summary.replicatedChanges,
      conflicts: summary.conflicts,
      quiescent: summary.quiescent,
      infectionsMissed: summary.scans.missed,
      infectedCopiesLeft: infectedCopies(sim),
      documentsDeleted: deletions.byDoc.size,
      deletionsUndone: deletionsBack(sim, deletions).size,
      ...(cutAt !== undefined ? { cutShort: cutAt } : {}),
      summary,
    };
    options.onRow?.(row);
    return row;
  });
}

/** A deletion of a document on one server (a `delete` input not by a scanner): see UserDeletions. */
export interface UserDeletion {
  readonly server: string;
  readonly db: string;
  readonly unid: string;
  readonly at: number;
}

/**
 * Whether `by` is a scanner: an actor of kind `scanner` (`scanner/<server>`, or `scanner` alone), as the summary's
 * `byActorKind` reads it. One rule for what replay, compare and verify count as a user's deletion.
 */
export function isScannerActor(by: string): boolean {
  return by === 'scanner' || by.startsWith('scanner/');
}

/**
 * The deletions of documents (`delete` inputs whose actor is not a scanner: a user's, an agent's), by "UNID in
 * database", then by server: each server's last one. Fed the inputs a run applied (not those it ignored after an
 * `end` or a cut: a deletion that never ran undoes nothing). [choice] Per server: a document deleted on Alpha and on
 * Gamma that comes back on Alpha only is back where it was deleted (kept by document alone, the last deletion's
 * server, Gamma, was the only one looked at: a QA pass). [choice] A later save of the document by anyone but a
 * scanner, on a server where it is then a deletion stub (a document made again, a user editing the stub), forgets
 * that server's deletion: the deletion was undone there by hand. A save there of a document already back (a user
 * editing what a stamp brought back) does not: it came back (it forgot it whatever the copy was, and hid the
 * stamp's doing: a review). An edit elsewhere does not either: R6 brings the document back where it was deleted
 * when its other copy was edited after the deletion or more than once, and that is counted, whoever's doing, as
 * verify's coverage counts it. So `byDoc` holds the deletions that stand.
 */
export class UserDeletions {
  readonly byDoc = new Map<string, Map<string, UserDeletion>>();

  /**
   * Reads one input event that the run applied. `stubThere`: for a save, whether the document was a deletion stub on
   * its server just before the save was applied (a caller that cannot look passes nothing: the save forgets, as if
   * it was; verify's cases never save a document where it was deleted).
   */
  see(e: InputEvent, stubThere = true): void {
    if (e.type !== 'delete' && e.type !== 'save') return;
    // (A save forgets a deletion: with none yet, nothing to do; compare feeds every document's creation here.)
    if (e.type === 'save' && (this.byDoc.size === 0 || !stubThere)) return;
    if (isScannerActor(e.by)) return;
    const doc = `${e.unid} in ${e.db}`;
    let byServer = this.byDoc.get(doc);
    if (e.type === 'delete') {
      if (byServer === undefined) this.byDoc.set(doc, (byServer = new Map()));
      byServer.set(e.server, { server: e.server, db: e.db, unid: e.unid, at: e.at });
    } else if (byServer?.delete(e.server) === true && byServer.size === 0) this.byDoc.delete(doc);
  }

  /**
   * `see`'s `stubThere` for `e`, read from `sim` before `e` is applied (the engine run up to it): whether a save of a
   * document whose deletion stands on its server lands on the stub there; true for anything else (nothing to tell).
   */
  stubThere(sim: Simulator, e: InputEvent): boolean {
    if (e.type !== 'save' || this.byDoc.get(`${e.unid} in ${e.db}`)?.has(e.server) !== true) return true;
    return sim.replica(e.server, e.db)?.get(e.unid)?.deleted === true;
  }
}

/**
 * R6: the deleted documents (UserDeletions) that are back where they were deleted when `sim` stopped (a document
 * there, not a deletion stub, on a server whose deletion of it stands), by "UNID in database": the first such
 * deletion (by time, then server), and every server holding the document. [choice] Where it was deleted, as R6 says
 * ("reappears where it was deleted"): a copy elsewhere that never met the deletion is not a deletion undone (an OID
 * collision with the stub, R3, keeps the two apart). verify's no-scanner-reappearances and replay --what-if's
 * "deletions undone" both read this.
 */
export function deletionsBack(sim: Simulator, deletions: UserDeletions): Map<string, { readonly deletion: UserDeletion; readonly liveOn: string[] }> {
  const back = new Map<string, { readonly deletion: UserDeletion; readonly liveOn: string[] }>();
  if (deletions.byDoc.size === 0) return back;
  const liveOn = new Map<string, string[]>();
  for (const srv of sim.serverStates()) {
    for (const r of srv.replicas) {
      for (const note of r.notes()) {
        if (note.deleted) continue;
        const doc = `${note.unid} in ${r.db}`;
        if (!deletions.byDoc.has(doc)) continue;
        const list = liveOn.get(doc);
        if (list === undefined) liveOn.set(doc, [srv.name]);
        else list.push(srv.name);
      }
    }
  }
  for (const [doc, servers] of liveOn) {
    let first: UserDeletion | undefined;
    for (const d of deletions.byDoc.get(doc)!.values()) {
      if (!servers.includes(d.server)) continue;
      if (first === undefined || d.at < first.at || (d.at === first.at && d.server < first.server)) first = d;
    }
    if (first !== undefined) back.set(doc, { deletion: first, liveOn: servers });
  }
  return back;
}

/**
 * Copies of live documents (server, database, UNID) that still hold an infected attachment: what `missed` does not
 * count (it counts what a scan passed as not infected, not what no scan reached). compare's rows and replay's
 * --what-if give it.
 */
export function infectedCopies(sim: Simulator): number {
  let n = 0;
  for (const srv of sim.serverStates()) {
    for (const r of srv.replicas) {
      // (The engine's own notes: Note.files holds for them, and a million copies are not read item by item.)
      for (const note of r.notes()) if (filesOf(note) === 2) n++;
    }
  }
  return n;
}

/**
 * Conflict documents held at the end: live documents with a `$Conflict` item, counted once per database and UNID
 * however many replicas hold them. The summary's `conflicts` counts conflict documents made, on each replica that
 * made one (simulator.ts: one divergence resolved on two replicas before either copy reached the other counts on
 * each), and a conflict document deleted or resolved later is not held: run and replay say both when they differ (an
 * operator's QA pass counted one `$Conflict` document where the summary said 2).
 */
export function conflictDocumentsHeld(sim: Simulator): number {
  const seen = new Set<string>();
  for (const srv of sim.serverStates()) {
    for (const r of srv.replicas) {
      for (const note of r.notes()) {
        if (!note.deleted && getItem(note, '$Conflict') !== undefined) seen.add(`${r.db}\u0000${note.unid}`);
      }
    }
  }
  return seen.size;
}

/** The seed's story in one table: the faulty default, the storm variant, and the fixes. */
export const SEED_COMPARISON: readonly DesignChoice[] = [
  { design: 'smsdom', label: 'smsdom (SSO on, defaults)' },
  { design: 'smsdom', config: 'scanReplicatedWrites=true', settings: { keys: 'per-server' }, label: 'smsdom, per-server keys, scans arrivals' },
  { design: 'smsdom', config: 'ignoreSsoOnScheduled=true', label: 'smsdom + Ignore SSO (vendor fix)' },
  { design: 'sso-mail-only', label: 'sso-mail-only (seed author\'s fix)' },
  { design: 'cluster-aware', label: 'cluster-aware' },
  { design: 'scan-cache', label: 'scan-cache (local OID cache)' },
  { design: 'noop', label: 'noop (no scanning)' },
];
