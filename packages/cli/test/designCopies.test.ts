import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { TEST_DIR } from './cliHarness.js';
import { loadFreshDesignCopies } from '../src/designs.js';

// verify's fresh copies of a design module where no file can be written beside it (a read-only directory): the module
// is still loaded (verify does not fail for it), and anew: an ES module by a query string, a CommonJS one by leaving
// Node's module cache (it was loaded once per process, and verify of a design keeping a module-level Set, in a
// read-only directory, said FAILED with a log that did not reproduce, and no warning: a researcher's QA pass; under
// vitest's loader every import is new, so that case is checked end to end in cli.test.ts, with copies refused). The
// copies that can be written are checked end to end in cli.test.ts (verify <module>).

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    copyFileSync: () => {
      throw Object.assign(new Error('EROFS: read-only file system, copyfile'), { code: 'EROFS' });
    },
  };
});

function capturingStderr(): { text: () => string; restore: () => void } {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write);
  return { text: () => stderr, restore: () => spy.mockRestore() };
}

it('a design module whose directory takes no copy: each load is a new instance of the ES module, without a warning', async () => {
  const module = join(TEST_DIR, 'designs', 'tired.ts');
  const err = capturingStderr();
  try {
    const copies = await loadFreshDesignCopies(module, 3);
    expect(copies.map((d) => d.name)).toEqual(['tired', 'tired', 'tired']);
    expect(new Set(copies.map((d) => d.scan)).size).toBe(3);
  } finally {
    err.restore();
  }
  expect(err.text()).toBe('');
});
