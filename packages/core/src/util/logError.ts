/** Codes of the one error class core throws for broken input or broken invariants. */
export type LogErrorCode =
  | 'BAD_UTF8'
  | 'BAD_JSON'
  | 'BAD_HEADER'
  | 'BAD_VERSION'
  | 'BAD_FIELD'
  | 'MISSING_FIELD'
  | 'UNKNOWN_TYPE'
  | 'TIME_DECREASED'
  | 'EMPTY_LOG'
  | 'LINE_TOO_LONG'
  | 'UNKNOWN_REFERENCE'
  | 'DUPLICATE_DEFINITION'
  | 'SERVER_DOWN'
  | 'SERVER_UP'
  | 'UNKNOWN_DESIGN'
  | 'BAD_CONFIG'
  | 'DESIGN_FAILED'
  | 'RUN_TOO_LONG'
  | 'RUN_TOO_LARGE';

/**
 * Broken input: says where (1-based `line` and `column`, 0 when unknown), which `field`, and what is wrong, in words a
 * person can act on. Only the CLI turns it into an exit code (2) and a `file:line:column: message` line.
 */
export class LogError extends Error {
  override readonly name = 'LogError';
  readonly code: LogErrorCode;
  readonly line: number;
  readonly column: number;
  readonly field: string | undefined;

  constructor(code: LogErrorCode, message: string, where: { line?: number; column?: number; field?: string } = {}) {
    super(message);
    this.code = code;
    this.line = where.line ?? 0;
    this.column = where.column ?? 0;
    this.field = where.field;
  }
}
