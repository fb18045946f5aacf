import { describe, expect, it } from 'vitest';
import { LogError, Revisions, applySave, runEvents, type InputEvent, type ItemValue, type Note, type ScanInput, type ScannedEvent } from '@replstorm/core';
import { behaviourFactory, defineDesign, promisesOf, resolveConfig, scheduleOf, selfSchedule, toBehaviour, virusScanOf } from './design.js';
import { builtinRegistry } from './designs/registry.js';

// A researcher's design may return anything from `scan`. What the engine would store must be what a log may hold
// (event-log.md: item values are strings, finite numbers, booleans or arrays of those; `$FILE` a list of
// attachments), or the engine fails deep inside (canonical JSON of undefined, a WeakMap keyed by null). The design is
// refused as the design's error (DESIGN_FAILED, naming it and the scan), never as an internal error.

const NOTE: Note = { unid: '0000000000000000000000000000000A', seq: 1, seqTime: 0, revisions: Revisions.from([[1, 0]]), deleted: false, items: [{ name: '$FILE', key: '$file', value: [{ name: 'a.pdf' }], seq: 1 }] };
const INPUT: ScanInput = { kind: 'scheduled', server: 'Alpha', cluster: undefined, clusterMembers: ['Alpha'], db: 'd.nsf', unid: NOTE.unid, note: NOTE, at: 5, clock: 5, definitions: '', store: new Map() };

function scanWith(decision: unknown, trusted = false) {
  const design = defineDesign<Record<string, never>>({ name: 'returns', description: 'returns what the test gives', defaults: {}, scan: () => decision as never });
  return () => toBehaviour(design, {}, { server: 'Alpha', design: 'returns', cluster: undefined }, trusted).scan(INPUT);
}

