import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinRegistry, type DesignRegistry, type ScannerDesign } from '@replstorm/scenarios';
import { UsageError } from './errors.js';

// A researcher's design is a TypeScript (or JavaScript) module whose default export (or export `design`) is a
// ScannerDesign. Loading it RUNS ITS CODE with the user's rights: it is trusted code, named on the command line by
// the person running replstorm. Modules are never loaded because a log names them: a log can only name designs
// that are built in or were given with --design.

function isDesign(x: unknown): x is ScannerDesign<object> {
  const d = x as Partial<ScannerDesign<object>> | null;
  return d !== null && typeof d === 'object' && typeof d.name === 'string' && typeof d.scan === 'function' && typeof d.defaults === 'object';
}

/**
 * Imports a design module (through tsx, so TypeScript works) and checks its shape. `fresh`: a new instance of the
 * module (its module-level variables as a new process would have them), not the one already loaded.
 */
export async function loadDesignModule(path: string, fresh?: number): Promise<ScannerDesign<object>> {
  const abs = resolve(path);
  // (pnpm runs the CLI in the repository root: a path relative to another directory is read from there.)
  if (!existsSync(abs)) throw new UsageError(`${path}: no such design module (looked for ${abs}; a relative path is read from ${process.cwd()})`);
  if (statSync(abs).isDirectory()) throw new UsageError(`${path}: is a directory; give the design module's file (.ts or .js)`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(`${pathToFileURL(abs).href}${fresh !== undefined ? `?replstorm-fresh=${fresh}` : ''}`)) as Record<string, unknown>;
  } catch (err) {
    // One line (a refusal is one line): the compiler's message lists its errors on lines of their own, each with its
    // file:line:column, which stay readable joined by "; " (they were printed as a literal \n).
    const lines = (err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.trim()).filter((l) => l !== '');
    const message = lines.reduce((text, l) => (text === '' ? l : `${text}${text.endsWith(':') ? ' ' : '; '}${l}`), '');
    throw new UsageError(`${path}: the design module failed to load: ${message}`);
  }
  const d = mod['default'] ?? mod['design'];
  if (!isDesign(d)) {
    throw new UsageError(`${path}: the module must export a scanner design as default (or as "design"): an object with name, description, defaults and scan(); see packages/scenarios/src/designs/simple.ts`);
  }
  return d;
}

/** Built-in designs plus `--design name=path` modules (the name given overrides the module's own). */
export async function buildRegistry(specs: readonly string[] = []): Promise<DesignRegistry> {
  const extra: ScannerDesign<object>[] = [];
  for (const spec of specs) {
    const i = spec.indexOf('=');
    if (i <= 0 || i === spec.length - 1) throw new UsageError(`--design expects name=path, got "${spec}"`);
    const name = spec.slice(0, i);
    // A log or a comparison naming a built-in design must get that design, not a module that took its name.
    if (builtinRegistry().has(name)) throw new UsageError(`--design ${spec}: "${name}" is a built-in design; give yours another name`);
    if (extra.some((d) => d.name === name)) throw new UsageError(`--design ${spec}: the name "${name}" is given twice; give each design its own`);
    const d = await loadDesignModule(spec.slice(i + 1));
    extra.push({ ...d, name });
  }
  return builtinRegistry(extra);
}

/** A design named on the command line: a built-in name, or a path to a module (contains / or ends in .ts/.js). */
export async function resolveDesignArg(arg: string, registry: DesignRegistry): Promise<ScannerDesign<object>> {
  if (/[\\/]/.test(arg) || /\.(m?[tj]s)$/.test(arg)) {
    const d = await loadDesignModule(arg);
    // Its counterexamples replay with --design NAME=path, which a built-in's name cannot take (buildRegistry): a
    // module that calls itself smsdom would otherwise replay as the built-in smsdom.
    if (builtinRegistry().has(d.name)) throw new UsageError(`${arg}: the design is named "${d.name}", a built-in design's name; give it a name of its own`);
    return d;
  }
  const d = registry.get(arg);
  if (d === undefined) throw new UsageError(`unknown design "${arg}" (built in: ${[...registry.keys()].join(', ')}; or give a path to a module)`);
  return d;
}
