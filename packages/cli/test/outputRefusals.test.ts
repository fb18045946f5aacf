import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

describe('an output over another user\'s file in a sticky directory (/tmp)', () => {
  it('is refused before the run, saying why: only the file\'s owner may replace it there, and the output is renamed over it (the rename failed, EPERM, after the whole run: a QA pass of environments)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replstorm-sticky-'));
    chmodSync(dir, 0o1777);
    const target = join(dir, 'theirs.jsonl');
    writeFileSync(target, 'previous\n', { mode: 0o666 });
    chmodSync(target, 0o666);
    // This process as another user than the file's and the directory's owner.
    const me = 4_242_424;
    vi.spyOn(process, 'getuid').mockReturnValue(me);
    try {
      expect(() => new AtomicFile(target)).toThrow(`${target}: cannot replace it: the file is another user's (uid ${statSync(target).uid}) in a directory with the sticky bit (${dir}), where only its owner may replace it`);
    } finally {
      vi.restoreAllMocks();
    }
    expect(readFileSync(target, 'utf8')).toBe('previous\n');
    expect(readdirSync(dir)).toEqual(['theirs.jsonl']);
    // Not sticky: the same file is replaced as any other (the directory's permission governs the rename).
    chmodSync(dir, 0o777);
    vi.spyOn(process, 'getuid').mockReturnValue(me);
    try {
      const f = new AtomicFile(target);
      f.abort();
    } finally {
      vi.restoreAllMocks();
    }
  });
});
