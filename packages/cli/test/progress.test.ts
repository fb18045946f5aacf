import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry, smsdomStormEventStream } from '@replstorm/scenarios';
import { afterEach, describe, expect, it, vi } from 'vitest';
import stringWidth from 'string-width';
import { AtomicFile, createProgress, oneRow } from '../src/output.js';
import { readChunks } from '../src/readChunks.js';
import { simulateStream } from '../src/simulateStream.js';

// Progress goes to a terminal only, one line rewritten in place (`\r\x1b[K`): that clears the row the cursor is on,
// so a line longer than the terminal is wide wrapped and left its first rows behind at every tick (46 stale rows over
// a replay at 80 columns: a QA pass at scale). Standard error is made a terminal (and put back) by the tests below.
const stderr = process.stderr as unknown as { isTTY: boolean | undefined; columns: number | undefined; write: unknown };
const saved = { isTTY: stderr.isTTY, columns: stderr.columns, write: stderr.write };
afterEach(() => {
  Object.assign(stderr, saved);
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('progress on a terminal', () => {
  /** What one tick writes, on a terminal `columns` wide, for `text`. */
  function tickOn(columns: number | undefined, text: string): string {
    vi.useFakeTimers({ toFake: ['performance'] });
    const written: string[] = [];
    Object.assign(stderr, { isTTY: true, columns, write: (s: string) => written.push(s) });
    const p = createProgress('replay');
    vi.advanceTimersByTime(1_500);
    p.tick(() => text);
    return written.join('');
  }

  it('a line as wide as the terminal or wider is cut to one row, ending in "…"', () => {
    const long = 'x'.repeat(200);
    const out = tickOn(80, long);
    expect(out.startsWith('\r\x1b[K')).toBe(true);
    const line = out.slice('\r\x1b[K'.length);
    expect(line).toHaveLength(79);
    expect(line).toBe(`replay: ${'x'.repeat(70)}…`);
    expect(tickOn(80, 'x'.repeat(72)).slice(4)).toHaveLength(79);
  });

  it('the cut is by terminal columns: wide characters count two, and a character is never split (it counted UTF-16 units: a CJK file name still wrapped, and an emoji could be cut in half, a review)', () => {
    const line = tickOn(20, `${'日本'.repeat(10)}😀`).slice(4);
    expect(stringWidth(line)).toBeLessThanOrEqual(19);
    expect(line).toBe(`replay: 日本日本日…`);
    const emoji = tickOn(12, '😀😀😀😀😀😀').slice(4);
    expect(emoji).toBe('replay: 😀…');
    expect(oneRow('short', 80)).toBe('short');
  });

  it('`now` says its line at once (a step that holds the thread, such as building a big run\'s report, cannot tick: 6.5 s of silence, a QA pass at scale), and `done` clears it', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const written: string[] = [];
    Object.assign(stderr, { isTTY: true, columns: 80, write: (s: string) => written.push(s) });
    const p = createProgress('replstorm');
    p.now('building the HTML report (r.html)');
    expect(written.join('')).toBe('\r\x1b[Kreplstorm: building the HTML report (r.html)');
    p.done();
    expect(written.at(-1)).toBe('\r\x1b[K');
    // Not on standard error that is not a terminal.
    written.length = 0;
    Object.assign(stderr, { isTTY: false });
    const q = createProgress('replstorm');
    q.now('building the HTML report (r.html)');
    q.done();
    expect(written).toEqual([]);
  });

  it('nothing on a terminal that moves no cursor (TERM=dumb: an editor\'s shell buffer showed the escapes, a QA pass of environments)', () => {
    const term = process.env['TERM'];
    process.env['TERM'] = 'dumb';
    try {
      expect(tickOn(80, 'virtual time 0:01:00.000')).toBe('');
    } finally {
      if (term === undefined) delete process.env['TERM'];
      else process.env['TERM'] = term;
    }
  });

  it('a line that fits, or a terminal whose width is not known, is written whole', () => {
    expect(tickOn(80, 'virtual time 0:01:00.000')).toBe('\r\x1b[Kreplay: virtual time 0:01:00.000');
    expect(tickOn(undefined, 'x'.repeat(200))).toBe(`\r\x1b[Kreplay: ${'x'.repeat(200)}`);
  });
});

describe('progress of a replay', () => {

  it('a recording, mostly derived lines, says how much of the file was read as it goes (it said nothing past its inputs, all in its first second: a QA pass at scale)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replstorm-progress-'));
    try {
      const file = join(dir, 'rec.jsonl');
      const registry = builtinRegistry();
      const out = new AtomicFile(file);
      await simulateStream({ events: smsdomStormEventStream({ databases: 2, docs: 100, horizonMs: 6 * 3_600_000 }), header: { replog: 1, meta: {} } }, { registry, record: out });
      out.commit();
      const size = statSync(file).size;
      // A terminal, and a clock that moves 300 ms at each reading: every tick is shown.
      const written: string[] = [];
      Object.assign(stderr, { isTTY: true, columns: undefined, write: (s: string) => written.push(s) });
      let now = 0;
      vi.spyOn(performance, 'now').mockImplementation(() => (now += 300));
      const r = await simulateStream({ chunks: readChunks(file) }, { registry, sourceBytes: size });
      Object.assign(stderr, saved);
      expect(r.conformance.mismatch).toBeUndefined();
      expect(r.conformance.checked).toBeGreaterThan(4_096);
      const shares = written.flatMap((w) => [...w.matchAll(/(\d+)% of the file read, ([\d,]+) derived lines checked/g)].map((m) => Number(m[1])));
      expect(shares.length).toBeGreaterThan(2);
      expect([...shares].sort((a, b) => a - b)).toEqual(shares);
      expect(shares.every((p) => p >= 0 && p <= 100)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
