import { LogError } from '../util/logError.js';
import { EVENT_SCHEMAS, REPLICATED_OUTCOMES, SCAN_VERDICTS, SCANNED_KINDS, SESSION_DIRECTIONS } from './eventFields.js';
import type { RawDerivedLine } from './decodeLog.js';
import type { Attachment, ItemValue, LogEvent, LogHeader, LogItems } from './events.js';

// The v1 log writer: compact JSON, `at` and `type` first, then the table's field order (eventFields.ts), optional
// fields left out when undefined. It trusts its input's types: a line written from an invalid event (an empty name, a
// NaN) is one decodeLog refuses, so decode(encode(e)) equals e exactly for the events decodeLog returns.

export function encodeHeader(header: LogHeader): string {
  return `{"replog":1,"meta":${JSON.stringify(header.meta)}}`;
}

/** One line, without its line end. */
export function encodeEvent(event: LogEvent): string {
  // A recording is almost all derived events, written by the per-type templates (several times faster); anything
  // they do not take (input events, strings JSON must escape) goes through the schema. Both write the same text
  // (lazyDecode.prop.test.ts).
  return encodeValidDerived(event) ?? encodeBySchema(event);
}

/** encodeEvent by the event schemas alone: the reference the per-type templates are tested against. */
export function encodeBySchema(event: LogEvent): string {
  const schema = EVENT_SCHEMAS.get(event.type);
  if (schema === undefined) {
    throw new LogError('UNKNOWN_TYPE', `cannot encode an event of unknown type ${JSON.stringify(event.type)}`, {
      field: 'type',
    });
  }
  const fields = event as unknown as Readonly<Record<string, unknown>>;
  let s = `{"at":${JSON.stringify(event.at)},"type":${JSON.stringify(event.type)}`;
  for (const f of schema.fields) {
    const v = fields[f.name];
    if (v === undefined) continue;
    s += `,${JSON.stringify(f.name)}:`;
    switch (f.kind) {
      case 'items':
        s += encodeItems(v as LogItems);
        break;
      case 'via': {
        const via = v as { server: string; unid: string; seq: number };
        s += `{"server":${JSON.stringify(via.server)},"unid":${JSON.stringify(via.unid)},`;
        s += `"seq":${JSON.stringify(via.seq)}}`;
        break;
      }
      case 'oid': {
        const oid = v as { seq: number; seqTime: number };
        s += `{"seq":${JSON.stringify(oid.seq)},"seqTime":${JSON.stringify(oid.seqTime)}}`;
        break;
      }
      default:
        s += JSON.stringify(v);
    }
  }
  return `${s}}`;
}

/** A whole log: the header and one line per event, each ending with `\n`. */
export function encodeLog(header: LogHeader, events: Iterable<LogEvent>): string {
  const lines = [encodeHeader(header)];
  for (const e of events) lines.push(encodeEvent(e));
  return `${lines.join('\n')}\n`;
}

// Built as text, key by key, so a name such as "__proto__" is written like any other.
function encodeItems(items: LogItems): string {
  let s = '{';
  let first = true;
  for (const [name, value] of items) {
    s += `${first ? '' : ','}${JSON.stringify(name)}:${encodeItemValue(value)}`;
    first = false;
  }
  return `${s}}`;
}

function encodeItemValue(value: ItemValue): string {
  if (!Array.isArray(value)) return JSON.stringify(value);
  const list: readonly unknown[] = value;
  let s = '[';
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (i > 0) s += ',';
    s += typeof x === 'object' && x !== null ? encodeAttachment(x as Attachment) : JSON.stringify(x);
  }
  return `${s}]`;
}

function encodeAttachment(a: Attachment): string {
  let s = `{"name":${JSON.stringify(a.name)}`;
  if (a.bytes !== undefined) s += `,"bytes":${JSON.stringify(a.bytes)}`;
  if (a.infected !== undefined) s += `,"infected":${JSON.stringify(a.infected)}`;
  return `${s}}`;
}

