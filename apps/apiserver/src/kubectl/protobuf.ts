// Decodes the Kubernetes protobuf request bodies kubectl sends from its typed clients. `kubectl create namespace`
// POSTs `Content-Type: application/vnd.kubernetes.protobuf` (no JSON fallback), so a server that wants that
// command must read it. Format: the magic `k8s\0`, then a runtime.Unknown {typeMeta=1, raw=2, ...} whose raw is
// the gogo-protobuf encoding of the object (k8s.io/api core/v1 generated.proto). Only the kinds listed below are
// decoded; gogo writes "" and 0 for unset scalars, so those read as absent (JSON omitempty).
import { StatusError, type KubeObject, type ObjectMeta } from '@podling/api';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = [0x6b, 0x38, 0x73, 0x00];

type Field = { n: number; v: number | Uint8Array };

/** The fields of one message in wire order; varints as numbers (exact up to 2^53), length-delimited as bytes. */
function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = () => {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (i >= buf.length) throw new Error('truncated varint');
      const b = buf[i++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const n = Math.floor(key / 8);
    switch (key & 7) {
      case 0: out.push({ n, v: varint() }); break;
      case 1: i += 8; break;
      case 2: {
        const len = varint();
        if (i + len > buf.length) throw new Error('truncated field');
        out.push({ n, v: buf.subarray(i, i + len) });
        i += len;
        break;
      }
      case 5: i += 4; break;
      default: throw new Error(`unsupported wire type ${key & 7}`);
    }
  }
  return out;
}

const text = (v: Field['v']) => (typeof v === 'number' ? '' : new TextDecoder().decode(v));
const bytes = (v: Field['v']) => (typeof v === 'number' ? new Uint8Array() : v);
const strings = (fs: Field[], n: number) => fs.filter((f) => f.n === n).map((f) => text(f.v));
const str = (fs: Field[], n: number) => strings(fs, n).pop() || undefined;
const num = (fs: Field[], n: number) => {
  const f = fs.filter((x) => x.n === n).pop();
  return typeof f?.v === 'number' && f.v !== 0 ? f.v : undefined;
};
const sub = (fs: Field[], n: number) => {
  const f = fs.filter((x) => x.n === n).pop();
  return f ? fields(bytes(f.v)) : undefined;
};
const stringMap = (fs: Field[], n: number) => {
  const entries = fs.filter((f) => f.n === n).map((f) => fields(bytes(f.v))).map((e) => [str(e, 1) ?? '', strings(e, 2).pop() ?? '']);
  return entries.length ? Object.fromEntries(entries) as Record<string, string> : undefined;
};
/** metav1.Time {seconds=1, nanos=2} at second precision; the zero time is absent. */
const time = (fs: Field[], n: number) => {
  const t = sub(fs, n);
  const seconds = t ? num(t, 1) : undefined;
  return seconds ? new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z') : undefined;
};

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function objectMeta(fs: Field[]): ObjectMeta {
  const owners = fs.filter((f) => f.n === 13).map((f) => fields(bytes(f.v))).map((o) => compact({
    apiVersion: str(o, 5) ?? '', kind: str(o, 1) ?? '', name: str(o, 3) ?? '', uid: str(o, 4) ?? '',
    controller: o.some((x) => x.n === 6) ? num(o, 6) === 1 : undefined,
    blockOwnerDeletion: o.some((x) => x.n === 7) ? num(o, 7) === 1 : undefined,
  }));
  const finalizers = strings(fs, 14);
  return compact({
    name: str(fs, 1), generateName: str(fs, 2), namespace: str(fs, 3), uid: str(fs, 5), resourceVersion: str(fs, 6),
    generation: num(fs, 7), creationTimestamp: time(fs, 8), deletionTimestamp: time(fs, 9), deletionGracePeriodSeconds: num(fs, 10),
    labels: stringMap(fs, 11), annotations: stringMap(fs, 12),
    ownerReferences: owners.length ? owners : undefined, finalizers: finalizers.length ? finalizers : undefined,
  });
}

/** core/v1 Namespace {metadata=1, spec=2 {finalizers=1}, status=3 {phase=1}}. */
function namespace(fs: Field[]): Record<string, unknown> {
  const spec = sub(fs, 2);
  const status = sub(fs, 3);
  const finalizers = spec ? strings(spec, 1) : [];
  const phase = status ? str(status, 1) : undefined;
  return compact({ spec: finalizers.length ? { finalizers } : undefined, status: phase ? { phase } : undefined });
}

const DECODERS: Record<string, (fs: Field[]) => Record<string, unknown>> = { 'v1/Namespace': namespace };

/** The decodable kinds, as "apiVersion/Kind". */
export const PROTOBUF_KINDS = Object.keys(DECODERS);

function unsupported(message: string): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', message);
}

/** Decodes a protobuf request body into the JSON shape of the object; 415 for anything it cannot read. */
export function decodeProtobuf(body: Uint8Array): KubeObject {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) throw unsupported('the protobuf body does not start with the k8s\\x00 envelope');
  let top: Field[];
  let typeMeta: Field[];
  try {
    top = fields(body.subarray(4));
    typeMeta = sub(top, 1) ?? [];
  } catch (e) {
    throw unsupported(`the protobuf body could not be decoded: ${(e as Error).message}`);
  }
  const apiVersion = str(typeMeta, 1) ?? '';
  const kind = str(typeMeta, 2) ?? '';
  const decode = DECODERS[`${apiVersion}/${kind}`];
  if (!decode) {
    throw unsupported(`protobuf bodies are accepted only for ${PROTOBUF_KINDS.join(', ')}, not ${apiVersion}/${kind}; send application/json`);
  }
  if (str(top, 3)) throw unsupported(`unsupported protobuf contentEncoding ${JSON.stringify(str(top, 3))}`);
  try {
    const raw = sub(top, 2) ?? [];
    return { apiVersion, kind, metadata: objectMeta(sub(raw, 1) ?? []), ...decode(raw) };
  } catch (e) {
    throw unsupported(`the protobuf ${kind} could not be decoded: ${(e as Error).message}`);
  }
}
