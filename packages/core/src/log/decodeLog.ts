import { itemKey } from '../note/note.js';
import { jsonErrorAt } from './jsonErrorAt.js';
import { LogError, type LogErrorCode } from '../util/logError.js';
import { nearestName, nearestOf } from '../util/nearestName.js';
import {
  ATTACHMENT_FIELDS,
  EVENT_SCHEMAS,
  HEADER_FIELDS,
  OID_FIELDS,
  VIA_FIELDS,
  type FieldKind,
} from './eventFields.js';
import type { Attachment, DerivedEvent, DerivedEventType, ItemValue, LocatedEvent, LogEvent, LogHeader } from './events.js';

// The v1 log reader (event-log.md, "File" and the event tables). Pure: bytes or text in, events out, one line at a
// time, so a replay never holds more than one unfinished line besides the events it returns.

/** The engine's own actor kinds (event-log.md: `router/<server>`, `scanner/<design>`, `replicator/<server>`). */
const ENGINE_ACTOR_KINDS = ['router', 'scanner', 'replicator'] as const;

/** "an" before an event type read aloud with a vowel first (`an "end" event`), else "a". */
function articleOf(type: string): string {
  return /^[aeiou]/i.test(type) ? 'an' : 'a';
}

/** An unknown field, reported under `strict` (event-log.md: readers ignore fields they do not know). */
export interface LogWarning {
  readonly line: number;
  readonly column: number;
  readonly field: string;
  readonly message: string;
}

export interface LogDecoderOptions {
  /** Longest line accepted, in UTF-8 bytes without its line end. Default 64 MiB. */
  readonly maxLineBytes?: number;
  /** Why `maxLineBytes` is what it is, said when a line is refused for it (after "the most a line may hold"). */
  readonly maxLineWhy?: string;
  /** Report unknown fields to `onWarning`. */
  readonly strict?: boolean;
  readonly onWarning?: (warning: LogWarning) => void;
  /**
   * The settings a scanner design has (its configuration's fields), or undefined for a design not known here. A
   * `scanner` event's configuration field the design does not have is passed over by the engine (event-log.md: readers
   * ignore fields they do not know): its numbers are not read (refuseInexact), and `strict` names it, as any unknown
   * field.
   */
  readonly settingsOf?: (design: string) => readonly string[] | undefined;
  /**
   * The caller never changes a chunk's bytes once pushed (a new buffer for every read, as readChunks and streams give):
   * a lazy decoder then hands each raw line over with a view of its bytes (`RawDerivedLine.bytes`), which outlives the
   * push. Otherwise chunks are copied or decoded before `push` returns, and the caller may reuse its buffer.
   */
  readonly chunksKept?: boolean;
}

/**
 * Streaming reader of a log. `push` returns the events of the lines the chunk completed; `end` those of a last line
 * without a line end, and refuses a log without a header. Any refusal is a `LogError`; after one, the decoder throws
 * it again on every call.
 */
export interface LogDecoder<Item = LocatedEvent> {
  push(chunk: Uint8Array | string): Item[];
  end(): Item[];
  /** Line 1, once it has been read. */
  readonly header: LogHeader | undefined;
  /** Lines read so far, blank ones included. */
  readonly lines: number;
  /**
   * After a refusal: the items of the lines before the refused one that the call which refused it had decoded (not
   * returned). A caller that runs them first reports an earlier line's refusal by the engine first, as a log's errors
   * read top down (an operator's review: a bad number on line 9 was named before line 7's unknown replica).
   */
  readonly beforeFailure: readonly Item[];
}

/**
 * A derived event's line handed over undecoded by a lazy decoder. Its `at` and `type` are read from the line's start,
 * which is as the recorder writes it (`{"at":<digits>,"type":"<derived type>",`), and are what decoding the whole line
 * gives (the rest names neither key again); `at` is already checked against the lines before. The rest of the line is
 * not checked yet: it is valid once it equals `encodeEvent` of a valid event (isEncodingOf, or isRawEncodingOf on its
 * bytes), or once `decodeRaw` accepts it.
 */
export interface RawDerivedLine {
  readonly line: number;
  readonly at: number;
  readonly type: DerivedEventType;
  /** The line, without its line end. */
  readonly text: string;
  /**
   * The line's bytes, `bytes[byteStart, byteEnd)`, without its line end, when the line lies in a block of a kept chunk
   * (`chunksKept`) whose text is ASCII; else undefined. Such a line's text is made when first asked for: a matcher
   * reads the bytes (isRawEncodingOf).
   */
  readonly bytes: Uint8Array | undefined;
  readonly byteStart: number;
  readonly byteEnd: number;
  /** Where the line goes on after its start (`{"at":<at>,"type":"<type>",`), in units from its first (and in bytes). */
  readonly bodyOffset: number;
}

/** A RawDerivedLine; read as bytes, its text is made when first asked for (most lines match and never need it). */
class RawLine implements RawDerivedLine {
  private made: string | undefined;

  constructor(
    readonly line: number,
    readonly at: number,
    readonly type: DerivedEventType,
    text: string | undefined,
    readonly bytes: Uint8Array | undefined,
    readonly byteStart: number,
    readonly byteEnd: number,
    readonly bodyOffset: number,
  ) {
    this.made = text;
  }

  get text(): string {
    return (this.made ??= utf8.decode(this.bytes!.subarray(this.byteStart, this.byteEnd)));
  }
}

/**
 * A decoder that hands derived lines over undecoded (a replay that checks a recording compares most of them with the
 * engine's events as text, and decodes only the ones that differ). Input lines and any line not written as the recorder
 * writes it are decoded as by createLogDecoder. Its user must decode (`decodeRaw`) every raw line it does not match,
 * and, before reporting any refusal, the raw lines it holds from before that refusal's line: refusals then come in
 * file order, as from createLogDecoder. A refusal thrown by `push` or `end` already covers their own raw lines.
 */
export interface LazyLogDecoder extends LogDecoder<LocatedEvent | RawDerivedLine> {
  /** The event of a raw line, or its refusal (`LogError`): the same as createLogDecoder gives for that line. */
  decodeRaw(raw: RawDerivedLine): LocatedEvent<DerivedEvent>;
}

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/** Unknown scanner settings of one event looked at for a misspelling (Decoder.warnUnknownSettings). */
const MISSPELT_CHECKED = 100;

// core compiles against ES2023 alone (no DOM or node types), so the two WHATWG globals every runtime has are typed
// here.
interface TextCodecs {
  readonly TextDecoder: new (
    label: 'utf-8',
    options: { fatal: boolean; ignoreBOM: boolean },
  ) => { decode(input: Uint8Array): string };
  readonly TextEncoder: new () => { encode(input: string): Uint8Array };
}
const codecs = globalThis as unknown as TextCodecs;
// ignoreBOM keeps U+FEFF in the text: only line 1 may start with one, and a BOM anywhere else is refused as bad JSON.
const utf8 = new codecs.TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Each field with its path, made once, so a line allocates no path unless it is refused.
const SCHEMAS = new Map(
  [...EVENT_SCHEMAS].map(([type, schema]) => [
    type,
    { type, known: schema.known, fields: schema.fields.map((f) => ({ ...f, path: [f.name] as Path })) },
  ]),
);

/** Every field some event may hold (a missing `at` or `type` is looked for among the others: Decoder.missing). */
const ANY_EVENT_FIELD: ReadonlySet<string> = new Set([...EVENT_SCHEMAS.values()].flatMap((x) => [...x.known]));

const WINDOW_BYTES = 1 << 20;
const NL = 0x0a;
const CR = 0x0d;
const MAX_AT = Number.MAX_SAFE_INTEGER;

export function createLogDecoder(options: LogDecoderOptions = {}): LogDecoder {
  // (Without `lazy`, no RawDerivedLine is ever returned.)
  return new Decoder(options, false) as LogDecoder;
}

/**
 * A decoder that hands derived lines over undecoded (LazyLogDecoder). Under `strict` it decodes every line: warnings
 * then come in line order.
 */
export function createLazyLogDecoder(options: LogDecoderOptions = {}): LazyLogDecoder {
  return new Decoder(options, true);
}

/** Decodes a whole log held in memory. */
export function decodeLogText(
  text: string,
  options: LogDecoderOptions = {},
): { header: LogHeader; events: LocatedEvent[] } {
  const decoder = createLogDecoder(options);
  const events = decoder.push(text);
  for (const e of decoder.end()) events.push(e);
  return { header: decoder.header!, events };
}

type Path = readonly (string | number)[];
type Item = LocatedEvent | RawDerivedLine;

class Decoder implements LazyLogDecoder {
  header: LogHeader | undefined = undefined;
  lines = 0;

  private readonly maxLineBytes: number;
  private readonly maxLineWhy: string | undefined;
  // A line of at most this many UTF-16 units is within maxLineBytes whatever it holds (a unit is at most 3 bytes).
  private readonly maxUnitsUnchecked: number;
  private readonly warn: ((w: LogWarning) => void) | undefined;
  /** Warnings given with or without `strict` (a misspelt scanner setting: warnUnknownSettings). */
  private readonly warnAlways: ((w: LogWarning) => void) | undefined;
  private readonly lazy: boolean;
  private readonly settingsOf: ((design: string) => readonly string[] | undefined) | undefined;
  private readonly withText: boolean;
  private readonly chunksKept: boolean;
  /**
   * While the lines of a block of a kept chunk are handled: the block, when its text is ASCII (as long as the block,
   * each unit one byte), so a line's place in the text is its place in the bytes; raw lines then carry their bytes
   * and no text. Else undefined.
   */
  private blockBytes: Uint8Array | undefined = undefined;
  /**
   * Where the first backslash of the text being decoded lies at or after the line last looked at (2^32 - 1: none; -1:
   * not looked for in this text).
   */
  private nextBackslash = -1;
  // The unfinished last line: bytes (pending[0, pendingBytes), a buffer grown by doubling) or text.
  private pending = new Uint8Array(0);
  /** The last line, when the file ends without a line end (a refusal of its JSON says the file may be cut short). */
  private unterminatedLine = 0;
  private pendingBytes = 0;
  private pendingText = '';
  private lastAt = 0;
  private lastAtLine = 0;
  private failure: unknown = undefined;
  beforeFailure: readonly Item[] = [];
  private ended = false;