/**
 * True when `line` is exactly `encodeEvent(event)` and decoding it gives `event` back (every field valid, UNIDs upper
 * case): a replay can then take a recorded derived line as the engine's event without parsing or validating it. It may
 * answer false for such a line (an input event, a string JSON escapes): callers then decode the line and compare
 * events, so false is always safe and true is never wrong. Fields outside the event's schema are not looked at, as
 * encodeEvent does not write them.
 */
export function isEncodingOf(line: string, event: LogEvent): boolean {
  const text = encodeValidDerived(event);
  return text !== undefined && text === line;
}

/**
 * isEncodingOf for a line given as its UTF-8 bytes, `bytes[start, last)`, without its line end: the same answer for the
 * same line (lazyDecode.prop.test.ts holds the two together). The bytes are read against the event's parts, nothing
 * written: the text before the UNID as one remembered part per database (a cluster push takes the databases in turn,
 * so one remembered head was made again at every line), read four bytes at a time; numbers digit by digit; UNIDs unit
 * by unit. isEncodingOf's text, made and flattened for its `===`, was about a sixth of a replay of the bench's
 * recording, and much of the collector's share. Conflicts and sessions (a few lines a pass) are written as text and
 * compared.
 *
 * (Reading the line's decoded text against the parts, by `startsWith` or `charCodeAt`, was tried four times and was
 * slower than writing it (encodeValidDerived's note): a string's units are read through its representation each
 * time, a byte array's in one load.)
 */
export function isEncodingAt(bytes: Uint8Array, start: number, last: number, e: LogEvent): boolean {
  const v = viewOf(bytes);
  const type = BODY_TYPE_PARTS.get(e.type);
  if (type === undefined) {
    const text = encodeValidDerived(e);
    return text !== undefined && textAt(v, start, text) === last;
  }
  if (!isNat(e.at)) return false;
  return bodyAt(v, partAt(v, natAt(v, partAt(v, start, AT_OPEN), last, e.at), type), last, e);
}

/**
 * Whether a lazy decoder's raw line (RawDerivedLine) is the encoding of `e`. A line with its bytes is read as
 * isEncodingAt reads them, from where its start ends: the decoder read that start, `{"at":<at>,"type":"<type>",` as the
 * encoder writes it, so only `at` and `type` are compared here (a replay checks a million lines: reading each start
 * twice was some fifth of the check). A line without bytes is compared as text (isEncodingOf).
 */
export function isRawEncodingOf(raw: RawDerivedLine, e: LogEvent): boolean {
  const bytes = raw.bytes;
  if (bytes === undefined) return isEncodingOf(raw.text, e);
  if (raw.at !== e.at || raw.type !== e.type) return false;
  if (!BODY_TYPE_PARTS.has(e.type)) return isEncodingAt(bytes, raw.byteStart, raw.byteEnd, e);
  return bodyAt(viewOf(bytes), raw.byteStart + raw.bodyOffset, raw.byteEnd, e);
}

/**
 * isEncodingAt's reading after `{"at":<at>,"type":"<type>",` (the type one of BODY_TYPE_PARTS'), from `p` (-1: not
 * the encoding) to the line's end, `last`.
 */
