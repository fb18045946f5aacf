import { LAZY_VALUES as LAZY, formatVirtualTime, type Summary } from '@replstorm/core';
import stringWidth from 'string-width';
import { printable } from './errors.js';

// The time format is core's (explainDerived writes it too).
export { formatVirtualTime };

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

const STOPPED: Record<Summary['stopped'], string> = {
  end: 'at the end event',
  idle: 'when nothing was pending',
  cap: 'at the run cap (maxRunMs after the last input)',
};

/**
 * How a run stopped, in words. A cap at the end of virtual time (2^53 - 1 ms) is that end, not "maxRunMs after the
 * last input", which is later (an operator's QA pass: a scan at the last allowed time read "stopped at the run cap
 * (maxRunMs after the last input)" and nothing more about the scan that never ran: the state line says why).
 */
export function stoppedWords(s: Pick<Summary, 'stopped' | 'endAt'>, cut = false): string {
  // A run cut by `run --max-scanner-revisions` stops as at an end event (Simulator's cutWhen), which no input gave.
  if (cut && s.stopped === 'end') return 'when the --max-scanner-revisions budget cut it short (as an end event would)';
  if (stoppedAtEndOfTime(s)) return 'at the end of virtual time (2^53 - 1 ms: the run cap, maxRunMs after the last input, lies beyond it)';
  return STOPPED[s.stopped];
}

/** A run stopped by its cap where virtual time ends (2^53 - 1 ms): said as that end (stoppedWords, the HTML report). */
export function stoppedAtEndOfTime(s: Pick<Summary, 'stopped' | 'endAt'>): boolean {
  return s.stopped === 'cap' && s.endAt === Number.MAX_SAFE_INTEGER;
}

/** What is pending at the end of a run that is not quiescent (Simulator.pendingSummary). */
export interface PendingSummary {
  readonly items: number;
  readonly queuedDocuments: number;
  readonly queuedUntimed: number;
  readonly beyondTime: boolean;
}

/**
 * `work still pending: ...` in words. [choice] Said, not only "work still pending": an explore log ends at its finding
 * with changes queued for cluster pushes that no timer sends (clusterIntervalMs 0), and "NOT quiescent" alone read as a
 * storm, for noop too (a researcher's review).
 */
export function pendingWords(p: PendingSummary | undefined): string {
  if (p === undefined) return 'work still pending';
  const parts: string[] = [];
  if (p.items > 0) parts.push(`${formatCount(p.items)} work ${p.items === 1 ? 'item' : 'items'} under way`);
  if (p.queuedDocuments > 0) {
    // (Counted per document and cluster mate: one document queued for two mates is two.)
    const n = p.queuedDocuments;
    const untimed = p.queuedUntimed === n ? `${n === 1 ? 'on a server' : 'all on servers'} with no replicator timer (clusterIntervalMs 0): only a push event sends ${n === 1 ? 'it' : 'them'}` : p.queuedUntimed > 0 ? `${formatCount(p.queuedUntimed)} of them on servers with no replicator timer (clusterIntervalMs 0), which only a push event sends` : '';
    parts.push(`${formatCount(n)} cluster ${n === 1 ? 'push' : 'pushes'} of a document queued (one per document and mate)${untimed === '' ? '' : `, ${untimed}`}`);
  }
  if (p.beyondTime) parts.push('work due after virtual time\'s end');
  return parts.length === 0 ? 'work still pending' : `work still pending: ${parts.join('; ')}`;
}

/** The summary's state line, as the terminal and the report say it. */
export function stateWords(s: Summary, pending?: PendingSummary): string {
  return `${s.quiescent ? 'quiescent' : `NOT quiescent (${pendingWords(pending)})`}, ${s.converged ? 'converged' : 'replicas differ'}`;
}

/** The summary as a person reads it. */
export function formatSummary(s: Summary, title: string, pending?: PendingSummary, cut = false): string {
  const kinds = Object.entries(s.revisions.byActorKind)
    // Actor kinds come from the log (`by`): a kind holding a terminal escape or a line break is shown escaped.
    .map(([k, n]) => `${printable(k)} ${formatCount(n)}`)
    .join(' · ');
  const lines = [
    `${title}`,
    `  stopped       ${stoppedWords(s, cut)}, at ${formatVirtualTime(s.endAt)} virtual`,
    `  state         ${stateWords(s, pending)}`,
    `  revisions     ${formatCount(s.revisions.total)}${kinds ? `   (${kinds})` : ''}`,
    `  replicated    ${formatCount(s.replicatedChanges)} ${s.replicatedChanges === 1 ? 'change' : 'changes'} applied by transfers`,
    `  conflicts     ${formatCount(s.conflicts)}   merges ${formatCount(s.merges)}   discarded ${formatCount(s.discarded)}   OID collisions ${formatCount(s.collisions)}`,
    `  scans         ${formatCount(s.scans.performed)} performed, ${formatCount(s.scans.skipped)} skipped, ${formatCount(s.scans.infected)} infected, ${formatCount(s.scans.missed)} missed`,
    `  digest        ${s.digest}`,
  ];
  return lines.join('\n');
}