  // The line being decoded, for locating errors.
  private raw = '';
  private lineNo = 0;

  constructor(options: LogDecoderOptions, lazy: boolean) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.maxLineWhy = options.maxLineWhy;
    this.maxUnitsUnchecked = Math.floor(this.maxLineBytes / 3);
    this.warn = options.strict === true ? options.onWarning : undefined;
    this.warnAlways = options.onWarning;
    this.settingsOf = options.settingsOf;
    this.lazy = lazy && this.warn === undefined;
    // A lazy decoder's user (replay) locates what the engine refuses, and where a recording differs, in the line's text:
    // kept with --strict too, which decodes every line.
    this.withText = lazy;
    this.chunksKept = options.chunksKept === true;
  }

  push(chunk: Uint8Array | string): Item[] {
    this.guard();
    const out: Item[] = [];
    try {
      if (typeof chunk === 'string') this.pushText(chunk, out);
      else this.pushBytes(chunk, out);
      return out;
    } catch (e) {
      this.refused(out, e);
      throw this.failure;
    }
  }

  end(): Item[] {
    this.guard();
    const out: Item[] = [];
    try {
      if (this.pendingBytes > 0) {
        // A last line without a line end; its length was checked as it arrived.
        const text = this.decodeLocated(this.takePendingBytes());
        this.unterminatedLine = this.lines + 1;
        this.nextBackslash = -1;
        this.handleLine(text, 0, text.length, false, out);
      } else if (this.pendingText.length > 0) {
        const text = this.pendingText;
        this.pendingText = '';
        this.unterminatedLine = this.lines + 1;
        this.nextBackslash = -1;
        this.handleLine(text, 0, text.length, true, out);
      }
      if (this.header === undefined) {
        throw new LogError('EMPTY_LOG', 'the log is empty: line 1 must be the header {"replog": 1, "meta": {...}}', {
          line: 1,
          column: 1,
        });
      }
      this.ended = true;
      return out;
    } catch (e) {
      this.refused(out, e);
      throw this.failure;
    }
  }

  decodeRaw(raw: RawDerivedLine): LocatedEvent<DerivedEvent> {
    this.raw = raw.text;
    this.lineNo = raw.line;
    try {
      this.unsafe = false;
      const event = this.decodeEvent(this.parse(), false) as DerivedEvent;
      this.refuseInexact(event);
      return { line: raw.line, event };
    } catch (e) {
      this.failure ??= e;
      throw e;
    }
  }

  /** Records the first refusal (firstRefusal) and the items of the lines before it (beforeFailure). */
  private refused(out: readonly Item[], e: unknown): void {
    this.failure = this.firstRefusal(out, e);
    const line = this.failure instanceof LogError ? this.failure.line : undefined;
    this.beforeFailure = line === undefined ? [] : out.filter((item) => item.line < line);
  }

  /** `e`, a refusal of a later line, unless one of the raw lines handed over with it (not yet returned) is refused. */
  private firstRefusal(out: readonly Item[], e: unknown): unknown {
    if (!this.lazy) return e;
    try {
      for (const item of out) if (!('event' in item)) this.decodeRaw(item);
    } catch (earlier) {
      return earlier;
    }
    return e;
  }

  private guard(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.ended) throw new Error('createLogDecoder: push or end after end()');
  }

  private pushBytes(chunk: Uint8Array, out: Item[]): void {
    if (this.pendingText.length > 0) {
      // Text then bytes: rare (a caller mixing both); re-encode the unfinished line.
      const text = this.pendingText;
      this.pendingText = '';
      this.addPendingBytes(new codecs.TextEncoder().encode(text));
    }
    const lastNl = chunk.lastIndexOf(NL);
    if (lastNl < 0) {
      this.addPendingLine(chunk);
      return;
    }
    let from = 0;
    if (this.pendingBytes > 0) {
      // Finish the pending line on its own, so the rest of the chunk is decoded where it lies, not copied.
      from = chunk.indexOf(NL) + 1;
      // (Surely too long even if it ends with \r: refuse before copying; decodeBlock checks the exact length.)
      if (this.pendingBytes + from - 2 > this.maxLineBytes) this.tooLong(this.lines + 1);
      this.addPendingBytes(chunk.subarray(0, from));
      this.decodeBlock(this.takePendingBytes(), out, false);
    }
    const block = chunk.subarray(0, lastNl + 1);
    // A big chunk (a whole file) is decoded a window of whole lines at a time: a smaller string, read while in cache.
    while (block.length - from > WINDOW_BYTES) {
      let cut = block.lastIndexOf(NL, from + WINDOW_BYTES - 1);
      if (cut < from) cut = block.indexOf(NL, from + WINDOW_BYTES);
      this.decodeBlock(block.subarray(from, cut + 1), out, this.chunksKept);
      from = cut + 1;
    }
    if (from < block.length) this.decodeBlock(from === 0 ? block : block.subarray(from), out, this.chunksKept);
    if (lastNl + 1 < chunk.length) this.addPendingLine(chunk.subarray(lastNl + 1));
  }

  private pushText(chunk: string, out: Item[]): void {
    let pending = this.pendingText;
    if (this.pendingBytes > 0) pending = this.decodeLocated(this.takePendingBytes()) + pending;
    // Look for a line end in the new chunk only: a long line pushed in small pieces stays linear.
    const chunkNl = chunk.lastIndexOf('\n');
    if (chunkNl < 0) {
      this.pendingText = pending + chunk;
    } else {
      const text = pending + chunk;
      const lastNl = pending.length + chunkNl;
      this.pendingText = text.slice(lastNl + 1);
      this.decodeLines(text, lastNl + 1, true, out);
    }
    // Every UTF-16 unit is at least one UTF-8 byte; the exact count is taken when the line is complete.
    if (this.pendingText.length > this.maxLineBytes + 1) this.tooLong(this.lines + 1);
  }

  /**
   * Decodes the lines of a block of bytes that ends with a line end. `kept`: the block's bytes stay as they are (a kept
   * chunk's, not the pending line's buffer, which the next line reuses), and raw lines may hand them over.
   */
  private decodeBlock(block: Uint8Array, out: Item[], kept: boolean): void {
    let stop = block.length;
    let problem: (() => never) | undefined;
    if (block.length > this.maxLineBytes) {
      const long = findLongLine(block, this.maxLineBytes);
      if (long !== undefined) {
        stop = long;
        problem = () => this.tooLong(this.lines + 1);
      }
    }
    let text: string;
    try {
      text = utf8.decode(block.subarray(0, stop));
    } catch {
      // Only now look for the bad byte; lines before it are decoded first, so an earlier error wins.
      const bad = findInvalidUtf8(block, 0, stop);
      // (lastIndexOf with a negative start counts from the end, hence the guard.)
      const lineStart = bad <= 0 ? 0 : block.lastIndexOf(NL, bad - 1) + 1;
      stop = lineStart;
      text = utf8.decode(block.subarray(0, stop));
      problem = () => this.badUtf8(this.lines + 1, block, lineStart, bad < 0 ? lineStart : bad);
    }
    // (An ASCII block decodes to as many units as it has bytes; any other byte sequence to fewer.)
    this.blockBytes = kept && this.lazy && text.length === stop ? block : undefined;
    try {
      this.decodeLines(text, text.length, false, out);
    } finally {
      this.blockBytes = undefined;
    }
    if (problem !== undefined) problem();
  }

  /** Decodes bytes known to hold no line end (an unfinished line), naming the bad byte if they are not UTF-8. */
  private decodeLocated(bytes: Uint8Array): string {
    try {
      return utf8.decode(bytes);
    } catch {
      const bad = findInvalidUtf8(bytes, 0, bytes.length);
      return this.badUtf8(this.lines + 1, bytes, 0, bad < 0 ? 0 : bad);
    }
  }

  /** The lines of `text` up to `stop`, which is just after a `\n`. */
  private decodeLines(text: string, stop: number, checkLength: boolean, out: Item[]): void {
    this.nextBackslash = -1;
    let start = 0;
    while (start < stop) {
      const nl = text.indexOf('\n', start);
      this.handleLine(text, start, nl, checkLength, out);
      start = nl + 1;
    }
  }

  private handleLine(text: string, start: number, end: number, checkLength: boolean, out: Item[]): void {
    const line = ++this.lines;
    if (end > start && text.charCodeAt(end - 1) === CR) end--;
    if (checkLength && end - start > this.maxUnitsUnchecked && utf8Length(text, start, end) > this.maxLineBytes) {
      this.tooLong(line);
    }
    // A byte-order mark is skipped (event-log.md). [choice] Columns count from the character after it, as editors show
    // line 1 (the mark is not displayed).
    if (line === 1 && text.charCodeAt(start) === 0xfeff) start++;
    // Blank: JSON white space only (space, tab, CR). A line of other white space is refused as bad JSON.
    if (text.charCodeAt(start) !== 0x7b) {
      let i = start;
      while (i < end) {
        const c = text.charCodeAt(i);
        if (c !== 0x20 && c !== 0x09 && c !== CR) break;
        i++;
      }
      if (i === end) return;
    }
    this.lineNo = line;
    if (this.lazy && this.header !== undefined) {
      const raw = this.rawDerived(text, start, end);
      if (raw !== undefined) {
        out.push(raw);
        return;
      }
    }
    this.raw = text.slice(start, end);
    const value = this.parse();
    this.unsafe = false;
    // The header is the first line that is not blank ("blank lines are ignored" holds before it too).
    if (this.header === undefined) {
      this.decodeHeader(value);
      this.refuseInexact(undefined);
    } else {
      const event = this.decodeEvent(value, true);
      this.refuseInexact(event);
      out.push(this.withText ? { line, event, text: this.raw } : { line, event });
    }
  }

  /**
   * The current line as a RawDerivedLine if it starts as the recorder writes a derived event and its `at` does not go
   * back; else undefined, and it is decoded now. Sound because the rest of the line must then hold no `"at"`, `"type"`
   * or backslash: no later key can repeat `at` or `type` (JSON.parse keeps the last), however it is spelled.
   */
  private rawDerived(text: string, start: number, end: number): RawDerivedLine | undefined {
    // The start is read from the block's text, not from the line cut out of it: a flat string reads faster.
    if (!startsAt(text, start, '{"at":')) return undefined;
    let p = start + 6;
    let at = 0;
    if (text.charCodeAt(p) === 0x30) p++;
    else {
      for (;;) {
        const c = text.charCodeAt(p);
        if (!(c >= 0x30 && c <= 0x39)) break;
        at = at * 10 + (c - 0x30);
        p++;
      }
      // At most 15 digits: always a safe integer (a longer `at` is decoded now).
      if (p === start + 6 || p > start + 21) return undefined;
    }
    // An earlier `at` is refused now, with the error decoding gives (bad JSON, if the line is that too).
    if (at < this.lastAt || !startsAt(text, p, ',"type":"')) return undefined;
    p += 9;
    const type = derivedTypeAt(text, p);
    if (type === undefined) return undefined;
    p += type.length + 2;
    // Searched in the whole text, not in the line cut out of it (no string made for a line that matches): a backslash
    // is looked for once per text unless one is found (remembered), and `"at"` and `"type"` are met at the next line's
    // start at the latest, as every line starts with both.
    if (this.nextBackslash < p) this.nextBackslash = text.indexOf('\\', p) >>> 0; // (none: 2^32 - 1, past any line)
    if (this.nextBackslash < end || hasQuoted(text, p, end, 'at"', 1) || hasQuoted(text, p, end, 'ype"', 2)) return undefined;
    this.lastAt = at;
    this.lastAtLine = this.lineNo;
    const bytes = this.blockBytes;
    return bytes !== undefined
      ? new RawLine(this.lineNo, at, type, undefined, bytes, start, end, p - start)
      : new RawLine(this.lineNo, at, type, text.slice(start, end), undefined, 0, 0, p - start);
  }

  private parse(): Record<string, unknown> {
    let value: unknown;
    try {
      value = JSON.parse(this.raw);
    } catch (e) {
      // Any failure (a RangeError from deep nesting too) is this line's bad JSON, never an escaping error.
      // The column is where the line first breaks JSON's grammar, found here (jsonErrorAt): Node 20 gives no position
      // in some messages (an unexpected token), and where it does, a 0-based one beside the 1-based column read as a
      // contradiction (an operator's QA pass: "2:36: ... at position 35"), so it is taken out of the message. A line
      // that is well-formed and still refused (nesting too deep for JSON.parse) is located at V8's position, or 1.
      const v8Message = e instanceof Error ? e.message : String(e);
      const message = v8Message.replace(/ (?:in JSON )?at position \d+(?: \(line \d+ column \d+\))?/, '');
      const at = jsonErrorAt(this.raw);
      const position = /position (\d+)/.exec(v8Message);
      const column = at >= 0 ? at + 1 : position ? Number(position[1]) + 1 : 1;
      // A last line without a line end whose JSON stops short at its end: the file was most likely cut (an operator's
      // QA pass: "Unterminated string" alone did not say that the file ends there).
      const cut = this.lineNo === this.unterminatedLine && column > this.raw.trimEnd().length ? ' (the file ends here, in the middle of this line, without a line end: was it cut short?)' : '';
      // A carriage return where the JSON went wrong, within the line: lines ended by CR alone (an old Mac's), which a
      // log does not have, so the whole file read as one line (a hardening QA pass: the message said nothing of it).
      const cr = this.raw.charCodeAt(column - 1) === 13 || this.raw.charCodeAt(column - 2) === 13 ? ' (a carriage return here: this file\'s lines seem to end in CR alone; a log\'s lines end in LF or CRLF)' : '';
      throw new LogError('BAD_JSON', `invalid JSON: ${message}${cut}${cr}`, {
        line: this.lineNo,
        column,
      });
    }
    if (!isObject(value)) {
      if (this.header === undefined) {
        const got = show(value);
        this.fail('BAD_HEADER', undefined, `line 1 must be the header {"replog": 1, "meta": {...}}, got ${got}`);
      }
      this.fail('BAD_JSON', undefined, `expected a JSON object (one event per line), got ${show(value)}`);
    }
    if (this.warn) this.warnDuplicateKeys();
    return value;
  }

  /**
   * --strict: a key written twice in one object (`"server":"Beta","server":"Alpha"`). JSON.parse keeps the last, and
   * so does replstorm (RFC 8259 leaves it to the reader); a hand-edited line that names a field twice most likely
   * meant one of them, so the strict reader says which is read.
   */
  private warnDuplicateKeys(): void {
    // In one pass (walkLine): a recursive walk overflowed the stack on a line nested 100,000 deep (exit 70 under
    // --strict, QA). The warnings come in the line's order.
    const seen = new Map<Frame, Set<string>>();
    walkLine(this.raw, {
      key: (frames, key, at) => {
        const object = frames[frames.length - 1]!;
        let keys = seen.get(object);
        if (keys === undefined) seen.set(object, (keys = new Set()));
        if (keys.has(key)) {
          const field = shortPathTo(frames, key);
          this.warn!({ line: this.lineNo, column: at + 1, field, message: `field "${field}" is written twice in one object: the last is read` });
        }
        keys.add(key);
      },
    });
  }

  private decodeHeader(value: Record<string, unknown>): void {
    const replog = value['replog'];
    if (replog === undefined) {
      const what = value['type'] !== undefined ? 'an event' : 'an object without "replog"';
      this.fail('BAD_HEADER', ['replog'], `line 1 must be the header {"replog": 1, "meta": {...}}, got ${what}`);
    }
    if (replog !== 1) {
      this.fail('BAD_VERSION', ['replog'], `field "replog": this reader knows log version 1, got ${show(replog)}`);
    }
    // `meta` is free-form and optional in practice: a missing one reads as {}. JSON.parse's object is kept as it is
    // (an own "__proto__" key stays an ordinary key; readers look keys up with own-property checks).
    const meta = value['meta'];
    if (meta !== undefined && !isObject(meta)) {
      this.fail('BAD_HEADER', ['meta'], `field "meta": expected an object, got ${show(meta)}`);
    }
    if (meta !== undefined && tooDeep(meta, MAX_FREE_FORM_DEPTH)) {
      this.fail('BAD_HEADER', ['meta'], `field "meta": nested deeper than ${MAX_FREE_FORM_DEPTH} levels`);
    }
    if (meta !== undefined) this.exactNumbersIn(meta, ['meta']);
    if (this.warn) this.warnUnknown(value, HEADER_FIELDS, [], 'the header');
    // (--strict says so: the format's header has one; a spec review noticed it was accepted without a word.)
    if (this.warn && meta === undefined) this.warn({ line: this.lineNo, column: 1, field: 'meta', message: 'the header has no "meta" (read as {}; event-log.md writes the header {"replog": 1, "meta": {...}})' });
    this.header = { replog: 1, meta: meta ?? {} };
  }

  /** `inOrder`: check `at` against the line before and advance; false for a raw line (its `at` was checked then). */
  private decodeEvent(value: Record<string, unknown>, inOrder: boolean): LogEvent {
    const at = value['at'];
    if (at === undefined) this.missing(['at'], 'an integer 0..2^53-1 of virtual milliseconds', 'every event', value, ANY_EVENT_FIELD);
    if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0) {
      this.bad(['at'], 'an integer 0..2^53-1', at);
    }
    const type = value['type'];
    if (type === undefined) this.missing(['type'], 'an event type', 'every event', value, ANY_EVENT_FIELD);
    if (typeof type !== 'string') this.bad(['type'], 'an event type (a string)', type);
    const schema = SCHEMAS.get(type);
    if (schema === undefined) {
      this.fail(
        'UNKNOWN_TYPE',
        ['type'],
        `field "type": unknown event type ${show(type)}; expected one of ${[...EVENT_SCHEMAS.keys()].join(', ')}`,
      );
    }
    if (inOrder) {
      if (at < this.lastAt) {
        this.fail(
          'TIME_DECREASED',
          ['at'],
          `field "at": ${at} is earlier than ${this.lastAt} on line ${this.lastAtLine}; "at" never decreases`,
        );
      }
      this.lastAt = at;
      this.lastAtLine = this.lineNo;
    }
    const event: Record<string, unknown> = { at: at + 0, type };
    for (const f of schema.fields) {
      const v = value[f.name];
      if (v === undefined) {
        if (f.required) this.missing(f.path, expected(f.kind), `${articleOf(type)} "${type}" event`, value, schema.known);
        continue;
      }
      event[f.name] = this.decodeField(f.kind, v, f.path);
    }
    if (this.warn) {
      this.warnUnknown(value, schema.known, [], `${articleOf(type)} "${type}" event`);
      this.warnSetAndRemoved(event);
      this.warnTopology(event);
      this.warnUnknownSettings(event, true);
    } else if (this.warnAlways !== undefined) this.warnUnknownSettings(event, false);
    return event as unknown as LogEvent;
  }

  /** --strict: the servers defined so far, and the connections by what they schedule (to the first line). */
  private readonly definedServers = new Set<string>();
  /** --strict: the actor kinds already warned about (warnActorKind). */
  private readonly kindsWarned = new Set<string>();
  /** --strict: the databases each server holds a replica of (database events), for a session between two that share none. */
  private readonly databasesOf = new Map<string, Set<string>>();
  private readonly connections = new Map<string, { all: number; dbs: Map<string, number> }>();
  /** --strict: the line of the partition in force if it names two groups or more (until a heal or another partition), else 0. */
  private partitionLine = 0;
  /** --strict: each server's, database's and cluster's name as first written, by kind and name in lower case, and its line. */
  private readonly spellings = new Map<string, { name: string; line: number }>();

  /** The first spelling of a name of this kind, when it differs from `name` only in case (remembering `name` if new). */
  private otherSpelling(kind: 'server' | 'database' | 'cluster' | 'actor kind', name: string): { name: string; line: number } | undefined {
    const key = `${kind}\u0000${name.toLowerCase()}`;
    const first = this.spellings.get(key);
    if (first === undefined) this.spellings.set(key, { name, line: this.lineNo });
    return first !== undefined && first.name !== name ? first : undefined;
  }

  /**
   * [choice] Server and database names are compared as written (the spec's names are identifiers), where Domino's
   * server names and a Windows server's file paths are not case-sensitive: `A` and `a` are two servers here, most
   * likely a typing slip (a hardening QA pass: accepted without a word). Said under --strict, as a cluster's is.
   */
  private warnSpelling(kind: 'server' | 'database', name: string): void {
    if (typeof name !== 'string') return;
    const first = this.otherSpelling(kind, name);
    if (first !== undefined) {
      this.warn!({ line: this.lineNo, column: this.columnOf(['name']), field: 'name', message: `${kind} ${JSON.stringify(name)} differs only in case from ${kind} ${JSON.stringify(first.name)} of line ${first.line}: names are compared as written, so these are two ${kind === 'server' ? 'servers' : 'databases'}; write the name as line ${first.line} does to mean the same one` });
    }
  }

  /**
   * [choice] Actor kinds are compared as written, as names are: `User/x` and `user/x` are counted apart
   * (`revisions.byActorKind`), and a hand-written `Scanner/...` is not a scanner's revision (an operator's QA pass:
   * accepted without a word, two rows in the blame tables). Said under --strict: a kind differing only in case from
   * the engine's own (router, scanner, replicator) or from one an earlier line wrote.
   */
  private warnActorKind(by: unknown): void {
    if (typeof by !== 'string') return;
    const kind = by.slice(0, by.indexOf('/'));
    const engine = ENGINE_ACTOR_KINDS.find((k) => k === kind.toLowerCase());
    // [choice] An input written by one of the engine's own actors (event-log.md: `router/<server>`, `scanner/<design>`,
    // `replicator/<server>`) is taken, as the format allows any actor, and counted as that kind's: a hand-written save
    // `by: "scanner/smsdom"` read as a scanner revision under noop too (an operator's QA pass). The engine writes such
    // revisions as derived events, never as inputs, so --strict says it, once per kind.
    if (engine === kind) {
      if (this.kindsWarned.has(kind)) return;
      this.kindsWarned.add(kind);
      this.warn!({ line: this.lineNo, column: this.columnOf(['by']), field: 'by', message: `actor ${JSON.stringify(by)} is of the engine's own kind ${JSON.stringify(kind)} (event-log.md: router/<server>, scanner/<design> and replicator/<server> are the engine's actors), which write revisions as derived events, not inputs: this input's revisions count as the ${kind}'s (revisions.byActorKind, blame, --what-if); a person's edit is written user/<name>, an agent's agent/<name>` });
      return;
    }
    const first = engine !== undefined ? (engine !== kind ? { name: engine, line: 0 } : undefined) : this.otherSpelling('actor kind', kind);
    // (Once per spelling: a log of thousands of saves by `User/...` made as many warnings, a review.)
    if (first === undefined || this.kindsWarned.has(kind)) return;
    this.kindsWarned.add(kind);
    const whose = first.line === 0 ? `the engine's actor kind ${JSON.stringify(first.name)}` : `actor kind ${JSON.stringify(first.name)} of line ${first.line}`;
    this.warn!({ line: this.lineNo, column: this.columnOf(['by']), field: 'by', message: `actor kind ${JSON.stringify(kind)} differs only in case from ${whose}: kinds are compared as written, so its revisions are counted apart (revisions.byActorKind, blame); write ${JSON.stringify(first.name)} to mean that kind` });
  }

  /**
   * --strict: a partition into two groups or more that leaves out servers defined before it (or a server defined
   * while it holds), and a connection scheduled twice. Both are read as event-log.md and replication.md say (the
   * servers a partition does not name form one more group, cut off from every group it names; each connection event
   * schedules sessions of its own, so the sessions run twice), which a hand-written log most likely did not mean (QA:
   * accepted without a word).
   */
  private warnTopology(event: Record<string, unknown>): void {
    switch (event['type']) {
      case 'server':
        this.definedServers.add(event['name'] as string);
        this.warnSpelling('server', event['name'] as string);
        // [choice] Cluster names are compared as written, as server and database names are; Domino's are not
        // case-sensitive, so `hub` on one server and `Hub` on another, two one-member clusters here that never
        // replicate, is most likely a typing slip (an operator's QA pass: replayed without a word, 0 changes).
        if (typeof event['cluster'] === 'string') {
          const cluster = event['cluster'];
          const first = this.otherSpelling('cluster', cluster);
          if (first !== undefined) {
            this.warn!({ line: this.lineNo, column: this.columnOf(['cluster']), field: 'cluster', message: `cluster ${JSON.stringify(cluster)} differs only in case from cluster ${JSON.stringify(first.name)} of line ${first.line}: names are compared as written (as server names are), so these are two clusters whose members never push to each other; write the name as line ${first.line} does to make one cluster` });
          }
        }
        // A server defined while a partition holds is named by none of its groups: cut off as the ones it left out
        // (they were warned about at the partition; this one was said nothing).
        if (this.partitionLine > 0) {
          this.warn!({ line: this.lineNo, column: this.columnOf(['name']), field: 'name', message: `server ${JSON.stringify(event['name'])} is defined while the partition of line ${this.partitionLine} holds, in none of its groups: the servers a partition does not name form one more group together, cut off from every group it names (replication.md); a partition after this line can name it` });
        }
        return;
      case 'database':
        this.warnSpelling('database', event['name'] as string);
        for (const r of event['replicas'] as string[]) {
          let dbs = this.databasesOf.get(r);
          if (dbs === undefined) this.databasesOf.set(r, (dbs = new Set()));
          dbs.add(event['name'] as string);
        }
        return;
      case 'replicate': {
        // [choice] A session without `db` replicates every database both servers hold (event-log.md); two that hold
        // none in common replicate nothing, and the log is read so, where a hand-written one most likely paired the
        // wrong servers (an operator's QA pass: replayed without a word). (A connection's sessions run later, when a
        // database defined since may be shared: not said.)
        if (event['db'] !== undefined) return;
        const mine = this.databasesOf.get(event['server'] as string);
        const theirs = this.databasesOf.get(event['partner'] as string);
        const shared = mine !== undefined && theirs !== undefined && [...mine].some((d) => theirs.has(d));
        if (!shared) this.warn!({ line: this.lineNo, column: this.columnOf(['partner']), field: 'partner', message: `servers ${JSON.stringify(event['server'])} and ${JSON.stringify(event['partner'])} hold no database in common (no "database" event so far lists both), so this session replicates nothing` });
        return;
      }
      case 'save':
      case 'delete':
      case 'forward':
        this.warnActorKind(event['by']);
        return;
      case 'heal':
        this.partitionLine = 0;
        return;
      case 'partition': {
        const groups = event['groups'] as string[][];
        const named = new Set(groups.flat());
        // A partition naming no server cuts nothing (everyone is in the one more group: the engine reads it as a heal).
        // One naming a single group cuts that group off from the rest, the servers it leaves out (and any defined
        // later) staying together: what `[["Beta"]]` says, "isolate Beta", as verify and explore --faults write it
        // (a review: --strict warned about every such counterexample). Only a partition into two groups or more that
        // leaves servers out is most likely an oversight.
        const cut = groups.filter((g) => g.length > 0).length >= 2;
        this.partitionLine = cut ? this.lineNo : 0;
        // (Said under --strict: `"groups": []` or `[[]]` in a hand-written log most likely meant something else; an
        // operator's QA pass.)
        if (named.size === 0) {
          this.warn!({ line: this.lineNo, column: this.columnOf(['groups']), field: 'groups', message: 'the partition names no server, so it cuts nothing: every server is in the one more group of those it does not name (replication.md), and it reads as a heal; name the servers of each group, or write a heal' });
          return;
        }
        if (!cut) return;
        // Counted from the names the partition gives, and the first 10 left out found by walking the servers only
        // until then: listing every server defined for each partition was quadratic (100,000 servers and 5,000
        // partitions: 20 s).
        let namedDefined = 0;
        for (const n of named) if (this.definedServers.has(n)) namedDefined++;
        const count = this.definedServers.size - namedDefined;
        if (count === 0) return;
        const first: string[] = [];
        for (const n of this.definedServers) {
          if (named.has(n)) continue;
          first.push(n);
          if (first.length === 10) break;
        }
        // (Named up to 10: a log of thousands of servers made a warning of thousands of names.)
        const list = `${first.map((n) => JSON.stringify(n)).join(', ')}${count > 10 ? ` and ${(count - 10).toLocaleString('en-US')} more` : ''}`;
        this.warn!({ line: this.lineNo, column: this.columnOf(['groups']), field: 'groups', message: `server${count > 1 ? 's' : ''} ${list} ${count > 1 ? 'are' : 'is'} in no group: the servers a partition does not name form one more group together, cut off from every group it names (replication.md); name ${count > 1 ? 'them' : 'it'} in a group to say otherwise` });
        return;
      }
      case 'connection': {
        // By who starts it, with whom and how: its sessions for every database both hold (`all`), and for one (`dbs`).
        const mode = (event['mode'] as string | undefined) ?? 'pull-push';
        const key = JSON.stringify([event['server'], event['partner'], mode]);
        let seen = this.connections.get(key);
        if (seen === undefined) this.connections.set(key, (seen = { all: 0, dbs: new Map() }));
        const db = event['db'] as string | undefined;
        const who = `${JSON.stringify(event['server'])} to ${JSON.stringify(event['partner'])}, ${mode}`;
        const twice = 'each connection event schedules sessions of its own, so';
        let message: string | undefined;
        if (db === undefined) {
          const [oneDb, oneLine] = seen.dbs.entries().next().value ?? [];
          if (seen.all > 0) message = `line ${seen.all} already schedules this connection (${who}, every shared database): ${twice} both run`;
          // A connection for every database both hold includes one for a database (the engine requires both to hold it).
          else if (oneDb !== undefined) message = `line ${oneLine} already schedules this connection for database ${JSON.stringify(oneDb)} (${who}), which this one (every shared database) includes: ${twice} ${JSON.stringify(oneDb)} is replicated by both`;
          if (seen.all === 0) seen.all = this.lineNo;
        } else {
          const first = seen.dbs.get(db);
          if (first !== undefined) message = `line ${first} already schedules this connection (${who}, ${JSON.stringify(db)}): ${twice} both run`;
          else if (seen.all > 0) message = `line ${seen.all} already schedules this connection for every database both servers hold (${who}, every shared database), ${JSON.stringify(db)} included: ${twice} ${JSON.stringify(db)} is replicated by both`;
          if (first === undefined) seen.dbs.set(db, this.lineNo);
        }
        if (message !== undefined) this.warn!({ line: this.lineNo, column: this.columnOf(['server']), field: 'server', message });
        return;
      }
    }
  }

  /**
   * A `scanner` setting its design does not have (settingsOf), which the engine passes over (event-log.md: a log
   * written for a design with one more setting replays). Under `strict` every one is said, to `warn`. [choice] Without
   * `strict` too, one spelt within two edits of a setting the design has (case ignored), to `warnAlways`:
   * `"ignoreSSOOnScheduled": true` ran smsdom's default without a word and stamped on every pass (a conformance
   * review); a setting unlike any the design has is said by `strict` alone. The spelling is compared for the first
   * MISSPELT_CHECKED unknown settings of an event (a hostile line of 100,000 keys is not compared name by name).
   */
  private warnUnknownSettings(event: Record<string, unknown>, strict: boolean): void {
    if (event['type'] !== 'scanner') return;
    const config = event['config'] as Record<string, unknown> | undefined;
    const has = config === undefined ? undefined : this.settingsOf?.(event['design'] as string);
    if (has === undefined) return;
    let unknown = 0;
    for (const key of Object.keys(config!)) {
      if (has.includes(key)) continue;
      const hint = ++unknown <= MISSPELT_CHECKED ? nearestName(key, has) : '';
      if (!strict && hint === '') {
        if (unknown > MISSPELT_CHECKED) return;
        continue;
      }
      const field = `config.${key}`;
      const what = `field "${field}": the design ${JSON.stringify(event['design'])} has no such setting${hint}`;
      if (strict) this.warn!({ line: this.lineNo, column: this.columnOf(['config', key]), field, message: `${what} (${has.length > 0 ? `it has: ${has.join(', ')}` : 'it has none'}); ignored` });
      else this.warnAlways!({ line: this.lineNo, column: this.columnOf(['config', key]), field, message: `${what}; ignored, so the design runs with its default there` });
    }
  }

  /**
   * --strict: a save that both sets and removes one item (any case). It is read as the engine applies a save,
   * removals first (applySave, [choice]), so the item is set; a hand-written line that says both most likely meant one
   * of them (hostile-input QA: accepted without a word).
   */
  private warnSetAndRemoved(event: Record<string, unknown>): void {
    const set = event['set'];
    const remove = event['remove'];
    if (!(set instanceof Map) || !Array.isArray(remove)) return;
    // By key, as the engine compares names (itemKey): each removal against each name set was quadratic (a save of
    // 20,000 items removing 100,000 others took 18 s).
    const setKeys = new Set<string>();
    for (const k of set.keys()) setKeys.add(itemKey(k as string));
    remove.forEach((name: unknown, i) => {
      if (typeof name !== 'string' || !setKeys.has(itemKey(name))) return;
      this.warn!({ line: this.lineNo, column: this.columnOf(['remove', i]), field: `remove[${i}]`, message: `item "${name}" is both removed and set by this save: a save applies its removals first, so it is set` });
    });
  }

  private decodeField(kind: FieldKind, v: unknown, path: Path): unknown {
    if (typeof kind !== 'string') {
      if (typeof v === 'string' && kind.includes(v)) return v;
      return this.bad(path, expected(kind), v);
    }
    switch (kind) {
      case 'name':
        if (typeof v === 'string' && v.length > 0) return v;
        return this.bad(path, expected(kind), v);
      case 'string':
        if (typeof v === 'string') return v;
        return this.bad(path, expected(kind), v);
      case 'unid':
        if (typeof v === 'string' && isUnid(v)) return v.toUpperCase();
        return this.bad(path, expected(kind), v);
      case 'by':
        if (typeof v === 'string') {
          const slash = v.indexOf('/');
          if (slash > 0 && slash < v.length - 1) return v;
        }
        return this.bad(path, expected(kind), v);
      case 'int':
      case 'nat':
      case 'positive':
      case 'line': {
        const min = kind === 'int' ? -MAX_AT : kind === 'nat' ? 0 : 1;
        if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min) return v + 0; // -0 reads as 0
        return this.bad(path, expected(kind), v);
      }
      case 'days':
        if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
          this.exactNumber(v);
          return v + 0;
        }
        return this.bad(path, expected(kind), v);
      case 'bool':
        if (typeof v === 'boolean') return v;
        return this.bad(path, expected(kind), v);
      case 'names':
      case 'itemNames':
        return this.decodeNames(v, path, kind === 'names');
      case 'groups': {
        if (!Array.isArray(v)) return this.bad(path, expected(kind), v);
        const groups: unknown[] = v;
        for (let i = 0; i < groups.length; i++) this.decodeNames(groups[i], [...path, i], false);
        return groups;
      }
      case 'items':
        return this.decodeItems(v, path);
      case 'config':
        // Kept as JSON.parse made it: an own "__proto__" key is an ordinary key there, and designs read their
        // configuration with own-property checks (events.ts).
        if (isObject(v)) {
          if (tooDeep(v, MAX_FREE_FORM_DEPTH)) return this.fail('BAD_FIELD', path, `field "${formatPath(path)}": nested deeper than ${MAX_FREE_FORM_DEPTH} levels`);
          this.exactNumbersIn(v, path);
          return v;
        }
        return this.bad(path, expected(kind), v);
      case 'via': {
        if (!isObject(v)) return this.bad(path, expected(kind), v);
        const via = {
          server: this.decodeField('name', this.need(v, 'server', path, 'name'), [...path, 'server']),
          unid: this.decodeField('unid', this.need(v, 'unid', path, 'unid'), [...path, 'unid']),
          seq: this.decodeField('nat', this.need(v, 'seq', path, 'nat'), [...path, 'seq']),
        };
        if (this.warn) this.warnUnknown(v, VIA_FIELDS, path, `"${String(path[0])}"`);
        return via;
      }
      case 'oid': {
        if (!isObject(v)) return this.bad(path, expected(kind), v);
        const oid = {
          seq: this.decodeField('nat', this.need(v, 'seq', path, 'nat'), [...path, 'seq']),
          seqTime: this.decodeField('int', this.need(v, 'seqTime', path, 'int'), [...path, 'seqTime']),
        };
        if (this.warn) this.warnUnknown(v, OID_FIELDS, path, `"${String(path[0])}"`);
        return oid;
      }
    }
  }

  /** A required field of a nested object. */
  private need(obj: Record<string, unknown>, field: string, path: Path, kind: FieldKind): unknown {
    const v = obj[field];
    if (v === undefined) this.missing([...path, field], expected(kind), `field "${formatPath(path)}"`);
    return v;
  }

  private decodeNames(v: unknown, path: Path, nonEmpty: boolean): readonly string[] {
    if (!Array.isArray(v) || (nonEmpty && v.length === 0)) {
      return this.bad(path, nonEmpty ? 'a non-empty array of names' : 'an array of names', v);
    }
    const names: unknown[] = v;
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      if (typeof name !== 'string' || name.length === 0) this.bad([...path, i], 'a non-empty string', name);
    }
    return names as string[];
  }

  private decodeItems(v: unknown, path: Path): Map<string, ItemValue> {
    if (!isObject(v)) return this.bad(path, 'an object of item name -> value', v);
    let names = Object.keys(v);
    // Objects list integer-like keys ("0", "42") first; recover the line's own order then (rare: off the hot path).
    const first = names.length > 1 ? names[0]!.charCodeAt(0) : 0;
    if (first >= 0x30 && first <= 0x39) names = keysInFileOrder(this.raw, String(path[0]), names);
    // Names compare case-insensitively, so {"Subject": .., "SUBJECT": ..} would set one item twice with no order
    // between them that a reader can see: refused (BAD_FIELD) rather than guessed. Exact duplicate keys never get
    // here (JSON.parse keeps the last), as in every JSON reader.
    const twin = findCaseTwin(names);
    if (twin >= 0) {
      const name = names[twin]!;
      this.fail(
        'BAD_FIELD',
        [...path, name],
        `field "${formatPath([...path, name])}": item names compare case-insensitively, and this "set" already ` +
          `names ${show(names.find((n) => sameItemName(n, name)))}; expected each item once`,
      );
    }
    const items = new Map<string, ItemValue>();
    for (const name of names) {
      if (name.length === 0) this.bad([...path, name], 'a non-empty item name', name);
      items.set(name, this.decodeItemValue(name, v[name], path));
    }
    return items;
  }

  /** The value of item `name` of the items at `path`. */
  private decodeItemValue(name: string, v: unknown, path: Path): ItemValue {
    if (isFileItem(name)) return this.decodeAttachments(v, [...path, name]);
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        if (Number.isFinite(v)) {
          this.exactNumber(v);
          return v + 0;
        }
        break;
      case 'object':
        if (Array.isArray(v)) {
          // Lists may mix scalar types: the format allows it, though Domino's own lists do not.
          const list: unknown[] = v;
          for (let i = 0; i < list.length; i++) {
            const x = list[i];
            if (typeof x === 'number') {
              if (!Number.isFinite(x)) this.bad([...path, name, i], 'a string, finite number or boolean', x);
              this.exactNumber(x);
              if (x === 0) list[i] = 0;
            } else if (typeof x !== 'string' && typeof x !== 'boolean') {
              this.bad([...path, name, i], 'a string, finite number or boolean', x);
            }
          }
          return list as ItemValue;
        }
        break;
    }
    return this.bad([...path, name], 'a string, finite number, boolean, or an array of those (null is not a value)', v);
  }

  private decodeAttachments(v: unknown, path: Path): readonly Attachment[] {
    const shape = '{"name": string, "bytes"?: number, "infected"?: boolean}';
    if (!Array.isArray(v)) return this.bad(path, `an array of attachments ${shape}`, v);
    const list: unknown[] = v;
    const attachments: Attachment[] = [];
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      if (!isObject(a)) return this.bad([...path, i], `an attachment ${shape}`, a);
      const name = a['name'];
      if (typeof name !== 'string') this.bad([...path, i, 'name'], 'a string (the attachment name)', name);
      const bytes = a['bytes'];
      if (bytes !== undefined && (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0)) {
        this.bad([...path, i, 'bytes'], 'a finite number >= 0', bytes);
      }
      if (bytes !== undefined) this.exactNumber(bytes);
      const infected = a['infected'];
      if (infected !== undefined && typeof infected !== 'boolean') {
        this.bad([...path, i, 'infected'], 'a boolean', infected);
      }
      const attachment: { name: string; bytes?: number; infected?: boolean } = { name };
      if (bytes !== undefined) attachment.bytes = bytes + 0;
      if (infected !== undefined) attachment.infected = infected;
      attachments.push(attachment);
      if (this.warn) this.warnUnknown(a, ATTACHMENT_FIELDS, [...path, i], 'an attachment');
    }
    return attachments;
  }

  private warnUnknown(obj: Record<string, unknown>, known: ReadonlySet<string>, path: Path, where: string): void {
    for (const key of Object.keys(obj)) {
      if (known.has(key)) continue;
      const field = formatPath([...path, key]);
      this.warn!({
        line: this.lineNo,
        column: this.columnOf([...path, key]),
        field,
        // (With the known field it most likely means, an operator's QA pass: "limitRevision" was warned about bare; not
        // one the line has, a review: "replica" beside "replicas".)
        message: `unknown field "${field}" in ${where} (ignored)${nearestName(key, [...known].filter((k) => !Object.hasOwn(obj, k)))}`,
      });
    }
  }

  /**
   * [choice] A number written as an integer (no fraction, no exponent) that a double cannot hold exactly is refused
   * wherever a log holds a free number (item values, attachment sizes, `meta`, a design's `config`): read, it becomes
   * another number (9007199254740993 reads as 9007199254740992), which a replay would run with, print and record in
   * silence (hostile-input QA). event-log.md allows finite numbers and issue 7 lists numbers beyond 2^53 among inputs
   * to refuse: beyond 2^53-1 an integer is refused unless it is how JSON writes its double (the shortest text that
   * reads back as it: the recorder writes 1e20 as 100000000000000000000 and 4.859576744375225e16 as
   * 48595767443752250, and both must read back) or the double's exact value. Written as a float (1.5e16), a number is
   * read as the double it means, as JSON does.
   *
   * Only noted here: the line's text is read once, when the line has been decoded (refuseInexact). Finding each
   * number's text by its path read the line once per number: a line of 3.5 million such numbers never ended.
   */
  private exactNumber(v: number): void {
    if (Number.isInteger(v) && !Number.isSafeInteger(v)) this.unsafe = true;
  }

  /** The current line's decoding kept an integer beyond 2^53-1 (see exactNumber). */
  private unsafe = false;

  /**
   * exactNumber for every number inside a free-form value, which must be finite: JSON.parse reads a literal past the
   * double range as Infinity, kept in silence and recorded as null (a review). Iterative; values deeper than
   * MAX_FREE_FORM_DEPTH are refused before this runs.
   */
  private exactNumbersIn(v: unknown, path: Path): void {
    const stack: [unknown, Path][] = [[v, path]];
    while (stack.length > 0) {
      const [x, p] = stack.pop()!;
      if (typeof x === 'number') {
        if (!Number.isFinite(x)) this.bad(p, 'a finite number', x);
        this.exactNumber(x);
      }
      // Children pushed last first: the first number the line writes is the one named.
      else if (Array.isArray(x)) for (let i = x.length - 1; i >= 0; i--) stack.push([x[i], [...p, i]]);
      else if (isObject(x)) for (const k of Object.keys(x).reverse()) stack.push([x[k], [...p, k]]);
    }
  }

  /**
   * The line is decoded (`event`, or undefined for the header): the first integer literal it writes that a
   * double does not hold exactly, in a value the decoder keeps, is refused (exactNumber). Kept: the header's `meta`, an
   * event's `config` and `purgeDays`, and in its items a number, a list's number, an attachment's `bytes`. A number in
   * a field the reader ignores (an unknown one: a later version's) is not read, so not refused.
   */
  private refuseInexact(event: LogEvent | undefined): void {
    if (!this.unsafe) return;
    this.unsafe = false;
    const type = event?.type;
    // A scanner setting its design does not have is passed over (settingsOf; design.ts resolveConfig): a field the
    // reader ignores, whose numbers are not read either.
    const has = event?.type === 'scanner' ? this.settingsOf?.(event.design) : undefined;
    const fields = type === undefined ? undefined : SCHEMAS.get(type)?.fields;
    const kindOf = (field: string | number | undefined) => (fields === undefined ? (field === 'meta' ? 'config' : undefined) : fields.find((f) => f.name === field)?.kind);
    // Only literals under a field that can keep one are collected: an ignored field is passed over as the walk meets it
    // (a review: 20,000 candidates 20,000 levels deep in an unknown field ran out of memory).
    for (const path of inexactIntegers(this.raw, (field) => { const k = kindOf(field); return k === 'config' || k === 'items' || k === 'days'; })) {
      const kind = kindOf(path[0]);
      const item = path[1];
      const kept =
        (kind === 'config' && !(has !== undefined && path[0] === 'config' && typeof path[1] === 'string' && !has.includes(path[1]))) ||
        (kind === 'days' && path.length === 1) ||
        (kind === 'items' && typeof item === 'string' && (isFileItem(item) ? path.length === 4 && path[3] === 'bytes' : path.length === 2 || (path.length === 3 && typeof path[2] === 'number')));
      const text = kept ? numberTextAt(this.raw, this.columnOf(path)) : undefined;
      if (text !== undefined) this.bad(path, 'a finite number (beyond 2^53-1, an integer only as a double holds it; write others as strings)', Number(text));
    }
  }

  private bad(path: Path, what: string, got: unknown): never {
    return this.fail('BAD_FIELD', path, `field "${formatPath(path)}": expected ${what}, got ${this.showRaw(path, got)}`);
  }

  /**
   * show(got), but a number as the line writes it when JSON.parse read it as another (past 2^53, digits are lost:
   * 9007199254740993 reads as 9007199254740992, and quoting the value read named a number the file does not hold).
   */
  private showRaw(path: Path, got: unknown): string {
    if (typeof got !== 'number' || !Number.isFinite(got)) return show(got);
    const text = numberTextAt(this.raw, this.columnOf(path));
    return text !== undefined && text !== String(got) && Number(text) === got ? `${text.length > 60 ? `${text.slice(0, 57)}...` : text} (read as ${got})` : show(got);
  }

  /**
   * A required field is missing. `obj` and `known`: the object it is missing from and the fields it may hold, to name a
   * key of the line that is most likely that field misspelt (an operator's QA pass: "sever" got 'field "server" is missing' alone).
   */
  private missing(path: Path, what: string, who: string, obj?: Record<string, unknown>, known?: ReadonlySet<string>): never {
    const name = path[path.length - 1];
    // (One edit for a short name: with two, any key of two letters was "at" misspelt, a review.)
    const near = obj !== undefined && known !== undefined && typeof name === 'string' ? nearestOf(name, Object.keys(obj).filter((k) => !known.has(k)), name.length <= 3 ? 1 : 2) : undefined;
    return this.fail('MISSING_FIELD', path, `field "${formatPath(path)}" is missing: ${who} needs ${what}${near !== undefined ? ` (the line has ${JSON.stringify(near)}: a misspelling?)` : ''}`);
  }

  private fail(code: LogErrorCode, path: Path | undefined, message: string): never {
    const field = path === undefined ? undefined : formatPath(path);
    const column = path === undefined ? 1 : this.columnOf(path);
    const line = this.lineNo;
    throw new LogError(code, message, field === undefined ? { line, column } : { line, column, field });
  }

  /**
   * 1-based column of the deepest step of `path` found in the raw line (columnOfPath). [choice] Counted in UTF-16
   * code units (a JavaScript string's index + 1), as VS Code and the Language Server Protocol count columns, not in
   * bytes (gcc) nor code points: an emoji before the field counts 2. event-log.md says only `file:line:column`; the
   * README says which (a hardening QA pass found it undocumented).
   */
  private columnOf(path: Path): number {
    return columnOfPath(this.raw, path);
  }

  private tooLong(line: number): never {
    // (Its column is where the limit falls, counted in bytes: the line is not kept, so its UTF-16 units are not known.
    // It named the option `maxLineBytes`, which no command has: an operator's QA pass.)
    throw new LogError('LINE_TOO_LONG', `line is longer than ${this.maxLineBytes.toLocaleString('en-US')} bytes, the most a line may hold${this.maxLineWhy !== undefined ? ` ${this.maxLineWhy}` : ''} (the column is that byte)`, {
      line,
      column: this.maxLineBytes + 1,
    });
  }

  /**
   * Refuses the line starting at `bytes[lineStart]` whose first bad byte is `bytes[bad]`. The message names the byte;
   * the column counts characters as every other refusal does (UTF-16 units of the text before the bad byte, which is
   * valid UTF-8, plus one; on line 1 from after a byte-order mark), so `file:line:column` means one thing whatever
   * the error.
   */
  private badUtf8(line: number, bytes: Uint8Array, lineStart: number, bad: number): never {
    let before = utf8.decode(bytes.subarray(lineStart, bad));
    if (line === 1 && before.charCodeAt(0) === 0xfeff) before = before.slice(1);
    const message = `invalid UTF-8 at byte ${bad - lineStart + 1} of the line; a log is UTF-8 text`;
    throw new LogError('BAD_UTF8', message, { line, column: before.length + 1 });
  }

  /** Copies `bytes` (the caller may reuse its buffer for the next read) after the pending ones. */
  private addPendingBytes(bytes: Uint8Array): void {
    const length = this.pendingBytes + bytes.length;
    if (length > this.pending.length) {
      const capacity = Math.max(length, Math.min(this.pending.length * 2, this.maxLineBytes + 2), 256);
      const grown = new Uint8Array(capacity);
      grown.set(this.pending.subarray(0, this.pendingBytes));
      this.pending = grown;
    }
    this.pending.set(bytes, this.pendingBytes);
    this.pendingBytes = length;
  }

  /** The pending bytes, emptied; the view is valid until the next addPendingBytes. */
  private takePendingBytes(): Uint8Array {
    const bytes = this.pending.subarray(0, this.pendingBytes);
    this.pendingBytes = 0;
    if (this.pending.length > WINDOW_BYTES) this.pending = new Uint8Array(0); // do not keep a long line's buffer
    return bytes;
  }

  /** More of the unfinished line; refused before it is copied once the line is known to be too long. */
  private addPendingLine(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const length = this.pendingBytes + bytes.length - (bytes[bytes.length - 1] === CR ? 1 : 0);
    if (length > this.maxLineBytes) this.tooLong(this.lines + 1);
    this.addPendingBytes(bytes);
  }
}