function bodyAt(v: View, p: number, last: number, e: LogEvent): boolean {
  switch (e.type) {
    case 'revised': {
      if (!isNat(e.seq) || !isInt(e.seqTime) || !isNat(e.cause) || e.cause === 0) return false;
      const head = revisedParts.get(e.server, e.server, e.db);
      if (head === undefined || revisedTail(e.items, e.by) === undefined) return false;
      p = unidAt(v, partAt(v, p, head), e.unid);
      p = natAt(v, partAt(v, p, SEQ_OPEN), last, e.seq);
      p = intAt(v, partAt(v, p, SEQTIME_OPEN), last, e.seqTime);
      p = natAt(v, partAt(v, p, revisedTailPart()), last, e.cause);
      if (e.via !== undefined) {
        const via: unknown = e.via;
        if (typeof via !== 'object' || via === null) return false;
        const { server, unid, seq } = via as { server: unknown; unid: unknown; seq: unknown };
        if (!isName(server) || !isNat(seq)) return false;
        p = textAt(v, partAt(v, p, VIA_OPEN), server);
        p = unidAt(v, partAt(v, p, VIA_UNID), unid);
        p = partAt(v, natAt(v, partAt(v, p, SEQ_OPEN), last, seq), CLOSE);
      }
      return partAt(v, p, CLOSE) === last;
    }
    case 'replicated': {
      if (!isNat(e.seq) || !isInt(e.seqTime)) return false;
      const head = replicatedParts.get(e.from, e.to, e.db);
      const outcome = REPLICATED_OUTCOME_PARTS.get(e.outcome);
      if (head === undefined || outcome === undefined) return false;
      p = unidAt(v, partAt(v, p, head), e.unid);
      p = natAt(v, partAt(v, p, SEQ_OPEN), last, e.seq);
      p = intAt(v, partAt(v, p, SEQTIME_OPEN), last, e.seqTime);
      return partAt(v, p, outcome) === last;
    }
    case 'scanned': {
      if (typeof e.saved !== 'boolean') return false;
      const head = scannedParts.get(e.server, e.server, e.db);
      const kind = SCANNED_KIND_PARTS.get(e.kind);
      const verdict = SCAN_VERDICT_PARTS.get(e.verdict);
      if (head === undefined || kind === undefined || verdict === undefined) return false;
      p = unidAt(v, partAt(v, p, head), e.unid);
      p = partAt(v, partAt(v, partAt(v, p, kind), verdict), e.saved ? SAVED_TRUE : SAVED_FALSE);
      return p === last;
    }
    default:
      return false;
  }
}

/** The bytes being read, as a DataView with its length (made once per array: a replay's lines share their block's). */
interface View {
  readonly v: DataView;
  readonly n: number;
}
let viewBytes: Uint8Array | undefined;
let view: View = { v: new DataView(new ArrayBuffer(0)), n: 0 };
function viewOf(bytes: Uint8Array): View {
  if (bytes !== viewBytes) {
    viewBytes = bytes;
    view = { v: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), n: bytes.byteLength };
  }
  return view;
}

// core compiles against ES2023 alone (no DOM or node types): the WHATWG encoder every runtime has, typed here.
const utf8Encoder = new (globalThis as unknown as { TextEncoder: new () => { encode(input: string): Uint8Array } }).TextEncoder();

/** A part as isEncodingAt reads it: the UTF-8 of `text`. */
function part(text: string): View {
  const bytes = utf8Encoder.encode(text);
  return { v: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), n: bytes.byteLength };
}

// The fixed parts.
const AT_OPEN = part('{"at":');
const SEQ_OPEN = part('","seq":');
const SEQTIME_OPEN = part(',"seqTime":');
const VIA_OPEN = part(',"via":{"server":"');
const VIA_UNID = part('","unid":"');
const CLOSE = part('}');
const SAVED_TRUE = part('","saved":true}');
const SAVED_FALSE = part('","saved":false}');
/** `,"type":"<type>",` of the types isEncodingAt reads part by part (the others' lines are written and compared). */
const BODY_TYPE_PARTS = new Map<unknown, View>((['revised', 'replicated', 'scanned'] as const).map((t) => [t, part(typePrefix(t))]));
const REPLICATED_OUTCOME_PARTS = new Map<unknown, View>(REPLICATED_OUTCOMES.map((o) => [o, part(`,"outcome":"${o}"}`)]));
const SCANNED_KIND_PARTS = new Map<unknown, View>(SCANNED_KINDS.map((k) => [k, part(`","kind":"${k}`)]));
const SCAN_VERDICT_PARTS = new Map<unknown, View>(SCAN_VERDICTS.map((x) => [x, part(`","verdict":"${x}`)]));

