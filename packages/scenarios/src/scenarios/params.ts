import { LogError, nearestName } from '@replstorm/core';

/** One scenario parameter: its default and a line of help. Values are numbers, booleans or strings. */
export interface ParamSpec {
  readonly default: number | boolean | string;
  readonly help: string;
  /** For numbers: smallest and largest accepted values. */
  readonly min?: number;
  readonly max?: number;
  /** For numbers: only whole numbers. */
  readonly integer?: boolean;
  /** For strings: the accepted values, when there is a fixed set. */
  readonly choices?: readonly string[];
}

/** Decimal notation (`_` may group digits); WHOLE, whole numbers only. Number() alone also takes "", "0x10", "0b1". */
const DECIMAL = /^-?(?:[0-9]+(?:_[0-9]+)*(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const WHOLE = /^-?[0-9]+(?:_[0-9]+)*$/;

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;
export type ParamValues<S extends ParamSpecs> = { -readonly [K in keyof S]: S[K]['default'] extends number ? number : S[K]['default'] extends boolean ? boolean : string };

/**
 * Parses `key=value` settings over a scenario's defaults. Unknown keys and values of the wrong kind are refused with
 * a message naming the key and what it accepts (`--set` on the CLI).
 */
export function resolveParams<S extends ParamSpecs>(specs: S, settings: Readonly<Record<string, string | number | boolean>>): ParamValues<S> {
  const out: Record<string, number | boolean | string> = {};
  for (const [k, spec] of Object.entries(specs)) out[k] = spec.default;
  for (const [k, raw] of Object.entries(settings)) {
    const spec = Object.prototype.hasOwnProperty.call(specs, k) ? specs[k] : undefined;
    if (spec === undefined) throw new LogError('BAD_CONFIG', `unknown parameter "${k}"${nearestName(k, Object.keys(specs))} (known: ${Object.keys(specs).join(', ')})`, { field: k });
    const s = String(raw);
    if (typeof spec.default === 'number') {
      const n = DECIMAL.test(s) ? Number(s.replace(/_/g, '')) : Number.NaN;
      if (!Number.isFinite(n)) throw new LogError('BAD_CONFIG', `parameter "${k}": expected a number in decimal notation, got "${s}"`, { field: k });
      // (A whole number past 2^53-1 is said to be one, too large: "expected a whole number" of 99999999999999999999
      // read as a complaint about its digits, a QA pass.)
      if (spec.integer === true && WHOLE.test(s) && !Number.isSafeInteger(n)) {
        const range = spec.min !== undefined && spec.max !== undefined ? ` (it takes ${spec.min}..${spec.max})` : spec.min !== undefined ? ` (it takes ${spec.min} or more)` : '';
        throw new LogError('BAD_CONFIG', `parameter "${k}": ${s} is a whole number ${n < 0 ? 'below -(2^53-1)' : 'beyond 2^53-1'}, more than a double holds exactly${range}`, { field: k });
      }
      if (spec.integer === true && !(Number.isSafeInteger(n) && WHOLE.test(s))) throw new LogError('BAD_CONFIG', `parameter "${k}": expected a whole number (decimal digits), got "${s}"`, { field: k });
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        // (A bound on one side in words: "0 is outside 1..inf" read as a formula, a hardening QA pass.)
        const range = spec.min !== undefined && spec.max !== undefined ? `outside ${spec.min}..${spec.max}` : spec.min !== undefined ? `below the least value, ${spec.min}` : `above the greatest value, ${spec.max}`;
        throw new LogError('BAD_CONFIG', `parameter "${k}": ${n} is ${range}`, { field: k });
      }
      out[k] = n;
    } else if (typeof spec.default === 'boolean') {
      if (!['true', 'false', '1', '0', 'yes', 'no'].includes(s)) throw new LogError('BAD_CONFIG', `parameter "${k}": expected true or false, got "${s}"`, { field: k });
      out[k] = s === 'true' || s === '1' || s === 'yes';
    } else {
      if (spec.choices !== undefined && !spec.choices.includes(s)) throw new LogError('BAD_CONFIG', `parameter "${k}": expected one of ${spec.choices.join(', ')}, got "${s}"`, { field: k });
      out[k] = s;
    }
  }
  return out as ParamValues<S>;
}

/**
 * A comma-separated list of numbers ("0,7000"), the last repeated for the servers it does not reach. A list the user
 * gave (`given`) with more values than servers is refused: the values past the last server would be ignored, and
 * they are a mistake (a server count or a list that was meant to change too). [choice] A default list is cut to the
 * servers without a word: the defaults are written for two servers, and with servers=1 nobody wrote the second value.
 */
export function perServerNumbers(list: string, servers: number, name: string, given = true): number[] {
  const parts = list.split(',').map((x) => x.trim()).filter((x) => x !== '');
  // Milliseconds: whole numbers in decimal digits (times in the log are integers).
  const nums = parts.map((x) => (WHOLE.test(x) ? Number(x.replace(/_/g, '')) : Number.NaN));
  if (nums.length === 0 || nums.some((n) => !Number.isSafeInteger(n))) throw new LogError('BAD_CONFIG', `parameter "${name}": expected comma-separated whole numbers (decimal digits), got "${list}"`, { field: name });
  if (given && nums.length > servers) {
    throw new LogError('BAD_CONFIG', `parameter "${name}": expected at most ${servers} ${servers === 1 ? 'value' : 'values'}, one per server (servers=${servers}; the last repeats for the servers it does not reach), got ${nums.length}: "${list}"`, { field: name });
  }
  return Array.from({ length: servers }, (_, i) => nums[Math.min(i, nums.length - 1)]!);
}

/**
 * Parses `a=1,b=true,key=XYZ` into a config object. With the design's `defaults`, each value takes the type of its
 * default (so `key=1234567890123456` stays a string); without, numbers and booleans are recognised by their look.
 * `label` names the list in messages (a design's configuration after `design:` is no parameter: `--what-if smsdom:sso`
 * read `parameter "smsdom": expected key=value`, an operator's QA pass); '' for none, where the caller names the list
 * itself (verify's `--config`: `--config x: parameter "config": ...` named it twice, once as no parameter of the
 * scenario's, a researcher's QA pass).
 */
export function parseConfigList(text: string, name: string, defaults?: object, label = `parameter "${name}"`): Record<string, unknown> {
  const lead = label === '' ? '' : `${label}: `;
  const typed = defaults as Record<string, unknown> | undefined;
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const part of text.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const i = part.indexOf('=');
    if (i <= 0) throw new LogError('BAD_CONFIG', `${lead}expected key=value, got "${part}"`, { field: name });
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    // A key given twice is refused rather than the last kept, as a `--set` key given twice is (an operator's QA pass:
    // `--what-if smsdom:sso=true,sso=false` ran with sso=false and was labelled with both).
    if (Object.prototype.hasOwnProperty.call(out, k)) throw new LogError('BAD_CONFIG', `${lead}"${k}" is given twice (${String(out[k])}, then ${v}): give it once`, { field: name });
    const want = typed !== undefined && Object.prototype.hasOwnProperty.call(typed, k) ? typeof typed[k] : undefined;
    const num = DECIMAL.test(v) ? Number(v.replace(/_/g, '')) : Number.NaN;
    // An integer a double cannot hold (9007199254740993 reads as ...992) is refused, as a log's is: the design's check
    // named the number it read as ("got 9007199254740992"), not what was typed. Only where a number may be meant: a text
    // setting keeps its digits (a key of 16 digits, R14), and what is no number at all ("1_") is said so by the design.
    const digits = v.replace(/_/g, '');
    const asNumber = want === 'number' || want === undefined;
    if (asNumber && DECIMAL.test(v) && /^-?[0-9]+$/.test(digits) && !Number.isSafeInteger(num) && (!Number.isFinite(num) || BigInt(digits) !== BigInt(num))) {
      throw new LogError('BAD_CONFIG', `${lead}${k}=${v}: a whole number beyond 2^53-1 that a double cannot hold (it reads as ${String(num)})`, { field: name });
    }
    if (want === 'string') out[k] = v;
    else if (want === 'number') out[k] = v !== '' && Number.isFinite(num) ? num : v;
    else if (want === 'boolean') out[k] = v === 'true' ? true : v === 'false' ? false : v;
    else out[k] = v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(num) && !/^0\d/.test(v) && !/[a-zA-Z]/.test(v) ? num : v;
  }
  return out;
}
