import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { main } from '../src/main.js';

// Runs the CLI in-process (main(argv), stdout and stderr captured) where exit code and output are all a test needs,
// and as a child process only for standard input, signals and process-level behaviour (each spawn costs ~0.5 s).

export const TEST_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(TEST_DIR, '..', '..', '..');
export const MAIN_TS = join(REPO_ROOT, 'packages', 'cli', 'src', 'main.ts');
/** CI clones the repository with `shared/` beside it: the example is found relative to the repository root. */
export const EXAMPLE_LOG = resolve(REPO_ROOT, '..', 'shared', 'examples', 'smsdom-small.jsonl');
// Without it, one case gave `--out <EXAMPLE_LOG>/sub` to a verify that then ran, making directories outside the
// repository, and some thirty tests failed on them as "is a directory" (a developer's QA pass): said once, here.
if (statSync(EXAMPLE_LOG, { throwIfNoEntry: false })?.isFile() !== true) {
  throw new Error(`the shared example log is not there: ${EXAMPLE_LOG} (the tests read shared/ beside the repository, as CI clones it: see the README)`);
}
export const GOLDEN_DIR = join(TEST_DIR, 'golden');
export const HOSTILE_DIR = join(TEST_DIR, 'hostile');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function text(chunk: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk).toString('utf8');
  return String(chunk);
}

/** `main(args)` with process.stdout and process.stderr captured. */
export async function runCli(args: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => {
    stdout += text(chunk);
    return true;
  }) as typeof process.stdout.write);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: unknown) => {
    stderr += text(chunk);
    return true;
  }) as typeof process.stderr.write);
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

export interface SpawnedCli extends CliResult {
  readonly signal: NodeJS.Signals | null;
}

/**
 * The CLI as a child process (`node --import tsx main.ts ...`) from the repository root. `input` is written to its
 * standard input and closed; `whileRunning` may act on the running child (send a signal) and must make it exit.
 */
export function spawnCli(
  args: readonly string[],
  options: { input?: string | Buffer; whileRunning?: (child: ReturnType<typeof spawn>, output: () => CliResult) => void; nodeArgs?: readonly string[] } = {},
): Promise<SpawnedCli> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', MAIN_TS, ...args], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code: code ?? -1, signal, stdout, stderr }));
    if (options.input !== undefined) child.stdin.end(options.input);
    options.whileRunning?.(child, () => ({ code: -1, stdout, stderr }));
  });
}

/** The one `file:line:column: message` line of a refusal, without an optional `replstorm: ` program prefix. */
export const ERROR_LINE = /^(?:replstorm: )?(.+?):(\d+):(\d+): (.+)$/;

/** Summary fields of event-log.md, "Summary", in its order. */
export const SUMMARY_FIELDS = [
  'revisions',
  'replicatedChanges',
  'conflicts',
  'merges',
  'discarded',
  'collisions',
  'scans',
  'quiescent',
  'converged',
  'stopped',
  'endAt',
  'digest',
] as const;

export const STATE_DOC_FIELDS = ['unid', 'seq', 'seqTime', 'revisions', 'deleted', 'conflict', 'ref', 'items', 'itemSeq'] as const;

/**
 * A two-member cluster whose servers stamp with keys of their own, and one document with an attachment saved on
 * Alpha: with `scanArrivals`, each member rescans and restamps what arrives from the other, a storm only a cap stops.
 */
export function perServerKeysLog(scanArrivals: boolean): string {
  const config = (key: string) => (scanArrivals ? { key, scanReplicatedWrites: true } : { key });
  return `${[
    { replog: 1, meta: {} },
    { at: 0, type: 'server', name: 'Alpha', cluster: 'C' },
    { at: 0, type: 'server', name: 'Beta', cluster: 'C' },
    { at: 0, type: 'database', name: 'd', replicas: ['Alpha', 'Beta'] },
    { at: 0, type: 'scanner', server: 'Alpha', design: 'smsdom', config: config('AAAAAAAAAAAAAAA1') },
    { at: 0, type: 'scanner', server: 'Beta', design: 'smsdom', config: config('BBBBBBBBBBBBBBB1') },
    { at: 10, type: 'save', server: 'Alpha', db: 'd', unid: '00000000000000000000000000000001', by: 'user/u', set: { $FILE: [{ name: 'a.pdf' }] } },
  ]
    .map((x) => JSON.stringify(x))
    .join('\n')}\n`;
}
