import { randomBytes } from 'node:crypto';
import { constants, copyFileSync, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { transformSync, type Message } from 'esbuild';
import { builtinRegistry, promisesProblem, thrownText, unknownDesignFields, type DesignRegistry, type ScannerDesign } from '@replstorm/scenarios';
import { UsageError, printable } from './errors.js';
import { holdTemporaryFile } from './output.js';

const requireHere = createRequire(import.meta.url);

// A researcher's design is a TypeScript (or JavaScript) module whose default export (or export `design`) is a
// ScannerDesign. Loading it RUNS ITS CODE with the user's rights: it is trusted code, named on the command line by
// the person running replstorm. Modules are never loaded because a log names them: a log can only name designs
// that are built in or were given with --design.

/**
 * What the export lacks to be a design, or undefined: the fields are named (a missing `scan` or `defaults` was refused
 * as "must export ... name, description, defaults and scan()", no word of which: a researcher's review).
 */
function designShapeProblem(x: unknown): string | undefined {
  // (Named by its type, not written out: JSON.stringify of a BigInt export threw, exit 70.)
  if (x === null || typeof x !== 'object') return x === undefined ? 'it has no default export, nor one named "design"' : `it exports ${x === null ? 'null' : typeof x === 'function' ? 'a function' : `a ${typeof x}`}`;
  const d = x as Partial<ScannerDesign<object>>;
  const lacks: string[] = [];
  // (A field that is there but of another type is said as such: `defaults: null` read "has no defaults", and
  // `name: 42` "has no "name"", researchers' QA passes.)
  const given: string[] = [];
  if (d.name === undefined) lacks.push('"name" (a string)');
  else if (typeof d.name !== 'string') given.push(`"name" is ${describe(d.name)}, not a string`);
  if (d.scan === undefined) lacks.push('"scan" (a function)');
  else if (typeof d.scan !== 'function') given.push(`"scan" is ${describe(d.scan)}, not a function (of the scan's context)`);
  // `defaults` an object that is not null nor an array: its keys are the design's settings, read wherever a
  // configuration is (replay --strict named a log's settings with Object.keys(null): exit 70, as `designs` did).
  if (d.defaults === undefined) lacks.push('"defaults" (an object of settings, {} for none)');
  else if (typeof d.defaults !== 'object' || d.defaults === null || Array.isArray(d.defaults)) given.push(`"defaults" is ${describe(d.defaults)}, not an object of settings ({} for none)`);
  if (lacks.length > 0) return `its export has no ${lacks.join(', no ')}${given.length > 0 ? `, and ${given.join(', ')}` : ''}`;
  if (given.length > 0) return `its export's ${given.join(', ')}`;
  // The optional fields, where given, of their types: `scanMsPerDoc: 5` failed at its first use as "is not a
  // function" (a design failure, exit 1), `symmetric: 'yes'` read as not declared, unsaid (a researcher's review).
  const wrong: string[] = [];
  // (Each said with what it is a function of: `watches: true` read "not a function (of the configuration)", where it
  // takes the write too, a researcher's QA pass.)
  const ofWhat = { check: 'the configuration', scansMail: 'the configuration', scanMsPerDoc: 'the configuration', scheduleEveryMs: 'the configuration', watches: 'the write and the configuration', runsScheduledPass: 'the server and the configuration' } as const;
  for (const f of ['check', 'scansMail', 'scanMsPerDoc', 'scheduleEveryMs', 'watches', 'runsScheduledPass'] as const) {
    if (d[f] !== undefined && typeof d[f] !== 'function') wrong.push(`"${f}" is ${describe(d[f])}, not a function (of ${ofWhat[f]})`);
  }
  if (d.symmetric !== undefined && typeof d.symmetric !== 'boolean') wrong.push(`"symmetric" is ${describe(d.symmetric)}, not true or false`);
  if (d.description !== undefined && typeof d.description !== 'string') wrong.push(`"description" is ${describe(d.description)}, not a string`);
  if (d.promises !== undefined && typeof d.promises !== 'function') {
    const problem = promisesProblem(d.promises);
    if (problem !== undefined) wrong.push(`"promises" has ${problem}`);
  }
  return wrong.length === 0 ? undefined : wrong.join('; ');
}

/** A value named by its type, or written out when it is short text or a number (a string is quoted). */
function describe(v: unknown): string {
  if (typeof v === 'string') return v.length <= 40 ? JSON.stringify(v) : 'a string';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : `a ${typeof v}`;
}

/** Where a design module is, checked: its absolute path. */
export function designPath(path: string): string {
  const abs = resolve(path);
  // (pnpm runs the CLI in the repository root: a path relative to another directory is read from there.)
  if (!existsSync(abs)) throw new UsageError(`${path}: no such design module (looked for ${abs}; a relative path is read from ${process.cwd()})`);
  const st = statSync(abs);
  if (st.isDirectory()) throw new UsageError(`${path}: is a directory; give the design module's file (.ts or .js)`);
  // (A FIFO waited for a writer for ever, and the import it blocked held off every signal: a CLI QA pass.)
  if (!st.isFile()) throw new UsageError(`${path}: is not a regular file (a device, pipe or socket); give the design module's file (.ts or .js)`);
  return abs;
}

/** Imports a design module from `url` (through tsx, so TypeScript works) and checks its shape. */
async function importDesign(path: string, url: string, copy?: { path: string; of: string }): Promise<ScannerDesign<object>> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    // One line (a refusal is one line): the compiler's message lists its errors on lines of their own, each with its
    // file:line:column, which stay readable joined by "; " (they were printed as a literal \n). A fresh copy's name
    // is not the user's: the message names the module itself.
    // A syntax error: its place and the compiler's words, as `file:line:column: ...` (a log's errors' form).
    // (Whatever was thrown: an object with no prototype, or a Proxy whose traps throw, is not to make an internal
    // error here: a hardening QA pass.)
    let syntax: ReturnType<typeof syntaxProblem>;
    let where = '';
    try {
      syntax = syntaxProblem(err, copy?.of ?? fileURLToPath(url));
      where = whereThrown(err, copy?.path ?? fileURLToPath(url));
    } catch {
      syntax = undefined;
    }
    if (syntax !== undefined) throw new UsageError(`${path}:${syntax.line}:${syntax.column}: the design module failed to load: ${syntax.message}`);
    let text = thrownText(err);
    if (copy !== undefined) text = text.replaceAll(pathToFileURL(copy.path).href, pathToFileURL(copy.of).href).replaceAll(copy.path, copy.of);
    const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    const message = lines.reduce((t, l) => (t === '' ? l : `${t}${t.endsWith(':') ? ' ' : '; '}${l}`), '');
    // README ("Writing a design"): the workspace packages resolve only from inside the repository.
    const hint = /Cannot find (module|package) '@replstorm\//.test(message)
      ? ' (outside this repository a design module can import types only (`import type`); its helpers (defineDesign, cleaningWrites) load from a module inside it, e.g. in examples/designs/)'
      : '';
    throw new UsageError(`${path}${where}: the design module failed to load: ${message}${hint}`);
  }
  // (`in`, not `??`: a default export of null is an export, named as such, not "no default export".)
  const d = 'default' in mod ? mod['default'] : mod['design'];
  // The export is read once, into a copy of its own fields (its prototype kept, for methods a class gives it), which
  // is checked and used: a getter read again could give what was not checked (a review: `defaults` throwing at its
  // fourth read ended a run with exit 70), and one that throws here is the module's error (it was an internal one, or
  // exit 1 when what it threw could not be written as text).
  let problem: string | undefined;
  let design: unknown = d;
  try {
    if (typeof d === 'object' && d !== null) {
      const copy = Object.create(Object.getPrototypeOf(d) as object | null) as Record<string, unknown>;
      for (const k of Object.keys(d)) Object.defineProperty(copy, k, { value: (d as Record<string, unknown>)[k], enumerable: true, writable: true, configurable: true });
      design = copy;
    }
    problem = designShapeProblem(design);
  } catch (err) {
    throw new UsageError(`${path}: the design module's export could not be read: ${thrownText(err)}`);
  }
  if (problem !== undefined) {
    throw new UsageError(`${path}: the module must export a scanner design as default (or as "design"): an object with name, description, defaults and scan(); ${printable(problem)} (see examples/designs/stamp-if-missing.ts)`);
  }
  exportOf.set(design as object, d);
  return design as ScannerDesign<object>;
}

