import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assertLogProperty } from '../../test/property.js';
import { applyDelete, applySave } from './applySave.js';
import { attachmentsOf, filesOf, hasAttachments, type ItemValue, type Note } from './note.js';
import { encodeLog } from '../log/encodeLog.js';
import type { InputEvent } from '../log/events.js';
import { arbItems } from '../log/logArbitraries.js';
import { Simulator } from '../simulate/simulator.js';
import { replicateNote } from '../replicate/replicateNote.js';
import { propertyRuns } from '../../../../scripts/propertySeed.js';

// `Note.files` is what a note's `$FILE` holds, kept on the note so that scanners' passes (R13) need not read the item:
// carried from the version before when a save leaves `$FILE` alone. These check it against the items themselves, as
// R13 reads them, on every note the engine makes: saves, deletions, revivals, replicated copies, conflict documents
// and merged versions (R4-R6).

/** R13 read from the items, independently of note.ts: 0 no attachment (or a stub), 1 attachments, 2 one infected. */
function filesHeld(n: Note): 0 | 1 | 2 {
  const file = n.deleted ? undefined : n.items.find((i) => i.key === '$file');
  const v = file?.value;
  if (!Array.isArray(v) || v.length === 0 || typeof v[0] !== 'object') return 0;
  return (v as { infected?: boolean }[]).some((a) => a.infected === true) ? 2 : 1;
}

const U = '0123456789ABCDEF0123456789ABCDEF';
const V = 'FEDCBA9876543210FEDCBA9876543210';
const DB = 'db';

type Op =
  | { readonly kind: 'save'; readonly server: 'A' | 'B'; readonly unid: string; readonly set: ReadonlyMap<string, ItemValue>; readonly remove: readonly string[] }
  | { readonly kind: 'delete'; readonly server: 'A' | 'B'; readonly unid: string }
  | { readonly kind: 'replicate'; readonly server: 'A' | 'B' };

const FILE_SPELLINGS = ['$FILE', '$File', '$file'] as const;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        server: fc.constantFrom('A' as const, 'B' as const),
        // Mostly one document, so that copies diverge and meet (R5) often.
        unid: fc.constantFrom(U, U, U, V),
        set: arbItems(),
        // A merge needs `$ConflictAction` "1" on the winner (R5); the rest make conflict documents.
        merge: fc.boolean(),
        remove: fc.subarray([...FILE_SPELLINGS, 'Subject'], { maxLength: 1 }),
      })
      .map(({ server, unid, set, merge, remove }): Op => {
        const s = new Map(set);
        if (merge) s.set('$ConflictAction', '1');
        // The log format refuses a name both set and removed in one save.
        return { kind: 'save', server, unid, set: s, remove: remove.filter((r) => ![...s.keys()].some((k) => k.toLowerCase() === r.toLowerCase())) };
      }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), server: fc.constantFrom('A' as const, 'B' as const), unid: fc.constantFrom(U, V) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replicate' as const), server: fc.constantFrom('A' as const, 'B' as const) }) },
);

function eventsOf(ops: readonly Op[]): InputEvent[] {
  const ev: InputEvent[] = [
    { at: 0, type: 'server', name: 'A' },
    { at: 0, type: 'server', name: 'B', clockSkewMs: 1 },
    { at: 0, type: 'database', name: DB, replicas: ['A', 'B'] },
  ];
  const made = new Set<string>();
  ops.forEach((op, i) => {
    const at = 10 * (i + 1);
    if (op.kind === 'replicate') ev.push({ at, type: 'replicate', server: op.server, partner: op.server === 'A' ? 'B' : 'A', db: DB, mode: 'pull-push' });
    // A log's `delete` of a document the replica never held is refused (exit 2): only what was saved there.
    else if (op.kind === 'delete') {
      if (made.has(op.server + op.unid)) ev.push({ at, type: 'delete', server: op.server, db: DB, unid: op.unid, by: `user/${op.server}` });
    } else {
      made.add(op.server + op.unid);
      ev.push({ at, type: 'save', server: op.server, db: DB, unid: op.unid, by: `user/${op.server}`, set: op.set, ...(op.remove.length > 0 ? { remove: op.remove } : {}) });
    }
  });
  return ev;
}

