import { TRUSTED_DESIGNS, type DesignRegistry, type ScannerDesign } from '../design.js';
import { noop, scanCache } from './simple.js';
import { clusterAware, smsdom, ssoMailOnly } from './smsdom.js';

/** The built-in designs, by name (event-log.md: smsdom, noop, scan-cache, cluster-aware, sso-mail-only). */
export const BUILTIN_DESIGNS: readonly ScannerDesign<object>[] = [smsdom, noop, scanCache, clusterAware, ssoMailOnly] as readonly ScannerDesign<object>[];
// [choice] Built-ins are trusted: the checks a design module gets when it runs are not made for them (their code
// ships with replstorm). builtinChecks.test.ts runs each through those checks as a module, so a new one is held to them.
for (const d of BUILTIN_DESIGNS) TRUSTED_DESIGNS.add(d);

export function builtinRegistry(extra: Iterable<ScannerDesign<object>> = []): DesignRegistry {
  const m = new Map<string, ScannerDesign<object>>();
  for (const d of BUILTIN_DESIGNS) m.set(d.name, d);
  for (const d of extra) m.set(d.name, d);
  return m;
}
