import { describe, it, expect } from 'vitest';
import { Replica, foldLog } from './replica.js';
import { applyDelete, applySave } from '../note/applySave.js';
import { replicateNote } from '../replicate/replicateNote.js';
import type { Note } from '../note/note.js';
import { Revisions } from '../note/revisions.js';

const DAY = 86_400_000;
const A = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const B = 'BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
const C = 'CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC';
const E = 'EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE';

function save(r: Replica, unid: string, set: [string, string][], time: number): Note {
  const note = applySave(r.get(unid), unid, { set }, time, r.limitRevisions).note;
  r.put(note, 0);
  return note;
}

function del(r: Replica, unid: string, time: number): Note {
  const note = applyDelete(r.get(unid), unid, time, r.limitRevisions);
  r.put(note, 0);
  return note;
}

describe('change numbers (S1, R1, R7)', () => {
  it('R1: every put gets the next dense change number, starting at 1', () => {
    const r = new Replica('S', 'db');
    expect(r.changeNumber).toBe(0);
    const n1 = applySave(undefined, A, { set: [['x', 1]] }, 10, 0).note;
    const n2 = applySave(undefined, B, { set: [['x', 2]] }, 20, 0).note;
    const n3 = applySave(n1, A, { set: [['x', 3]] }, 30, 0).note;
    expect([r.put(n1, 11), r.put(n2, 12), r.put(n3, 13)]).toEqual([1, 2, 3]);
    expect(r.changeNumber).toBe(3);
    expect(r.changeAt(1)).toBe(n1);
    expect(r.changeAt(2)).toBe(n2);
    expect(r.changeAt(3)).toBe(n3);
    expect(r.changeAt(4)).toBeUndefined();
    expect(r.get(A)).toBe(n3);
    expect(r.doc(A)).toEqual({ note: n3, modifiedInFile: 3, cause: 13 });
    expect(r.doc(B)).toEqual({ note: n2, modifiedInFile: 2, cause: 12 });
    expect(r.size).toBe(2);
  });

  it('R1b: a deletion is a change and counts as a stub', () => {
    const r = new Replica('S', 'db');
    save(r, A, [['x', 'a']], 10);
    del(r, A, 20);
    expect(r.changeNumber).toBe(2);
    expect(r.stubs).toBe(1);
    expect(r.size).toBe(1);
    save(r, A, [['x', 'again']], 30);
    expect(r.stubs).toBe(0);
    expect(r.changeNumber).toBe(3);
  });
});

describe('changedSince (R9 reads it)', () => {
  it('R9: lists documents in change-number order, each once, at its last change', () => {
    const r = new Replica('S', 'db');
    save(r, A, [['x', '1']], 1); // 1
    save(r, B, [['x', '2']], 2); // 2
    save(r, A, [['x', '3']], 3); // 3
    save(r, C, [['x', '4']], 4); // 4
    save(r, B, [['x', '5']], 5); // 5
    expect(r.changedSince(0)).toEqual([A, C, B]);
    expect(r.changedSince(2)).toEqual([A, C, B]);
    expect(r.changedSince(3)).toEqual([C, B]);
    expect(r.changedSince(4)).toEqual([B]);
    expect(r.changedSince(5)).toEqual([]);
  });

  it('R9: upTo bounds the range to the change number read at the start', () => {
    const r = new Replica('S', 'db');
    save(r, A, [['x', '1']], 1);
    save(r, B, [['x', '2']], 2);
    save(r, C, [['x', '3']], 3);
    expect(r.changedSince(0, 2)).toEqual([A, B]);
    expect(r.changedSince(1, 2)).toEqual([B]);
    expect(r.changedSince(2, 2)).toEqual([]);
  });

  it('R9: a negative history point reads as no history', () => {
    const r = new Replica('S', 'db');
    save(r, A, [['x', '1']], 1);
    expect(r.changedSince(-5)).toEqual([A]);
  });
});

