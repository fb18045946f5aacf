import { describe, expect, it } from 'vitest';
import { conflictsBeyond, createBlame, moreCausesText, type CauseBlame } from '../src/blame.js';

const cause = (line: number, revisions: number, conflicts: number): CauseBlame => ({ cause: line, label: `save by user/u${line}`, revisions, conflicts, byActor: { 'user/u': revisions } });

// The text and the report list the first 20 causes by revisions: what the rest hold of conflicts is said under them (a
// QA pass at scale: twenty causes of 2 revisions and none listed, 414 conflicts' causes below them, said by
// --blame --json alone).
describe('blame by cause: the causes not listed', () => {
  it('their conflicts are counted, with the cause of the most (the first such in the list\'s order)', () => {
    const causes = [cause(1, 3, 0), cause(2, 2, 0), cause(3, 1, 4), cause(4, 1, 0), cause(5, 1, 4), cause(6, 1, 1)];
    expect(conflictsBeyond(causes, 2)).toEqual({ causes: 3, conflicts: 9, most: causes[2] });
    expect(moreCausesText(causes, 2)).toBe('4 more causes, of which 3 made 9 conflicts (the most, 4, line 3: save by user/u3)');
    expect(moreCausesText(causes, 5)).toBe('1 more cause, of which 1 made 1 conflict (the most, 1, line 6: save by user/u6)');
  });

  it('none made a conflict: the count alone', () => {
    expect(conflictsBeyond([cause(1, 2, 0), cause(2, 1, 0)], 1)).toEqual({ causes: 0, conflicts: 0 });
    expect(moreCausesText([cause(1, 2, 0), cause(2, 1, 0), cause(3, 1, 0)], 1)).toBe('2 more causes');
  });
});

describe('blame by cause: the order', () => {
  it('by revisions, then by conflicts, then by line (ties were by line alone)', () => {
    const b = createBlame((line) => `line ${line}`, (line) => line);
    // Two users' saves of one document on two servers, each the cause of 1 revision (lines 3 and 4), then a save of
    // another document (line 5, 1 revision); the replicator's conflict gives lines 3 and 4 one conflict each.
    const rev = (at: number, server: string, unid: string, seq: number, cause: number) => ({ at, type: 'revised' as const, server, db: 'd', unid, seq, seqTime: at, items: ['S'], by: `user/${server}`, cause });
    b.add(rev(10, 'A', 'U1', 1, 1), true);
    b.add(rev(11, 'A', 'U2', 1, 2), true);
    b.add(rev(12, 'A', 'U3', 2, 3), false);
    b.add(rev(13, 'B', 'U3', 2, 4), false);
    b.add({ at: 20, type: 'conflict', server: 'A', db: 'd', unid: 'U3', conflictUnid: 'C3', winner: { seq: 2, seqTime: 13 }, loser: { seq: 2, seqTime: 12 } });
    const order = b.result().byCause.map((c) => [c.cause, c.revisions, c.conflicts]);
    expect(order).toEqual([
      [3, 1, 1],
      [4, 1, 1],
      [1, 1, 0],
      [2, 1, 0],
    ]);
  });
});
