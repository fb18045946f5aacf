import { TRUSTED_DESIGNS, type DesignRegistry, type ScannerDesign } from '../design.js';
import { noop, scanCache } from './simple.js';
import { clusterAware, smsdom, ssoMailOnly } from './smsdom.js';

/** The built-in designs, by name (event-log.md: smsdom, noop, scan-cache, cluster-aware, sso-mail-only). */
export const BUILTIN_DESIGNS: readonly ScannerDesign<object>[] = [smsdom, noop, scanCache, clusterAware, ssoMailOnly] as readonly ScannerDesign<object>[];
for (const d of BUILTIN_DESIGNS) TRUSTED_DESIGNS.add(d);

export function builtinRegistry(extra: Iterable<ScannerDesign<object>> = []): DesignRegistry {
  const m = new Map<string, ScannerDesign<object>>();
  for (const d of BUILTIN_DESIGNS) m.set(d.name, d);
  for (const d of extra) m.set(d.name, d);
  return m;
}
