import type { LogEvent } from './events.js';
import { itemKey } from '../note/note.js';

/**
 * Structural equality of two events as the log would write them: the same fields (a field set to undefined counts as
 * absent) with equal values, nested objects and arrays compared the same way. Field order does not matter. What a
 * replay uses to check a recording's derived events: the same answer as comparing canonical JSON, without building it.
 */
export function eventsEqual(a: LogEvent, b: LogEvent): boolean {
  return valueEqual(a, b);
}

/**
 * eventsEqual for a recording's derived event against the engine's, except that a `revised` event's `items` compare as
 * sets: the names a save wrote, which the engine lists in the order of the save's `set` and `remove`, a JSON object's
 * order that means nothing. [choice] A recording whose `set` objects were rewritten with sorted keys (`jq -S`) was
 * refused as disagreeing with the engine, "the file differs in items" (an operator's review); the engine's own order
 * is kept, so recordings made before read as they did. Names compare as item names do (event-log.md: "compare
 * case-insensitively"): `subject` in a recording is the item the engine spells `Subject` (an event-log audit: the case
 * of a name was a mismatch where its order was not).
 */
export function derivedEventsEqual(file: LogEvent, engine: LogEvent): boolean {
  if (eventsEqual(file, engine)) return true;
  if (file.type !== 'revised' || engine.type !== 'revised' || !sameNames(file.items, engine.items)) return false;
  return eventsEqual({ ...file, items: engine.items }, engine);
}

/** The same item names (compared as item names: case-insensitively), each as often, in any order. */
function sameNames(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  if (!(a as unknown[]).every((n) => typeof n === 'string') || !(b as unknown[]).every((n) => typeof n === 'string')) return false;
  const x = (a as string[]).map(itemKey).sort();
  const y = (b as string[]).map(itemKey).sort();
  return x.every((n, i) => n === y[i]);
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