/** The object a module exported, by the checked copy importDesign returned of it: two loads that gave the same one are one instance. */
const exportOf = new WeakMap<object, unknown>();

/**
 * Where a module that failed to load does not parse, and why: line, 1-based column (as a log's errors give it) and
 * the first error's words, or undefined when the error is not one of syntax or the module parses. tsx's compile error
 * ("Transform failed with 1 error: /abs/file.ts:6:30: ERROR: ...") put the place after the words, with esbuild's
 * 0-based column, and Node's own SyntaxError for a `.js` module had none (a researcher's QA pass): the source is
 * parsed again with esbuild (tsx's compiler, a dependency for its structured errors) to find it. [choice] The first
 * error only, with how many more: the first is the one to fix (later ones often follow from it).
 */
function syntaxProblem(err: unknown, file: string): { line: number; column: number; message: string } | undefined {
  if (!(err instanceof SyntaxError) && !(err instanceof Error && err.message.startsWith('Transform failed'))) return undefined;
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const ext = extname(file).toLowerCase();
  const LOADERS: Readonly<Record<string, 'ts' | 'tsx' | 'js' | 'jsx'>> = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx' };
  const loader = Object.hasOwn(LOADERS, ext) ? LOADERS[ext] : undefined;
  if (loader === undefined) return undefined;
  let errors: Message[];
  try {
    transformSync(source, { loader, sourcefile: file, format: ext === '.cjs' || ext === '.cts' ? 'cjs' : 'esm', logLevel: 'silent' });
    return undefined;
  } catch (e) {
    errors = (e as { errors?: Message[] }).errors ?? [];
  }
  const first = errors[0];
  if (first?.location === null || first?.location === undefined) return undefined;
  const more = errors.length - 1;
  // esbuild's column counts UTF-8 bytes; a column here counts UTF-16 units, as a log's errors do (a review: an emoji
  // before the error put it 8 columns on).
  const { lineText, column: bytes } = first.location;
  const column = Buffer.from(lineText, 'utf8').subarray(0, bytes).toString('utf8').length + 1;
  return { line: first.location.line, column, message: `${printable(first.text)}${more > 0 ? ` (and ${more} more ${more === 1 ? 'error' : 'errors'})` : ''}` };
}

