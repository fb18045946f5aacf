import type { Discarded } from '../simulate/simulator.js';
import { formatVirtualTime } from '../util/virtualTime.js';
import type { DerivedEvent, InputEvent } from './events.js';

// Events in words, for a person reading a run: explore's step-by-step explanation of a counterexample, and the
// steps of an HTML report. One wording for both, so that a report of an explore log reads as explore said it.

/** An input event, with or without its time (explore's actions have none). */
type InputLike = DistributiveOmit<InputEvent, 'at'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** One line describing an input event: what it does, and where. */
export function describeInput(e: InputLike): string {
  switch (e.type) {
    case 'save':
      return `save by ${e.by} on ${e.server} (${e.db} ${e.unid})`;
    case 'delete':
      return `delete by ${e.by} on ${e.server} (${e.db} ${e.unid})`;
    case 'scan':
      return `${e.kind} scan on ${e.server}${e.db ? ` of ${e.db}` : ''}${e.unid ? ` ${e.unid}` : ''}`;
    case 'scanner':
      return `scanner ${e.design} installed on ${e.server}`;
    case 'deliver':
      return `mail delivered on ${e.server} to ${e.to.join(', ')}`;
    case 'forward':
      return `forward by ${e.by} on ${e.server} to ${e.to.join(', ')}`;
    case 'replicate': {
      // The arrow says which way documents go (R8): a push sends the starter's, a pull fetches the partner's. (`<->`
      // for every mode read as both ways for a push: an operator's QA pass.)
      const arrow = e.mode === 'push' ? '->' : e.mode === 'pull' ? '<-' : '<->';
      return `replication ${e.server} ${arrow} ${e.partner}${e.mode !== undefined && e.mode !== 'pull-push' ? ` (${e.mode})` : ''}${e.db !== undefined ? ` of ${e.db}` : ''}`;
    }
    case 'push':
      return `cluster push ${e.server} -> ${e.partner}${e.db !== undefined ? ` of ${e.db}` : ''}`;
    case 'server':
      return `server ${e.name}${e.cluster !== undefined ? ` in cluster ${e.cluster}` : ''}`;
    case 'database':
      return `database ${e.name} on ${e.replicas.join(', ')}`;
    case 'connection':
      return `connection ${e.server} -> ${e.partner} every ${e.everyMs} ms`;
    case 'definitions':
      return `virus definitions ${e.version} on ${e.server}`;
    case 'partition':
      return `partition into ${e.groups.map((g) => `[${g.join(', ')}]`).join(' ')}`;
    case 'heal':
      return 'heal (every partition ends)';
    case 'crash':
      return `crash of ${e.server}`;
    case 'restart':
      return `restart of ${e.server}`;
    case 'end':
      return 'end (the run stops here)';
    default:
      // (Every type is named above; an event of a newer format version reads as its type.)
      return (e as { readonly type: string }).type;
  }
}

/**
 * Whether explainDerived may say something of the event: a revision, a change replication applied or an OID collision
 * it met (R3: an operator's QA pass found collisions, which leave the replicas different, said nowhere in a report's
 * steps), a conflict, a cluster push that changed something on its mate (a timer's is labelled), a push or session cut
 * short (R9, R12). Scans, and sessions that ran to their end but changed nothing or were not cluster pushes, never are.
 */
export function explainsEvent(e: DerivedEvent): boolean {
  switch (e.type) {
    case 'revised':
    case 'conflict':
      return true;
    case 'replicated':
      return true;
    case 'session':
      // Only a push that changed something: one that sent a version its mate already had moved nothing (it read
      // "moved by Beta's cluster replicator on its timer" with nothing moved: a researcher's QA pass). And a session or
      // push cut short because its partner could not be reached (R9, R12): the step read "no change", where a push
      // left its queue waiting for a retry and a session its history where it was.
      return (e.direction === 'cluster' && e.changed > 0) || e.interrupted;
    default:
      return false;
  }
}

