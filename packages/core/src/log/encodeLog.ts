import { LogError } from '../util/logError.js';
import { EVENT_SCHEMAS } from './eventFields.js';
import type { Attachment, ItemValue, LogEvent, LogHeader, LogItems } from './events.js';

// The v1 log writer: compact JSON, `at` and `type` first, then the table's field order (eventFields.ts), optional
// fields left out when undefined. It trusts its input's types: a line written from an invalid event (an empty name, a
// NaN) is one decodeLog refuses, so decode(encode(e)) equals e exactly for the events decodeLog returns.

export function encodeHeader(header: LogHeader): string {
  return `{"replog":1,"meta":${JSON.stringify(header.meta)}}`;
}

/** One line, without its line end. */
export function encodeEvent(event: LogEvent): string {
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