describe('a design\'s scan decision', () => {
  it.each([
    [{ verdict: 'clean', set: [['X-Tag', 'v']] }],
    [{ verdict: 'skipped', set: [['X-Tag', 3], ['List', ['a', 1, true]]], remove: ['Old'] }],
    [{ verdict: 'infected', set: [['$FILE', [{ name: 'a.pdf', bytes: 10 }]]] }],
    [{ verdict: 'clean', remember: [['k', { any: 'thing' }]] }],
  ])('R13: a valid decision is taken as it is: %j', (d) => {
    expect(scanWith(d)()).toEqual(d);
  });

  it.each([
    [undefined, 'instead of a decision'],
    [{ verdict: 'maybe' }, 'the verdict "maybe"'],
    [{ verdict: 'clean', set: 'oops' }, 'not a list of [name, value] pairs'],
    [{ verdict: 'clean', set: [['X-Tag', undefined]] }, 'item "X-Tag" = undefined'],
    [{ verdict: 'clean', set: [['X-Tag', null]] }, 'item "X-Tag" = null'],
    [{ verdict: 'clean', set: [['X-Tag', Number.NaN]] }, 'item "X-Tag" = NaN'],
    [{ verdict: 'clean', set: [['X-Tag', [1, null]]] }, 'item "X-Tag"'],
    [{ verdict: 'clean', set: [['', 'v']] }, 'non-empty name'],
    [{ verdict: 'infected', set: [['$FILE', [{ bytes: 1 }]]] }, 'string name'],
    [{ verdict: 'clean', remove: [1] }, 'not a list of item names'],
    // A field a decision does not have (a typo): the stamp or memory it meant was silently not written.
    [{ verdict: 'clean', sett: [['X-Tag', 'v']] }, 'a decision with the field "sett" (did you mean "set"?) (a decision has verdict, set, remove, remember)'],
    [{ verdict: 'clean', remeber: [['k', 1]] }, 'the field "remeber" (did you mean "remember"?)'],
    [{ verdict: 'clean', note: 'why' }, 'a decision with the field "note" (a decision'],
    [Promise.resolve({ verdict: 'clean' }), 'a Promise instead of a decision: scan must decide at once'],
  ])('event-log.md item values: %j is refused as the design\'s error', (d, says) => {
    const scan = scanWith(d);
    expect(scan).toThrow(LogError);
    expect(scan).toThrow(/the design "returns" failed while scanning 0000000000000000000000000000000A in d\.nsf on Alpha at 5 ms: it returned/);
    expect(scan).toThrow(says);
  });

  it('a decision of more than 1 MiB (item names and values, attachment names, removals and memory together) is refused as the design\'s error, without quoting it; 1 MiB is taken (a researcher\'s QA pass: 200,000,000 characters in each of 40 documents ended the run in V8\'s out-of-memory abort, exit 134; a review: so did 200 items of 1 MiB each)', () => {
    const M = 1 << 20;
    const over: unknown[] = [
      { verdict: 'clean', set: [['Blob', 'x'.repeat(M + 1)]] },
      { verdict: 'clean', set: [['Blob', ['x'.repeat(M / 2), 'y'.repeat(M / 2 + 1)]]] },
      { verdict: 'clean', set: [['A', 'x'.repeat(M / 2)], ['B', 'y'.repeat(M / 2 + 1)]] },
      { verdict: 'clean', set: [['N'.repeat(M + 1), 'v']] },
      { verdict: 'infected', set: [['$FILE', [{ name: 'n'.repeat(M + 1) }]]] },
      { verdict: 'clean', remember: [['k', { deep: ['r'.repeat(M + 1)] }]] },
    ];
    for (const d of over) {
      const scan = scanWith(d);
      expect(scan).toThrow(LogError);
      expect(scan).toThrow(/it returned a decision of 1,048,5\d\d characters or more \(item names and values, attachment names, removals and what it remembers, together\), where a scan's decision holds at most 1,048,576 /);
      expect(scan).not.toThrow(/xxxxxxxxxx|NNNNNNNNNN|rrrrrrrrrr/);
    }
    const d = { verdict: 'clean', set: [['B', 'x'.repeat(M - 1)]] };
    expect(scanWith(d)()).toEqual(d);
  });

  // What JSON cannot write is named, not shown as a valid value (a researcher's QA pass: the BigInt 10n was shown as 10).
  it.each([
    ['a BigInt', 10n, 'item "X-Tag" = the BigInt 10n: expected a string'],
    ['a BigInt in a list', [1, 2n], 'item "X-Tag" = [1,"2n (a BigInt)"]: expected a string'],
    ['a Set', new Set(['a']), 'item "X-Tag" = a Set: expected a string'],
  ])('event-log.md item values: %s is refused, named as what it is', (_, value, says) => {
    const scan = scanWith({ verdict: 'clean', set: [['X-Tag', value]] });
    expect(scan).toThrow(LogError);
    expect(scan).toThrow(says);
  });

  // A hardening QA pass: `throw Object.create(null)` made String() throw, and a Proxy's trap threw from `instanceof`:
  // the design's error became an internal one (exit 70, a stack).
  it.each([
    ['an object with no prototype', () => Object.create(null) as unknown, 'an object thrown (not an Error)'],
    ['a Proxy whose traps throw', () => new Proxy({}, { get: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('trap'); } }), 'a value thrown that cannot be written as text'],
    ['a plain object', () => ({ code: 7 }), 'an object thrown (not an Error): {"code":7}'],
    ['an empty object', () => ({}), 'an object thrown (not an Error)'],
    ['a string', () => 'no', 'no'],
    ['null', () => null, 'null'],
  ])('whatever a design throws (%s) is the design\'s error, said as text', (_, value, says) => {
    for (const where of ['scan', 'watches', 'check'] as const) {
      const design = defineDesign<Record<string, never>>({
        name: 'throws-anything',
        description: 'throws what the test gives',
        defaults: {},
        ...(where === 'check' ? { check: () => { throw value(); } } : {}),
        watches: () => {
          if (where === 'watches') throw value();
          return true;
        },
        scan: () => {
          throw value();
        },
      });
      const run = () => {
        const b = toBehaviour(design, {}, { server: 'Alpha', design: 'throws-anything', cluster: undefined });
        if (where === 'watches') b.watchesWrite({ server: 'Alpha', db: 'd.nsf', unid: NOTE.unid, note: NOTE, by: 'user/u', origin: 'save' });
        else b.scan(INPUT);
      };
      expect(run).toThrow(LogError);
      expect(run).toThrow(new RegExp(`^the design "throws-anything" failed while .*: ${says.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    }
  });

  it('a design\'s runtime error names the design\'s line that threw (the innermost frame outside replstorm), a fresh copy\'s as the module\'s own', () => {
    const thrower = (stack: string) => {
      const design = defineDesign<Record<string, never>>({
        name: 'throws',
        description: 'throws an error with the given stack',
        defaults: {},
        scan: () => {
          const err = new TypeError('boom');
          err.stack = stack;
          throw err;
        },
      });
      return () => toBehaviour(design, {}, { server: 'Alpha', design: 'throws', cluster: undefined }, false).scan(INPUT);
    };
    const ownDir = new URL('.', import.meta.url).pathname; // packages/scenarios/src/: replstorm's own frames
    expect(thrower(`TypeError: boom\n    at get (node:internal/x:1:1)\n    at helper (/r/node_modules/lib/index.js:3:4)\n    at Object.scan (/home/r/designs/mine.ts:12:7)\n    at Object.scan (${ownDir}design.ts:1:1)`)).toThrow(/: boom \(at \/home\/r\/designs\/mine\.ts:12:7\)$/);
    // The CLI's fresh copy of a module (designs.ts) is named as the module.
    expect(thrower(`TypeError: boom\n    at file:///home/r/designs/.mine.replstorm-fresh-4242-0badcafe.ts:3:9`)).toThrow(/: boom \(at \/home\/r\/designs\/mine\.ts:3:9\)$/);
    // Nothing outside replstorm on the stack: nothing added. The CLI's frames are replstorm's too (a review: a
    // design in a directory with parentheses was reported at packages/cli/src/main.ts).
    const cliDir = new URL('../../cli/src/', import.meta.url).pathname;
    expect(thrower(`TypeError: boom\n    at Object.scan (${ownDir}design.ts:1:1)\n    at run (${cliDir}main.ts:698:38)`)).toThrow(/: boom$/);
    // A path with parentheses or a percent sign, as a plain path (CommonJS) and as a URL with a query (an ES copy).
    expect(thrower(`TypeError: boom\n    at Object.promises (/tmp/designs (copy)/p.ts:3:57)\n    at run (${cliDir}main.ts:698:38)`)).toThrow(/: boom \(at \/tmp\/designs \(copy\)\/p\.ts:3:57\)$/);
    expect(thrower(`TypeError: boom\n    at /tmp/pct%41dir/p.ts:3:57`)).toThrow(/: boom \(at \/tmp\/pct%41dir\/p\.ts:3:57\)$/);
    expect(thrower(`TypeError: boom\n    at Object.scan (file:///tmp/a%20b/p.mjs?replstorm-fresh=2:4:5)`)).toThrow(/: boom \(at \/tmp\/a b\/p\.mjs:4:5\)$/);
    // A design module among replstorm's tests (packages/cli/test/designs/) is a design's, not replstorm's own source.
    const testDesign = new URL('../../cli/test/designs/boom.ts', import.meta.url).pathname;
    expect(thrower(`TypeError: boom\n    at Object.scan (${testDesign}:11:31)\n    at run (${cliDir}main.ts:698:38)`)).toThrow(new RegExp(`: boom \\(at ${testDesign.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:11:31\\)$`));
    // A message of several lines is not read as frames.
    expect(thrower(`TypeError: boom\n  at /tmp/not-a-frame.ts:1:1 (in the message)\n    at Object.scan (/home/r/designs/mine.ts:12:7)`)).toThrow(/ \(at \/home\/r\/designs\/mine\.ts:12:7\)$/);
  });

  it('a decision replstorm refuses names no line (it is replstorm\'s own error), and an inherited field is not the decision\'s', () => {
    expect(scanWith({ verdict: 'clean', sett: [] })).toThrow(/\(a decision has verdict, set, remove, remember\)$/);
    expect(scanWith(Object.assign(Object.create({ note: 'a helper on the prototype' }) as object, { verdict: 'clean' }))()).toEqual({ verdict: 'clean' });
  });

  // A researcher's QA pass: a design that scanned every document and then returned "skipped" for the tagged ones had
  // 35,606 scans counted as avoided in compare's table (scans.skipped follows the verdict; event-log.md: skipped are
  // "scans avoided by a verified tag or a cache").
  it('event-log.md scans: "skipped" after calling virusScan() is refused as the design\'s error (a scan paid for counted as saved); without the call, and "clean" after it, are taken', () => {
    const withScan = (verdict: string, destructured: boolean) => {
      const design = defineDesign<Record<string, never>>({
        name: 'scans-then-skips',
        description: 'calls virusScan, then returns the verdict the test gives',
        defaults: {},
        scan: (ctx) => {
          // Called as designs do: destructured from the context, or from a spread copy of it.
          const { virusScan } = destructured ? { ...ctx } : ctx;
          virusScan();
          return { verdict: verdict as 'clean' };
        },
      });
      return toBehaviour(design, {}, { server: 'Alpha', design: 'scans-then-skips', cluster: undefined });
    };
    for (const destructured of [false, true]) {
      const b = withScan('skipped', destructured);
      expect(() => b.scan(INPUT)).toThrow(LogError);
      expect(() => b.scan(INPUT)).toThrow('the design "scans-then-skips" failed while scanning 0000000000000000000000000000000A in d.nsf on Alpha at 5 ms: it returned the verdict "skipped" after calling virusScan(): a scan performed is "clean" or "infected"');
      expect(withScan('clean', destructured).scan(INPUT)).toEqual({ verdict: 'clean' });
    }
    // Each scan's calls are its own: a scan that skips without calling, after one that called, is taken.
    let call = 0;
    const alternating = toBehaviour(defineDesign<Record<string, never>>({ name: 'alternates', description: 'scans, then skips', defaults: {}, scan: ({ virusScan }) => (call++ % 2 === 0 ? (virusScan(), { verdict: 'clean' }) : { verdict: 'skipped' }) }), {}, { server: 'Alpha', design: 'alternates', cluster: undefined });
    expect(alternating.scan(INPUT)).toEqual({ verdict: 'clean' });
    expect(alternating.scan(INPUT)).toEqual({ verdict: 'skipped' });
  });

  it('a decision whose getter throws is the design\'s error, and a valid one is read once: the engine gets a plain copy (a review: exit 70)', () => {
    expect(scanWith({ get verdict(): string { throw new Error('no verdict'); } })).toThrow(/the design "returns" failed while scanning .*: no verdict$/);
    // A value that changes from read to read: the engine gets what was checked, never another value (a review: a
    // getter saying "clean" to the check and "skipped" or "bogus" to the engine).
    const changing = (...values: string[]) => {
      let reads = 0;
      return { get verdict(): string { return values[Math.min(reads++, values.length - 1)]!; }, set: [['X-Tag', 'v']] };
    };
    const d = scanWith(changing('clean', 'clean', 'skipped', 'bogus'))();
    expect(d).toEqual({ verdict: 'clean', set: [['X-Tag', 'v']] });
    expect(Object.getOwnPropertyDescriptor(d, 'verdict')?.get).toBeUndefined();
    expect(scanWith(changing('clean', 'bogus'))).toThrow(/it returned the verdict "bogus"/);
    // A getter deep in what is saved, throwing on its second read, is the design's error too (exit 70 inside the save).
    let pairReads = 0;
    const pair = ['X-Tag', 'v'];
    Object.defineProperty(pair, 1, { get: () => (pairReads++ === 0 ? 'v' : (() => { throw new Error('second read'); })()), enumerable: true });
    expect(scanWith({ verdict: 'clean', set: [pair] })).toThrow(/the design "returns" failed while scanning .*: second read$/);
  });

  it('built-in designs are trusted: their decisions are not checked (the seed\'s hot path)', () => {
    expect(scanWith({ verdict: 'maybe' }, true)()).toEqual({ verdict: 'maybe' });
  });

  it('R4: the note a design is handed cannot be changed, its revision list included (every replica holding the version shares it)', () => {
    const list = Revisions.EMPTY.append(1, 0, 0);
    const note: Note = { ...NOTE, seq: 2, revisions: list };
    const attempts: ((n: Note) => void)[] = [
      (n) => Object.assign(n.revisions, { includes: () => true }), // R4's descent test, for every replica of the version
      (n) => Object.assign(n, { seq: 9 }),
      (n) => (n.items as Note['items'][number][]).pop(),
    ];
    for (const attempt of attempts) {
      const design = defineDesign<Record<string, never>>({ name: 'meddles', description: 'changes what it is handed', defaults: {}, scan: (ctx) => (attempt(ctx.note), { verdict: 'clean' }) });
      const scan = () => toBehaviour(design, {}, { server: 'Alpha', design: 'meddles', cluster: undefined }, false).scan({ ...INPUT, note: structuredCloneNote(note) });
      expect(scan).toThrow(/the design "meddles" failed while scanning/);
    }
    expect(list.includes(5, 5)).toBe(false);
  });
});

/** A copy of a note (its own items array), sharing the revision list as the engine's copies do. */
function structuredCloneNote(n: Note): Note {
  return { ...n, items: n.items.map((i) => ({ ...i })) };
}

// What a design remembers is the server's store, part of the run's state (R16: scan state kept outside the document).
// explore identifies states by the store's JSON text, so a value must be JSON data: a BigInt crashed it (exit 70),
// and a Set or Map (written `{}`) or NaN (written null) merged states the design tells apart.
describe('a design\'s memory (remember)', () => {
  class Counter {
    n = 1;
  }
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = { back: cyclic };
  const withGetter = { get n() { return 1; } };
  it.each([
    ['a Set', new Set([1]), 'with a Set, not JSON data'],
    ['a Map', new Map([['a', 1]]), 'with a Map, not JSON data'],
    ['a BigInt', 10n, 'with the BigInt 10n, not JSON data'],
    ['NaN', Number.NaN, 'with NaN, not JSON data'],
    ['Infinity inside a list', [1, Number.POSITIVE_INFINITY], 'with Infinity at [1], not JSON data'],
    ['a Date', new Date(0), 'with a Date, not JSON data'],
    ['a class instance', new Counter(), 'with a Counter, not JSON data'],
    ['a function', () => 1, 'with a function, not JSON data'],
    ['a symbol', Symbol('s'), 'with a symbol (Symbol(s)), not JSON data'],
    ['a cycle', cyclic, 'with a cycle at .self.back, not JSON data (the value contains itself)'],
    ['undefined inside an object', { a: { b: undefined } }, 'with undefined at .a.b, not JSON data'],
    ['a hole in a list', [1, , 3], 'with an array with holes or extra properties, not JSON data'],
    ['a Set inside plain data', { seen: { 'x y': [new Set()] } }, 'with a Set at .seen["x y"][0], not JSON data'],
    ['a getter', withGetter, 'with a getter or setter at .n, not JSON data'],
  ])('R16: remembering %s is refused as the design\'s error, naming the key', (_, value, says) => {
    const scan = scanWith({ verdict: 'clean', remember: [['ok', 'fine'], ['seen', value]] });
    expect(scan).toThrow(LogError);
    expect(scan).toThrow(/the design "returns" failed while scanning 0000000000000000000000000000000A in d\.nsf on Alpha at 5 ms: it returned "remember" key "seen" with /);
    expect(scan).toThrow(says);
  });

  it('R16: nested plain data, null, and undefined (which forgets the key) are remembered as they are', () => {
    const d = { verdict: 'clean', remember: [['n', 3], ['s', 'x'], ['gone', undefined], ['none', null], ['deep', { list: [1, 'a', true, null, { z: [] }], bare: Object.assign(Object.create(null) as object, { k: -2.5 }) }]] };
    expect(scanWith(d)()).toEqual(d);
  });

  it('R16: a remembered value is frozen: a design that changes its memory in place (shared with states explore has already hashed) fails', () => {
    let kept: { seen: string[] } | undefined;
    const design = defineDesign<Record<string, never>>({
      name: 'appends',
      description: 'appends to what it remembered',
      defaults: {},
      scan: (ctx) => {
        const seen = ctx.store.get('seen') as { seen: string[] } | undefined;
        if (seen !== undefined) seen.seen.push(ctx.unid);
        kept = seen ?? { seen: [ctx.unid] };
        return { verdict: 'clean', remember: [['seen', kept]] };
      },
    });
    const b = toBehaviour(design, {}, { server: 'Alpha', design: 'appends', cluster: undefined });
    const store = new Map<string, unknown>();
    const d = b.scan({ ...INPUT, store });
    for (const [k, v] of d.remember ?? []) store.set(k, v);
    expect(() => b.scan({ ...INPUT, store })).toThrow(/the design "appends" failed while scanning .*: Cannot add property 1, object is not extensible.* \(what a design is handed is read-only: the note, its items, its attachments and the memory; return the changes instead, as set, remove and remember\)$/);
    expect(kept).toEqual({ seen: [NOTE.unid] });
  });
});

// A researcher's design is handed the server's store as a ReadonlyMap it can only read (R16: its memory is written
// through `remember`): read as an object it threw nothing and never hit (a new user's QA pass: a cache design read
// `store[key]`, passed verify with 0 scans skipped); written in place it changed the engine's own map.
describe('a researcher\'s design\'s store', () => {
  const scanReading = (read: (store: ReadonlyMap<string, unknown>) => unknown, trusted = false) => {
    let got: unknown;
    const design = defineDesign<Record<string, never>>({ name: 'reads', description: 'reads its store', defaults: {}, scan: (ctx) => ((got = read(ctx.store)), { verdict: 'clean' }) });
    const b = toBehaviour(design, {}, { server: 'Alpha', design: 'reads', cluster: undefined }, trusted);
    const store = new Map<string, unknown>([['k', 1]]);
    return { run: () => (b.scan({ ...INPUT, store }), got), store };
  };

  it('R16: read as a Map (get, has, size, iteration, forEach, spread into a Map) it gives the memory', () => {
    expect(scanReading((s) => [s.get('k'), s.has('k'), s.has('x'), s.size, [...s], [...s.keys()], new Map(s).get('k'), s instanceof Map]).run()).toEqual([1, true, false, 1, [['k', 1]], ['k'], 1, true]);
    let seen = 0;
    expect(scanReading((s) => s.forEach((v) => (seen += v as number))).run()).toBeUndefined();
    expect(seen).toBe(1);
  });

  it('R16: read as an object (store[key], store.seen) the design fails, naming the key and store.get', () => {
    expect(() => scanReading((s) => (s as unknown as Record<string, unknown>)['k']).run()).toThrow(/the design "reads" failed while scanning .*: store\.k: the store is a ReadonlyMap \(the design's memory on this server\), not an object: read a key with store\.get\("k"\) or store\.has\(\.\.\.\)/);
  });

  it('R16: written in place (set, delete, clear, an assignment, a definition, a deletion, __defineGetter__) the design fails, once said, and the memory is unchanged: it is written through remember', () => {
    const writes: ((s: Map<string, unknown>) => unknown)[] = [
      (s) => s.set('k', 2),
      (s) => s.delete('k'),
      (s) => s.clear(),
      (s) => ((s as unknown as Record<string, unknown>)['k'] = 2),
      (s) => Object.defineProperty(s, 'k', { value: 2 }),
      (s) => delete (s as unknown as Record<string, unknown>)['size'],
      (s) => (s as unknown as { __defineGetter__(k: string, f: () => unknown): void }).__defineGetter__('get', () => () => 2),
      (s) => Object.setPrototypeOf(s, null),
      (s) => Object.freeze(s),
      (s) => (s.valueOf() as Map<string, unknown>).set('k', 2),
      (s) => s.forEach((_v, _k, m) => (m as Map<string, unknown>).set('k', 2)),
    ];
    for (const write of writes) {
      const { run, store } = scanReading((s) => write(s as Map<string, unknown>));
      expect(run).toThrow(/the design "reads" failed while scanning .*: .*store.*: a design writes its memory through the decision's remember \(a list of \[key, value\] pairs; undefined forgets the key\), not in the store$/);
      expect([...store]).toEqual([['k', 1]]);
      expect(store.get('k')).toBe(1);
      expect(Object.getPrototypeOf(store)).toBe(Map.prototype);
      expect(Object.isExtensible(store)).toBe(true);
    }
  });

  it('R16: what any object has reads as on any object (toString, hasOwnProperty, __proto__), and a copy is new Map(store)', () => {
    expect(scanReading((s) => [String(s), Object.prototype.toString.call(s), (s as unknown as { hasOwnProperty(k: string): boolean }).hasOwnProperty('k'), (s as unknown as { __proto__: unknown }).__proto__ === Map.prototype, s.constructor === Map, new Map(s).get('k')]).run()).toEqual(['[object Map]', '[object Map]', false, true, true, 1]);
  });

  it('a built-in design (trusted) is handed the map itself, unguarded (no proxy on the seed\'s quarter of a million scans)', () => {
    const { run, store } = scanReading((s) => s, true);
    expect(run()).toBe(store);
  });
});

// Every function a design may give runs guarded: an exception from any of them, or a yes/no answer that is not a
// boolean, is the design's error (DESIGN_FAILED), never an internal error with a stack trace (exit 70).
describe('a design\'s other functions', () => {
  const boom = () => {
    throw new Error('boom');
  };
  const WHERE = { server: 'Alpha', design: 'optional', cluster: undefined };
  const install = (extra: Record<string, unknown>) => () =>
    toBehaviour(defineDesign<Record<string, never>>({ name: 'optional', description: 'throws where the test says', defaults: {}, scan: () => ({ verdict: 'clean' }), ...extra }), {}, WHERE);

  it.each([
    ['scanMsPerDoc', 'giving its scan time (scanMsPerDoc): boom'],
    ['scheduleEveryMs', 'giving its schedule (scheduleEveryMs): boom'],
    ['scansMail', 'deciding whether it scans mail (scansMail): boom'],
  ])('%s throwing, when the design is installed: DESIGN_FAILED', (fn, says) => {
    expect(install({ [fn]: boom })).toThrow(LogError);
    expect(install({ [fn]: boom })).toThrow(`the design "optional" failed while ${says}`);
  });

  it('runsScheduledPass and watches throwing, when asked: DESIGN_FAILED', () => {
    const b = install({ runsScheduledPass: boom, watches: boom })();
    expect(() => b.runsScheduledPass!({ server: 'Alpha', cluster: undefined, clusterMembers: ['Alpha'] })).toThrow('the design "optional" failed while deciding whether to run a scheduled pass on Alpha: boom');
    expect(() => b.watchesWrite({ server: 'Alpha', db: 'd.nsf', unid: NOTE.unid, note: NOTE, by: 'user/a', origin: 'save' })).toThrow(/failed while deciding whether to scan 0+A on Alpha: boom/);
  });

  it('a yes/no answer that is not a boolean ("yes", 1, undefined) is refused as the design\'s error', () => {
    for (const v of ['yes', 1, undefined]) {
      const b = install({ runsScheduledPass: () => v, watches: () => v })();
      expect(() => b.runsScheduledPass!({ server: 'Alpha', cluster: undefined, clusterMembers: ['Alpha'] })).toThrow(`it returned ${v === undefined ? 'undefined' : JSON.stringify(v)} (expected true or false)`);
      expect(() => b.watchesWrite({ server: 'Alpha', db: 'd.nsf', unid: NOTE.unid, note: NOTE, by: 'user/a', origin: 'save' })).toThrow('(expected true or false)');
      expect(install({ scansMail: () => v })).toThrow('(expected true or false)');
    }
  });

  it('promises throwing, when verify asks for them: DESIGN_FAILED', () => {
    const design = defineDesign<Record<string, never>>({ name: 'optional', description: 'x', defaults: {}, scan: () => ({ verdict: 'clean' }), promises: boom });
    expect(() => promisesOf(design)).toThrow('the design "optional" failed while stating its promises: boom');
  });

  it.each([
    [{ readOnlyKinds: 'scheduled' }, 'readOnlyKinds "scheduled", not a list of scan kinds ("mail", "on-write", "scheduled", "manual")'],
    [{ readOnlyKinds: ['manual', 'sheduled'] }, 'readOnlyKinds ["manual","sheduled"]: "sheduled" (did you mean "scheduled"?) is not a scan kind'],
    [{ noConflict: true }, 'the field "noConflict" (did you mean "noConflicts"?)'],
    [{ quiescent: 'yes' }, 'quiescent "yes", not true or false'],
    [[], '[] instead of an object'],
  ])('promises that are not promises (%j), as an object or returned: refused as bad configuration (exit 2), naming the field (a kind misspelt was a promise never tested, listed as held)', (promises, says) => {
    for (const p of [promises, () => promises]) {
      const design = defineDesign<Record<string, never>>({ name: 'promising', description: 'x', defaults: {}, scan: () => ({ verdict: 'clean' }), promises: p as never });
      let caught: unknown;
      try {
        promisesOf(design);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(LogError);
      expect((caught as LogError).code).toBe('BAD_CONFIG');
      expect((caught as LogError).message).toContain(`the design "promising" promises ${says}`);
    }
  });

  it('promises as the built-in designs state them are accepted, unchanged', () => {
    for (const d of builtinRegistry().values()) expect(promisesOf(d)).toEqual(typeof d.promises === 'function' ? d.promises(d.defaults as never) : d.promises ?? {});
  });
});

describe('a design that does not say what it watches', () => {
  it('R13: its on-write scans cover saves made on the server only, not arrivals nor documents the replicator makes (a conflict document)', () => {
    // R13: on-write is "a document saved on the server by anyone but the scanner itself; documents that arrive by
    // replication — including conflict and merged documents the replicator makes — only where the design says so".
    // The default (no `watches`) says nothing, so only the two user saves after the scanners come are scanned.
    const watchesNothingSaid = defineDesign<Record<string, never>>({ name: 'quiet-watch', description: 'no watches', defaults: {}, scan: () => ({ verdict: 'clean' }) });
    const U = '0000000000000000000000000000000A';
    const save = (at: number, server: string, body: string): InputEvent => ({ at, type: 'save', server, db: 'db', unid: U, by: 'user/ann', set: new Map<string, ItemValue>([['Body', body], ['$FILE', [{ name: 'a.pdf' }]]]) });
    const r = runEvents(
      [
        { at: 0, type: 'server', name: 'A' },
        { at: 0, type: 'server', name: 'B' },
        { at: 0, type: 'database', name: 'db', replicas: ['A', 'B'] },
        { at: 0, type: 'scanner', server: 'A', design: 'quiet-watch', config: {} },
        { at: 0, type: 'scanner', server: 'B', design: 'quiet-watch', config: {} },
        save(100, 'A', 'v1'),
        { at: 200, type: 'replicate', server: 'B', partner: 'A', mode: 'pull' },
        save(300, 'A', 'edit on A'),
        save(400, 'B', 'edit on B'),
        { at: 2000, type: 'replicate', server: 'B', partner: 'A' },
      ],
      { behaviours: behaviourFactory(new Map([['quiet-watch', watchesNothingSaid as never]])), collect: true },
    );
    // The premise: the session made a conflict document on A.
    expect(r.summary.conflicts).toBe(1);
    const scanned = r.derived.filter((e): e is ScannedEvent => e.type === 'scanned').map((e) => [e.at, e.server, e.kind]);
    expect(scanned).toEqual([
      [110, 'A', 'on-write'],
      [310, 'A', 'on-write'],
      [410, 'B', 'on-write'],
    ]);
  });
});

describe('a scanner configuration over the design\'s defaults (resolveConfig)', () => {
  it.each([
    ['scan-cache', { scanMsPerDoc: '10' }, 'field "config.scanMsPerDoc": expected a number, got "10"'],
    ['scan-cache', { scanReplicatedWrites: 'yes' }, 'field "config.scanReplicatedWrites": expected a boolean, got "yes"'],
    ['smsdom', { key: 1234567890123456 }, 'field "config.key": expected a string, got 1234567890123456'],
    ['smsdom', { sso: [true] }, 'field "config.sso": expected a boolean, got an array'],
  ])('event-log.md (smsdom configuration fields and their defaults): %s %j, a field of the wrong type, is refused naming it', (name, config, says) => {
    const design = builtinRegistry().get(name)!;
    for (const ignoreUnknown of [false, true]) {
      const f = () => resolveConfig(design, config, ignoreUnknown);
      expect(f).toThrow(LogError);
      expect(f).toThrow(says);
    }
  });
});

describe('selfSchedule: a design whose schedule the scenario does not reach', () => {
  const base = { description: 'x', symmetric: true, scan: () => ({ verdict: 'clean' as const }) };
  it('R13: a fixed interval is the design\'s own, with or without a setting it ignores; one that reads its setting is not, even when it falls back to an interval of its own at 0 (a QA pass: that one was called fixed, and run refused scanEveryMs, which does reach it)', () => {
    expect(selfSchedule(defineDesign({ ...base, name: 'fixed', defaults: {}, scheduleEveryMs: () => 1_800_000 }) as never, {})).toBe(1_800_000);
    expect(selfSchedule(defineDesign<{ scheduleEveryMs: number }>({ ...base, name: 'ignores', defaults: { scheduleEveryMs: 0 }, scheduleEveryMs: () => 1_800_000 }) as never, {})).toBe(1_800_000);
    const fallback = defineDesign<{ scheduleEveryMs: number }>({ ...base, name: 'fallback', defaults: { scheduleEveryMs: 0 }, scheduleEveryMs: (c) => (c.scheduleEveryMs > 0 ? c.scheduleEveryMs : 1_800_000) });
    expect(selfSchedule(fallback as never, {})).toBeUndefined();
    // What it runs with its setting at 0 (replay --what-if's note reads this, not the setting's default).
    expect(scheduleOf(fallback as never, {})).toBe(1_800_000);
    expect(selfSchedule(builtinRegistry().get('smsdom')!, {})).toBeUndefined();
    expect(selfSchedule(defineDesign({ ...base, name: 'none', defaults: {} }) as never, {})).toBeUndefined();
  });
});

describe('virusScanOf, for designs that wrap another', () => {
  it('R13/R14: reads the items of the note it is given, not the engine\'s Note.files: a copy with other items carries the files of the note it was copied from (a review: a copy now infected was called clean)', () => {
    const U = '0123456789ABCDEF0123456789ABCDEF';
    const clean = applySave(undefined, U, { set: [['$FILE', [{ name: 'a.doc' }]]] }, 1, 0).note;
    const infected = applySave(clean, U, { set: [['$FILE', [{ name: 'a.doc' }, { name: 'v.exe', infected: true }]]] }, 2, 0).note;
    const copy: Note = { ...clean, items: infected.items };
    expect(copy.files).toBe(1);
    expect(virusScanOf(copy)).toEqual({ infected: true, clean: [{ name: 'a.doc' }] });
    expect(virusScanOf(clean)).toEqual({ infected: false, clean: [{ name: 'a.doc' }] });
  });
});
