import type { DerivedEvent } from '@replstorm/core';

/** Revisions and conflicts of one actor (`user/carol`, `scanner/smsdom`, `router/Alpha`). */
export interface ActorBlame {
  readonly actor: string;
  readonly revisions: number;
  /** Conflict documents made (as the summary counts them) whose winning or losing version this actor wrote. */
  readonly conflicts: number;
  /** How many distinct input events (causes) were behind its revisions. */
  readonly causes: number;
  /**
   * The longest chain of revisions it took part in (a revision triggered by an arrival extends the chain): of the
   * chains (Chain) holding one of its revisions, the longest, so a user's save that a storm follows counts the
   * storm's length. ([choice] One arrival can trigger revisions on several servers, and a chain is the longest path
   * from its first revision: an actor on a shorter branch is counted with the longest. It was how deep its own
   * revisions sat, which gave 1 to the save that started a storm: a QA pass.) [limitation] Chains follow `via`, the
   * arrivals: a scanner's on-write stamp of a local save is not an arrival and starts a chain of its own, so a user's
   * save stamped where it was made counts 1 here; the chain's `cause` (and blame by cause) names that save.
   */
  readonly longestChain: number;
}

export interface CauseBlame {
  readonly cause: number;
  readonly label: string;
  readonly revisions: number;
  readonly conflicts: number;
  readonly byActor: Readonly<Record<string, number>>;
}

/**
 * A chain of revisions linked by `via`: a scanner saving what arrived, whose save arrives elsewhere, and so on. One
 * arrival can trigger revisions on several servers: the chain is the longest path from its first revision.
 */
export interface Chain {
  readonly unid: string;
  /** Revisions on the path. */
  readonly length: number;
  readonly cause: number;
  readonly firstAt: number;
  /** The time of the path's last revision. */
  readonly lastAt: number;
  /**
   * The document of the path's last revision: another than `unid` when the chain passed into a document the
   * replicator made from it (a conflict document, stamped on its arrival: an operator looked up the first document at
   * the chain's last time and found no revision of it).
   */
  readonly lastUnid: string;
  /** Servers of the path's revisions in order (the first 12). */
  readonly servers: readonly string[];
}

export interface BlameResult {
  readonly byActor: readonly ActorBlame[];
  readonly byCause: readonly CauseBlame[];
  /** The longest chains (CHAINS_SHOWN), longest first. */
  readonly chains: readonly Chain[];
  /** Chains of two revisions or more not in `chains`. */
  readonly moreChains: number;
}

/** How many causes the text and the report list (by revisions); --blame --json lists them all. */
export const CAUSES_SHOWN = 20;

/**
 * What the causes past the first `shown` hold of conflicts (the text and the report list CAUSES_SHOWN): how many
 * made any, how many conflicts in all, and the one with the most (the first such by the list's order). A cause of one
 * revision and many conflicts stood below twenty of two revisions and none, unsaid but by --blame --json.
 */
export function conflictsBeyond(causes: readonly CauseBlame[], shown: number): { readonly causes: number; readonly conflicts: number; readonly most?: CauseBlame } {
  let n = 0;
  let conflicts = 0;
  let most: CauseBlame | undefined;
  for (let i = shown; i < causes.length; i++) {
    const c = causes[i]!;
    if (c.conflicts === 0) continue;
    n++;
    conflicts += c.conflicts;
    if (most === undefined || c.conflicts > most.conflicts) most = c;
  }
  return { causes: n, conflicts, ...(most !== undefined ? { most } : {}) };
}

/** The causes past the first `shown`, in words: how many, and those that made conflicts (conflictsBeyond). */
export function moreCausesText(causes: readonly CauseBlame[], shown: number): string {
  const more = causes.length - shown;
  const c = conflictsBeyond(causes, shown);
  const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
  return `${plural(more, 'more cause', 'more causes')}${c.most === undefined ? '' : `, of which ${c.causes.toLocaleString('en-US')} made ${plural(c.conflicts, 'conflict', 'conflicts')} (the most, ${c.most.conflicts.toLocaleString('en-US')}, line ${c.most.cause.toLocaleString('en-US')}: ${c.most.label})`}`;
}

/** The chains a blame lists. */
const CHAINS_SHOWN = 5;

