// A hint for a misspelt name, shared by the log reader (a scanner setting its design does not have), the design
// checks (a decision's fields, a design's) and the scenario parameters (`--set dcos=2`).

/** ` (did you mean "x"?)` for the known name within two edits (case ignored), or "". */
export function nearestName(name: string, known: readonly string[]): string {
  const best = nearestOf(name, known);
  return best === undefined ? '' : ` (did you mean ${JSON.stringify(best)}?)`;
}

/** The name of `known` nearest `name` within two edits (case ignored; `edits` fewer), if any. */
export function nearestOf(name: string, known: readonly string[], edits = 2): string | undefined {
  let best: string | undefined;
  let bestD = edits + 1;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase(), bestD);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

/** Levenshtein distance, or `limit` once it is at least that (names are short; a long one is cut off at once). */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return Math.min(prev[b.length]!, limit);
}
