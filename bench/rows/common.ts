// Shared by the benchmark rows: each row runs in its own process (so its peak memory is its own) and prints one JSON
// object on stdout.
/**
 * A whole-number option of at least `min`, `--name N` or `--name=N`, else `fallback`. Anything else is refused: `--depth
 * 5x` read as NaN and gave a depth-0 result, `--depth=5` went unread, and `--repeat` with no value, or given twice, was
 * taken silently (two reviews).
 */
export function arg(name: string, fallback: number, min = 0): number {
  const argv = process.argv;
  const at = argv.flatMap((a, i) => (a === `--${name}` || a.startsWith(`--${name}=`) ? [i] : []));
  if (at.length === 0) return fallback;
  if (at.length > 1) throw new Error(`--${name} is given ${at.length} times: give it once`);
  const a = argv[at[0]!]!;
  const raw = a === `--${name}` ? argv[at[0]! + 1] : a.slice(name.length + 3);
  if (raw === undefined || !/^[0-9]+$/.test(raw)) throw new Error(`--${name} expects a whole number, got ${raw === undefined ? 'nothing' : JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min) throw new Error(`--${name} expects at least ${min}, got ${n}`);
  return n;
}

export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

/** Peak resident memory of this process so far, in MB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function emit(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...result, node: process.version })}\n`);
}