interface VersionRec {
  readonly by: string;
  readonly cause: number;
  readonly seqTime: number;
  readonly chain: ChainLink;
}

/** A revision's place in its chain: the revision whose arrival triggered it (`via`) is `previous`. */
interface ChainLink {
  /** Revisions from the chain's root to this one, both included. */
  readonly length: number;
  readonly server: string;
  readonly unid: string;
  readonly previous: ChainLink | undefined;
  readonly root: ChainRoot;
}
interface ChainRoot {
  readonly unid: string;
  readonly cause: number;
  readonly firstAt: number;
  /** The last revision of the longest path from the root, and its time. */
  end: ChainLink | undefined;
  lastAt: number;
  length: number;
  /**
   * The actors of its revisions: its own (`by`), and the others, made only when a chain reaches another actor (most
   * roots stay alone: an empty list on each cost a storm's replay under a 64 MB heap its memory).
   */
  readonly by: string;
  others: string[] | undefined;
}

/** Servers of the first 12 revisions on the path from the root to `end`. */
function pathServers(end: ChainLink | undefined): string[] {
  const servers: string[] = [];
  for (let l = end; l !== undefined; l = l.previous) if (l.length <= 12) servers.push(l.server);
  return servers.reverse();
}

/**
 * Attributes revisions and conflicts to actors and causes, following `via` chains. Keeps one small record per
 * document version; a storm shows as one long chain.
 */