/**
 * One kind of head as bytes, from after `,"type":"<type>",` (read before it, BODY_TYPE_PARTS) to the UNID's opening
 * quote, for three names found valid: remembered per database (the third name) with the two others (compared with
 * `===`). Bounded: cleared past 4,096 databases (a cache of a pure function; an entry is some 0.4 KB, and a review
 * measured 29 MB for 65,536 of them).
 */
class HeadParts {
  private readonly byDb = new Map<string, { readonly a: string; readonly b: string; readonly part: View }>();
  // The last one asked for, before the map: a scheduled pass's lines name one server and database run after run.
  // (None at first: no string is undefined.)
  private lastDb: string | undefined = undefined;
  private last: { readonly a: string; readonly b: string; readonly part: View } | undefined = undefined;

  /** `make` writes the whole head; the part is what follows `skip` units of it (the type, read before the head). */
  constructor(
    private readonly make: (a: string, b: string, c: string) => string,
    private readonly skip: number,
  ) {}

  get(a: unknown, b: unknown, db: unknown): View | undefined {
    if (typeof db !== 'string') return undefined;
    let known = this.last;
    if (db !== this.lastDb || known === undefined || known.a !== a || known.b !== b) {
      const found = this.byDb.get(db);
      if (found === undefined || found.a !== a || found.b !== b) return this.made(a, b, db);
      this.lastDb = db;
      this.last = known = found;
    }
    return known.part;
  }

  private made(a: unknown, b: unknown, db: string): View | undefined {
    if (!isName(a) || !isName(b) || !isName(db)) return undefined;
    if (this.byDb.size >= 4_096) this.byDb.clear();
    const made = { a, b, part: part(this.make(a, b, db).slice(this.skip)) };
    this.byDb.set(db, made);
    this.lastDb = db;
    this.last = made;
    return made.part;
  }
}

const revisedParts = new HeadParts(revisedHead, typePrefix('revised').length);
const replicatedParts = new HeadParts(replicatedHead, typePrefix('replicated').length);
const scannedParts = new HeadParts(scannedHead, typePrefix('scanned').length);

// Each kind's head, from `,"type"` to the UNID's opening quote, for names found valid: remembered as text by
// encodeValidDerived (LastHead), and as bytes by isEncodingAt (HeadParts) without its type (`typePrefix`), which
// isEncodingAt reads first and isRawEncodingOf takes as the decoder read it. (A server's name stands twice where a
// head has one server.)
function typePrefix(type: string): string {
  return `,"type":"${type}",`;
}
function revisedHead(server: string, _: string, db: string): string {
  return `${typePrefix('revised')}"server":"${server}","db":"${db}","unid":"`;
}
function replicatedHead(from: string, to: string, db: string): string {
  return `${typePrefix('replicated')}"from":"${from}","to":"${to}","db":"${db}","unid":"`;
}
function scannedHead(server: string, _: string, db: string): string {
  return `${typePrefix('scanned')}"server":"${server}","db":"${db}","unid":"`;
}

// Each reader takes the position to read from and gives the position after what it read, or -1 if the bytes there
// are not what it reads (and -1 stays -1). Reading past the line's end runs into its line end, which no part holds,
// or fails `=== last` at the end.

/** `part` at `p`, four bytes at a time. */
function partAt(b: View, p: number, part: View): number {
  const n = part.n;
  if (p < 0 || p + n > b.n) return -1;
  const v = b.v;
  const w = part.v;
  let i = 0;
  for (; i + 4 <= n; i += 4) if (v.getUint32(p + i) !== w.getUint32(i)) return -1;
  for (; i < n; i++) if (v.getUint8(p + i) !== w.getUint8(i)) return -1;
  return p + n;
}

/** A name (isName: written as it is) at `p`, as UTF-8. */
function textAt(b: View, p: number, s: string): number {
  if (p < 0 || p + s.length > b.n) return -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return partAt(b, p, part(s));
    if (b.v.getUint8(p + i) !== c) return -1;
  }
  return p + s.length;
}

