import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { continuesHistoryOf, replicateNote, winsOver, type NoteTransferResult } from './replicateNote.js';
import { applyDelete, applySave } from '../note/applySave.js';
import { Replica } from '../replica/replica.js';
import type { ItemValue, Note, Revision } from '../note/note.js';
import { Revisions } from '../note/revisions.js';

// Expected values below are worked out by hand from replication.md; the notes are written out literally so that a
// reader can check them without running applySave.

const U = '0123456789ABCDEF0123456789ABCDEF';
const OPTS = { limitRevisions: 0 } as const;

type It = readonly [name: string, value: ItemValue, itemSeq: number];

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** A note, items sorted by key as the engine keeps them; frozen so that any mutation by the code under test throws. */
function mk(seq: number, seqTime: number, revisions: Revision[], items: It[], deleted = false, unid = U): Note {
  const list = items
    .map(([name, value, s]) => ({ name, key: name.toLowerCase(), value, seq: s }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return deepFreeze({ unid, seq, seqTime, revisions: Revisions.from(revisions), deleted, items: list, files: filesHeld(list, deleted) });
}

/** `Note.files` as the engine must keep it: 0 no attachment list (or a stub), 1 attachments, 2 one infected. */
function filesHeld(items: readonly { key: string; value: ItemValue }[], deleted: boolean): 0 | 1 | 2 {
  const file = deleted ? undefined : items.find((i) => i.key === '$file');
  if (file === undefined || !Array.isArray(file.value) || file.value.length === 0 || typeof file.value[0] !== 'object') return 0;
  return (file.value as { infected?: boolean }[]).some((a) => a.infected === true) ? 2 : 1;
}

function stub(seq: number, seqTime: number, revisions: Revision[]): Note {
  return mk(seq, seqTime, revisions, [], true);
}

/** Independent of the implementation: first 32 hex digits of SHA-256 of `UNID:seq:seqTime`, upper case. */
function conflictUnid(unid: string, seq: number, seqTime: number): string {
  return createHash('sha256').update(`${unid}:${seq}:${seqTime}`, 'utf8').digest('hex').slice(0, 32).toUpperCase();
}

function putOf(r: NoteTransferResult): Note {
  if (!('put' in r)) throw new Error(`expected a put, got outcome ${String(r.outcome)}`);
  return r.put;
}

describe('R2: D has no copy', () => {
  it('R2: a live copy is created as it is (same OID, revisions, items)', () => {
    const s = mk(3, 300, [[1, 100], [2, 200]], [['Subject', 'x', 2], ['Body', 'y', 3]]);
    const r = replicateNote(s, undefined, OPTS);
    expect(r).toEqual({ outcome: 'created', put: s, discarded: false });
    expect(putOf(r)).toBe(s);
  });

  it('R2: a stub arriving where nothing was stays a stub and is reported as deleted', () => {
    const s = stub(2, 200, [[1, 100]]);
    const r = replicateNote(s, undefined, OPTS);
    expect(r).toEqual({ outcome: 'deleted', put: s, discarded: false });
    expect(putOf(r).deleted).toBe(true);
  });

  it('R2/R10: a live copy arriving where D purged the stub is a resurrection', () => {
    const s = mk(2, 200, [[1, 100]], [['Subject', 'x', 2]]);
    expect(replicateNote(s, undefined, { limitRevisions: 0, purgedAtDestination: true })).toEqual({ outcome: 'resurrected', put: s, discarded: false });
  });

  it('R2/R10: a stub arriving where D purged the stub is just a deletion, not a resurrection', () => {
    const s = stub(2, 200, [[1, 100]]);
    expect(replicateNote(s, undefined, { limitRevisions: 0, purgedAtDestination: true }).outcome).toBe('deleted');
  });
});

describe('R3: equal OIDs are the same version', () => {
  it('R3: same OID and same contents: nothing happens', () => {
    const s = mk(2, 200, [[1, 100]], [['Subject', 'x', 2]]);
    const d = mk(2, 200, [[1, 100]], [['Subject', 'x', 2]]);
    expect(replicateNote(s, d, OPTS)).toEqual({ outcome: null });
  });

  it('R3: same OID with different items is a collision and D is left as it was', () => {
    const s = mk(2, 200, [[1, 100]], [['Subject', 'from S', 2]]);
    const d = mk(2, 200, [[1, 100]], [['Subject', 'from D', 2]]);
    const before = JSON.stringify(d);
    expect(replicateNote(s, d, OPTS)).toEqual({ outcome: 'collision' });
    expect(replicateNote(d, s, OPTS)).toEqual({ outcome: 'collision' });
    expect(JSON.stringify(d)).toBe(before);
  });

  it('R3: same OID, one copy a stub: a collision, not a deletion', () => {
    const s = stub(2, 200, [[1, 100]]);
    const d = mk(2, 200, [[1, 100]], [['Subject', 'x', 2]]);
    expect(replicateNote(s, d, OPTS)).toEqual({ outcome: 'collision' });
  });

  it('R3: same OID, a stub and a live copy that holds no items: the stub flag is contents, so a collision', () => {
    // R1 [choice]: a save may write no item, so a live copy can hold none, like a stub; only the flag differs.
    const s = stub(2, 200, [[1, 100]]);
    const d = mk(2, 200, [[1, 100]], []);
    expect(replicateNote(s, d, OPTS)).toEqual({ outcome: 'collision' });
    expect(replicateNote(d, s, OPTS)).toEqual({ outcome: 'collision' });
  });

  it('R3: same OID, equal values but different itemSeq: the items differ, so a collision', () => {
    // Each side changed a different item in its second save, to the value it already had (R1: still a save).
    const s = mk(2, 200, [[1, 100]], [['F', 1, 2], ['G', 1, 1]]);
    const d = mk(2, 200, [[1, 100]], [['F', 1, 1], ['G', 1, 2]]);
    expect(replicateNote(s, d, OPTS)).toEqual({ outcome: 'collision' });
  });

  it('R3: same OID, a list value one element longer, an attachment of another size, an item spelled otherwise: each is a collision', () => {
    const base: It[] = [['Tags', ['a'], 1], ['$FILE', [{ name: 'x.doc', bytes: 10 }], 1], ['Subject', 's', 1]];
    const d = mk(1, 100, [], base);
    for (const differs of [
      [['Tags', ['a', 'b'], 1], base[1]!, base[2]!],
      [base[0]!, ['$FILE', [{ name: 'x.doc', bytes: 11 }], 1], base[2]!],
      // A document keeps its item's first spelling and replication carries it (--state shows it): contents.
      [base[0]!, base[1]!, ['SUBJECT', 's', 1]],
    ] as It[][]) {
      const s = mk(1, 100, [], differs);
      expect(replicateNote(s, d, OPTS)).toEqual({ outcome: 'collision' });
      expect(replicateNote(d, s, OPTS)).toEqual({ outcome: 'collision' });
    }
    expect(replicateNote(mk(1, 100, [], base), d, OPTS)).toEqual({ outcome: null });
  });

  it('R3: same OID, different revisions only: revisions are not contents, so nothing happens', () => {
    const s = mk(3, 300, [[1, 100], [2, 200]], [['Subject', 'x', 3]]);
    const d = mk(3, 300, [[2, 200]], [['Subject', 'x', 3]]);
    expect(replicateNote(s, d, OPTS)).toEqual({ outcome: null });
  });
});

describe('R4: the descendant wins', () => {
  const base = mk(1, 100, [], [['Subject', 'a', 1], ['Body', 'b', 1]]);
  const child = mk(3, 300, [[1, 100], [2, 200]], [['Subject', 'c', 3], ['Body', 'b2', 2]]);

  it('R4: S descends from D: updated, and D takes S\'s copy exactly', () => {
    const r = replicateNote(child, base, OPTS);
    expect(r).toEqual({ outcome: 'updated', put: child, discarded: false });
    expect(putOf(r)).toEqual({
      unid: U,
      seq: 3,
      seqTime: 300,
      revisions: [[1, 100], [2, 200]],
      deleted: false,
      files: 0,
      items: [
        { name: 'Body', key: 'body', value: 'b2', seq: 2 },
        { name: 'Subject', key: 'subject', value: 'c', seq: 3 },
      ],
    });
  });

  it('R4: D descends from S: nothing happens', () => {
    expect(replicateNote(base, child, OPTS)).toEqual({ outcome: null });
  });

  it('R4: a descendant wins even with an earlier seqTime (its server clock is behind)', () => {
    const d = mk(1, 1_000, [], [['Subject', 'a', 1]]);
    const s = mk(2, 500, [[1, 1_000]], [['Subject', 'edited', 2]]);
    expect(replicateNote(s, d, OPTS)).toEqual({ outcome: 'updated', put: s, discarded: false });
    expect(replicateNote(d, s, OPTS)).toEqual({ outcome: null });
  });

  it('R4: a stub that descends from D\'s copy deletes it', () => {
    const s = stub(2, 200, [[1, 100]]);
    expect(replicateNote(s, base, OPTS)).toEqual({ outcome: 'deleted', put: s, discarded: false });
    expect(replicateNote(base, s, OPTS)).toEqual({ outcome: null });
  });

  it('R4: descent is by (seq, seqTime) pair: the same seq with another seqTime is not an ancestor', () => {
    const d = mk(2, 250, [[1, 100]], [['Subject', 'd', 2]]);
    const s = mk(3, 300, [[1, 100], [2, 200]], [['Subject', 's', 3]]);
    // S's revisions hold (2, 200), not D's (2, 250): the copies diverged, S wins (seq 3) and D's copy becomes a conflict.
    expect(replicateNote(s, d, OPTS).outcome).toBe('conflict');
    // The same for an entry older than S's newest: S holds (1, 100), D is (1, 150) (a check that read the time of the
    // newest entry only passed the case above: a developer's QA pass, a mutation of Revisions.includes).
    const older = mk(1, 150, [], [['Subject', 'd1', 1]]);
    expect(replicateNote(s, older, OPTS).outcome).toBe('conflict');
  });
});

describe('R5: the winner of diverged copies', () => {
  // Common version (1, 100); both sides edited after it.
  it('R5: more saves wins even when older', () => {
    const s = mk(3, 300, [[1, 100], [2, 200]], [['Subject', 's', 3]]);
    const d = mk(2, 900, [[1, 100]], [['Subject', 'd', 2]]);
    expect(winsOver(s, d)).toBe(true);
    expect(winsOver(d, s)).toBe(false);
    const r = replicateNote(s, d, OPTS);
    expect(r.outcome).toBe('conflict');
    expect(putOf(r)).toBe(s);
    expect(replicateNote(d, s, OPTS)).toEqual({ outcome: null });
  });

  it('R5: equal seq: the later seqTime wins', () => {
    const s = mk(2, 500, [[1, 100]], [['Subject', 's', 2]]);
    const d = mk(2, 400, [[1, 100]], [['Subject', 'd', 2]]);
    expect(winsOver(s, d)).toBe(true);
    const r = replicateNote(s, d, OPTS);
    expect(r.outcome).toBe('conflict');
    expect(putOf(r)).toBe(s);
    expect(replicateNote(d, s, OPTS)).toEqual({ outcome: null });
  });

  it('R5: equal seq: a clock skew decides (the server whose clock is ahead wins although it saved first)', () => {
    // Server B runs 10 s ahead: it saves at at=100 (seqTime 10_100); server A saves later, at at=5_000 (seqTime 5_000).
    const base = applySave(undefined, U, { set: [['Subject', 'a']] }, 0, 0).note;
    const onB = applySave(base, U, { set: [['Subject', 'from B']] }, 100 + 10_000, 0).note;
    const onA = applySave(base, U, { set: [['Subject', 'from A']] }, 5_000 + 0, 0).note;
    expect(winsOver(onB, onA)).toBe(true);
    const r = replicateNote(onB, onA, OPTS);
    expect(r.outcome).toBe('conflict');
    expect(putOf(r)).toBe(onB);
    expect(replicateNote(onA, onB, OPTS)).toEqual({ outcome: null });
  });
});

describe('R5: a later version of a conflict document (continuesHistoryOf)', () => {
  it('R5: true when the history runs through the version and its own history before it, as far as a cap keeps it; false for a shared pair with another past, or once the cap dropped the version', () => {
    const k = mk(2, 100, [[1, 10]], []);
    expect(continuesHistoryOf(mk(4, 260, [[1, 10], [2, 100], [3, 250]], []), k)).toBe(true);
    // A cap dropped (1, 10): what is left still agrees.
    expect(continuesHistoryOf(mk(3, 250, [[2, 100]], []), k)).toBe(true);
    // The same pair after another past: another document's own history.
    expect(continuesHistoryOf(mk(3, 150, [[1, 50], [2, 100]], []), k)).toBe(false);
    // More entries before it than the version's own history has.
    expect(continuesHistoryOf(mk(4, 150, [[1, 5], [1, 10], [2, 100]], []), k)).toBe(false);
    // The version itself dropped by a cap, or never there.
    expect(continuesHistoryOf(mk(4, 260, [[3, 250]], []), k)).toBe(false);
    expect(continuesHistoryOf(mk(2, 100, [[1, 10]], []), k)).toBe(false);
  });
});

describe('R5 create: the loser becomes a conflict document where it lived', () => {
  const s = mk(2, 300, [[1, 100]], [['Subject', 'from S', 2], ['Body', 'x', 1]]);
  const d = mk(2, 200, [[1, 100]], [['Subject', 'from D', 2], ['Body', 'x', 1]]);

  it('R5: S holds the winner: conflict; D takes S under the UNID and keeps its own copy as a conflict document', () => {
    const r = replicateNote(s, d, OPTS);
    const cu = conflictUnid(U, 2, 200);
    expect(cu).toMatch(/^[0-9A-F]{32}$/);
    expect(r).toEqual({
      outcome: 'conflict',
      put: s,
      winner: [2, 300],
      loser: [2, 200],
      discarded: false,
      conflictDoc: {
        unid: cu,
        seq: 2,
        seqTime: 200,
        revisions: [[1, 100]],
        deleted: false,
        files: 0,
        items: [
          { name: '$Conflict', key: '$conflict', value: '', seq: 2 },
          { name: '$REF', key: '$ref', value: U, seq: 2 },
          { name: 'Body', key: 'body', value: 'x', seq: 1 },
          { name: 'Subject', key: 'subject', value: 'from D', seq: 2 },
        ],
      },
    });
    expect(putOf(r)).toBe(s);
  });

  it('R5: a losing response document (its own $REF names its parent): the conflict document\'s $REF becomes the winner\'s UNID', () => {
    // "adds an empty $Conflict item and $REF = the winner's UNID (both with itemSeq = its seq)": an existing $REF (and
    // $Conflict) is replaced, not kept with its old value and itemSeq.
    const parent = 'FEDCBA9876543210FEDCBA9876543210';
    const ws = mk(2, 300, [[1, 100]], [['$Ref', parent, 1], ['Subject', 'from S', 2]]);
    const ld = mk(2, 200, [[1, 100]], [['$Ref', parent, 1], ['$CONFLICT', 'old', 1], ['Subject', 'from D', 2]]);
    const r = replicateNote(ws, ld, OPTS);
    if (r.outcome !== 'conflict') throw new Error(`expected a conflict, got ${String(r.outcome)}`);
    expect(r.conflictDoc.items.map((i) => [i.key, i.value, i.seq])).toEqual([
      ['$conflict', '', 2],
      ['$ref', U, 2],
      ['subject', 'from D', 2],
    ]);
  });

  it('R5: D holds the winner: nothing happens now', () => {
    expect(replicateNote(d, s, OPTS)).toEqual({ outcome: null });
  });

  it('R5: the conflict document UNID depends only on the loser\'s OID: a later loser makes another document', () => {
    const d2 = mk(3, 250, [[1, 100], [2, 240]], [['Subject', 'other', 3]]);
    const s3 = mk(4, 400, [[1, 100], [2, 300], [3, 350]], [['Subject', 's', 4]]);
    const r = replicateNote(s3, d2, OPTS);
    if (r.outcome !== 'conflict') throw new Error(`expected conflict, got ${String(r.outcome)}`);
    expect(r.conflictDoc.unid).toBe(conflictUnid(U, 3, 250));
    expect(r.conflictDoc.unid).not.toBe(conflictUnid(U, 2, 200));
  });

  it('R5: $ConflictAction with another value ("0", "create", the numbers 1 to 3, a list) means create', () => {
    // R5 names the text values "1", "2", "3": a number is another value (the form property writes text).
    for (const v of ['0', 'create', '', 1, 2, 3, ['1']] as const) {
      const sw = mk(2, 300, [[1, 100]], [['Subject', 's', 2], ['$ConflictAction', v, 1]]);
      const dl = mk(2, 200, [[1, 100]], [['Body', 'd', 2], ['$ConflictAction', v, 1]]);
      expect(replicateNote(sw, dl, OPTS).outcome).toBe('conflict');
    }
  });
});

describe('R5 merge ("1")', () => {
  // Common version (1, 100). S edited Subject once (2, 300); D edited Body twice ((2, 200), (3, 260)): D wins (seq 3).
  const S = mk(2, 300, [[1, 100]], [['$ConflictAction', '1', 1], ['Subject', 's', 2], ['Body', 'x', 1]]);
  const D = mk(3, 260, [[1, 100], [2, 200]], [['$ConflictAction', '1', 1], ['Subject', 'a', 1], ['Body', 'd2', 3]]);
  const merged = {
    unid: U,
    seq: 4, // max(2, 3) + 1
    seqTime: 301, // max(300, 260) + 1
    revisions: [[1, 100], [2, 200], [2, 300], [3, 260]], // union plus both current pairs, by seq then seqTime
    deleted: false,
    files: 0,
    items: [
      { name: '$ConflictAction', key: '$conflictaction', value: '1', seq: 1 },
      { name: 'Body', key: 'body', value: 'd2', seq: 3 }, // the winner's
      { name: 'Subject', key: 'subject', value: 's', seq: 4 }, // the loser's change, itemSeq = merged seq
    ],
  };

  it('R5: disjoint item changes are merged when D holds the winner', () => {
    expect(replicateNote(S, D, OPTS)).toEqual({ outcome: 'merged', put: merged, discarded: false });
  });

  it('R5: disjoint item changes are merged into the same version when D holds the loser', () => {
    expect(replicateNote(D, S, OPTS)).toEqual({ outcome: 'merged', put: merged, discarded: false });
  });

  it('R5: the merged version then travels by R4 to both original copies', () => {
    const m = putOf(replicateNote(S, D, OPTS));
    expect(replicateNote(m, S, OPTS)).toEqual({ outcome: 'updated', put: m, discarded: false });
    expect(replicateNote(m, D, OPTS)).toEqual({ outcome: 'updated', put: m, discarded: false });
    expect(replicateNote(S, m, OPTS)).toEqual({ outcome: null });
    expect(replicateNote(D, m, OPTS)).toEqual({ outcome: null });
  });

  it('R5: an item changed on both sides is handled as create', () => {
    const s = mk(2, 300, [[1, 100]], [['$ConflictAction', '1', 1], ['Subject', 's', 2]]);
    const d = mk(2, 250, [[1, 100]], [['$ConflictAction', '1', 1], ['SUBJECT', 'd', 2]]);
    const r = replicateNote(s, d, OPTS);
    expect(r.outcome).toBe('conflict');
    if (r.outcome !== 'conflict') return;
    expect(r.conflictDoc.unid).toBe(conflictUnid(U, 2, 250));
    expect(r.put).toBe(s);
    expect(replicateNote(d, s, OPTS)).toEqual({ outcome: null });
  });

  it('R5: the same value written on both sides still counts as changed on both sides', () => {
    const s = mk(2, 300, [[1, 100]], [['$ConflictAction', '1', 1], ['Subject', 'same', 2]]);
    const d = mk(2, 250, [[1, 100]], [['$ConflictAction', '1', 1], ['Subject', 'same', 2]]);
    expect(replicateNote(s, d, OPTS).outcome).toBe('conflict');
  });

  it('R5: the last common version is the highest seq in both revisions, not the first', () => {
    // Common history (1, 100), (2, 200); Body changed at 2 is not a change on either side after it.
    const s = mk(3, 300, [[1, 100], [2, 200]], [['$ConflictAction', '1', 1], ['Body', 'common', 2], ['Subject', 's', 3]]);
    const d = mk(3, 290, [[1, 100], [2, 200]], [['$ConflictAction', '1', 1], ['Body', 'common', 2], ['Note', 'd', 3]]);
    expect(replicateNote(s, d, OPTS)).toEqual({
      outcome: 'merged',
      discarded: false,
      put: {
        unid: U,
        seq: 4,
        seqTime: 301,
        revisions: [[1, 100], [2, 200], [3, 290], [3, 300]],
        deleted: false,
        files: 0,
        items: [
          { name: '$ConflictAction', key: '$conflictaction', value: '1', seq: 1 },
          { name: 'Body', key: 'body', value: 'common', seq: 2 },
          { name: 'Note', key: 'note', value: 'd', seq: 4 },
          { name: 'Subject', key: 'subject', value: 's', seq: 3 },
        ],
      },
    });
  });
});

describe('R5 merge-no-conflicts ("3")', () => {
  // Common (1, 100). S (winner, seq 3): Subject at 2, Note at 3. D (loser, seq 2): Subject and Body at 2.
  const S = mk(3, 300, [[1, 100], [2, 200]], [['$ConflictAction', '3', 1], ['Subject', 's', 2], ['Note', 'sn', 3], ['Body', 'x', 1]]);
  const D = mk(2, 250, [[1, 100]], [['$ConflictAction', '3', 1], ['Subject', 'd', 2], ['Note', 'n', 1], ['Body', 'db', 2]]);
  const merged = {
    unid: U,
    seq: 4,
    seqTime: 301,
    revisions: [[1, 100], [2, 200], [2, 250], [3, 300]],
    deleted: false,
    files: 0,
    items: [
      { name: '$ConflictAction', key: '$conflictaction', value: '3', seq: 1 },
      { name: 'Body', key: 'body', value: 'db', seq: 4 },
      { name: 'Note', key: 'note', value: 'sn', seq: 3 },
      { name: 'Subject', key: 'subject', value: 's', seq: 2 },
    ],
  };

  it('R5: an overlap keeps the winner\'s value, merges the loser\'s other changes, discards, makes no conflict document', () => {
    const r = replicateNote(S, D, OPTS);
    expect(r).toEqual({ outcome: 'merged', put: merged, discarded: true });
    expect(r).not.toHaveProperty('conflictDoc');
  });

  it('R5: the same merged version whichever side is D', () => {
    expect(replicateNote(D, S, OPTS)).toEqual({ outcome: 'merged', put: merged, discarded: true });
  });

  it('R5: without an overlap it merges like "1" and discards nothing', () => {
    const s = mk(2, 300, [[1, 100]], [['$ConflictAction', '3', 1], ['Subject', 's', 2]]);
    const d = mk(2, 250, [[1, 100]], [['$ConflictAction', '3', 1], ['Subject', 'a', 1], ['Body', 'd', 2]]);
    const r = replicateNote(s, d, OPTS);
    expect(r.outcome).toBe('merged');
    if (r.outcome !== 'merged') return;
    expect(r.discarded).toBe(false);
    expect(r.put.items.map((i) => [i.name, i.value, i.seq])).toEqual([
      ['$ConflictAction', '3', 1],
      ['Body', 'd', 3],
      ['Subject', 's', 2],
    ]);
  });
});

describe('R5 none ("2")', () => {
  const S = mk(2, 300, [[1, 100]], [['$ConflictAction', '2', 1], ['Subject', 's', 2]]);
  const D = mk(2, 200, [[1, 100]], [['$ConflictAction', '2', 1], ['Subject', 'd', 2], ['Body', 'lost', 2]]);

  it('R5: D holding the loser takes the winner; the loser\'s changes are discarded', () => {
    expect(replicateNote(S, D, OPTS)).toEqual({ outcome: 'updated', put: S, discarded: true });
  });

  it('R5: D holding the winner: nothing happens', () => {
    expect(replicateNote(D, S, OPTS)).toEqual({ outcome: null });
  });
});

describe('R5 $ConflictAction is the winner\'s', () => {
  it('R5: the loser asking for merge does not merge: the winner has none, so create', () => {
    const s = mk(3, 300, [[1, 100], [2, 200]], [['Body', 's', 3]]);
    const d = mk(2, 250, [[1, 100]], [['$ConflictAction', '1', 2], ['Subject', 'd', 2]]);
    const r = replicateNote(s, d, OPTS);
    expect(r.outcome).toBe('conflict');
    expect(replicateNote(d, s, OPTS)).toEqual({ outcome: null });
  });

  it('R5: the winner asking for "2" while the loser asks for "1": none, D takes the winner', () => {
    const s = mk(3, 300, [[1, 100], [2, 200]], [['$ConflictAction', '2', 3], ['Body', 's', 2]]);
    const d = mk(2, 250, [[1, 100]], [['$ConflictAction', '1', 2], ['Subject', 'd', 2]]);
    expect(replicateNote(s, d, OPTS)).toEqual({ outcome: 'updated', put: s, discarded: true });
  });

  it('R5: the winner asking for "1" merges although the loser changed its $ConflictAction to "2"', () => {
    const s = mk(3, 300, [[1, 100], [2, 200]], [['$ConflictAction', '1', 1], ['Body', 's', 2]]);
    const d = mk(2, 250, [[1, 100]], [['$ConflictAction', '2', 2], ['Subject', 'd', 2]]);
    // The loser's $ConflictAction is one of its changed items: it is merged as a value, not obeyed as the action.
    expect(replicateNote(s, d, OPTS)).toEqual({
      outcome: 'merged',
      discarded: false,
      put: {
        unid: U,
        seq: 4,
        seqTime: 301,
        revisions: [[1, 100], [2, 200], [2, 250], [3, 300]],
        deleted: false,
        files: 0,
        items: [
          { name: '$ConflictAction', key: '$conflictaction', value: '2', seq: 4 },
          { name: 'Body', key: 'body', value: 's', seq: 2 },
          { name: 'Subject', key: 'subject', value: 'd', seq: 4 },
        ],
      },
    });
  });

  it('R5: $ConflictAction changed on both sides is itself an overlap: merge falls back to create', () => {
    const s = mk(3, 300, [[1, 100], [2, 200]], [['$ConflictAction', '1', 3], ['Body', 's', 2]]);
    const d = mk(2, 250, [[1, 100]], [['$ConflictAction', '2', 2], ['Subject', 'd', 2]]);
    expect(replicateNote(s, d, OPTS).outcome).toBe('conflict');
  });

  it('R5: the item name is case-insensitive ($conflictaction)', () => {
    const s = mk(3, 300, [[1, 100], [2, 200]], [['$conflictaction', '2', 1], ['Body', 's', 3]]);
    const d = mk(2, 250, [[1, 100]], [['$conflictaction', '2', 1], ['Subject', 'd', 2]]);
    expect(replicateNote(s, d, OPTS)).toEqual({ outcome: 'updated', put: s, discarded: true });
  });
});

describe('R5 with capped revisions (limitRevisions)', () => {
  // Both sides start from (1, 100) with $ConflictAction "1" and make disjoint changes.
  function sides(limit: number): { s: Note; d: Note } {
    const base = applySave(undefined, U, { set: [['$ConflictAction', '1'], ['Subject', 'a'], ['Body', 'x']] }, 100, limit).note;
    let s = applySave(base, U, { set: [['Subject', 's1']] }, 200, limit).note;
    s = applySave(s, U, { set: [['Subject', 's2']] }, 300, limit).note;
    s = applySave(s, U, { set: [['Subject', 's3']] }, 400, limit).note;
    const d = applySave(base, U, { set: [['Body', 'd']] }, 250, limit).note;
    return { s, d };
  }

  it('R5: uncapped, disjoint changes merge', () => {
    const { s, d } = sides(0);
    expect(s.revisions).toEqual([[1, 100], [2, 200], [3, 300]]);
    expect(replicateNote(s, d, { limitRevisions: 0 }).outcome).toBe('merged');
  });

  it('R5: capped at 2, the common entry is dropped, the copies look diverged and merge falls back to a conflict', () => {
    const { s, d } = sides(2);
    expect(s.revisions).toEqual([[2, 200], [3, 300]]);
    expect(d.revisions).toEqual([[1, 100]]);
    const r = replicateNote(s, d, { limitRevisions: 2 });
    expect(r.outcome).toBe('conflict');
    if (r.outcome !== 'conflict') return;
    expect(r.conflictDoc.unid).toBe(conflictUnid(U, 2, 250));
    expect(replicateNote(d, s, { limitRevisions: 2 })).toEqual({ outcome: null });
  });

  it('R4/R5: a cap that dropped D\'s version from S\'s revisions makes a true descendant look diverged', () => {
    const base = applySave(undefined, U, { set: [['$ConflictAction', '1'], ['Subject', 'a']] }, 100, 2).note;
    let s = base;
    for (const t of [200, 300, 400]) s = applySave(s, U, { set: [['Subject', `s${t}`]] }, t, 2).note;
    expect(s.revisions).toEqual([[2, 200], [3, 300]]);
    const r = replicateNote(s, base, { limitRevisions: 2 });
    expect(r.outcome).toBe('conflict');
    if (r.outcome !== 'conflict') return;
    expect(r.conflictDoc.unid).toBe(conflictUnid(U, 1, 100));
    expect(r.conflictDoc.items.map((i) => [i.name, i.value, i.seq])).toEqual([
      ['$Conflict', '', 1],
      ['$ConflictAction', '1', 1],
      ['$REF', U, 1],
      ['Subject', 'a', 1],
    ]);
  });

  it('R5: a capped merged version can lose the loser\'s current pair and then conflicts with the loser\'s copy', () => {
    // W (seq 3) and L (seq 2) diverged from (1, 100) with disjoint changes; W's (2, 260) sorts after L's (2, 250),
    // so the cap of 2 keeps (2, 260), (3, 300) and drops L's current pair from the merged list.
    const w = mk(3, 300, [[1, 100], [2, 260]], [['$ConflictAction', '1', 1], ['Subject', 'w', 3]]);
    const l = mk(2, 250, [[1, 100]], [['$ConflictAction', '1', 1], ['Body', 'l', 2]]);
    const opts = { limitRevisions: 2 };
    const m = putOf(replicateNote(l, w, opts));
    expect(m.revisions).toEqual([[2, 260], [3, 300]]);
    expect(m.seq).toBe(4);
    // Made on W's side, the merged version reaches L's copy looking diverged with no common version: a conflict.
    const atL = replicateNote(m, l, opts);
    expect(atL.outcome).toBe('conflict');
    if (atL.outcome !== 'conflict') return;
    expect(atL.conflictDoc.unid).toBe(conflictUnid(U, 2, 250));
    // Made on L's side instead, it descends from W's copy: no conflict. Which side merged decides the outcome.
    expect(putOf(replicateNote(w, l, opts))).toEqual(m);
    expect(replicateNote(m, w, opts)).toEqual({ outcome: 'updated', put: m, discarded: false });
  });

  it('R5: the merged version obeys D\'s cap, dropping the oldest entries', () => {
    const s = mk(2, 300, [[1, 100]], [['$ConflictAction', '1', 1], ['Subject', 's', 2]]);
    const d = mk(3, 260, [[1, 100], [2, 200]], [['$ConflictAction', '1', 1], ['Body', 'd', 3]]);
    const r = replicateNote(s, d, { limitRevisions: 2 });
    expect(r.outcome).toBe('merged');
    expect(putOf(r).revisions).toEqual([[2, 300], [3, 260]]);
    expect(putOf(r).seq).toBe(4);
    expect(putOf(r).seqTime).toBe(301);
  });
});

describe('R6: a stub against an edited copy', () => {
  it('R6: a single earlier edit loses to a later deletion', () => {
    const edit = mk(2, 200, [[1, 100]], [['Subject', 'edited', 2]]);
    const del = stub(2, 300, [[1, 100]]);
    expect(replicateNote(del, edit, OPTS)).toEqual({ outcome: 'deleted', put: del, discarded: true });
    expect(replicateNote(edit, del, OPTS)).toEqual({ outcome: null });
  });

  it('R6: a copy edited twice beats a deletion made once, and the document reappears', () => {
    const edit = mk(3, 210, [[1, 100], [2, 200]], [['Subject', 'edited twice', 3]]);
    const del = stub(2, 300, [[1, 100]]);
    const r = replicateNote(edit, del, OPTS);
    expect(r).toEqual({ outcome: 'updated', put: edit, discarded: true });
    expect(putOf(r).deleted).toBe(false);
    expect(replicateNote(del, edit, OPTS)).toEqual({ outcome: null });
  });

  it('R6: an edit made after the deletion (same seq, later seqTime) wins and the document reappears', () => {
    const del = stub(2, 200, [[1, 100]]);
    const edit = mk(2, 300, [[1, 100]], [['Subject', 'edited later', 2]]);
    const r = replicateNote(edit, del, OPTS);
    expect(r).toEqual({ outcome: 'updated', put: edit, discarded: true });
    expect(putOf(r).deleted).toBe(false);
    expect(replicateNote(del, edit, OPTS)).toEqual({ outcome: null });
  });

  it('R6: $ConflictAction is ignored and no conflict document is ever made', () => {
    for (const action of [undefined, '1', '2', '3', '0']) {
      const extra: It[] = action === undefined ? [] : [['$ConflictAction', action, 3]];
      const edit = mk(3, 210, [[1, 100], [2, 200]], [['Subject', 'e', 3], ...extra]);
      const del = stub(2, 300, [[1, 100]]);
      const win = replicateNote(edit, del, OPTS);
      expect(win).toEqual({ outcome: 'updated', put: edit, discarded: true });
      expect(win).not.toHaveProperty('conflictDoc');

      const edit1 = mk(2, 200, [[1, 100]], [['Subject', 'e', 2], ...(action === undefined ? [] : [['$ConflictAction', action, 2] as It])]);
      const lose = replicateNote(del, edit1, OPTS);
      expect(lose).toEqual({ outcome: 'deleted', put: del, discarded: true });
      expect(lose).not.toHaveProperty('conflictDoc');
    }
  });

  it('R6 [choice]: two diverged stubs: the winning stub is taken and nothing counts as discarded', () => {
    const a = stub(2, 200, [[1, 100]]);
    const b = stub(3, 250, [[1, 100], [2, 150]]);
    expect(replicateNote(b, a, OPTS)).toEqual({ outcome: 'deleted', put: b, discarded: false });
    expect(replicateNote(a, b, OPTS)).toEqual({ outcome: null });
  });
});

describe('R7: every applied change gets the next change number in D', () => {
  it('R7: updated, conflict and merged arrivals each take the next dense change number and are listed by changedSince', () => {
    const V = 'FEDCBA9876543210FEDCBA9876543210';
    const W = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const d = new Replica('D', 'db');
    // Local saves in D: change numbers 1, 2, 3.
    const u1 = applySave(undefined, U, { set: [['Subject', 'a']] }, 100, 0).note;
    const v1 = applySave(undefined, V, { set: [['$ConflictAction', '1'], ['Subject', 'a']] }, 110, 0).note;
    const w1 = applySave(undefined, W, { set: [['Subject', 'a']] }, 120, 0).note;
    expect([d.put(u1, 1), d.put(v1, 2), d.put(w1, 3)]).toEqual([1, 2, 3]);
    const dW = applySave(w1, W, { set: [['Subject', 'd']] }, 150, 0).note;
    expect(d.put(dW, 4)).toBe(4);

    // S's copies: U descends (R4), V diverged with disjoint changes (merge), W diverged and wins (conflict).
    const sU = applySave(u1, U, { set: [['Subject', 's']] }, 200, 0).note;
    const dV = applySave(v1, V, { set: [['Body', 'd']] }, 205, 0).note;
    expect(d.put(dV, 5)).toBe(5);
    const sV = applySave(v1, V, { set: [['Subject', 's']] }, 210, 0).note;
    const sW = applySave(applySave(w1, W, { set: [['Subject', 's']] }, 220, 0).note, W, {}, 230, 0).note;

    const applied: [string, number][] = [];
    for (const src of [sU, sV, sW]) {
      const r = replicateNote(src, d.get(src.unid), { limitRevisions: d.limitRevisions });
      if (r.outcome === null || r.outcome === 'collision') throw new Error(`no change for ${src.unid}`);
      if (r.outcome === 'conflict') applied.push([r.conflictDoc.unid, d.put(r.conflictDoc, 9)]);
      applied.push([r.put.unid, d.put(r.put, 9)]);
    }
    const cu = conflictUnid(W, 2, 150);
    expect(applied).toEqual([
      [U, 6],
      [V, 7],
      [cu, 8],
      [W, 9],
    ]);
    expect(d.changeNumber).toBe(9);
    expect(d.changedSince(5)).toEqual([U, V, cu, W]);
    expect(d.changedSince(0)).toEqual([U, V, cu, W]);
    expect(d.changedSince(7)).toEqual([cu, W]);
    expect(d.doc(U)?.modifiedInFile).toBe(6);
    expect(d.doc(V)?.modifiedInFile).toBe(7);
    expect(d.get(V)?.seq).toBe(3);
    expect(d.get(V)?.seqTime).toBe(211);
    expect(d.get(W)).toBe(sW);
    expect(d.get(cu)?.items.find((i) => i.key === '$ref')?.value).toBe(W);
  });

  it('R7: an arrival that changes nothing takes no change number', () => {
    const d = new Replica('D', 'db');
    const n = applySave(undefined, U, { set: [['Subject', 'a']] }, 100, 0).note;
    d.put(n, 1);
    const r = replicateNote({ ...n, items: n.items.slice() }, d.get(U), OPTS);
    expect(r).toEqual({ outcome: null });
    expect(d.changeNumber).toBe(1);
    expect(d.changedSince(1)).toEqual([]);
  });

  it('R7: a deletion arriving is a change too', () => {
    const d = new Replica('D', 'db');
    const n = applySave(undefined, U, { set: [['Subject', 'a']] }, 100, 0).note;
    d.put(n, 1);
    const del = applyDelete(n, U, 200, 0);
    const r = replicateNote(del, d.get(U), OPTS);
    expect(r.outcome).toBe('deleted');
    expect(d.put(putOf(r), 2)).toBe(2);
    expect(d.changedSince(1)).toEqual([U]);
    expect(d.stubs).toBe(1);
  });
});
