// The pure half of `pnpm differential` (scripts/differential.ts): which commands it runs in both versions, and how it
// compares what they printed. Kept apart from the processes and files so that a test can hold it to its word: cases
// are a function of the seed, and two results are "the same" exactly when they differ by nothing but wall-clock time,
// the directory each version wrote into, and standard error where neither refused (progress lines).
import fc from 'fast-check';

/** One command, run by both versions. */
export interface Case {
  readonly kind: 'run' | 'explore';
  /** Arguments after `replstorm`, without the output options the harness adds (--json, --record, --out). */
  readonly args: readonly string[];
}

// The scenario's settings, each over a handful of values that keep a run to a second or so: small clusters and
// databases, a few hours. Every setting of smsdom-storm that `run` takes is drawn, so a change to any rule a setting
// reaches can show. Combinations the CLI refuses (a config key the design lacks, keys=per-server for a design with no
// key, scanEveryMs or scanServers other than none for a design with no schedule, two clock skews for one server, one
// replication mode's interval with the other mode) are not drawn: a refusal tests little, and half the cases were
// refusals. A refusal that happens anyway is compared like any result: the same exit, the same message.
const DESIGNS = ['smsdom', 'scan-cache', 'noop', 'cluster-aware', 'sso-mail-only'] as const;
/** Per design, the config values drawn (each a setting the design has). */
const CONFIGS: Record<(typeof DESIGNS)[number], readonly string[]> = {
  smsdom: ['tagIncludesScanTime=true', 'scanReplicatedWrites=true', 'ignoreSsoOnScheduled=true', 'rewriteValidTags=false', 'onWrite=false'],
  'cluster-aware': ['tagIncludesScanTime=true', 'scanReplicatedWrites=true', 'ignoreSsoOnScheduled=true', 'onWrite=false'],
  'sso-mail-only': ['tagIncludesScanTime=true', 'scanReplicatedWrites=true', 'mail=false'],
  'scan-cache': ['scanReplicatedWrites=true', 'scanMsPerDoc=1000'],
  noop: [],
};
const HAS_KEY = new Set<string>(['smsdom', 'cluster-aware', 'sso-mail-only']);
/** The designs with a schedule to set (`scheduleEveryMs`): `run` refuses scanEveryMs and scanServers for the others. */
const HAS_SCHEDULE = new Set<string>(['smsdom', 'cluster-aware', 'sso-mail-only', 'scan-cache']);

const setting = (key: string, values: readonly (string | number)[]): fc.Arbitrary<string[]> => fc.constantFrom(...values).map((v) => ['--set', `${key}=${v}`]);
const maybe = (a: fc.Arbitrary<string[]>): fc.Arbitrary<string[]> => fc.option(a, { nil: undefined, freq: 2 }).map((x) => x ?? []);
const none: fc.Arbitrary<string[]> = fc.constant([]);

/** design, its config and keys: only what the design has. */
const designPart: fc.Arbitrary<{ design: string; args: string[] }> = fc.constantFrom(...DESIGNS).chain((design) =>
  fc
    .tuple(CONFIGS[design].length > 0 ? maybe(setting('config', CONFIGS[design])) : none, HAS_KEY.has(design) ? maybe(setting('keys', ['shared', 'per-server'])) : none)
    .map(([config, keys]) => ({ design, args: ['--set', `design=${design}`, ...config, ...keys] })),
);

const runCase: fc.Arbitrary<Case> = fc
  .tuple(designPart, fc.constantFrom(1, 2, 2, 3))
  .chain(([d, servers]) =>
    fc
      .tuple(
        setting('databases', [1, 2, 3]),
        setting('docs', [0, 1, 2, 4]),
        // Each replication mode with its own interval only (`run` refuses the other mode's: it would change nothing).
        fc
          .constantFrom('cluster', 'cluster', 'scheduled')
          .chain((mode) =>
            fc.tuple(fc.constant(['--set', `replication=${mode}`]), mode === 'cluster' ? maybe(setting('clusterIntervalMs', [0, 1000, 15000])) : maybe(setting('connectionEveryMs', [600000, 1800000]))),
          )
          .map(([mode, interval]) => [...mode, ...interval]),
        setting('scanServers', HAS_SCHEDULE.has(d.design) ? ['all', 'first', 'none'] : ['none']),
        HAS_SCHEDULE.has(d.design) ? maybe(setting('scanEveryMs', [1800000, 3600000])) : none,
        // One value per server at most (the last repeats).
        servers === 1 ? setting('scanOffsetsMs', ['0', '5000']) : maybe(setting('scanOffsetsMs', ['0', '0,7000', '5000,100'])),
        servers === 1 ? setting('clockSkewsMs', ['0', '350']) : maybe(setting('clockSkewsMs', ['0', '0,350', '0,-500'])),
        setting('horizonMs', [3600000, 10800000]),
        maybe(setting('userEditsPerHour', [0, 5, 20])),
        maybe(setting('definitionsEveryMs', [0, 2700000])),
        maybe(setting('forwards', [0, 3])),
        maybe(setting('attachmentShare', [1, 0.5])),
        maybe(setting('infectedShare', [0, 0.3, 1])),
        fc.integer({ min: 0, max: 9999 }),
      )
      .map((parts) => {
        const seed = parts.pop() as number;
        return { kind: 'run' as const, args: ['smsdom-storm', ...d.args, '--set', `servers=${servers}`, ...(parts as string[][]).flat(), '--seed', String(seed)] };
      }),
  );