/**
 * Whether `"at"` (tail `at"`, 1 character before it) or `"type"` (tail `ype"`, 2) occurs from `from` on, before
 * `end`. Searching for the tail is much faster than for the whole: a quote, its first character, is everywhere in JSON.
 */
function hasQuoted(raw: string, from: number, end: number, tail: string, before: number): boolean {
  for (let i = raw.indexOf(tail, from + before); i >= 0 && i < end; i = raw.indexOf(tail, i + 1)) {
    if (raw.charCodeAt(i - before) === 0x22 && (before === 1 || raw.charCodeAt(i - 1) === 0x74)) return true;
  }
  return false;
}

/** The derived type written at `p` and followed by `",`, if any. */
function derivedTypeAt(raw: string, p: number): DerivedEventType | undefined {
  let type: DerivedEventType;
  switch (raw.charCodeAt(p)) {
    case 0x72: // r
      type = raw.charCodeAt(p + 2) === 0x76 ? 'revised' : 'replicated';
      break;
    case 0x73: // s
      type = raw.charCodeAt(p + 1) === 0x65 ? 'session' : 'scanned';
      break;
    case 0x63: // c
      type = 'conflict';
      break;
    default:
      return undefined;
  }
  return startsAt(raw, p, type) && raw.charCodeAt(p + type.length) === 0x22 && raw.charCodeAt(p + type.length + 1) === 0x2c ? type : undefined;
}

