import { describe, expect, it } from 'vitest';
import { describeInput, explainDerived, explainsEvent } from './explain.js';
import type { DerivedEvent } from './events.js';

const UNID = '00000000000000000000000005E7D001';
const arrival: DerivedEvent = { at: 195_001, type: 'replicated', from: 'Beta', to: 'Alpha', db: 'mail/a.nsf', unid: UNID, seq: 2, seqTime: 180_010, outcome: 'updated' };
const session = (sent: number, changed: number): DerivedEvent => ({ at: 195_001, type: 'session', server: 'Beta', partner: 'Alpha', db: 'mail/a.nsf', direction: 'cluster', sent, changed, interrupted: false });

describe('explainDerived: what followed an input, in words (explore\'s steps, the report\'s steps)', () => {
  it('R12: a cluster push on the replicator\'s timer is labelled after what it changed; one that sent a version its mate already had changed nothing and is not said (it read "moved by ... on its timer" with nothing moved: a researcher\'s QA pass)', () => {
    expect(explainsEvent(session(1, 1))).toBe(true);
    expect(explainsEvent(session(1, 0))).toBe(false);
    expect(explainsEvent(session(0, 0))).toBe(false);
    expect(explainsEvent({ ...session(1, 1), direction: 'push' } as DerivedEvent)).toBe(false);
    const scan = { type: 'scan', server: 'Alpha', kind: 'scheduled', db: 'mail/a.nsf', unid: UNID } as const;
    expect(explainDerived([arrival, session(1, 1)], scan)).toBe(`${UNID} updated on Alpha (seq 2, from Beta); (moved by Beta's cluster replicator on its timer, to Alpha)`);
    expect(explainDerived([session(1, 0)], scan)).toBe('no change');
    // The step's own push is not labelled: it is the input.
    expect(explainDerived([arrival, session(1, 1)], { type: 'push', server: 'Beta', partner: 'Alpha' })).toBe(`${UNID} updated on Alpha (seq 2, from Beta)`);
  });
});

describe('describeInput: an input in words', () => {
  it('a scanner\'s installation says what it is, and no more: "(its scheduled scans)" read as a promise of scans a design without a schedule never makes (a researcher\'s QA pass; blame\'s label for the cause says it, where its scheduled passes are what it caused)', () => {
    expect(describeInput({ type: 'scanner', server: 'Alpha', design: 'mine' })).toBe('scanner mine installed on Alpha');
    expect(describeInput({ type: 'scan', server: 'Alpha', kind: 'scheduled', db: 'mail/a.nsf', unid: UNID })).toBe(`scheduled scan on Alpha of mail/a.nsf ${UNID}`);
  });
});
