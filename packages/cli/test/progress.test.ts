import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress } from '../src/output.js';

// Progress goes to a terminal only, one line rewritten in place (`\r\x1b[K`): that clears the row the cursor is on,
// so a line longer than the terminal is wide wrapped and left its first rows behind at every tick (46 stale rows over
// a replay at 80 columns: a QA pass at scale).
describe('progress on a terminal', () => {
  const stderr = process.stderr as unknown as { isTTY: boolean | undefined; columns: number | undefined; write: unknown };
  const saved = { isTTY: stderr.isTTY, columns: stderr.columns, write: stderr.write };
  afterEach(() => {
    Object.assign(stderr, saved);
    vi.useRealTimers();
  });

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

  it('a line that fits, or a terminal whose width is not known, is written whole', () => {
    expect(tickOn(80, 'virtual time 0:01:00.000')).toBe('\r\x1b[Kreplay: virtual time 0:01:00.000');
    expect(tickOn(undefined, 'x'.repeat(200))).toBe(`\r\x1b[Kreplay: ${'x'.repeat(200)}`);
  });
});