// Searches small enough to finish in seconds: two or three servers, one or two documents, depth 3 to 7, with and
// without faults, user saves, each invariant and each reduction.
const exploreCase: fc.Arbitrary<Case> = fc
  .tuple(
    designPart,
    fc.constantFrom(2, 2, 3),
    setting('docs', [1, 2]),
    maybe(setting('replication', ['cluster', 'scheduled'])),
    fc.subarray(['no-conflict', 'no-scanner-conflicts', 'no-scanner-revision']),
    fc.boolean(),
    fc.constantFrom(0, 0, 1, 2),
    fc.constantFrom([], [], ['--no-symmetry'], ['--no-partial-order'], ['--no-storms']),
    fc.integer({ min: 3, max: 7 }),
  )
  .map(([d, servers, docs, replication, invariants, faults, userActions, reduction, depth]) => {
    // Three servers and faults multiply the actions: the depth is kept lower there.
    const dp = servers === 3 || faults ? Math.min(depth, 5) : depth;
    return {
      kind: 'explore',
      args: [
        'smsdom-storm',
        ...d.args,
        '--set',
        `servers=${servers}`,
        ...docs,
        ...replication,
        ...invariants.flatMap((i) => ['--invariant', i]),
        ...(faults ? ['--faults'] : []),
        ...(userActions > 0 ? ['--user-actions', String(userActions)] : []),
        ...reduction,
        '--depth',
        String(dp),
      ],
    };
  });

/** `runs` run cases and `explores` explore cases, a function of `seed` alone. */
export function differentialCases(seed: number, runs: number, explores: number): Case[] {
  const out: Case[] = [];
  if (runs > 0) out.push(...fc.sample(runCase, { seed, numRuns: runs }));
  if (explores > 0) out.push(...fc.sample(exploreCase, { seed: seed ^ 0x5bd1e995, numRuns: explores }));
  return out;
}

/** Fields that hold wall-clock measurements (explore's `seconds`, `checkSeconds` and `statesPerSecond`): never compared. */
const TIMING_FIELDS = new Set(['seconds', 'checkSeconds', 'statesPerSecond']);

/**
 * What a version printed, made comparable with the other's: JSON without its timing fields and with the directory the
 * version wrote into (`dir`) written as `<out>`; text that is not JSON with `dir` replaced alike.
 */
export function normalizeOutput(stdout: string, dir: string): string {
  const text = stdout.split(dir).join('<out>');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v !== null && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (!TIMING_FIELDS.has(k)) o[k] = strip(x);
      return o;
    }
    return v;
  };
  return JSON.stringify(strip(value), null, 1);
}

/**
 * What a failure says (a refusal, exit 2; a crash): the last line of standard error that is not part of a stack, with
 * `dir` as `<out>`. Standard error is compared only when a side failed: long runs also write progress lines there,
 * which depend on the machine's speed.
 */
export function failureLine(stderr: string, dir: string): string {
  // A crash ends with its stack (and Node's version): its message is the last line before those.
  const lines = stderr.split(dir).join('<out>').split('\n').filter((l) => l.trim() !== '' && !/^\s+at /.test(l) && !/^Node\.js v/.test(l));
  return lines[lines.length - 1] ?? '';
}

/** The lines of a log after its header (line 1), which names the options and is compared apart. */
export function logBody(text: string): { header: string; body: string } {
  const nl = text.indexOf('\n');
  return nl < 0 ? { header: text, body: '' } : { header: text.slice(0, nl), body: text.slice(nl + 1) };
}