describe('R10: purge', () => {
  function setup(): Replica {
    const r = new Replica('S', 'db', 0, 1); // purgeDays = 1
    save(r, A, [['x', 'live']], 0);
    save(r, B, [['x', 'b']], 0);
    del(r, B, 1_000); // stub, seqTime 1000
    save(r, C, [['x', 'c']], 0);
    del(r, C, 2 * DAY); // stub, seqTime 2 days
    return r;
  }

  it('R10: removes only the stubs older than purgeDays at the given clock and remembers their UNIDs', () => {
    const r = setup();
    const before = r.changeNumber;
    expect(r.purge(DAY + 1_001)).toEqual([B]); // limit 1001: stub B (1000) is older, stub C and live A are not
    expect(r.get(B)).toBeUndefined();
    expect(r.wasPurged(B)).toBe(true);
    expect(r.wasPurged(C)).toBe(false);
    expect(r.wasPurged(A)).toBe(false);
    expect(r.get(C)?.deleted).toBe(true);
    expect(r.get(A)?.deleted).toBe(false);
    expect(r.size).toBe(2);
    expect(r.stubs).toBe(1);
    expect(r.changeNumber).toBe(before); // purges take no change number
    expect(r.changedSince(0)).toEqual([A, C]);
  });

  it('R10: a document read just before its stub is purged comes back as a new document when saved again', () => {
    // put() reuses the slot the last get() found: a purge in between must not leave it pointing at the removed slot.
    const r = setup();
    expect(r.get(B)?.deleted).toBe(true);
    expect(r.purge(DAY + 1_001)).toEqual([B]);
    const back = applySave(undefined, B, { set: [['x', 'again']] }, 3 * DAY, 0).note;
    r.put(back, 0);
    expect(r.get(B)).toBe(back);
    expect(r.size).toBe(3);
    expect(r.stubs).toBe(1);
    expect(r.wasPurged(B)).toBe(false);
    expect(r.changedSince(0)).toEqual([A, C, B]);
    expect(r.notes().map((n) => n.unid)).toEqual([A, B, C]);
  });

  it('R10: a stub exactly purgeDays old is not yet older, so it stays', () => {
    const r = setup();
    expect(r.purge(DAY + 1_000)).toEqual([]);
    expect(r.get(B)?.deleted).toBe(true);
    expect(r.wasPurged(B)).toBe(false);
  });

  it('R10: live documents are never purged, however old', () => {
    const r = setup();
    expect(r.purge(1_000 * DAY).sort()).toEqual([B, C]);
    expect(r.get(A)?.deleted).toBe(false);
    expect(r.stubs).toBe(0);
  });

  it('R10: the default purgeDays is 90', () => {
    const r = new Replica('S', 'db');
    save(r, A, [['x', 'a']], 0);
    del(r, A, 10);
    expect(r.purge(10 + 90 * DAY)).toEqual([]);
    expect(r.purge(11 + 90 * DAY)).toEqual([A]);
  });

  it('R10: a live copy arriving for a purged UNID is a resurrection', () => {
    const r = setup();
    r.purge(DAY + 1_001);
    const partner = applySave(applySave(undefined, B, { set: [['x', 'b']] }, 0, 0).note, B, { set: [['x', 'edited twice']] }, 500, 0).note;
    const res = replicateNote(partner, r.get(B), { limitRevisions: 0, purgedAtDestination: r.wasPurged(B) });
    expect(res.outcome).toBe('resurrected');
  });
});