describe('Note.files (R13: what a pass scans)', () => {
  it('R13: every note the engine holds, after saves, deletions, revivals, replication, conflicts and merges, says what its $FILE holds', () => {
    assertLogProperty({
      name: 'note-files',
      arbitrary: fc.array(opArb, { minLength: 1, maxLength: 14 }),
      numRuns: propertyRuns(300),
      toLog: (ops) => encodeLog({ replog: 1, meta: { property: 'note-files' } }, eventsOf(ops)),
      noteFailure: true,
      predicate: (ops) => {
        const sim = new Simulator({});
        eventsOf(ops).forEach((event, i) => sim.feed({ event, line: i + 2 }));
        sim.finish();
        for (const server of ['A', 'B']) {
          for (const n of sim.replica(server, DB)!.notes()) {
            expect({ server, unid: n.unid, files: n.files }).toEqual({ server, unid: n.unid, files: filesHeld(n) });
            expect(filesOf(n)).toBe(filesHeld(n));
            expect(hasAttachments(n)).toBe(filesHeld(n) !== 0);
          }
        }
      },
    });
  });

  it('R13: a save that leaves $FILE alone carries what the version before said; one that writes or removes it, in any spelling, reads it again', () => {
    const clean = [{ name: 'a.doc' }];
    const bad = [{ name: 'a.doc' }, { name: 'v.exe', infected: true }];
    const v1 = applySave(undefined, U, { set: [['$FILE', clean], ['Subject', 's']] }, 1, 0).note;
    expect(v1.files).toBe(1);
    const v2 = applySave(v1, U, { set: [['X-SSOTag', 't']] }, 2, 0).note;
    expect(v2.files).toBe(1);
    expect(v2.items.find((i) => i.key === '$file')).toBe(v1.items.find((i) => i.key === '$file'));
    const v3 = applySave(v2, U, { set: [['$File', bad]] }, 3, 0).note;
    expect(v3.files).toBe(2);
    const v4 = applySave(v3, U, { remove: ['$file'] }, 4, 0).note;
    expect(v4.files).toBe(0);
    const v5 = applySave(v4, U, { set: [['$FILE', []]] }, 5, 0).note;
    expect(v5.files).toBe(0);
    const stub = applyDelete(v3, U, 6, 0);
    expect(stub.files).toBe(0);
    // Revived: the save's items alone (applySave.ts), whatever the version before the stub held.
    expect(applySave(stub, U, { set: [['Subject', 'again']] }, 7, 0).note.files).toBe(0);
    expect(applySave(stub, U, { set: [['$FILE', clean]] }, 7, 0).note.files).toBe(1);
  });

  it('R5: a merged version reads its $FILE again: the loser\'s new attachments merged into the winner\'s items', () => {
    const base = applySave(undefined, U, { set: [['$FILE', [{ name: 'a.doc' }]], ['$ConflictAction', '1'], ['Subject', 's']] }, 1, 0).note;
    let winner = applySave(base, U, { set: [['Subject', 't']] }, 2, 0).note;
    winner = applySave(winner, U, { set: [['Subject', 'u']] }, 3, 0).note;
    const loser = applySave(base, U, { set: [['$FILE', [{ name: 'v.exe', infected: true }]]] }, 4, 0).note;
    const r = replicateNote(winner, loser, { limitRevisions: 0 });
    expect(r.outcome).toBe('merged');
    const merged = (r as { put: Note }).put;
    expect([winner.files, loser.files, merged.files, filesHeld(merged)]).toEqual([1, 2, 2, 2]);
  });

  it('R13: the exported readers of attachments read the items, not `files`: a design wrapping another may hand them a copy with other items, which carries the `files` of the note it was copied from (a review: such a copy, now infected, was called clean)', () => {
    const clean = applySave(undefined, U, { set: [['$FILE', [{ name: 'a.doc' }]]] }, 1, 0).note;
    const plain = applySave(undefined, U, { set: [['Subject', 's']] }, 1, 0).note;
    const infectedItems = applySave(clean, U, { set: [['$FILE', [{ name: 'v.exe', infected: true }]]] }, 2, 0).note.items;
    const copyInfected: Note = { ...clean, items: infectedItems };
    expect(copyInfected.files).toBe(1); // stale, as the review found (virusScanOf: design.test.ts)
    expect(attachmentsOf(copyInfected)).toEqual([{ name: 'v.exe', infected: true }]);
    const copyWithFiles: Note = { ...plain, items: clean.items };
    expect(hasAttachments(copyWithFiles)).toBe(true);
    expect(attachmentsOf(copyWithFiles)).toEqual([{ name: 'a.doc' }]);
    expect(hasAttachments({ ...clean, deleted: true })).toBe(false);
    expect(filesOf({ ...clean, deleted: true })).toBe(0);
  });

  it('R13: a note made outside the engine, without the field, is read from its items', () => {
    const v1 = applySave(undefined, U, { set: [['$FILE', [{ name: 'v.exe', infected: true }]]] }, 1, 0).note;
    const { files: _, ...bare } = v1;
    expect((bare as Note).files).toBeUndefined();
    expect(filesOf(bare)).toBe(2);
    expect(filesOf({ ...bare, deleted: true })).toBe(0);
    // A save of such a note reads the items again.
    expect(applySave(bare, U, { set: [['X-SSOTag', 't']] }, 2, 0).note.files).toBe(2);
  });
});
