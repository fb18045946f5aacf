import type { LogEvent } from './events.js';

/**
 * Structural equality of two events as the log would write them: the same fields (a field set to undefined counts as
 * absent) with equal values, nested objects and arrays compared the same way. Field order does not matter. What a
 * replay uses to check a recording's derived events: the same answer as comparing canonical JSON, without building it.
 */
export function eventsEqual(a: LogEvent, b: LogEvent): boolean {
  return valueEqual(a, b);
}

function valueEqual(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x)) {
    if (!Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!valueEqual(x[i], y[i])) return false;
    return true;
  }
  if (Array.isArray(y) || x instanceof Map || y instanceof Map) return false;
  const ox = x as Record<string, unknown>;
  const oy = y as Record<string, unknown>;
  let nx = 0;
  for (const k in ox) {
    if (!Object.prototype.hasOwnProperty.call(ox, k) || ox[k] === undefined) continue;
    nx++;
    if (!Object.prototype.hasOwnProperty.call(oy, k) || !valueEqual(ox[k], oy[k])) return false;
  }
  let ny = 0;
  for (const k in oy) if (Object.prototype.hasOwnProperty.call(oy, k) && oy[k] !== undefined) ny++;
  return nx === ny;
}
