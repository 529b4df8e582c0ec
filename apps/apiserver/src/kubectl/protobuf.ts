// Decodes the Kubernetes protobuf request bodies kubectl's typed clients send (`kubectl create namespace|deployment|
// job|cronjob` POST `application/vnd.kubernetes.protobuf` with no JSON fallback) into the JSON shape of the object.
// One codec for every kind: protobufjs reads Kubernetes' own generated.proto definitions (vendored in ./proto by
// scripts/vendor-k8s-proto.ts) and this file maps the few special messages (Time, Quantity, IntOrString,
// RawExtension) to their JSON forms. Wire format: the magic `k8s\0`, then a runtime.Unknown {typeMeta, raw, ...}
// whose raw is the gogo-protobuf encoding of the object.
import path from 'node:path';
import protobuf from 'protobufjs';
import { StatusError, type KubeObject } from '@podling/api';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = [0x6b, 0x38, 0x73, 0x00];
const PROTO_DIR = path.join(import.meta.dirname, 'proto');
const FILES = ['core', 'apps', 'batch', 'autoscaling', 'coordination'].map((g) => `k8s.io/api/${g}/v1/generated.proto`);
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/**
 * gogo-protobuf writes every non-pointer field, zero or not, so a zero on the wire usually means "unset" (JSON
 * omitempty drops it). These are the pointer fields of the served kinds whose zero means something and is kept.
 */
const KEEP_ZERO = new Set([
  'replicas', 'terminationGracePeriodSeconds', 'activeDeadlineSeconds', 'backoffLimit', 'parallelism', 'completions',
  'runAsUser', 'runAsGroup', 'fsGroup', 'revisionHistoryLimit', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit',
  'startingDeadlineSeconds', 'ttlSecondsAfterFinished', 'partition', 'progressDeadlineSeconds', 'gracePeriodSeconds',
  'enableServiceLinks', 'automountServiceAccountToken', 'hostUsers', 'controller', 'blockOwnerDeletion',
]);

let root: protobuf.Root | undefined;
function types(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
  r.loadSync(FILES, { keepCase: true });
  r.resolveAll();
  return (root = r);
}

/** The protobuf message of an apiVersion/kind: k8s.io.api.<group's first label>.<version>.<Kind>. */
function messageType(apiVersion: string, kind: string): protobuf.Type | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const name = group === 'meta.k8s.io' || (kind === 'DeleteOptions' && !group) ? `${META}.${kind}` : `k8s.io.api.${group ? group.split('.')[0] : 'core'}.${version}.${kind}`;
  try { return types().lookupType(name); } catch { return undefined; }
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v as { toString(): string }));
const rfc3339 = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

/** JSON form of one special message, or undefined when the message is an ordinary struct. */
function special(t: protobuf.Type, m: Record<string, unknown>): { value: unknown } | undefined {
  switch (t.fullName.slice(1)) {
    case `${META}.Time`:
    case `${META}.MicroTime`: {
      const s = num(m.seconds ?? 0);
      return { value: s ? rfc3339(s) : undefined };
    }
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity': return { value: m.string || undefined };
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString': return { value: num(m.type ?? 0) === 1 ? m.strVal ?? '' : num(m.intVal ?? 0) };
    case 'k8s.io.apimachinery.pkg.runtime.RawExtension':
    case `${META}.FieldsV1`: {
      const raw = (m.raw ?? m.Raw) as Uint8Array | undefined;
      return { value: raw?.length ? JSON.parse(Buffer.from(raw).toString('utf8')) : undefined };
    }
    case `${META}.Duration`: return { value: `${num(m.duration ?? 0) / 1e9}s` };
  }
  return undefined;
}

function scalar(f: protobuf.Field, v: unknown): unknown {
  if (f.bytes) return Buffer.from(v as Uint8Array).toString('base64');
  if (f.long || typeof v === 'object') return num(v);
  return v;
}

function value(f: protobuf.Field, v: unknown): unknown {
  if (f.resolvedType instanceof protobuf.Type) {
    const s = special(f.resolvedType, v as Record<string, unknown>);
    return s ? s.value : toJson(f.resolvedType, v as Record<string, unknown>);
  }
  return scalar(f, v);
}

/** A decoded message as the JSON the apiserver would have received: unset and zero scalars omitted. */
function toJson(t: protobuf.Type, m: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of t.fieldsArray) {
    if (!Object.hasOwn(m, f.name)) continue;
    const v = m[f.name];
    if (f.map) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length) out[f.name] = Object.fromEntries(entries.map(([k, x]) => [k, value(f, x)]));
    } else if (f.repeated) {
      const items = (v as unknown[]).map((x) => value(f, x));
      if (items.length) out[f.name] = items;
    } else {
      const x = value(f, v);
      if (x === undefined) continue;
      if ((x === '' || x === 0 || x === false) && !KEEP_ZERO.has(f.name)) continue;
      out[f.name] = x;
    }
  }
  return out;
}

function unsupported(message: string): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', message);
}

/**
 * Decodes a protobuf request body into the JSON shape of the object; 415 for anything it cannot read, and for kinds
 * `served` refuses (the server has no resource for them).
 */
export function decodeProtobuf(body: Uint8Array, served: (apiVersion: string, kind: string) => boolean = () => true): KubeObject {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) throw unsupported('the protobuf body does not start with the k8s\\x00 envelope');
  let unknown: Record<string, unknown>;
  try {
    const t = types().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
    unknown = t.decode(body.subarray(4)) as unknown as Record<string, unknown>;
  } catch (e) {
    throw unsupported(`the protobuf body could not be decoded: ${(e as Error).message}`);
  }
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? '';
  const kind = typeMeta.kind ?? '';
  const type = messageType(apiVersion, kind);
  if (!type || !served(apiVersion, kind)) {
    throw unsupported(`protobuf bodies are accepted for the kinds this server serves, not ${apiVersion}/${kind}; send application/json`);
  }
  if (unknown.contentEncoding) throw unsupported(`unsupported protobuf contentEncoding ${JSON.stringify(unknown.contentEncoding)}`);
  try {
    const object = toJson(type, type.decode((unknown.raw as Uint8Array | undefined) ?? new Uint8Array()) as unknown as Record<string, unknown>);
    return { apiVersion, kind, ...(type.fields.metadata ? { metadata: {} } : {}), ...object } as KubeObject;
  } catch (e) {
    throw unsupported(`the protobuf ${kind} could not be decoded: ${(e as Error).message}`);
  }
}