/**
 * `:line:column` of the module's own line that threw while it loaded, from the error's stack (tsx maps it to the
 * TypeScript source), or "" (a compile error names its place in its message; a throw from another module has no line
 * of this one). [choice] The innermost frame in the module: where its code was when the error began, as a log's
 * error names the line (a module throwing at load was refused as "failed to load: boom", no place to look).
 */
function whereThrown(err: unknown, file: string): string {
  if (!(err instanceof Error) || typeof err.stack !== 'string') return '';
  for (const line of err.stack.split('\n').slice(1)) {
    const at = line.lastIndexOf(`${file}:`);
    if (at === -1) continue;
    const m = /^:(\d+):(\d+)\)?$/.exec(line.slice(at + file.length).trim());
    if (m !== null) return `:${m[1]}:${m[2]}`;
  }
  return '';
}

/**
 * Imports a design module and checks its shape. A field of the design that replstorm does not read is warned about,
 * with the field it most likely means ([choice] a warning, not a refusal: a design may carry helpers of its own; a
 * typo such as `promise` or `watch` was a setting silently dropped).
 */
export async function loadDesignModule(path: string): Promise<ScannerDesign<object>> {
  const design = await importDesign(path, pathToFileURL(designPath(path)).href);
  for (const { field, hint } of unknownDesignFields(design)) {
    process.stderr.write(`${printable(path)}: warning: the design "${printable(design.name)}" has a field ${printable(JSON.stringify(field))} that replstorm does not read${hint}\n`);
  }
  return design;
}

/**
 * `count` new instances of a design module (its module-level variables as a new process would have them), not the
 * one already loaded: each is imported from a copy of the file beside it, under a name of its own, removed once the
 * import is done, loaded or not (and on an error or a signal: holdTemporaryFile).
 * A query string on the import URL is not enough: it makes a new ES module, but a file that Node and tsx load as
 * CommonJS (a .ts or .js outside a `"type": "module"` package) is cached by its path, and every import returned the
 * first one's instance, so a design whose module-level counter only grows was not flagged.
 * [choice] Beside the original (its real path, through a symbolic link), with the same extension: relative imports
 * and packages resolve from the same directory, and the copy loads in the same format as the original. A module it
 * imports is not copied: a helper's module-level variables are still shared, as with any cached import.
 * Where no file can be made beside it (a read-only directory), the module itself is imported anew: an ES module by a
 * query string, a CommonJS one by leaving Node's module cache first (below); a load that still gives the same
 * instance is warned about.
 */
