import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// The new file beside an output's target is what is opened: a refusal there is the directory's (root is refused by
// no mode, so the errors are planted: node:fs's openSync, mocked, refuses the temporary names while `refuse` is set).
let refuse: string | undefined;
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    openSync: (path: string, ...rest: unknown[]) => {
      if (refuse !== undefined && String(path).includes('.replstorm-tmp-')) throw Object.assign(new Error(`${refuse}: planted`), { code: refuse, path });
      return (real.openSync as (...a: unknown[]) => number)(path, ...rest);
    },
  };
});
const { AtomicFile } = await import('../src/output.js');

describe('an output whose new file cannot be made beside it', () => {
  it.each([
    ['EACCES', 'permission denied to make a new file in the directory'],
    ['EPERM', 'permission denied to make a new file in the directory'],
    ['EROFS', 'the file system is read-only'],
  ])('%s: said of the directory (or the file system), before the run, nothing left (it said "<file>: permission denied", the file writable: an interruption QA pass)', (code, words) => {
    const dir = mkdtempSync(join(tmpdir(), 'replstorm-refusals-'));
    const target = join(dir, 'out.jsonl');
    refuse = code;
    try {
      expect(() => new AtomicFile(target)).toThrow(`${target}: cannot write it: ${words}${code === 'EROFS' ? '' : ` ${dir} (replstorm writes the output beside its target and renames it into place)`}`);
    } finally {
      refuse = undefined;
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});
