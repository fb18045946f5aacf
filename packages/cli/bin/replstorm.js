#!/usr/bin/env node
// The replstorm command: runs the TypeScript sources through tsx (no build step), so researchers' design modules in
// TypeScript load the same way.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/main.ts');
runCli(process.argv.slice(2));
