import type { DerivedEvent } from '../log/events.js';
import { sameContents, sameOid, type Note } from '../note/note.js';
import type { Simulator } from './simulator.js';

/**
 * R3: an OID collision is two servers making the same version (UNID, `seq`, `seqTime`) of a document with different
 * contents, each on its own: two saves in the same millisecond of their clocks, or two merges. Replication never
 * makes one: it moves versions whole (R4) or makes new ones (R5's merge, a conflict document). So a collision at the
 * end of a run whose version only one server made (by the run's `revised` events, `merged` arrivals and conflict
 * documents made) is a transfer that changed a version on its way: an engine bug that the summary counts as a
 * collision, and that the convergence properties, which exempt collisions, would otherwise pass (a planted bug that
 * dropped an item from a copy as it arrived, keeping its version, passed them).
 *
 * Returns the first such collision, said for a failure message, or undefined. `derived` must be every derived event
 * of the run (conflict documents are counted by UNID: their version is not in the `conflict` event).
 */
export function unmadeCollision(sim: Simulator, derived: readonly DerivedEvent[]): string | undefined {
  const madeBy = new Map<string, Set<string>>();
  const made = (key: string, server: string) => {
    let s = madeBy.get(key);
    if (s === undefined) madeBy.set(key, (s = new Set()));
    s.add(server);
  };
  for (const e of derived) {
    if (e.type === 'revised') made(`${e.db}\u0000${e.unid}\u0000${e.seq}\u0000${e.seqTime}`, e.server);
    else if (e.type === 'replicated' && e.outcome === 'merged') made(`${e.db}\u0000${e.unid}\u0000${e.seq}\u0000${e.seqTime}`, e.to);
    else if (e.type === 'conflict') made(`${e.db}\u0000${e.conflictUnid}`, e.server);
  }
  const twice = (key: string) => (madeBy.get(key)?.size ?? 0) >= 2;
  // Each copy is compared with the first copy of its version met (linear in the copies: sameContents is an equality,
  // so two copies that differ from each other cannot both equal the first).
  for (const db of sim.databaseNames()) {
    const first = new Map<string, { readonly note: Note; readonly server: string }>();
    for (const server of sim.replicaServers(db)) {
      const r = sim.replica(server, db);
      if (r === undefined) continue;
      for (const x of r.notes()) {
        const key = `${db}\u0000${x.unid}\u0000${x.seq}\u0000${x.seqTime}`;
        const f = first.get(key);
        if (f === undefined) {
          first.set(key, { note: x, server });
          continue;
        }
        if (sameContents(x, f.note) || twice(key) || twice(`${db}\u0000${x.unid}`)) continue;
        return `${x.unid} in ${db} is at seq ${x.seq}, seqTime ${x.seqTime} on ${f.server} and ${server} with different contents, but no two servers made that version: a transfer changed it (R3/R4)`;
      }
    }
  }
  return undefined;
}

/** Where two replicas of one database part (firstApart): other OIDs (or one missing), or one OID with other contents. */
export interface ReplicasApart {
  readonly kind: 'apart' | 'collision';
  readonly db: string;
  readonly unid: string;
  /** The two servers, the first holding `a`, the second `b` (undefined: that replica has no such document). */
  readonly servers: readonly [string, string];
  readonly a: Note | undefined;
  readonly b: Note | undefined;
}

/**
 * The first place where the replicas of the servers `among` accepts part, by the summary's meaning of converged (OIDs
 * and contents: `revisions` are history, R3): each database's replicas on those servers compared with the first of
 * them, documents by UNID. A document at other OIDs on two of them (or on one alone) is returned at once; one OID
 * with other contents, an OID collision (R3), only when nothing else parts them (its `kind` says which). Undefined
 * when those replicas hold the same documents. For convergence checks that judge some servers alone: the property
 * sim-cluster-relays and replay's check of its logs (recheck.ts), one test for both.
 */
export function firstApart(sim: Simulator, among: (server: string) => boolean): ReplicasApart | undefined {
  let collided: ReplicasApart | undefined;
  for (const db of sim.databaseNames()) {
    const held = sim.replicaServers(db).filter(among);
    const first = held[0] === undefined ? undefined : sim.replica(held[0], db);
    if (first === undefined) continue;
    for (const x of held.slice(1)) {
      const r = sim.replica(x, db)!;
      for (const unid of [...new Set([...first.unids(), ...r.unids()])].sort()) {
        const a = first.get(unid);
        const b = r.get(unid);
        if (a !== undefined && b !== undefined && sameOid(a, b)) {
          if (!sameContents(a, b)) collided ??= { kind: 'collision', db, unid, servers: [held[0]!, x], a, b };
          continue;
        }
        return { kind: 'apart', db, unid, servers: [held[0]!, x], a, b };
      }
    }
  }
  return collided;
}
