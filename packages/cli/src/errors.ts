import { LogError } from '@replstorm/core';

/** Bad usage or bad input (exit 2), with the place it refers to when there is one. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A check failed (exit 1): a conformance mismatch, a violated invariant. The message is already printed. */
export class CheckFailed extends Error {
  override readonly name = 'CheckFailed';
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

/** Exit code and message for any error a command throws; stack traces only for real bugs. */
export function describeError(err: unknown, file: string | undefined): { code: number; message: string } {
  if (err instanceof LogError) return { code: 2, message: formatLogError(err, file) };
  if (err instanceof UsageError) return { code: 2, message: err.message };
  if (err instanceof CheckFailed) return { code: 1, message: err.message };
  if (err instanceof Inconclusive) return { code: 3, message: err.message };
  const e = err as NodeJS.ErrnoException;
  if (e !== null && typeof e === 'object' && typeof e.code === 'string' && typeof e.message === 'string' && /^E[A-Z]+$/.test(e.code)) {
    return { code: 2, message: `${e.path ?? file ?? ''}${e.path ?? file ? ': ' : ''}${systemMessage(e)}` };
  }
  return { code: 70, message: `internal error (a bug in replstorm, please report it):\n${err instanceof Error ? err.stack ?? err.message : String(err)}` };
}

function systemMessage(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a log file';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return `${e.code}: ${e.message}`;
  }
}