describe('foldLog: the live state is the fold of the change log', () => {
  it('foldLog(r.log()) deep-equals r.notes() after saves, deletes, replicated arrivals, a purge and a re-creation', () => {
    const r = new Replica('S', 'db', 3, 1);
    save(r, A, [['Subject', 'a1']], 0);
    save(r, B, [['Subject', 'b1']], 10);
    save(r, A, [['SUBJECT', 'a2'], ['Body', 'x']], 20);
    del(r, B, 30);
    save(r, C, [['__proto__', 'c1']], 40);
    // A replicated arrival (R2) from a partner.
    const e = applySave(undefined, E, { set: [['Subject', 'e']] }, 50, 0).note;
    const res = replicateNote(e, r.get(E), { limitRevisions: r.limitRevisions });
    if (!('put' in res)) throw new Error('expected a put');
    r.put(res.put, 0);
    expect(r.purge(DAY + 31)).toEqual([B]);
    save(r, A, [['Body', 'y']], DAY + 40);
    del(r, C, DAY + 50);
    save(r, B, [['Subject', 'b again']], DAY + 60); // re-created after its stub was purged
    const log = r.log();
    expect(log.purges).toEqual([{ afterNo: 6, unid: B }]);
    expect(log.changes.map((c) => c.no)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const folded = foldLog(log);
    expect(folded).toEqual(r.notes());
    expect(folded.map((n) => [n.unid, n.seq, n.deleted])).toEqual([
      [A, 3, false],
      [B, 1, false],
      [C, 2, true],
      [E, 1, false],
    ]);
  });

  it('foldLog drops a purged stub that was never re-created', () => {
    const r = new Replica('S', 'db', 0, 1);
    save(r, A, [['x', 'a']], 0);
    del(r, A, 1);
    save(r, B, [['x', 'b']], 2);
    r.purge(DAY + 5);
    expect(foldLog(r.log())).toEqual(r.notes());
    expect(r.notes().map((n) => n.unid)).toEqual([B]);
  });

  it('notes() is sorted by UNID whatever the order of the changes', () => {
    const r = new Replica('S', 'db');
    save(r, E, [['x', '1']], 1);
    save(r, A, [['x', '2']], 2);
    save(r, C, [['x', '3']], 3);
    expect(r.notes().map((n) => n.unid)).toEqual([A, C, E]);
  });
});

describe('R7/R9: the compacted change log (keepHistory false)', () => {
  const note = (unid: string, seq: number): Note => ({ unid, seq, seqTime: seq * 10, revisions: Revisions.EMPTY, deleted: false, items: [] });
  it('R9: keeps each document once, at its last change, in change-number order; folding it gives the live state', () => {
    const r = new Replica('A', 'd', 0, 90, false);
    r.put(note('X', 1), 1);
    r.put(note('Y', 1), 1);
    r.put(note('X', 2), 1);
    r.put(note('Z', 1), 1);
    r.put(note('Y', 2), 1);
    expect(r.changeNumber).toBe(5);
    expect(r.log().changes.map((c) => [c.no, c.note.unid])).toEqual([
      [3, 'X'],
      [4, 'Z'],
      [5, 'Y'],
    ]);
    expect(r.changedSince(3)).toEqual(['Z', 'Y']);
    expect(r.changedSince(0, 4)).toEqual(['X', 'Z']);
    expect(foldLog(r.log())).toEqual(r.notes());
    expect(r.changeAt(1)).toBeUndefined();
  });

  it('R10: a purged stub leaves the compacted log; a resurrection comes back at its new change number', () => {
    const r = new Replica('A', 'd', 0, 1, false);
    r.put(note('X', 1), 1);
    r.put({ ...note('X', 2), deleted: true, seqTime: 0 }, 1);
    r.put(note('Y', 1), 1);
    expect(r.purge(2 * 86_400_000)).toEqual(['X']);
    expect(r.log().changes.map((c) => c.note.unid)).toEqual(['Y']);
    r.put(note('X', 5), 1);
    expect(r.log().changes.map((c) => [c.no, c.note.unid])).toEqual([
      [3, 'Y'],
      [4, 'X'],
    ]);
    expect(foldLog(r.log())).toEqual(r.notes());
    const c = r.clone();
    expect(c.log()).toEqual(r.log());
    expect(c.changedSince(3)).toEqual(['X']);
  });
});

describe('changeOrder (what exploration hashes: R9 sends documents in this order)', () => {
  // Each check reads both: the list, and the same notes written into an array at an offset (changeOrderInto, what
  // the abstract state's hash reads), which leaves what is before and after them alone.
  const unids = (r: Replica) => {
    const list = r.changeOrder();
    const out = ['before', 'before', 'after'] as unknown as Note[];
    expect(r.changeOrderInto(out, 2)).toBe(2 + list.length);
    expect(out.slice(0, 2)).toEqual(['before', 'before']);
    expect(out.slice(2, 2 + list.length)).toEqual(list);
    for (let i = 0; i < list.length; i++) expect(out[2 + i]).toBe(list[i]);
    if (list.length === 0) expect(out[2]).toBe('after');
    return list.map((n) => n.unid);
  };

  it('R9: lists each document once, at its last change, after every save, deletion and purge, on a clone and on its original', () => {
    const r = new Replica('S', 'db', 0, 1);
    save(r, A, [['x', 'a']], 0);
    save(r, B, [['x', 'b']], 0);
    expect(unids(r)).toEqual([A, B]);
    save(r, A, [['x', 'a2']], 1);
    expect(unids(r)).toEqual([B, A]);
    expect(r.changeOrder()[1]).toBe(r.get(A));
    const c = r.clone();
    expect(unids(c)).toEqual([B, A]);
    // Each side's changes stay on that side.
    save(c, B, [['x', 'b2']], 2);
    del(r, A, 3);
    expect(unids(c)).toEqual([A, B]);
    expect(c.changeOrder()[1]).toBe(c.get(B));
    expect(unids(r)).toEqual([B, A]);
    expect(r.changeOrder()[1]!.deleted).toBe(true);
    expect(r.purge(DAY + 4)).toEqual([A]);
    expect(unids(r)).toEqual([B]);
    save(r, C, [['x', 'c']], DAY + 5);
    expect(unids(r)).toEqual([B, C]);
    expect(unids(c)).toEqual([A, B]);
  });
});

describe('clone (snapshots share what neither side has changed yet)', () => {
  it('R9/R10: histories, documents and purges changed on either side after a clone stay on that side', () => {
    const r = new Replica('S', 'db', 0, 1);
    save(r, A, [['x', 'a']], 0);
    save(r, B, [['x', 'b']], 0);
    del(r, B, 1_000);
    r.setHistory('P', 5);
    const c = r.clone();
    // The clone changes its history, purges a stub and saves; the original keeps all of its own.
    c.setHistory('P', 9);
    c.setHistory('Q', 1);
    expect(c.purge(DAY + 1_001)).toEqual([B]);
    save(c, C, [['x', 'c']], 2 * DAY);
    expect(r.getHistory('P')).toBe(5);
    expect(r.getHistory('Q')).toBe(0);
    expect(r.histories()).toEqual([['P', 5]]);
    expect(r.wasPurged(B)).toBe(false);
    expect(r.get(B)?.deleted).toBe(true);
    expect(r.get(C)).toBeUndefined();
    expect(r.log().purges).toEqual([]);
    expect(c.histories()).toEqual([['P', 9], ['Q', 1]]);
    expect(c.wasPurged(B)).toBe(true);
    expect(c.log().purges).toEqual([{ afterNo: 3, unid: B }]);
    // And the other way round: the original changes after being cloned, the clone keeps the old values.
    const d = r.clone();
    r.setHistory('P', 7);
    expect(r.purge(DAY + 1_001)).toEqual([B]);
    expect(d.getHistory('P')).toBe(5);
    expect(d.wasPurged(B)).toBe(false);
    expect(d.log().purges).toEqual([]);
  });

  it('R10/R7: a clone made after a purge keeps its own purged UNIDs and change log: a re-creation on one side is not one on the other', () => {
    const r = new Replica('S', 'db', 0, 1);
    save(r, A, [['x', 'a']], 0);
    del(r, A, 1_000);
    expect(r.purge(DAY + 1_001)).toEqual([A]);
    const c = r.clone();
    save(c, A, [['x', 'again']], 2 * DAY);
    // The original still remembers the purge (a copy arriving there is a resurrection) and never saw the save.
    expect(c.wasPurged(A)).toBe(false);
    expect(r.wasPurged(A)).toBe(true);
    expect(r.changeNumber).toBe(2);
    expect(r.changeAt(3)).toBeUndefined();
    expect(r.log().changes.map((e) => e.no)).toEqual([1, 2]);
    expect(c.log().changes.map((e) => e.no)).toEqual([1, 2, 3]);
  });
});

describe('histories and coveredUpTo (R9; exploration reads them)', () => {
  it('R9: histories are listed by sender name, whatever order the sessions ran in', () => {
    const r = new Replica('S', 'db');
    r.setHistory('Q', 2);
    r.setHistory('P', 5);
    expect(r.histories()).toEqual([['P', 5], ['Q', 2]]);
  });

  it('R9: coveredUpTo(no) counts the documents last changed at or before change number no', () => {
    const r = new Replica('S', 'db');
    save(r, A, [['x', 'a']], 0); // 1
    save(r, B, [['x', 'b']], 0); // 2
    save(r, C, [['x', 'c']], 0); // 3
    save(r, A, [['x', 'a2']], 0); // 4: A's last change
    expect([0, 1, 2, 3, 4].map((no) => r.coveredUpTo(no))).toEqual([0, 0, 1, 2, 3]);
  });
});
