import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { TEST_DIR } from './cliHarness.js';
import { loadFreshDesignCopies } from '../src/designs.js';

// verify's fresh copies of a design module where no file can be written beside it (a read-only directory): the module
// is still loaded (verify does not fail for it), anew where a query string can do it (an ES module), with one warning.
// The copies that can be written are checked end to end in cli.test.ts (verify <module>).

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    copyFileSync: () => {
      throw Object.assign(new Error('EROFS: read-only file system, copyfile'), { code: 'EROFS' });
    },
  };
});

it('a design module whose directory takes no copy: each load is a new instance of the ES module, and one warning says why the check is weaker', async () => {
  const module = join(TEST_DIR, 'designs', 'tired.ts');
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write);
  try {
    const copies = await loadFreshDesignCopies(module, 3);
    expect(copies.map((d) => d.name)).toEqual(['tired', 'tired', 'tired']);
    expect(new Set(copies).size).toBe(3);
  } finally {
    spy.mockRestore();
  }
  expect(stderr).toBe(`${module}: warning: cannot write a copy of the module beside it (EROFS), so a counterexample is run again with the module loaded anew only if it is an ES module (a CommonJS module is loaded once per process)\n`);
});
