import { LogError } from '@replstorm/core';
import { thrownText } from '@replstorm/scenarios';
import { isAbsolute, resolve } from 'node:path';

/** Bad usage or bad input (exit 2), with the place it refers to when there is one. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  /** `at`: the line (and column) of the file being read that the option cannot be used with, said as `file:line:column:`. */
  constructor(
    message: string,
    readonly at?: { readonly line: number; readonly column: number },
  ) {
    super(message);
  }
}

/** A check failed (exit 1): a conformance mismatch, a violated invariant. The message is already printed. */
export class CheckFailed extends Error {
  override readonly name = 'CheckFailed';

  /** `located`: the message is `file:line:column: ...` (a recording's mismatch), printed as it is, as a bad line is. */
  constructor(
    message: string,
    readonly located = false,
  ) {
    super(message);
  }
}

/**
 * A recording's replay found the engine deriving an event past the file's last line: the run goes no further (a
 * recording cut before its `end` would run a storm on), and it has no summary to give (the engine's run did not end
 * where the file's does). Thrown by simulateStream, said by replay as a mismatch (exit 1), nothing written.
 */
export class RecordingEndedShort extends Error {
  override readonly name = 'RecordingEndedShort';

  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

/** A check could not be completed (exit 3): a search stopped at its limit before its depth, with nothing found. */
export class Inconclusive extends Error {
  override readonly name = 'Inconclusive';
}

/** `file:line:column: message`, or just the message when the error has no place. */
export function formatLogError(err: LogError, file: string | undefined): string {
  const where = err.line > 0 ? `${file ?? '<input>'}:${err.line}:${Math.max(err.column, 1)}: ` : file !== undefined ? `${file}: ` : '';
  return `${where}${err.message}`;
}

/**
 * Text from a log (names, values) as the terminal should show it: control characters (a line end, an escape that
 * would recolour the terminal, a lone surrogate) written as JSON escapes, so an error stays one line and a table one row
 * per row; and the explicit bidirectional formatting characters (embeddings, overrides, isolates, U+202A-U+202E and
 * U+2066-U+2069), which reorder what follows them on the line, a count or another name included (the HTML report
 * shows them alike: a browser QA pass). Everything else, right-to-left text too, is left as it is.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) =>
    JSON.stringify(c).slice(1, -1).replace(/^[^\\]$/, () => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
}

/**
 * Exit code and message for any error a command throws; stack traces only for real bugs. Whatever a log put in a
 * message cannot add lines or escapes: a refusal is one line; a check's report keeps its own line breaks.
 */
export function describeError(err: unknown, file: string | undefined): { code: number; message: string } {
  const lines = (text: string) => text.split('\n').map(printable).join('\n');
  if (err instanceof LogError) return { code: 2, message: printable(formatLogError(err, file)) };
  if (err instanceof UsageError) return { code: 2, message: printable(err.at !== undefined ? `${file ?? '<input>'}:${err.at.line}:${err.at.column}: ${err.message}` : err.message) };
  if (err instanceof CheckFailed) return { code: 1, message: lines(err.message) };
  if (err instanceof Inconclusive) return { code: 3, message: lines(err.message) };
  const e = err as NodeJS.ErrnoException;
  if (e !== null && typeof e === 'object' && typeof e.code === 'string' && typeof e.message === 'string' && /^E[A-Z]+$/.test(e.code)) {
    const path = e.path ?? file;
    // A relative name not there says where it was looked for: `pnpm replstorm` runs from the repository's root, so a
    // name typed in a subdirectory is read from the root (a researcher's QA pass: "nothere.jsonl: no such file").
    const where = e.code === 'ENOENT' && path !== undefined && path !== '' && !isAbsolute(path) ? ` (looked for ${resolve(path)}; a relative path is read from ${process.cwd()})` : '';
    return { code: 2, message: printable(`${path ?? ''}${path ? ': ' : ''}${systemMessage(e)}${where}`) };
  }
  // (What was thrown may be anything, one String() cannot write among them: the message is then the kind's.)
  return { code: 70, message: `internal error (a bug in replstorm, please report it):\n${err instanceof Error ? err.stack ?? err.message : thrownText(err)}` };
}

/** A system error in words (the code kept where no words are written here). */
export function systemMessage(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a log file';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENAMETOOLONG':
      return 'the file name is too long for the file system';
    default:
      // Node's message repeats the code and names the system call and its path (a temporary file's, for an output):
      // "EPERM: operation not permitted, open '/out/.x.replstorm-tmp-123'". The path is given before it.
      return `${e.message.replace(/^E[A-Z]+: /, '').replace(/, [a-z]+ '.*'$/s, '')} (${e.code})`;
  }
}

/**
 * The end of an "unknown design" refusal: how to use a module of one's own. A name that is a path (verify takes one)
 * is answered with that path under a name: the hint was "--design /tmp/x.ts=path/to/it.ts" (a researcher's review).
 * `use`: how the command then names the design, with NAME for it ("--set design=NAME").
 */
export function moduleHint(name: string, use: string): string {
  if (/[\\/]|\.[cm]?[jt]s$/.test(name)) return `a module is named with --design: --design mine=${name} ${use.replaceAll('NAME', 'mine')}`;
  return `a module of yours: --design ${name}=path/to/it.ts`;
}
