import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// event-log.md "nothing lost" / hostile-input QA: an output's temporary file is made new beside it, never opened where
// something already is. With a name made of the process's number and opened with 'w', a symbolic link planted at
// that name made replstorm write the output through it, over the file it pointed to. The random part of the name is
// fixed here (node:crypto's randomBytes, mocked) so that links can be planted at the names it will try.
const planned: number[] = [];
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, randomBytes: (n: number) => (planned.length > 0 ? Buffer.alloc(n, planned.shift()!) : real.randomBytes(n)) };
});
const { AtomicFile, temporaryName } = await import('../src/output.js');

const tagOf = (byte: number) => `${process.pid}-${byte.toString(16).padStart(2, '0').repeat(6)}`;

describe('AtomicFile: the temporary file is made new (O_EXCL), under a name with random bytes', () => {
  it('a link planted at the temporary name it first tries is left alone, and so is the file it points to: the next name is used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replstorm-atomic-'));
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'IMPORTANT DATA');
    symlinkSync(victim, join(dir, temporaryName('out.jsonl', tagOf(1))));
    planned.push(1, 2);
    const f = new AtomicFile(join(dir, 'out.jsonl'));
    f.write('the output\n');
    f.commit();
    expect(readFileSync(victim, 'utf8')).toBe('IMPORTANT DATA');
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8')).toBe('the output\n');
    expect(lstatSync(join(dir, 'out.jsonl')).isSymbolicLink()).toBe(false);
    // The planted link is still there (not ours to remove); no temporary file of ours is.
    expect(readdirSync(dir).sort()).toEqual([temporaryName('out.jsonl', tagOf(1)), 'out.jsonl', 'victim.txt'].sort());
  });

  it('every name it tries already there (8 of them): refused, saying so, and nothing written through any of them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replstorm-atomic-'));
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'IMPORTANT DATA');
    const bytes = [3, 4, 5, 6, 7, 8, 9, 10];
    for (const b of bytes) symlinkSync(victim, join(dir, temporaryName('out.jsonl', tagOf(b))));
    planned.push(...bytes);
    expect(() => new AtomicFile(join(dir, 'out.jsonl'))).toThrow(/out\.jsonl: cannot write it: 8 new temporary files beside it were each found there already/);
    expect(readFileSync(victim, 'utf8')).toBe('IMPORTANT DATA');
    expect(existsSync(join(dir, 'out.jsonl'))).toBe(false);
  });
});