export function createBlame(labelOf: (line: number) => string | undefined, lineOf: (cause: number) => number = (c) => c) {
  const actors = new Map<string, { revisions: number; conflicts: number; causes: Set<number>; longestChain: number }>();
  const causes = new Map<number, { revisions: number; conflicts: number; byActor: Map<string, number> }>();
  // Versions by database, UNID and sequence number: of two conflicting versions with the same number, the later
  // written. The one it replaced is kept by number and time (`older`): a conflict's winner and loser usually have the
  // same number (each replica edited the document once) and are found by both.
  const versions = new Map<string, VersionRec>();
  const older = new Map<string, VersionRec>();
  const version = (db: string, unid: string, seq: number, seqTime: number): VersionRec | undefined => {
    const v = versions.get(`${db}\u0000${unid}:${seq}`);
    return v !== undefined && v.seqTime === seqTime ? v : older.get(`${db}\u0000${unid}:${seq}:${seqTime}`);
  };
  // A `via` names the sender and the arriving version's number, not its time. The version each copy (server,
  // database, UNID) holds is followed through the events (`held`), and each arrival remembers what its sender held as
  // it arrived (`arrived`, per receiver, document and sender: the version sent; a replicated event itself names what
  // the receiver kept, which after a conflict or a merge is not it). A revision's `via` takes the time from its
  // server's last arrival of that document from that sender, when the number matches. An operator's QA pass: with
  // clocks apart, the later-written of two versions with one number was the other server's, and a chain was rooted at
  // the wrong scan (and a UNID in two databases mixed them). Reviews of the fix: the sender's copy read at the
  // revision, not at the arrival, had moved on; one arrival kept per document lost the first of two senders.
  // A version known exactly but written by no `revised` event (a merge, made by the replicator) starts no chain link:
  // it is not another version with the same number. [choice] Where the events do not tell at all (no arrival of that
  // document from that sender with that number), the later written of the versions with that number.
  // Each copy holds its version's record itself (`rec`), carried from sender to receiver by the arrival: two servers
  // can write versions with one number and one time but different contents (an OID collision, R3: two members with
  // the same clock stamping with their own keys), which number and time cannot tell apart (an auditor's log: the chain
  // of what Beta sent was rooted at Gamma's scan, the later written, while the engine's `cause` named Beta's).
  interface Held {
    readonly seq: number;
    readonly seqTime: number;
    /** The revision that wrote this version; undefined for one no `revised` event wrote (a merge). */
    readonly rec: VersionRec | undefined;
    /**
     * For a merged version (outcome `merged`): the replicator that made it, `replicator/<server>` (event-log.md: merged
     * versions are the replicator's), so a conflict with it names that actor, not "unknown" (a QA pass).
     */
    readonly mergedBy?: string;
  }
  const held = new Map<string, Held>();
  const arrived = new Map<string, Held | undefined>();
  const viaVersion = (server: string, db: string, via: { server: string; unid: string; seq: number }): VersionRec | undefined => {
    const v = arrived.get(`${server}\u0000${db}\u0000${via.unid}\u0000${via.server}`);
    if (v !== undefined && v.seq === via.seq) return v.rec;
    return versions.get(`${db}\u0000${via.unid}:${via.seq}`);
  };
  /** The record of the version (seq, seqTime) a copy now holds: the sender's or the receiver's own copy when it is that version. */
  const heldAs = (db: string, unid: string, seq: number, seqTime: number, ...copies: (Held | undefined)[]): Held => {
    for (const c of copies) if (c !== undefined && c.seq === seq && c.seqTime === seqTime) return c;
    return { seq, seqTime, rec: version(db, unid, seq, seqTime) };
  };
  // A `conflict` event names the versions by number and time only, which two servers can share (an OID collision):
  // it is settled at the `replicated` event the engine writes right after it (outcome `conflict`), which names the
  // sender: one version is the one the sender held, the other the receiver's own.
  // [choice] A version two servers wrote alike (the same seq and seqTime, as two members stamping in one millisecond
  // with one key do: R3) counts for the write whose copy took part, the one that arrived: the other's identical copy
  // changes nothing where it arrives, and blame, which sees no contents, cannot tell it from an OID collision (an
  // operator's QA pass: a third member's identical scan read 0 conflicts). Said under the blame table.
  let pendingConflict: Extract<DerivedEvent, { type: 'conflict' }> | undefined;
  const settleConflict = (sent: Held | undefined): void => {
    const e = pendingConflict;
    if (e === undefined) return;
    pendingConflict = undefined;
    const own = held.get(`${e.server}\u0000${e.db}\u0000${e.unid}`);
    const wh = heldAs(e.db, e.unid, e.winner.seq, e.winner.seqTime, sent, own);
    const lh = heldAs(e.db, e.unid, e.loser.seq, e.loser.seqTime, sent, own);
    const w = wh.rec;
    const l = lh.rec;
    const who = new Set([w?.by ?? wh.mergedBy ?? 'unknown', l?.by ?? lh.mergedBy ?? 'unknown']);
    for (const x of who) actor(x).conflicts++;
    for (const c of new Set([w?.cause ?? 0, l?.cause ?? 0])) if (c > 0) cause(c).conflicts++;
  };
  const roots: ChainRoot[] = [];
  const actor = (a: string) => {
    let r = actors.get(a);
    if (r === undefined) actors.set(a, (r = { revisions: 0, conflicts: 0, causes: new Set(), longestChain: 0 }));
    return r;
  };
  const cause = (c: number) => {
    let r = causes.get(c);
    if (r === undefined) causes.set(c, (r = { revisions: 0, conflicts: 0, byActor: new Map() }));
    return r;
  };
  return {
    /** `madeDocument`: the engine's word on a `conflict` event (Simulator's onDerived); false: not counted (R5). */
    add(e: DerivedEvent, madeDocument?: boolean): void {
      if (pendingConflict !== undefined) {
        const c = pendingConflict;
        const mine = e.type === 'replicated' && e.outcome === 'conflict' && e.to === c.server && e.db === c.db && e.unid === c.unid;
        settleConflict(mine ? held.get(`${e.from}\u0000${e.db}\u0000${e.unid}`) : undefined);
      }
      if (e.type === 'replicated') {
        const to = `${e.to}\u0000${e.db}\u0000${e.unid}`;
        const sent = held.get(`${e.from}\u0000${e.db}\u0000${e.unid}`);
        arrived.set(`${to}\u0000${e.from}`, sent);
        if (e.outcome === 'merged') held.set(to, { seq: e.seq, seqTime: e.seqTime, rec: undefined, mergedBy: `replicator/${e.to}` });
        else if (e.outcome !== 'collision') held.set(to, heldAs(e.db, e.unid, e.seq, e.seqTime, sent, held.get(to)));
      } else if (e.type === 'revised') {
        const prev = e.via !== undefined ? viaVersion(e.server, e.db, e.via) : undefined;
        let chain: ChainLink;
        if (prev !== undefined) {
          chain = { length: prev.chain.length + 1, server: e.server, unid: e.unid, previous: prev.chain, root: prev.chain.root };
          // One arrival may trigger revisions on several servers: the chain shown is one path of the tree, the longest
          // (its servers, its last time), not every revision under the root. [choice] Of equal paths, the first found
          // (the earliest in the log): a later one must be longer to replace it.
          const r = chain.root;
          if (chain.length > r.length) {
            r.length = chain.length;
            r.end = chain;
            r.lastAt = e.at;
          }
        } else {
          const root: ChainRoot = { unid: e.unid, cause: e.cause, firstAt: e.at, lastAt: e.at, length: 1, end: undefined, by: e.by, others: undefined };
          roots.push(root);
          chain = { length: 1, server: e.server, unid: e.unid, previous: undefined, root };
          root.end = chain;
        }
        const key = `${e.db}\u0000${e.unid}:${e.seq}`;
        const replaced = versions.get(key);
        if (replaced !== undefined && replaced.seqTime !== e.seqTime) older.set(`${key}:${replaced.seqTime}`, replaced);
        const rec: VersionRec = { by: e.by, cause: e.cause, seqTime: e.seqTime, chain };
        versions.set(key, rec);
        held.set(`${e.server}\u0000${e.db}\u0000${e.unid}`, { seq: e.seq, seqTime: e.seqTime, rec });
        const a = actor(e.by);
        a.revisions++;
        a.causes.add(e.cause);
        const root = chain.root;
        if (e.by !== root.by && root.others?.includes(e.by) !== true) (root.others ??= []).push(e.by);
        const c = cause(e.cause);
        c.revisions++;
        c.byActor.set(e.by, (c.byActor.get(e.by) ?? 0) + 1);
      } else if (e.type === 'conflict' && madeDocument !== false) {
        pendingConflict = e;
      }
    },
    result(): BlameResult {
      settleConflict(undefined);
      for (const r of roots) {
        actor(r.by).longestChain = Math.max(actor(r.by).longestChain, r.length);
        for (const a of r.others ?? []) actor(a).longestChain = Math.max(actor(a).longestChain, r.length);
      }
      const byActor = [...actors.entries()]
        .map(([a, r]) => ({ actor: a, revisions: r.revisions, conflicts: r.conflicts, causes: r.causes.size, longestChain: r.longestChain }))
        .sort((x, y) => y.revisions - x.revisions || y.conflicts - x.conflicts || (x.actor < y.actor ? -1 : 1));
      const byCause = [...causes.entries()]
        .map(([c, r]) => ({ cause: lineOf(c), label: labelOf(c) ?? '', revisions: r.revisions, conflicts: r.conflicts, byActor: Object.fromEntries([...r.byActor].sort()) }))
        // (Ties by conflicts, then line: a recording of users' edits listed twenty causes of 2 revisions and no
        // conflict, the first of 2 revisions and some conflicts being 52nd, a QA pass at scale.)
        .sort((x, y) => y.revisions - x.revisions || y.conflicts - x.conflicts || x.cause - y.cause);
      const long = roots.filter((r) => r.length > 1).sort((x, y) => y.length - x.length || x.firstAt - y.firstAt);
      const chains = long
        .slice(0, CHAINS_SHOWN)
        .map((r) => ({ unid: r.unid, length: r.length, cause: lineOf(r.cause), firstAt: r.firstAt, lastAt: r.lastAt, lastUnid: r.end?.unid ?? r.unid, servers: pathServers(r.end) }));
      return { byActor, byCause, chains, moreChains: long.length - chains.length };
    },
  };
}

/**
 * How blame credits a chain, said under the causes in the text and the report where there are chains: a revision's
 * cause is the input behind the version it was triggered by (`via`), so a scheduled pass that stamps a document
 * another input's chain is bouncing starts its own line's credit there (an administrator's review read a storm credited
 * to Beta's scheduled scans as Beta's doing, where Alpha's scans alone storm as much).
 */
export const CHAIN_CREDIT = 'a chain is credited to the last input that wrote into it: a scheduled pass that stamps a document another input\'s chain is bouncing takes the chain over, so a cause\'s revisions say who wrote last, not who would storm alone (--what-if, or a run with one server scanning, says that)';
