import type { Summary } from '@replstorm/core';
import { printable } from './errors.js';

/**
 * Virtual milliseconds as `h:mm:ss.mmm` (days as `Nd h:mm:ss`): the one time format of the CLI and the HTML report
 * (whose chart script writes the same, htmlReport.ts). A negative span (a difference) gets a leading `-`.
 */
export function formatVirtualTime(ms: number): string {
  if (ms < 0) return `-${formatVirtualTime(-ms)}`;
  const d = Math.floor(ms / 86_400_000);
  const h = Math.floor((ms % 86_400_000) / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const frac = ms % 1000;
  const hms = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${frac ? `.${String(frac).padStart(3, '0')}` : ''}`;
  return d > 0 ? `${d}d ${hms}` : hms;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

const STOPPED: Record<Summary['stopped'], string> = {
  end: 'at the end event',
  idle: 'when nothing was pending',
  cap: 'at the run cap (maxRunMs after the last input)',
};

/** The summary as a person reads it. */
export function formatSummary(s: Summary, title: string): string {
  const kinds = Object.entries(s.revisions.byActorKind)
    // Actor kinds come from the log (`by`): a kind holding a terminal escape or a line break is shown escaped.
    .map(([k, n]) => `${printable(k)} ${formatCount(n)}`)
    .join(' · ');
  const lines = [
    `${title}`,
    `  stopped       ${STOPPED[s.stopped]}, at ${formatVirtualTime(s.endAt)} virtual`,
    `  state         ${s.quiescent ? 'quiescent' : 'NOT quiescent (work still pending)'}, ${s.converged ? 'converged' : 'replicas differ'}`,
    `  revisions     ${formatCount(s.revisions.total)}${kinds ? `   (${kinds})` : ''}`,
    `  replicated    ${formatCount(s.replicatedChanges)} ${s.replicatedChanges === 1 ? 'change' : 'changes'} applied by transfers`,
    `  conflicts     ${formatCount(s.conflicts)}   merges ${formatCount(s.merges)}   discarded ${formatCount(s.discarded)}   OID collisions ${formatCount(s.collisions)}`,
    `  scans         ${formatCount(s.scans.performed)} performed, ${formatCount(s.scans.skipped)} skipped, ${formatCount(s.scans.infected)} infected, ${formatCount(s.scans.missed)} missed`,
    `  digest        ${s.digest}`,
  ];
  return lines.join('\n');
}

/** A plain-text table: right-aligned numbers, left-aligned text. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number | boolean)[])[]): string {
  // (Text cells may come from a log: printable keeps each row on one line and the terminal's colours its own.)
  const cells = [header.map(String), ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatCount(c) : printable(String(c)))))];
  // A column of numbers (a count with a mark such as `150,001+ *` included) is right-aligned. At least one cell must be a
  // number: a column of labels that only look like numbers (a design named "12345") stays left-aligned (compare audit).
  const numeric = header.map((_, i) => rows.some((r) => typeof r[i] === 'number') && rows.every((r) => typeof r[i] === 'number' || /^[\d,.]+\+? ?\*?$/.test(String(r[i]))));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Two summaries side by side with the difference (what-if replay). */
export function formatSideBySide(a: Summary, b: Summary, labelA: string, labelB: string, infectedCopiesLeft?: { readonly base: number; readonly whatIf: number }): string {
  const rows: [string, number, number][] = [
    ['revisions', a.revisions.total, b.revisions.total],
    ...[...new Set([...Object.keys(a.revisions.byActorKind), ...Object.keys(b.revisions.byActorKind)])].sort().map(
      (k) => [`  by ${k}`, a.revisions.byActorKind[k] ?? 0, b.revisions.byActorKind[k] ?? 0] as [string, number, number],
    ),
    ['replicated changes', a.replicatedChanges, b.replicatedChanges],
    ['conflicts', a.conflicts, b.conflicts],
    ['merges', a.merges, b.merges],
    ['discarded', a.discarded, b.discarded],
    ['OID collisions', a.collisions, b.collisions],
    ['scans performed', a.scans.performed, b.scans.performed],
    ['scans skipped', a.scans.skipped, b.scans.skipped],
    ['infected cleaned', a.scans.infected, b.scans.infected],
    ['infections missed', a.scans.missed, b.scans.missed],
    ...(infectedCopiesLeft !== undefined ? [['infected copies left', infectedCopiesLeft.base, infectedCopiesLeft.whatIf] as [string, number, number]] : []),
  ];
  const table = formatTable(
    ['', labelA, labelB, 'difference'],
    rows.map(([k, x, y]) => [k, x, y, y - x === 0 ? '0' : `${y - x > 0 ? '+' : ''}${formatCount(y - x)}`]),
  );
  const flags = (s: Summary) => `${s.quiescent ? 'quiescent' : 'not quiescent'}, ${s.converged ? 'converged' : 'not converged'}, stopped ${STOPPED[s.stopped]}, at ${formatVirtualTime(s.endAt)}`;
  return `${table}\n\n  ${labelA}: ${flags(a)}\n  ${labelB}: ${flags(b)}`;
}
