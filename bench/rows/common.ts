// Shared by the benchmark rows: each row runs in its own process (so its peak memory is its own) and prints one JSON
// object on stdout.
/**
 * A whole-number option, `--name N` or `--name=N`, else `fallback`. Anything else is refused: `--depth 5x` read as NaN
 * and gave a depth-0 result, and `--depth=5` went unread (a benchmark review).
 */
export function arg(name: string, fallback: number): number {
  const argv = process.argv;
  const i = argv.indexOf(`--${name}`);
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  const raw = i >= 0 ? argv[i + 1] : eq?.slice(name.length + 3);
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw)) throw new Error(`--${name} expects a whole number, got ${JSON.stringify(raw)}`);
  return Number(raw);
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