/**
 * A UNID at `p`, as isUnid takes it: 32 units, each a digit or an upper-case A-F (checked on the line's bytes, which
 * are the UNID's units where they match).
 */
function unidAt(b: View, p: number, unid: unknown): number {
  if (p < 0 || typeof unid !== 'string' || unid.length !== 32 || p + 32 > b.n) return -1;
  const v = b.v;
  for (let i = 0; i < 32; i++) {
    const c = v.getUint8(p + i);
    if (c !== unid.charCodeAt(i) || !((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46))) return -1;
  }
  return p + 32;
}

/**
 * The safe non-negative integer `n` as JSON writes it, at `p`: a run of digits, no leading zero, whose value is `n`.
 * Read from the first digit (v * 10 + d): exact while the value is a safe integer, and a value past 2^53 rounds to 2^53
 * or more, which is no safe integer, so equality with `n` is exact.
 */
function natAt(b: View, p: number, last: number, n: number): number {
  if (p < 0 || last > b.n) return -1;
  const v = b.v;
  let q = p;
  let x = 0;
  for (; q < last; q++) {
    const d = v.getUint8(q) - 0x30;
    if (d < 0 || d > 9) break;
    x = x * 10 + d;
  }
  if (q === p || x !== n || (q > p + 1 && v.getUint8(p) === 0x30)) return -1;
  return q;
}

/** A safe integer, negative ones with their `-` (and -0 as 0, as JSON writes it). */
function intAt(b: View, p: number, last: number, n: number): number {
  if (n >= 0) return natAt(b, p, last, n);
  if (p < 0 || p >= last || b.v.getUint8(p) !== 0x2d) return -1;
  return natAt(b, p + 1, last, -n);
}

/**
 * encodeEvent(e) for a valid derived event whose strings JSON writes as they are, else undefined. One template per
 * type, fields read by name: encodeEvent's loop over the schema reads them by computed key and calls JSON.stringify per
 * value, which costs several times more. lazyDecode.prop.test.ts holds the two to the same text.
 *
 * The text between the numbers and the UNID is remembered for the names last seen (compared with `===`, which for
 * strings compares text, and is a pointer check when they are the same objects, as an engine's server, database and
 * actor strings are event after event): a template of fewer, longer parts. Built from twenty parts, the text was about a fifth of a replay, most of it in joining them (a
 * microbenchmark of 20,000 revised lines: 440-480 ns a check, 340-370 with the remembered parts). Each remembered part
 * was made from names found valid, and strings do not change: a hit needs no check. One part per kind: a cluster push
 * takes the databases in turn, so on the bench's recording every `replicated` head is made again.
 *
 * Tried and not kept (interleaved replays of the bench's recording, medians of nine): a map of heads by database
 * (2,701 ms against 2,610: no difference); reading the line against the parts instead of writing it, numbers as
 * digits and strings by `substring` and `===` (265 ns against 457 in the microbenchmark, but 2,453 ms against 2,350 in
 * replays; the substrings were 7.7% of the profile), the fourth such reading tried (bench/NOTES.md, where the unmet
 * goals' time goes). Three more (2026-12-05), nothing allocated, numbers read as digits: the parts found with
 * `startsWith` at a position in the line, then unit by unit with `charCodeAt` (replays of 2,750-2,900 ms against 2,250-2,430 with this writing, three
 * interleaved runs of three each; the collector's share fell from 15% to 9%, the reading took 28%), then `startsWith`
 * in the flat text the line was cut from (30.5 G instructions against 23.6 G for one replay, cachegrind). Nor a
 * line written as one flat string by joining a reused list of parts (`join`: 24.6 G against 23.5 G). Since 2026-12-07 a
 * replay of a file reads the line's bytes against the parts instead (isEncodingAt: a typed array's units are one load
 * each, where a string's were read through its representation), and this writing serves lines given as text, and
 * the recorder.
 */