/** `raw.startsWith(text, p)` for a short `text`: a loop costs less than the call. */
function startsAt(raw: string, p: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (raw.charCodeAt(p + i) !== text.charCodeAt(i)) return false;
  return true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Item names compare as itemKey does (ASCII letters without case), here without allocating: this runs per item.
function sameItemName(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0x41 && x <= 0x5a) x += 0x20;
    if (y >= 0x41 && y <= 0x5a) y += 0x20;
    if (x !== y) return false;
  }
  return true;
}

function isFileItem(name: string): boolean {
  return name.length === 5 && name.charCodeAt(0) === 0x24 && sameItemName(name, '$file');
}

/** Index of the first name equal (case-insensitively) to an earlier one, or -1. */
function findCaseTwin(names: readonly string[]): number {
  if (names.length > 16) {
    const keys = new Set<string>();
    for (let i = 0; i < names.length; i++) {
      const key = itemKey(names[i]!);
      if (keys.has(key)) return i;
      keys.add(key);
    }
    return -1;
  }
  for (let i = 1; i < names.length; i++) {
    for (let j = 0; j < i; j++) if (sameItemName(names[i]!, names[j]!)) return i;
  }
  return -1;
}

function isUnid(s: string): boolean {
  if (s.length !== 32) return false;
  for (let i = 0; i < 32; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

function expected(kind: FieldKind): string {
  if (typeof kind !== 'string') return `one of ${kind.map((k) => `"${k}"`).join(', ')}`;
  switch (kind) {
    case 'name':
      return 'a non-empty string';
    case 'names':
      return 'a non-empty array of names';
    case 'itemNames':
      return 'an array of item names';
    case 'groups':
      return 'an array of arrays of server names';
    case 'unid':
      return 'a UNID of 32 hexadecimal digits';
    case 'by':
      return 'an actor "kind/name" (e.g. "user/jdoe")';
    case 'string':
      return 'a string';
    case 'int':
      return 'an integer';
    case 'nat':
      return 'an integer >= 0';
    case 'positive':
      return 'an integer > 0';
    case 'line':
      return 'a line number (an integer >= 1)';
    case 'days':
      return 'a number >= 0';
    case 'bool':
      return 'true or false';
    case 'items':
      return 'an object of item name -> value';
    case 'config':
      return 'an object';
    case 'via':
      return 'an object {"server", "unid", "seq"}';
    case 'oid':
      return 'an object {"seq", "seqTime"}';
  }
}

/**
 * [choice] Free-form values (`meta`, `config`) may nest at most this deep: JSON.parse reads any depth, but writing
 * them back (a recording) or printing them would overflow the stack, and no real configuration nests like that.
 */
export const MAX_FREE_FORM_DEPTH = 64;

/** True when `v` nests deeper than `limit` arrays or objects (iterative: never overflows itself). */
function tooDeep(v: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (d > limit) return true;
    for (const child of Array.isArray(x) ? x : Object.values(x as object)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}

/** An object or array open at a point of walkLine: how it was entered, and where in it the walk is. */
interface Frame {
  /** The key or index of the parent it is the value of (none for the line's own object). */
  readonly step: string | number | undefined;
  readonly isObject: boolean;
  /** An object: the next string is a key. */
  expectKey: boolean;
  /** An array: the element being read. */
  index: number;
  /** An object: the key of the member being read. */
  key: string;
}

/** The path to the member or element a walk is in: the steps of the open frames, then the innermost one's own. */
function stepsTo(frames: readonly Frame[], inside = false): (string | number)[] {
  const path: (string | number)[] = [];
  for (const f of frames) if (f.step !== undefined) path.push(f.step);
  const top = frames[frames.length - 1];
  if (inside && top !== undefined) path.push(top.isObject ? top.key : top.index);
  return path;
}

/**
 * formatPath of the steps to `key` in the innermost open object, its middle left out past 24 levels: a warning at
 * each level of a line nested 20,000 deep named paths up to 20,000 steps long (memory and time quadratic in the depth:
 * out of memory under --strict for a 240 KB line). Reads only the frames it shows.
 */
function shortPathTo(frames: readonly Frame[], key: string): string {
  const HEAD = 16;
  const TAIL = 8;
  // frames[0] is the line's own object, the only frame without a step.
  const levels = frames.length - 1;
  if (levels <= HEAD + TAIL) return formatPath([...stepsTo(frames), key]);
  const head = formatPath(frames.slice(1, 1 + HEAD).map((f) => f.step!));
  const tail = formatPath([...frames.slice(frames.length - TAIL).map((f) => f.step!), key]);
  return `${head}.(${(levels - HEAD - TAIL).toLocaleString('en-US')} more levels)${tail.startsWith('[') ? '' : '.'}${tail}`;
}

/**
 * One pass along a line JSON.parse accepted, keeping a stack of the open objects and arrays (no recursion: any depth
 * is read, and each character once; walks that skipped over a value to reach the next read a deep line once per
 * level). `key`: a member's key (unescaped), at index `at`; `number`: a number literal from `start` to `end`.
 */
function walkLine(
  raw: string,
  visit: { key?: (frames: readonly Frame[], key: string, at: number) => void; number?: (frames: readonly Frame[], start: number, end: number) => void },
): void {
  const frames: Frame[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    const top = frames[frames.length - 1];
    if (c === 0x22) {
      const end = skipString(raw, i);
      if (top !== undefined && top.isObject && top.expectKey) {
        const text = raw.slice(i + 1, end - 1);
        top.key = text.includes('\\') ? (JSON.parse(raw.slice(i, end)) as string) : text;
        top.expectKey = false;
        visit.key?.(frames, top.key, i);
      }
      i = end - 1;
    } else if (c === 0x7b || c === 0x5b) {
      frames.push({ step: top === undefined ? undefined : top.isObject ? top.key : top.index, isObject: c === 0x7b, expectKey: c === 0x7b, index: 0, key: '' });
    } else if (c === 0x7d || c === 0x5d) {
      frames.pop();
    } else if (c === 0x2c && top !== undefined) {
      if (top.isObject) top.expectKey = true;
      else top.index++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      for (let d = raw.charCodeAt(j); (d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d; d = raw.charCodeAt(++j));
      visit.number?.(frames, i, j);
      i = j - 1;
    }
  }
}

/**
 * The paths of the number literals of `raw` (a line JSON.parse accepted) written as integers that do not read back as
 * written: integer notation, not the text JSON writes for the double it reads as, nor that double's exact value
 * (Decoder.exactNumber). At most 15 digits is always exact, so only longer literals are read. A literal in a member
 * whose key the same object writes again later is not one: JSON.parse keeps the last (a review found the first copy
 * refused, or looked up where the last had no number: exit 70).
 */
function inexactIntegers(raw: string, keepsNumbers: (field: string) => boolean): Path[] {
  const found: (Path | undefined)[] = [];
  // Per open object, the candidates (indexes into `found`) inside each of its members by key, while there are any.
  const within = new Map<Frame, Map<string, number[]>>();
  walkLine(raw, {
    key: (frames, key) => {
      const object = frames[frames.length - 1]!;
      const earlier = within.get(object)?.get(key);
      if (earlier === undefined) return;
      for (const k of earlier) found[k] = undefined;
      within.get(object)!.delete(key);
    },
    number: (frames, start, end) => {
      // Deeper than the line's object and a free-form value's MAX_FREE_FORM_DEPTH levels, no value is kept (an
      // attachment's unknown field may nest deeper: ignored).
      if (frames.length === 0 || frames.length > MAX_FREE_FORM_DEPTH + 1 || end - start < 16 || !keepsNumbers(frames[0]!.key)) return;
      const text = raw.slice(start, end);
      if (/[.eE]/.test(text)) return;
      const v = Number(text);
      // (Past the double range, Infinity: refused as not finite where it is read, ignored elsewhere.)
      if (!Number.isFinite(v) || Number.isSafeInteger(v) || text === String(v) || BigInt(text) === BigInt(v)) return;
      const k = found.length;
      found.push(stepsTo(frames, true));
      for (const f of frames) {
        if (!f.isObject) continue;
        let members = within.get(f);
        if (members === undefined) within.set(f, (members = new Map()));
        let list = members.get(f.key);
        if (list === undefined) members.set(f.key, (list = []));
        list.push(k);
      }
    },
  });
  return found.filter((p): p is Path => p !== undefined);
}

/**
 * The number written at `column` (1-based) of a raw line: the value itself, or the value after the key found there
 * (columnOfPath points at a member's key). Undefined when no number is there.
 */
function numberTextAt(raw: string, column: number): string | undefined {
  let i = column - 1;
  if (raw.charCodeAt(i) === 0x22) i = valueAfterColon(raw, skipString(raw, i));
  if (i < 0) return undefined;
  NUMBER_TEXT.lastIndex = i;
  return NUMBER_TEXT.exec(raw)?.[0];
}
const NUMBER_TEXT = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** A short rendering of a bad value for a message. */
function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : 'an array';
  if (typeof v === 'object' && v !== null) return 'an object';
  // JSON.parse reads 1e999 as Infinity, which JSON.stringify would write as null.
  if (typeof v === 'number' && !Number.isFinite(v)) return `a number beyond the float range (read as ${v})`;
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function formatPath(path: Path): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

/**
 * The 1-based column of the deepest step of `path` found in `raw` (a line JSON.parse accepted), following the line's
 * structure: a key is a member of the object the step before it reached (not the same name inside another object),
 * an index an element of its array. Of a key written twice, the last (the value JSON.parse keeps, so the one an error
 * is about); a key is compared as JSON reads it (`"n\u0061me"` is `name`). 1 when the first step is not found.
 */
export function columnOfPath(raw: string, path: Path): number {
  let found = -1;
  // Where the value reached by the steps so far starts (the line's object first).
  let at = skipWhite(raw, 0);
  for (const key of path) {
    if (typeof key === 'number') {
      const e = arrayElementAt(raw, at, key);
      if (e < 0) break;
      found = at = e;
      continue;
    }
    const k = memberKeyAt(raw, at, key);
    if (k < 0) break;
    found = k;
    at = valueAfterColon(raw, skipString(raw, k));
    if (at < 0) break;
  }
  return (found < 0 ? 0 : found) + 1;
}

/** Where the key of the last member named `key` of the object starting at `i` starts (its quote), or -1. */
function memberKeyAt(raw: string, i: number, key: string): number {
  if (raw.charCodeAt(i) !== 0x7b) return -1;
  let found = -1;
  forEachKey(raw, i, (k, _valueStart, keyStart) => {
    if (k === key) found = keyStart;
  });
  return found;
}


/** Where the value after a key ends its `:` starts (`p` just after the key), or -1. */
function valueAfterColon(raw: string, p: number): number {
  p = skipWhite(raw, p);
  return raw.charCodeAt(p) === 0x3a ? skipWhite(raw, p + 1) : -1;
}

/** Where element `index` of the array starting at `p` starts, or -1 (not an array, too short, malformed). */
function arrayElementAt(raw: string, p: number, index: number): number {
  if (raw.charCodeAt(p) !== 0x5b) return -1;
  p = skipWhite(raw, p + 1);
  for (let i = 0; i < index; i++) {
    p = skipWhite(raw, skipValue(raw, p));
    if (raw.charCodeAt(p) !== 0x2c) return -1;
    p = skipWhite(raw, p + 1);
  }
  return p < raw.length && raw.charCodeAt(p) !== 0x5d ? p : -1;
}

/** Start of the first line of `block` longer than `max` bytes (its line end excluded), if any. */
function findLongLine(block: Uint8Array, max: number): number | undefined {
  let start = 0;
  while (start < block.length) {
    let nl = block.indexOf(NL, start);
    if (nl < 0) nl = block.length;
    const end = nl > start && block[nl - 1] === CR ? nl - 1 : nl;
    if (end - start > max) return start;
    start = nl + 1;
  }
  return undefined;
}

/** UTF-8 length of text[start, end) (a lone surrogate counts as the 3 bytes of U+FFFD). */
function utf8Length(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Offset of the first byte of the first ill-formed UTF-8 sequence in bytes[start, end), or -1. */
function findInvalidUtf8(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + need >= end) return i;
    const second = bytes[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k]!;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * The keys of the object at top-level field `field` of a valid JSON line, in the order the line writes them (a
 * repeated key keeps its first place, as in a JS object). Falls back to `keys` if the scan disagrees with them.
 */
function keysInFileOrder(raw: string, field: string, keys: string[]): string[] {
  let objectStart = -1;
  forEachKey(raw, skipWhite(raw, 0), (key, valueStart) => {
    if (key === field) objectStart = valueStart;
  });
  if (objectStart < 0 || raw.charCodeAt(objectStart) !== 0x7b) return keys;
  const ordered = new Set<string>();
  forEachKey(raw, objectStart, (key) => {
    ordered.add(key);
  });
  return ordered.size === keys.length ? [...ordered] : keys;
}

/** Calls `visit` for each key of the object starting at `i` (a `{`) with the index where its value starts (and its key). */
function forEachKey(raw: string, i: number, visit: (key: string, valueStart: number, keyStart: number) => void): void {
  i = skipWhite(raw, i + 1);
  while (raw.charCodeAt(i) === 0x22) {
    const keyEnd = skipString(raw, i);
    const text = raw.slice(i + 1, keyEnd - 1);
    const key = text.includes('\\') ? (JSON.parse(raw.slice(i, keyEnd)) as string) : text;
    const valueStart = skipWhite(raw, skipWhite(raw, keyEnd) + 1);
    visit(key, valueStart, i);
    i = skipWhite(raw, skipValue(raw, valueStart));
    if (raw.charCodeAt(i) !== 0x2c) return;
    i = skipWhite(raw, i + 1);
  }
}

function skipWhite(raw: string, i: number): number {
  for (;;) {
    const c = raw.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== CR) return i;
    i++;
  }
}

/** `i` is at a `"`; returns the index after the closing one. */
function skipString(raw: string, i: number): number {
  for (let j = i + 1; j < raw.length; j++) {
    const c = raw.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return raw.length;
}

/** Index just after the JSON value starting at `i`; iterative, so deep nesting is no problem. */
function skipValue(raw: string, i: number): number {
  const c = raw.charCodeAt(i);
  if (c === 0x22) return skipString(raw, i);
  if (c !== 0x7b && c !== 0x5b) {
    while (i < raw.length) {
      const d = raw.charCodeAt(i);
      if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x09 || d === CR || d === 0x0a) break;
      i++;
    }
    return i;
  }
  let depth = 0;
  while (i < raw.length) {
    const d = raw.charCodeAt(i);
    if (d === 0x22) {
      i = skipString(raw, i);
      continue;
    }
    if (d === 0x7b || d === 0x5b) depth++;
    else if (d === 0x7d || d === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return i;
}
