import type { DerivedEvent } from '@replstorm/core';

/**
 * Which `conflict` events made a conflict document, told from the derived events alone, as the summary counts them
 * (event-log.md: `conflicts` are conflict documents made). A replica that resolves a conflict whose conflict document
 * it already holds (made on another replica and replicated here first: three or more replicas) writes the `conflict`
 * event but makes no document (Simulator.applyArrival, R5). The report's timeline and blame count conflicts this way,
 * so their totals are the summary's.
 *
 * Kept: the conflict UNIDs made so far, and which servers hold each (made there, or arrived by replication). Only
 * conflict documents are tracked, not every document.
 * [choice] Not seen from events: a purge of a conflict document's stub (the engine would then make it again and count
 * it; this does not), and a document saved by a log under a UNID that a later conflict derives. Both need a log that
 * aims at them; neither happens in a replication storm.
 */
export interface ConflictDocs {
  /** Call with every derived event in order; true when it is a `conflict` event that made a conflict document. */
  made(e: DerivedEvent): boolean;
}

export function createConflictDocs(): ConflictDocs {
  // db \0 conflictUnid -> servers holding that conflict document.
  const holders = new Map<string, Set<string>>();
  return {
    made(e) {
      if (e.type === 'replicated') {
        if (e.outcome !== 'collision' && holders.size > 0) holders.get(`${e.db}\u0000${e.unid}`)?.add(e.to);
        return false;
      }
      if (e.type !== 'conflict') return false;
      const key = `${e.db}\u0000${e.conflictUnid}`;
      let held = holders.get(key);
      if (held === undefined) holders.set(key, (held = new Set()));
      if (held.has(e.server)) return false;
      held.add(e.server);
      return true;
    },
  };
}