function encodeValidDerived(e: LogEvent): string | undefined {
  switch (e.type) {
    case 'revised': {
      if (!isNat(e.at) || !isUnid(e.unid) || !isNat(e.seq) || !isInt(e.seqTime) || !isNat(e.cause) || e.cause === 0) return undefined;
      const head = revisedHeads.get(e.server, e.server, e.db);
      const tail = revisedTail(e.items, e.by);
      if (head === undefined || tail === undefined) return undefined;
      let via = '';
      if (e.via !== undefined) {
        const v: unknown = e.via;
        if (typeof v !== 'object' || v === null) return undefined;
        const { server, unid, seq } = v as { server: unknown; unid: unknown; seq: unknown };
        if (!isName(server) || !isUnid(unid) || !isNat(seq)) return undefined;
        via = `,"via":{"server":"${server}","unid":"${unid}","seq":${seq}}`;
      }
      return `{"at":${e.at}${head}${e.unid}","seq":${e.seq},"seqTime":${e.seqTime}${tail}${e.cause}${via}}`;
    }
    case 'replicated': {
      if (!isNat(e.at) || !isUnid(e.unid) || !isNat(e.seq) || !isInt(e.seqTime)) return undefined;
      const head = replicatedHeads.get(e.from, e.to, e.db);
      if (head === undefined || !(REPLICATED_OUTCOMES as readonly unknown[]).includes(e.outcome)) return undefined;
      return `{"at":${e.at}${head}${e.unid}","seq":${e.seq},"seqTime":${e.seqTime},"outcome":"${e.outcome}"}`;
    }
    case 'conflict': {
      if (!isNat(e.at) || !isName(e.server) || !isName(e.db) || !isUnid(e.unid) || !isUnid(e.conflictUnid)) return undefined;
      const winner = encodeOid(e.winner);
      const loser = encodeOid(e.loser);
      if (winner === undefined || loser === undefined) return undefined;
      return `{"at":${e.at},"type":"conflict","server":"${e.server}","db":"${e.db}","unid":"${e.unid}","conflictUnid":"${e.conflictUnid}","winner":${winner},"loser":${loser}}`;
    }
    case 'session':
      if (!isNat(e.at) || !isName(e.server) || !isName(e.partner) || !isName(e.db) || !isNat(e.sent) || !isNat(e.changed)) return undefined;
      if (!(SESSION_DIRECTIONS as readonly unknown[]).includes(e.direction) || typeof e.interrupted !== 'boolean') return undefined;
      return `{"at":${e.at},"type":"session","server":"${e.server}","partner":"${e.partner}","db":"${e.db}","direction":"${e.direction}","sent":${e.sent},"changed":${e.changed},"interrupted":${e.interrupted}}`;
    case 'scanned': {
      if (!isNat(e.at) || !isUnid(e.unid) || typeof e.saved !== 'boolean') return undefined;
      const head = scannedHeads.get(e.server, e.server, e.db);
      if (head === undefined) return undefined;
      if (!(SCANNED_KINDS as readonly unknown[]).includes(e.kind) || !(SCAN_VERDICTS as readonly unknown[]).includes(e.verdict)) return undefined;
      return `{"at":${e.at}${head}${e.unid}","kind":"${e.kind}","verdict":"${e.verdict}","saved":${e.saved}}`;
    }
    default:
      return undefined;
  }
}

// The remembered parts (see encodeValidDerived). Until one is made, the names it was made from are an object no event
// holds (undefined would match an event without the field).
const NONE: unknown = Object.freeze({});

/** One kind of head: the text `make` writes for three names found valid, remembered for the last three asked (`===`). */
class LastHead {
  private a: unknown = NONE;
  private b: unknown = NONE;
  private c: unknown = NONE;
  private text = '';

  constructor(private readonly make: (a: string, b: string, c: string) => string) {}

