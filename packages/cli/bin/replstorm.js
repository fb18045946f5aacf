#!/usr/bin/env node
// The replstorm command: runs the TypeScript sources through tsx (no build step), so researchers' design modules in
// TypeScript load the same way.
//
// Both of tsx's hooks, as `node --import tsx` and the tsx command register them: a `.ts` design outside a
// `"type": "module"` package is CommonJS to Node, and with the ES-module hooks alone Node 20 then fails to load it
// ("Cannot require() ES Module ... in a cycle"): a design in /tmp did not load through this file.
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

registerCjs();
register();
const { runCli } = await import('../src/main.ts');
runCli(process.argv.slice(2));