export async function loadFreshDesignCopies(path: string, count: number): Promise<ScannerDesign<object>[]> {
  const real = realpathSync(designPath(path));
  const ext = extname(real);
  const copies: ScannerDesign<object>[] = [];
  while (copies.length < count) {
    // Hidden, named for what made it, unique across processes; COPYFILE_EXCL never overwrites a file of the user's.
    const copy = join(dirname(real), `.${basename(real, ext)}.replstorm-fresh-${process.pid}-${randomBytes(4).toString('hex')}${ext}`);
    try {
      copyFileSync(real, copy, constants.COPYFILE_EXCL);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      // Loaded anew from the module itself: an ES module by a URL of its own (a query), a CommonJS one (a .ts file
      // outside a "type": "module" package, as tsx reads it) by leaving Node's module cache first, where it was kept
      // once per process. (Only the first was loaded anew, and verify of a module-level Set in a read-only directory
      // gave FAILED, whose log did not reproduce, with neither warning: a researcher's QA pass.) A load that gives the
      // very object the module exported before is said so: the checks that need a fresh start then run on it as it
      // is, and prove nothing. (By the export, not its `scan`: a design whose scan comes from a module it imports
      // shares that function between loads, and was warned about wrongly: a review.)
      const loaded = await importDesign(path, pathToFileURL(real).href);
      let warned = false;
      while (copies.length < count) {
        delete requireHere.cache[real];
        const d = await importDesign(path, `${pathToFileURL(real).href}?replstorm-fresh=${randomBytes(4).toString('hex')}`);
        if (exportOf.get(d) === exportOf.get(loaded) && !warned) {
          warned = true;
          process.stderr.write(`${path}: warning: cannot write a copy of the module beside it (${code}), nor load it anew, so a counterexample is not run again from a fresh start: a design that carries something from one run to the next (a module-level variable) is not found out\n`);
        }
        copies.push(d);
      }
      return copies;
    }
    // Taken into the outputs' cleanup only once copied: a failed copy left no file, and another's is not removed.
    const release = holdTemporaryFile(copy);
    try {
      copies.push(await importDesign(path, pathToFileURL(copy).href, { path: copy, of: real }));
    } finally {
      release();
    }
  }
  return copies;
}

/** Built-in designs plus `--design name=path` modules (the name given overrides the module's own). */
/** A `--design name=path` split at its first `=` (buildRegistry refuses one without both parts). */
export function designSpecParts(spec: string): { name: string; path: string } {
  const i = spec.indexOf('=');
  return i < 0 ? { name: spec, path: '' } : { name: spec.slice(0, i), path: spec.slice(i + 1) };
}

/**
 * designSpecParts, refusing a spec without a name or a path. Every command reads its --design specs through it before
 * anything else: one checking which designs it runs first said `the design "" is given but not used ... add  to the
 * designs compared` for `--design =path` (a researcher's QA pass).
 */
export function checkedDesignSpec(spec: string): { name: string; path: string } {
  const parts = designSpecParts(spec);
  if (parts.name === '' || parts.path === '') throw new UsageError(`--design expects name=path, got "${spec}"`);
  return parts;
}

/**
 * The designs this invocation loaded from modules: the name each runs under, and the name its module gives it
 * (`--design NAME=path` binds a module under NAME; `verify path` runs it under its own). Logs written here carry it in
 * their header (`meta.modules`), and replay compares it with the modules it is given (cmdReplay).
 */
export const moduleNames = new Map<string, string>();

export async function buildRegistry(specs: readonly string[] = []): Promise<DesignRegistry> {
  const extra: ScannerDesign<object>[] = [];
  for (const spec of specs) {
    const { name, path } = checkedDesignSpec(spec);
    // A log or a comparison naming a built-in design must get that design, not a module that took its name.
    if (builtinRegistry().has(name)) throw new UsageError(`--design ${spec}: "${name}" is a built-in design; give yours another name`);
    if (extra.some((d) => d.name === name)) throw new UsageError(`--design ${spec}: the name "${name}" is given twice; give each design its own`);
    const d = await loadDesignModule(path);
    moduleNames.set(name, d.name);
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
    // Nor with a name a log or --design cannot carry: a log refuses design "" (event-log.md), and --design NAME=path
    // splits at the first "=" (a user audit: verify wrote such a design's counterexample, and its replay was refused).
    const unnameable = d.name === '' ? 'its name is empty' : d.name.includes('=') ? `its name ${JSON.stringify(d.name)} has a "="` : undefined;
    if (unnameable !== undefined) throw new UsageError(`${arg}: the design cannot be replayed by name: ${unnameable} (a log's scanner event names it, and replay takes it as --design NAME=path); give it another name`);
    moduleNames.set(d.name, d.name);
    return d;
  }
  const d = registry.get(arg);
  if (d === undefined) throw new UsageError(`unknown design "${arg}" (built in: ${[...registry.keys()].join(', ')}; or give a path to a module)`);
  return d;
}