const MAX_ALIGNED_WIDTH = 1000;
/** UTF-16 units of cells outside printable ASCII that formatTable measures with string-width (see there). */
export const WIDTH_BUDGET = 100_000;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** A plain-text table: right-aligned numbers, left-aligned text. */
/** A count marked as a lower bound by its footnote, as compare writes a row cut short: `150,001+ *`. */
const MARKED_COUNT = /^\d[\d,]*\+ \*$/;

export function formatTable(header: readonly string[], rows: readonly (readonly (string | number | boolean)[])[], options: { readonly wrapLastAt?: number } = {}): string {
  // (Text cells may come from a log: printable keeps each row on one line and the terminal's colours its own.)
  const cells = [header.map(String), ...rows.map((r) => r.map((c) => (typeof c === 'number' ? formatCount(c) : printable(String(c)))))];
  // A column of numbers (a count with a mark such as `150,001+ *` included) is right-aligned. At least one cell must be a
  // number or a marked count: a column of labels that only look like numbers (a design named "12345") stays
  // left-aligned (compare audit), and a column whose only row is cut short (`1,001+ *`) is still numbers (a review:
  // it was left-aligned).
  const numeric = header.map((_, i) => rows.some((r) => typeof r[i] === 'number' || MARKED_COUNT.test(String(r[i]))) && rows.every((r) => typeof r[i] === 'number' || /^[\d,.]+\+? ?\*?$/.test(String(r[i]))));
  // Widths in the terminal's columns, not UTF-16 units: a CJK character takes two, an emoji two, a combining accent
  // none (string-width: East Asian Width and grapheme clusters, which a hand-written count gets wrong; a design named
  // in Chinese pushed its row's numbers out of line). Two bounds, where a cell's length stands for its width:
  // - a cell longer than MAX_ALIGNED_WIDTH (a log's actor of 20 million characters) is printed in full, unpadded, and
  //   does not widen its column: padding every row to it made a string past V8's longest (exit 70);
  // - string-width costs about 2 us a character outside printable ASCII (it segments graphemes): 100,000 actors named
  //   in 1,000 CJK characters each, which a hostile log can hold, took minutes. Such cells are measured while their
  //   total length is within WIDTH_BUDGET ([choice] past it a cell may be out of line; the table still comes at once).
  let budget = WIDTH_BUDGET;
  const measure = (c: string) => {
    if (c.length > MAX_ALIGNED_WIDTH || PRINTABLE_ASCII.test(c) || c.length > budget) return c.length;
    budget -= c.length;
    return stringWidth(c, { countAnsiEscapeCodes: true });
  };
  const width = cells.map((r) => r.map(measure));
  const widths = header.map((_, i) => width.reduce((m, r, k) => ((cells[k]![i] ?? '').length <= MAX_ALIGNED_WIDTH ? Math.max(m, r[i] ?? 0) : m), 0));
  const pad = (n: number) => ' '.repeat(Math.max(0, n));
  const line = (r: readonly string[], w: readonly number[]) => r.map((c, i) => (numeric[i] ? pad(widths[i]! - w[i]!) + c : c + pad(widths[i]! - w[i]!))).join('  ').trimEnd();
  // `wrapLastAt`: the last column (text) wrapped at spaces so that a line takes at most that many columns, its
  // continuation lines starting under it (verify's "what it checks" ran to 217 columns whatever the terminal's width:
  // a researcher's QA pass). At least 30 columns are kept for it, past the width if need be: a row whose other cells
  // are wide (a failed invariant's "failed at run 16") left less than 30 at 80 columns, and the table was not
  // wrapped at all, 218 columns wide (an operator's QA pass).
  const last = header.length - 1;
  const start = widths.slice(0, last).reduce((a, w) => a + w + 2, 0);
  const room = options.wrapLastAt !== undefined && !numeric[last] ? Math.max(30, options.wrapLastAt - start) : 0;
  if (room > 0 && widths[last]! > room) {
    widths[last] = room;
    const rowLines = (r: readonly string[], w: readonly number[]): string[] => {
      const pieces = wrapWords(r[last]!, room);
      return [line([...r.slice(0, last), pieces[0] ?? ''], [...w.slice(0, last), (pieces[0] ?? '').length]), ...pieces.slice(1).map((p) => pad(start) + p)];
    };
    return [line(cells[0]!, width[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).flatMap((r, k) => rowLines(r, width[k + 1]!))].join('\n');
  }
  return [line(cells[0]!, width[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map((r, k) => line(r, width[k + 1]!))].join('\n');
}

/** Text cut at spaces into lines of at most `width` characters (a longer word keeps a line of its own). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(' ')) {
    if (cur === '') cur = word;
    else if (cur.length + 1 + word.length <= width) cur += ` ${word}`;
    else {
      lines.push(cur);
      cur = word;
    }
  }
  lines.push(cur);
  return lines;
}

/**
 * The what-if row of deleted documents back where they were deleted (R6): "deleted documents back (of 3)", or "(of 3
 * / 2)" when the runs applied different deletions (one cut short before some). Documents, not deletions: one deleted
 * on two servers is one (a QA pass: "deletions undone (of 1)" read as a count of deletions). Lower case: the HTML
 * report capitalises it. Undefined where neither run deleted any: no row.
 */
export function deletionsUndoneLabel(d: DeletionsUndonePair): string | undefined {
  if (d.base.deleted === 0 && d.whatIf.deleted === 0) return undefined;
  const of = d.base.deleted === d.whatIf.deleted ? formatCount(d.base.deleted) : `${formatCount(d.base.deleted)} / ${formatCount(d.whatIf.deleted)}`;
  return `deleted documents back (of ${of})`;
}

/** A what-if's deleted documents and those back where they were deleted, per run (SimulateResult's whatIf.deletionsUndone). */
export interface DeletionsUndonePair {
  readonly base: { readonly deleted: number; readonly undone: number };
  readonly whatIf: { readonly deleted: number; readonly undone: number };
}

/**
 * Whether a run's conflict documents held at the end are said: where they are not as many as the conflicts it made
 * (`conflicts` counts a divergence resolved on two replicas twice; a conflict document deleted or resolved since is
 * not held; an input may save a document with `$Conflict`). The single run's line and JSON field, and the what-if's row.
 */
export function heldDiffers(held: number, s: Summary): boolean {
  return held !== s.conflicts;
}

/** Whether the what-if table shows the conflict documents held: where either run's differ (heldDiffers). */
export function conflictDocumentsHeldShown(a: Summary, b: Summary, held: { readonly base: number; readonly whatIf: number }): boolean {
  return heldDiffers(held.base, a) || heldDiffers(held.whatIf, b);
}

/** Two summaries side by side with the difference (what-if replay). */
export function formatSideBySide(
  a: Summary,
  b: Summary,
  labelA: string,
  labelB: string,
  extra: {
    readonly infectedCopiesLeft?: { readonly base: number; readonly whatIf: number };
    /** Shown where either run holds at the end other than the conflict documents it made (conflictDocumentsHeldShown). */
    readonly conflictDocumentsHeld?: { readonly base: number; readonly whatIf: number };
    /** Shown where either run deleted documents. */
    readonly deletionsUndone?: DeletionsUndonePair;
  } = {},
  cut: { readonly a: boolean; readonly b: boolean } = { a: false, b: false },
): string {
  const { infectedCopiesLeft, conflictDocumentsHeld, deletionsUndone } = extra;
  const rows: [string, number, number][] = [
    ['revisions', a.revisions.total, b.revisions.total],
    ...[...new Set([...Object.keys(a.revisions.byActorKind), ...Object.keys(b.revisions.byActorKind)])].sort().map(
      (k) => [`  by ${k}`, a.revisions.byActorKind[k] ?? 0, b.revisions.byActorKind[k] ?? 0] as [string, number, number],
    ),
    ['replicated changes', a.replicatedChanges, b.replicatedChanges],
    ['conflicts', a.conflicts, b.conflicts],
    ...(conflictDocumentsHeld !== undefined && conflictDocumentsHeldShown(a, b, conflictDocumentsHeld) ? [['  conflict documents held', conflictDocumentsHeld.base, conflictDocumentsHeld.whatIf] as [string, number, number]] : []),
    ['merges', a.merges, b.merges],
    ['discarded', a.discarded, b.discarded],
    ['OID collisions', a.collisions, b.collisions],
    ['scans performed', a.scans.performed, b.scans.performed],
    ['scans skipped', a.scans.skipped, b.scans.skipped],
    ['infected cleaned', a.scans.infected, b.scans.infected],
    ['infections missed', a.scans.missed, b.scans.missed],
    ...(infectedCopiesLeft !== undefined ? [['infected copies left', infectedCopiesLeft.base, infectedCopiesLeft.whatIf] as [string, number, number]] : []),
  ];
  const undoneLabel = deletionsUndone !== undefined ? deletionsUndoneLabel(deletionsUndone) : undefined;
  if (undoneLabel !== undefined) rows.push([undoneLabel, deletionsUndone!.base.undone, deletionsUndone!.whatIf.undone]);
  const table = formatTable(
    ['', labelA, labelB, 'difference'],
    rows.map(([k, x, y]) => [k, x, y, y - x === 0 ? '0' : `${y - x > 0 ? '+' : ''}${formatCount(y - x)}`]),
  );
  const flags = (s: Summary, c: boolean) => `${s.quiescent ? 'quiescent' : 'not quiescent'}, ${s.converged ? 'converged' : 'not converged'}, stopped ${stoppedWords(s, c)}, at ${formatVirtualTime(s.endAt)}`;
  return `${table}\n\n  ${labelA}: ${flags(a, cut.a)}\n  ${labelB}: ${flags(b, cut.b)}`;
}

/**
 * `JSON.stringify(value, null, 2)`, handed to `write` in pieces of about a megabyte: one string of it passed V8's
 * longest string (about 512 M characters) for a final state of a few hundred MB (a 2 MB item replicated to 300
 * servers), and `--state` ended in an internal error. The text is the same as JSON.stringify's.
 */
export function writeJsonPieces(value: unknown, write: (text: string) => void): void {
  let parts: string[] = [];
  let size = 0;
  const push = (text: string) => {
    parts.push(text);
    size += text.length;
    if (size >= 1 << 20) {
      write(parts.join(''));
      parts = [];
      size = 0;
    }
  };
  // What JSON.stringify leaves out of an object, and writes as null in an array: a value whose toJSON answers
  // undefined too (the abstract hash's note memo does).
  const omitted = (v: unknown, key: string) =>
    v === undefined || typeof v === 'function' || typeof v === 'symbol' || (typeof (v as { toJSON?: unknown } | null)?.toJSON === 'function' && (v as { toJSON: (k: string) => unknown }).toJSON(key) === undefined);
  const visit = (v: unknown, indent: string): void => {
    if (v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function' || isSmall(v)) {
      // Whole: its lines indented to where it stands (a primitive has none).
      const text = JSON.stringify(v, null, 2);
      push(indent === '' ? text : text.replaceAll('\n', `\n${indent}`));
      return;
    }
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) return push('[]');
      push('[');
      for (let i = 0; i < v.length; i++) {
        push(`${i > 0 ? ',' : ''}\n${inner}`);
        if (omitted(v[i], String(i))) push('null');
        else visit(v[i], inner);
      }
      return push(`\n${indent}]`);
    }
    const record = v as Record<string, unknown>;
    // (A value made when read, lazyFinalState's, is read once, as it is written: a list of documents, never omitted.)
    const lazy = (v as Record<symbol, unknown>)[LAZY] === true;
    const keys = lazy ? Object.keys(record) : Object.keys(record).filter((k) => !omitted(record[k], k));
    if (keys.length === 0) return push('{}');
    push('{');
    keys.forEach((k, i) => {
      push(`${i > 0 ? ',' : ''}\n${inner}${JSON.stringify(k)}: `);
      visit(record[k], inner);
    });
    push(`\n${indent}}`);
  };
  visit(value, '');
  if (parts.length > 0) write(parts.join(''));
}

/**
 * Whether `v`'s JSON is surely far below the longest string (a few dozen MB at most): strings counted at their length
 * (escapes make at most 6 characters of one), each value and key at 40 characters more (punctuation, indentation).
 * Iterative, and it stops once the budget is spent: a large value costs no more than the budget to look at.
 */
function isSmall(v: object): boolean {
  let budget = 4_000_000;
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    budget -= 40;
    if (typeof x === 'string') budget -= x.length;
    else if (x !== null && typeof x === 'object') {
      // (An object whose values are made when read, lazyFinalState's databases: large, and written one value at a time.)
      if ((x as Record<symbol, unknown>)[LAZY] === true) return false;
      if (Array.isArray(x)) for (const e of x) stack.push(e);
      else
        for (const [k, e] of Object.entries(x)) {
          budget -= k.length + 40;
          stack.push(e);
        }
    }
    if (budget < 0) return false;
  }
  return true;
}

/**
 * A help text set anew at `width` columns: its paragraphs (lines run together until a blank line, an indented line,
 * or a line starting with a capital after one ending a sentence) rewrapped at spaces; blank and indented lines kept as
 * they are. The texts are written at 116 columns, and at 80 a dozen lines of a help overflowed (an operator's QA pass).
 */
export function wrapHelpText(text: string, width: number): string {
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length > 0) out.push(...wrapWords(para.join(' '), width));
    para = [];
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^\s/.test(line)) {
      flush();
      out.push(line);
      continue;
    }
    const prev = para[para.length - 1];
    if (prev !== undefined && /[.:]$/.test(prev) && /^[A-Z]/.test(line)) flush();
    para.push(line);
  }
  flush();
  return out.join('\n');
}