/** One side's result of one case. */
export interface SideResult {
  readonly code: number | string;
  readonly stdout: string;
  /** What it said on standard error when it failed (failureLine). */
  readonly failure: string;
  /** The logs it wrote (a run's recording, an explore's counterexamples), by file name. */
  readonly logs: ReadonlyMap<string, string>;
  /** Exit codes of the other version replaying each of this side's logs, and of this version replaying them. */
  readonly replayedByOther: ReadonlyMap<string, number | string>;
  readonly replayedBySelf: ReadonlyMap<string, number | string>;
}

/**
 * When `b` is `a`'s JSON with fields added (at any depth) and nothing else changed, the added fields' paths; else
 * undefined. A new `--json` field read "output differs" in every case that printed it, and each case's files had to be
 * read to see that nothing else had (29 explores on 2026-12-06).
 */
export function addedFieldsOnly(a: string, b: string): string[] | undefined {
  let x: unknown;
  let y: unknown;
  try {
    x = JSON.parse(a);
    y = JSON.parse(b);
  } catch {
    return undefined;
  }
  const added: string[] = [];
  const walk = (u: unknown, v: unknown, path: string): boolean => {
    if (Array.isArray(u) && Array.isArray(v)) return u.length === v.length && u.every((e, i) => walk(e, v[i], `${path}[${i}]`));
    if (u !== null && v !== null && typeof u === 'object' && typeof v === 'object' && !Array.isArray(u) && !Array.isArray(v)) {
      const uo = u as Record<string, unknown>;
      const vo = v as Record<string, unknown>;
      for (const k of Object.keys(uo)) if (!Object.hasOwn(vo, k) || !walk(uo[k], vo[k], `${path}.${k}`)) return false;
      for (const k of Object.keys(vo)) if (!Object.hasOwn(uo, k)) added.push(`${path}.${k}`.slice(1));
      return true;
    }
    return JSON.stringify(u) === JSON.stringify(v);
  };
  return walk(x, y, '') ? added : undefined;
}

/** How two sides of a case differ: an empty list when they do not. */
export function differences(oldSide: SideResult, newSide: SideResult): string[] {
  const out: string[] = [];
  if (oldSide.code !== newSide.code) out.push(`exit code ${oldSide.code} -> ${newSide.code}`);
  if (oldSide.stdout !== newSide.stdout) {
    const added = addedFieldsOnly(oldSide.stdout, newSide.stdout);
    out.push(added !== undefined && added.length > 0 ? `output (--json) differs only by fields the new version adds: ${added.join(', ')}` : 'output (--json) differs');
  }
  // What a side said on failing (a refusal, exit 2; a crash, 70; a timeout): compared, and shown, when either failed.
  const failed = (x: SideResult) => x.code !== 0 && x.code !== 1;
  if ((failed(oldSide) || failed(newSide)) && oldSide.failure !== newSide.failure) out.push(`standard error: "${oldSide.failure}" -> "${newSide.failure}"`);
  const names = new Set([...oldSide.logs.keys(), ...newSide.logs.keys()]);
  for (const name of [...names].sort()) {
    const a = oldSide.logs.get(name);
    const b = newSide.logs.get(name);
    if (a === undefined || b === undefined) {
      out.push(`log ${name} written by ${a === undefined ? 'the new version only' : 'the old version only'}`);
      continue;
    }
    const x = logBody(a);
    const y = logBody(b);
    if (x.header !== y.header) out.push(`log ${name}: header differs`);
    if (x.body !== y.body) out.push(`log ${name}: events differ${firstDifferentLine(x.body, y.body)}`);
  }
  // A log replays the same in the other version as in its own: a recording to exit 0, a counterexample to its claim.
  for (const [side, other, label] of [
    [oldSide, 'new', 'old'],
    [newSide, 'old', 'new'],
  ] as const) {
    for (const [name, code] of side.replayedByOther) {
      const self = side.replayedBySelf.get(name);
      if (code !== self) out.push(`the ${label} version's ${name} replays with exit ${code} in the ${other} version, ${self} in its own`);
    }
  }
  return out;
}

/** Where two log bodies first differ, as a line of the file (the header is line 1), and each file's count of lines. */
function firstDifferentLine(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  // A body ends with a newline: the empty piece after it is not a line (the count read one line too many).
  const lines = (v: string[]) => 1 + v.length - (v[v.length - 1] === '' ? 1 : 0);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return ` from line ${i + 2} (${lines(x)} lines against ${lines(y)})`;
  return '';
}
