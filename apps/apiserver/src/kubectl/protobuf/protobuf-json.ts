// Turns a decoded protobuf message into the JSON object the same client would have sent as JSON. gogo-protobuf writes
// every non-pointer scalar, "" and 0 and false included, where Go's JSON omits them (`omitempty`); pointer scalars
// are written only when set, so their zero is kept. Structs are never omitted by Go's JSON, so an empty nested message
// stays `{}` (`resources: {}`), except the zero Time, which JSON writes as null and we leave out.
import { rfc3339 } from '@podling/api';
import { MESSAGES, SPECIAL_MESSAGES, type FieldSpec } from './message-table.ts';

type Decoded = Record<string, unknown>;

const num = (v: unknown): number => Number(v ?? 0);

/** RFC 3339 at second precision, as metav1.Time marshals. */
function time(m: Decoded): string | undefined {
  const seconds = num(m.f1);
  if (seconds === 0 && num(m.f2) === 0) return undefined;
  return rfc3339(seconds * 1000);
}

/** RFC 3339 with six fractional digits, as metav1.MicroTime marshals. */
function microTime(m: Decoded): string | undefined {
  if (num(m.f1) === 0 && num(m.f2) === 0) return undefined;
  const micros = String(Math.floor(num(m.f2) / 1000)).padStart(6, '0');
  return new Date(num(m.f1) * 1000).toISOString().replace(/\.\d+Z$/, `.${micros}Z`);
}

function rawJson(m: Decoded, what: string): unknown {
  const bytes = m.f1 as Uint8Array | undefined;
  if (!bytes?.length) return undefined;
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new Error(`${what} does not hold JSON`);
  }
}

const SPECIAL: Record<string, (m: Decoded) => unknown> = {
  Time: time,
  MicroTime: microTime,
  IntOrString: (m) => (num(m.f1) === 1 ? String(m.f3 ?? '') : num(m.f2)),
  Quantity: (m) => String(m.f1 ?? ''),
  RawExtension: (m) => rawJson(m, 'a RawExtension'),
  FieldsV1: (m) => rawJson(m, 'fieldsV1'),
};

function value(type: string, v: unknown): unknown {
  if (MESSAGES.has(type)) return SPECIAL_MESSAGES.has(type) ? SPECIAL[type](v as Decoded) : messageJson(type, v as Decoded);
  return type === 'int64' || type === 'int32' ? num(v) : v;
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

// A repeated or map element is never omitted: args ["", "x"] keep their empty string.
function field(f: FieldSpec, v: unknown): unknown {
  if (f.map) {
    const entries = Object.entries(v as Decoded).map(([k, e]) => [k, value(f.type, e)]);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  if (f.repeated) {
    const items = (v as unknown[]).map((e) => value(f.type, e));
    return items.length ? items : undefined;
  }
  const out = value(f.type, v);
  return !f.keepZero && isZero(out) ? undefined : out;
}

/** The JSON form of one message; fields absent from the wire, and non-pointer zero scalars, are left out. */
export function messageJson(type: string, m: Decoded): Decoded {
  const out: Decoded = {};
  for (const f of MESSAGES.get(type) ?? []) {
    const v = m[`f${f.number}`];
    if (v === undefined || v === null) continue;
    const j = field(f, v);
    if (j === undefined) continue;
    if (f.json === '_') Object.assign(out, j);
    else out[f.json] = j;
  }
  return out;
}
