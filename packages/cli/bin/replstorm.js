#!/usr/bin/env node
// The replstorm command: runs the TypeScript sources through tsx (no build step), so researchers' design modules in
// TypeScript load the same way.
//
// Both of tsx's hooks, as `node --import tsx` and the tsx command register them: a `.ts` design outside a
// `"type": "module"` package is CommonJS to Node, and with the ES-module hooks alone Node 20 then fails to load it
// ("Cannot require() ES Module ... in a cycle"): a design in /tmp did not load through this file.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Two things that stopped every command before replstorm's own code ran, with a loader's stack trace and exit 1 (which
// means "a check failed"; a QA pass of environments):
// - a working directory deleted since the shell entered it (tsx's esbuild asks for it);
try {
  process.cwd();
} catch {
  process.stderr.write('replstorm: the working directory no longer exists (it was removed after the shell entered it): change to one that does\n');
  process.exit(2);
}
// - no directory for tsx's cache of compiled files (a read-only /tmp, a file where it goes): then it compiles
//   without one (TSX_DISABLE_CACHE, read when tsx is loaded, below), a little slower to start.
if (process.env.TSX_DISABLE_CACHE === undefined) {
  const cache = join(tmpdir(), `tsx-${process.getuid?.() ?? ''}`);
  try {
    mkdirSync(cache, { recursive: true });
    accessSync(cache, constants.W_OK);
  } catch {
    process.env.TSX_DISABLE_CACHE = '1';
  }
}
const { register: registerCjs } = await import('tsx/cjs/api');
const { register } = await import('tsx/esm/api');
registerCjs();
register();
const { runCli } = await import('../src/main.ts');
runCli(process.argv.slice(2));
