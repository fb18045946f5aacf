/**
 * Where JSON text first breaks JSON's grammar (RFC 8259): the index of the offending character (`text.length` when it
 * ends too early), or -1 when the text is one well-formed JSON value. For the column of a refused line: Node 20's
 * JSON.parse names no position in some of its messages (`Unexpected token ''', "..." is not valid JSON`), and a
 * column 1 there sent an operator to the start of a line whose error was at column 33 (an operator's QA pass). It
 * gives the position V8 gives where V8 gives one (jsonErrorAt.test.ts compares them on random texts).
 *
 * Iterative (an explicit stack of open containers): a hostile line nests 100,000 deep.
 */
export function jsonErrorAt(text: string): number {
  const n = text.length;
  // Open containers: 1 an object, 2 an array.
  const stack: number[] = [];
  let i = skipSpace(text, 0);
  for (;;) {
    // A value at i.
    if (i >= n) return n;
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) {
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) === 0x7d /* } */) {
        i++;
      } else {
        const after = member(text, i);
        if (after < 0) return ~after;
        stack.push(1);
        i = after;
        continue;
      }
    } else if (c === 0x5b /* [ */) {
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) === 0x5d /* ] */) {
        i++;
      } else {
        stack.push(2);
        continue;
      }
    } else if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (end < 0) return ~end;
      i = end;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const end = numberEnd(text, i);
      if (end < 0) return ~end;
      i = end;
    } else if (text.startsWith('true', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else if (text.startsWith('null', i)) i += 4;
    else return literalError(text, i);
    // After a value: close containers, or go on to the next element or member.
    for (;;) {
      i = skipSpace(text, i);
      const open = stack.length > 0 ? stack[stack.length - 1]! : 0;
      if (open === 0) return i < n ? i : -1;
      if (i >= n) return n;
      const d = text.charCodeAt(i);
      if (d === 0x2c /* , */) {
        i = skipSpace(text, i + 1);
        if (open === 1) {
          const after = member(text, i);
          if (after < 0) return ~after;
          i = after;
        }
        break;
      }
      if ((open === 1 && d === 0x7d) || (open === 2 && d === 0x5d)) {
        stack.pop();
        i++;
        continue;
      }
      return i;
    }
  }
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else return i;
  }
}

/** A member's name and colon at i (white space before it skipped): the index of its value, or ~error. */
function member(text: string, i: number): number {
  if (i >= text.length) return ~text.length;
  if (text.charCodeAt(i) !== 0x22) return ~i;
  const end = stringEnd(text, i);
  if (end < 0) return end;
  const colon = skipSpace(text, end);
  if (colon >= text.length) return ~text.length;
  if (text.charCodeAt(colon) !== 0x3a /* : */) return ~colon;
  return skipSpace(text, colon + 1);
}

/** The index after the string starting at i (a quote), or ~error. */
function stringEnd(text: string, i: number): number {
  const n = text.length;
  for (let j = i + 1; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x22) return j + 1;
    if (c < 0x20) return ~j;
    if (c === 0x5c /* \ */) {
      const e = text.charCodeAt(j + 1);
      if (j + 1 >= n) return ~n;
      if (e === 0x75 /* u */) {
        for (let k = j + 2; k < j + 6; k++) {
          if (k >= n) return ~n;
          if (!isHex(text.charCodeAt(k))) return ~k;
        }
        j += 5;
      } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) j++;
      else return ~(j + 1);
    }
  }
  return ~n;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The index after the number starting at i, or ~error (where a digit was wanted). */
function numberEnd(text: string, i: number): number {
  let j = i;
  if (text.charCodeAt(j) === 0x2d) j++;
  if (text.charCodeAt(j) === 0x30) j++;
  else if (isDigit(text.charCodeAt(j))) while (isDigit(text.charCodeAt(j))) j++;
  else return ~j;
  if (text.charCodeAt(j) === 0x2e /* . */) {
    j++;
    if (!isDigit(text.charCodeAt(j))) return ~j;
    while (isDigit(text.charCodeAt(j))) j++;
  }
  const e = text.charCodeAt(j);
  if (e === 0x65 || e === 0x45) {
    j++;
    const s = text.charCodeAt(j);
    if (s === 0x2b || s === 0x2d) j++;
    if (!isDigit(text.charCodeAt(j))) return ~j;
    while (isDigit(text.charCodeAt(j))) j++;
  }
  return j;
}

/** A broken `true`, `false` or `null` (or any other character where a value was wanted): where it goes wrong. */
function literalError(text: string, i: number): number {
  for (const word of ['true', 'false', 'null']) {
    if (text.charCodeAt(i) !== word.charCodeAt(0)) continue;
    let k = 1;
    while (k < word.length && i + k < text.length && text.charCodeAt(i + k) === word.charCodeAt(k)) k++;
    return i + k;
  }
  return i;
}