/**
 * What the engine derived, in words, in order: revisions (who saved or deleted what, where, and the arrival that
 * triggered a behaviour's save), changes replication applied (and what of the destination's copy each threw away:
 * `discarded`, the Simulator's word on the event of the same index), OID collisions, and conflicts (which version
 * won, why, and where the loser is kept). `input` is the input event the events followed: a cluster push it did not
 * ask for is the replicator's timer; given with its time (`at`), what came a second or more after it says when.
 * Scans that saved nothing and sessions that ran to their end and changed nothing are left out. 'no change' when
 * nothing is said.
 */
export function explainDerived(
  d: readonly DerivedEvent[],
  input?: InputLike & { readonly at?: number },
  discarded?: readonly (Discarded | undefined)[],
  lost?: readonly { readonly mate: string; readonly db: string; readonly documents: number }[],
  limitRevisions?: ReadonlyMap<string, number>,
  /**
   * Per event of `d`, the line of the input whose transfer made it (Simulator's onDerived `startedBy`: 0 for the
   * cluster replicator's timer, a retry, a connection), and the input's own line: a cluster session is the input's
   * own exactly when its line is. Without it, guessed (below).
   */
  started?: { readonly lines: readonly (number | undefined)[]; readonly line: number; readonly scannerLines?: ReadonlySet<number> },
  /**
   * Per event of `d`, for a `scanned` one, whether it let an infection through (Simulator's onDerived `missed`): said
   * (other scans that saved nothing are not). Without it, no scan is said.
   */
  missed?: readonly (boolean | undefined)[],
): string {
  const parts: string[] = [];
  // A crash's loss is in no derived event: `lost`, its server's cluster queues as they were (Simulator.queuedOn). It
  // read "no change" where the queued pushes were gone and the replicas stayed apart (an explore QA pass).
  if (input?.type === 'crash' && lost !== undefined && lost.length > 0) {
    parts.push(`${input.server}'s cluster queues are lost (R12): ${lost.map((q) => `${q.documents} document${q.documents === 1 ? '' : 's'} queued for ${q.mate} in ${q.db}`).join(', ')}`);
  }
  // [choice] Times are said from a second after the input on, once per instant: what followed at the input's own
  // instant or a few ms later (transfers, a scan pass's documents) reads as the input's doing; a cluster retry an
  // hour after a heal listed under the heal read as if it came with it (an operator's QA pass).
  let said = input?.at;
  const when = (e: DerivedEvent): string => {
    if (input?.at === undefined || e.at - input.at < 1000 || e.at === said) return '';
    said = e.at;
    return `at ${formatVirtualTime(e.at)}, `;
  };
  // A `push` input starts one session per database (R12): the first of the pair's sessions in each database is its
  // own, a later one the replicator's timer (it was taken for the input's own, unlabelled: an explore QA pass). A push
  // that found nothing queued starts none, and a timer's session after it is then taken for its own.
  const ownPushed = new Set<string>();
  // [choice] Where a step's events touch more than one database, a revision and an arrival name theirs: a UNID saved in
  // two databases read as one save said twice (an operator's QA pass). One database, as explore's steps: unsaid.
  const dbs = new Set<string>();
  for (const e of d) if ('db' in e) dbs.add(e.db);
  const inDb = (db: string) => (dbs.size > 1 ? ` in ${db}` : '');
  for (let k = 0; k < d.length; k++) {
    const e = d[k]!;
    // (A push naming a database pushes that one only: another's session is the timer's, an operator's QA pass.)
    const told = started?.lines[k];
    const own =
      told !== undefined
        ? e.type === 'session' && told === started!.line
        : e.type === 'session' && e.direction === 'cluster' && input?.type === 'push' && input.server === e.server && input.partner === e.partner && (input.db === undefined || input.db === e.db) && !ownPushed.has(e.db);
    if (own) ownPushed.add(e.db);
    if (e.type === 'scanned' && missed?.[k] === true) {
      const scan = e.kind === 'mail' ? `mail scan of message ${e.unid} in mail.box` : `${e.kind} scan of ${e.unid} in ${e.db}`;
      parts.push(`${when(e)}INFECTION MISSED on ${e.server}: its ${scan} ${e.verdict === 'skipped' ? 'skipped it' : 'called it clean'}, and it holds an infected attachment`);
      continue;
    }
    if (!explainsEvent(e)) continue;
    // A cluster push the step's action did not ask for is the replicator's timer (clusterIntervalMs above 0): said
    // after what it moved, which read as the action's doing (an explore QA pass).
    if (e.type === 'session') {
      if (e.interrupted) {
        // [choice] Said as R9/R12 say it: the partner could not be reached at a step (a partition, a crash), and which
        // of the two it was is the state's, not the event's. What the transfer applied before is said above it.
        const cut = e.sent > 0 ? `stopped after ${e.sent} document${e.sent === 1 ? '' : 's'}` : 'failed';
        // A crash of the sender ends its pushes and loses its queues (said above, `lost`); a mate out of reach leaves
        // the documents queued: retried on the replicator's timer, or pushed by the next `push` where it has none
        // (clusterIntervalMs 0, explore's default), which this event does not tell apart (a review: "waits for a retry"
        // read where no retry would ever come).
        const senderCrashed = input?.type === 'crash' && input.server === e.server;
        if (e.direction === 'cluster') {
          // (Not "on its timer": a push cut short at a later step, by a crash or a partition, may be a `push` input's.)
          const whose = `${e.server}'s push to ${e.partner}`;
          parts.push(
            senderCrashed
              ? `${when(e)}${whose} in ${e.db} ${cut === 'failed' ? 'ended' : cut} with ${e.server}'s crash (R12)`
              : `${when(e)}${whose} in ${e.db} ${cut}: ${e.partner} could not be reached (a partition or a crash), so its documents stay queued for a later push (R12)`,
          );
        } else {
          parts.push(`${when(e)}${e.server}'s ${e.direction === 'pull' ? 'pull from' : 'push to'} ${e.partner} in ${e.db} ${cut}: the two could not reach each other (a partition or a crash), so the replication history stays where it was (R9)`);
        }
        continue;
      }
      // (After what it moved: with more than one change, how many arrivals in which database from its server, which
      // read as the last document's alone (an operator's QA pass) and, two pushes in a row, alike (an administrator's
      // review). Not "the last N parts": on-write scans of its arrivals may be said between them.)
      if (!own) parts.push(e.changed > 1 ? `(the ${e.changed} changes in ${e.db} from ${e.server} above moved by its cluster replicator on its timer, to ${e.partner})` : `(moved by ${e.server}'s cluster replicator on its timer, to ${e.partner})`);
      continue;
    }
    if (e.type === 'revised') {
      // A delete input's own revision is its deletion stub (R1b): it read "user/a saved ..." (an operator's QA pass).
      const deletion = input?.type === 'delete' && e.via === undefined && e.server === input.server && e.db === input.db && e.unid === input.unid && e.by === input.by;
      // [choice] A scanner's save caused by a `scanner` input (`started.scannerLines`: a pass of its own schedule) under
      // another step: said so; unlabelled it read as set off by the user's save of the step it fell under in time order
      // (an operator's QA pass).
      const ownPass = started?.scannerLines?.has(e.cause) === true && e.cause !== started.line && e.via === undefined ? ', its scheduled pass' : '';
      // A scanner's save that wrote `$FILE` cleaned the document (a scanner touches attachments only to remove infected
      // ones, R13): said so; "saved" read alike for a cleaning and a stamp (an operator's QA pass).
      const cleaned = !deletion && e.by.startsWith('scanner/') && e.items.some((n) => n.length === 5 && n.toLowerCase() === '$file');
      parts.push(`${when(e)}${e.by} ${deletion ? 'deleted' : cleaned ? 'cleaned' : 'saved'} ${e.unid}${inDb(e.db)} on ${e.server} (seq ${e.seq}${deletion ? ', a deletion stub' : ''}${e.via ? `, triggered by the arrival from ${e.via.server}` : ''}${ownPass})`);
    } else if (e.type === 'replicated') {
      // The arrival that made the conflict just said is part of it (it was said twice: an explore QA pass).
      const prev = d[k - 1];
      if (e.outcome === 'conflict' && prev?.type === 'conflict' && prev.unid === e.unid && prev.server === e.to) continue;
      if (e.outcome === 'collision') {
        parts.push(`${when(e)}OID COLLISION on ${e.to} over ${e.unid}: the version arriving from ${e.from}, seq ${e.seq}@${e.seqTime}, has the OID of ${e.to}'s own copy with other contents; neither replaces the other, and the replicas stay different (R3)`);
        continue;
      }
      if (e.outcome === 'conflict') {
        // A conflict whose conflict document's UNID the destination already held (it arrived first, from a replica that
        // made it, and may have been edited or deleted since: the engine makes none then): no conflict event is said
        // (none was made), and "X conflict on Gamma" read as a second conflict (a blame audit). What happened, in R5's
        // words, without saying the document is still there: a review found it deleted there, the loser then kept
        // nowhere on that server.
        parts.push(`${when(e)}${e.unid} updated${inDb(e.db)} on ${e.to} (seq ${e.seq}, from ${e.from}): the arriving version wins over ${e.to}'s diverged copy (R5); no conflict document is made, ${e.to} holding one under its UNID already (it came first, and may have been edited or deleted since)`);
        continue;
      }
      parts.push(`${when(e)}${e.unid} ${e.outcome}${inDb(e.db)} on ${e.to} (seq ${e.seq}, from ${e.from})${discardedWords(discarded?.[k], e.to, e.from)}`);
    } else if (e.type === 'conflict') {
      // Which version won and why (R5), where it arrived from, and where the loser is kept (it read "seq 2@180010 wins
      // over seq 2@120010", leaving the reader to work out whose copy lost and what became of it: an explore QA pass).
      // A conflict is made only where the loser lived (R5, replicateNote): the arriving version won.
      const next = d[k + 1];
      const from = next?.type === 'replicated' && next.outcome === 'conflict' && next.unid === e.unid && next.to === e.server ? ` from ${next.from}` : '';
      const why = e.winner.seq !== e.loser.seq ? 'more saves' : 'the later seqTime at equal seq';
      // A database's `limitRevisions` (R4, S2) keeps only the last N entries of a version's history, one per save
      // before it: a copy more than N saves behind the winner may be one of its own earlier versions, dropped from
      // that history, which R4 then reads as diverged. Said where it may be so ("may": the events do not say whether
      // the copy descends; a QA pass read "more saves" where the copy had never been edited, and the cap was why).
      const cap = limitRevisions?.get(e.db) ?? 0;
      const capped = cap > 0 && e.loser.seq < e.winner.seq - cap ? `; ${e.server}'s copy may be an earlier version of the winner itself: limitRevisions ${cap} keeps only the last ${cap === 1 ? 'entry' : `${cap} entries`} of a version's history, which no longer reaches back to seq ${e.loser.seq}, so R4 reads the copies as diverged (S2)` : '';
      parts.push(`${when(e)}CONFLICT on ${e.server} over ${e.unid}: the version arriving${from}, seq ${e.winner.seq}@${e.winner.seqTime}, wins over ${e.server}'s own, seq ${e.loser.seq}@${e.loser.seqTime} (${why}, R5); ${e.server}'s version is kept there as conflict document ${e.conflictUnid}${capped}`);
    }
  }
  return parts.length > 0 ? parts.join('; ') : 'no change';
}

/** What an arrival from `from` threw away (onDerived's `discarded`), in words after the change to `to`'s copy. */
function discardedWords(x: Discarded | undefined, to: string, from: string): string {
  switch (x) {
    case undefined:
      return '';
    case 'deletion':
      return `: the document reappears on ${to}, whose deletion is discarded (R6)`;
    case 'edit':
      return `: the deletion wins, and ${to}'s edit is discarded (R6)`;
    case 'changes':
      return `: ${to}'s own changes are discarded (the winner's $ConflictAction "2", do not create conflicts: R5)`;
    case 'overlapping changes':
      return `: ${to}'s values of items both sides changed are discarded (the winner's $ConflictAction "3", merge/no conflicts: R5)`;
    case 'arriving overlapping changes':
      return `: ${from}'s values of items both sides changed are discarded, ${to}'s copy winning (its $ConflictAction "3", merge/no conflicts: R5)`;
  }
}
