/** The `--json` summary of a run (event-log.md, "Summary"). Field names are normative. */
export interface Summary {
  readonly revisions: { readonly total: number; readonly byActorKind: Readonly<Record<string, number>> };
  readonly replicatedChanges: number;
  readonly conflicts: number;
  readonly merges: number;
  readonly discarded: number;
  readonly collisions: number;
  readonly scans: { readonly performed: number; readonly skipped: number; readonly infected: number; readonly missed: number };
  readonly quiescent: boolean;
  readonly converged: boolean;
  readonly stopped: 'end' | 'idle' | 'cap';
  readonly endAt: number;
  readonly digest: string;
}

/** Why a run stopped: `end` event, nothing pending (`idle`), or `maxRunMs` after the last input (`cap`). */
export type StopReason = Summary['stopped'];
