/**
 * Virtual milliseconds as `h:mm:ss.mmm` (days as `Nd h:mm:ss`): the one time format of the CLI, the HTML report (whose
 * chart script writes the same, htmlReport.ts) and the steps' words (explainDerived). A negative span (a difference)
 * gets a leading `-`.
 */
export function formatVirtualTime(ms: number): string {
  if (ms < 0) return `-${formatVirtualTime(-ms)}`;
  const d = Math.floor(ms / 86_400_000);
  const h = Math.floor((ms % 86_400_000) / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const frac = ms % 1000;
  const hms = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}${frac ? `.${String(frac).padStart(3, '0')}` : ''}`;
  return d > 0 ? `${d}d ${hms}` : hms;
}
