// Shared by the benchmark rows: each row runs in its own process (so its peak memory is its own) and prints one JSON
// object on stdout.
export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
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
