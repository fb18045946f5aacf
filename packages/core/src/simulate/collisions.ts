import type { DerivedEvent } from '../log/events.js';
import { sameContents, type Note } from '../note/note.js';
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