  /** The head for these names, or undefined if one is not a valid name. */
  get(a: unknown, b: unknown, c: unknown): string | undefined {
    if (a === this.a && b === this.b && c === this.c) return this.text;
    if (!isName(a) || !isName(b) || !isName(c)) return undefined;
    this.a = a;
    this.b = b;
    this.c = c;
    return (this.text = this.make(a, b, c));
  }
}

const revisedHeads = new LastHead(revisedHead);
const replicatedHeads = new LastHead(replicatedHead);
const scannedHeads = new LastHead(scannedHead);

let revisedBy = NONE;
const revisedItems: string[] = [];
let revisedTailText = '';

/** `,"items":[...],"by":"A","cause":` for valid item names and actor, else undefined. */
function revisedTail(items: unknown, by: unknown): string | undefined {
  if (!Array.isArray(items)) return undefined;
  const list: readonly unknown[] = items;
  if (by === revisedBy && list.length === revisedItems.length) {
    let same = true;
    for (let i = 0; i < list.length; i++) {
      if (list[i] !== revisedItems[i]) {
        same = false;
        break;
      }
    }
    if (same) return revisedTailText;
  }
  if (!isActor(by)) return undefined;
  let text = '';
  for (let i = 0; i < list.length; i++) {
    const name = list[i];
    if (!isName(name)) return undefined;
    text += i === 0 ? `"${name}"` : `,"${name}"`;
  }
  revisedBy = by;
  revisedItems.length = 0;
  for (let i = 0; i < list.length; i++) revisedItems.push(list[i] as string);
  revisedTailPartMade = undefined;
  return (revisedTailText = `,"items":[${text}],"by":"${by}","cause":`);
}

let revisedTailPartMade: View | undefined;

/** The last tail as a part (isEncodingAt), made when first asked for. */
function revisedTailPart(): View {
  return (revisedTailPartMade ??= part(revisedTailText));
}

// A non-empty string JSON.stringify writes as it is: no quote, backslash or control character to escape, and no
// surrogate (a lone one is escaped; pairs are refused too, to keep the test one character class).
const VERBATIM = /^[^"\\\u0000-\u001f\ud800-\udfff]+$/;

// Names recur in every event of a run (servers, databases, actors, item names: a few): the strings already found valid
// are remembered (a bounded set; a cache of a pure test).
const validNames = new Set<string>();

function remember(s: string): true {
  if (validNames.size >= 65_536) validNames.clear();
  validNames.add(s);
  return true;
}

function isName(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  return validNames.has(s) || (VERBATIM.test(s) && remember(s));
}

function isActor(s: unknown): s is string {
  if (!isName(s)) return false;
  const slash = s.indexOf('/');
  return slash > 0 && slash < s.length - 1;
}

// The UNIDs last found valid (compared with `===`: a pointer check for the same object): an event's UNID is its note's,
// the same string object in the events a document's scan, save and transfers write one after another.
const recentUnids: (string | undefined)[] = [undefined, undefined, undefined, undefined];
let recentUnidNext = 0;

/**
 * Upper case, as decodeLog returns UNIDs. Checked character by character, not looked up in a set of the valid ones:
 * a set of a replica's 10,000 UNIDs missed the cache on most lookups (5.7% of a replay's profile, more than the
 * check).
 */
function isUnid(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  if (s === recentUnids[0] || s === recentUnids[1] || s === recentUnids[2] || s === recentUnids[3]) return true;
  if (s.length !== 32) return false;
  for (let i = 0; i < 32; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46))) return false;
  }
  recentUnids[recentUnidNext] = s;
  recentUnidNext = (recentUnidNext + 1) & 3;
  return true;
}

function isNat(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function isInt(v: unknown): v is number {
  return Number.isSafeInteger(v);
}

function encodeOid(oid: unknown): string | undefined {
  if (typeof oid !== 'object' || oid === null) return undefined;
  const { seq, seqTime } = oid as { seq: unknown; seqTime: unknown };
  return isNat(seq) && isInt(seqTime) ? `{"seq":${seq},"seqTime":${seqTime}}` : undefined;
}
