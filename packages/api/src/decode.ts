// Decoding a request body into a typed object the way the apiserver's JSON serializer does: kind/apiVersion
// defaulted or checked, every known field type-checked (ajv schemas in ./schemas, each compiled on its first use:
// agents and controllers import this package for its types and errors and never decode), and
// unknown fields handled per `fieldValidation`: Strict → 400 listing all of them, Warn (default) → dropped with one
// warning each, Ignore → dropped silently. Nulls are Go zero values and are dropped too.
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { errors } from './errors.ts';
import { assertDepth } from './json-depth.ts';
import type { Schema } from './schemas/schema-builders.ts';
import { cleanSchema } from './schemas/clean-schema.ts';
import { podSchema } from './schemas/pod-schema.ts';
import {
  bindingSchema, deleteOptionsSchema, eventSchema, leaseSchema, namespaceSchema, nodeSchema, scaleSchema,
} from './schemas/other-schemas.ts';
import {
  controllerRevisionSchema, cronJobSchema, daemonSetSchema, deploymentSchema, jobSchema, replicaSetSchema,
  replicationControllerSchema, statefulSetSchema,
} from './schemas/workload-schemas.ts';
import { endpointSliceSchema, endpointsSchema, serviceSchema } from './schemas/service-schemas.ts';

export type DecodableKind = 'Pod' | 'Node' | 'Namespace' | 'Event' | 'Binding' | 'DeleteOptions' | 'Lease' | 'Scale'
  | 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'ControllerRevision' | 'Job' | 'CronJob' | 'ReplicationController'
  | 'Service' | 'Endpoints' | 'EndpointSlice';
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';
export interface DecodeOptions { fieldValidation?: FieldValidation }
export interface Decoded<T> { object: T; warnings: string[] }

// ajv ships CommonJS; under ESM the class is either the default export or its `.default`.
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as typeof AjvModule;
let ajv: InstanceType<typeof AjvModule> | undefined;

interface KindInfo {
  schema: Schema; apiVersions: string[]; hasMetadata: boolean;
  /** The lenient schema: the exact type error, and what prune() may walk. */
  readonly validate: ValidateFunction;
  /** Passes only bodies that prune() would leave as they are (see clean-schema.ts). */
  readonly validateClean: ValidateFunction;
}
/** The ajv options every decoder is compiled with (a cache of compiled decoders keys on them). */
export const DECODER_AJV_OPTIONS = { allErrors: false, allowUnionTypes: true, strict: true } as const;
export type DecoderCompiler = (schema: object) => ValidateFunction;
let compiler: DecoderCompiler | undefined;
/**
 * Replaces how decoders are compiled — the apiserver loads them from a cache of ajv's standalone code, since
 * compiling the pod schema costs every apiserver start ~1.5 s of CPU; this package itself does no I/O.
 */
export function useDecoderCompiler(c: DecoderCompiler): void { compiler = c; }
const compile = (schema: object) => compiler ? compiler(schema) : (ajv ??= new Ajv(DECODER_AJV_OPTIONS)).compile(schema);
const kind = (schema: Schema, apiVersions: string[], hasMetadata = true): KindInfo => {
  let lenient: ValidateFunction | undefined;
  let clean: ValidateFunction | undefined;
  return {
    schema, apiVersions, hasMetadata,
    get validate() { return (lenient ??= compile(schema)); },
    get validateClean() { return (clean ??= compile(cleanSchema(schema))); },
  };
};

const KINDS: Record<DecodableKind, KindInfo> = {
  Pod: kind(podSchema, ['v1']),
  Node: kind(nodeSchema, ['v1']),
  Namespace: kind(namespaceSchema, ['v1']),
  Event: kind(eventSchema, ['v1']),
  Binding: kind(bindingSchema, ['v1']),
  DeleteOptions: kind(deleteOptionsSchema, ['v1', 'meta.k8s.io/v1'], false),
  Lease: kind(leaseSchema, ['coordination.k8s.io/v1']),
  Scale: kind(scaleSchema, ['autoscaling/v1']),
  Deployment: kind(deploymentSchema, ['apps/v1']),
  ReplicaSet: kind(replicaSetSchema, ['apps/v1']),
  StatefulSet: kind(statefulSetSchema, ['apps/v1']),
  DaemonSet: kind(daemonSetSchema, ['apps/v1']),
  ControllerRevision: kind(controllerRevisionSchema, ['apps/v1']),
  Job: kind(jobSchema, ['batch/v1']),
  CronJob: kind(cronJobSchema, ['batch/v1']),
  ReplicationController: kind(replicationControllerSchema, ['v1']),
  Service: kind(serviceSchema, ['v1']),
  Endpoints: kind(endpointsSchema, ['v1']),
  EndpointSlice: kind(endpointSliceSchema, ['discovery.k8s.io/v1']),
};

/**
 * Compiles the decoders every cluster uses from its first seconds (pods, nodes and their leases, events, bindings,
 * deletes) now instead of on first use, so the first requests of a new apiserver do not pay for them (the first
 * pod create took ~300 ms). The others (workloads, services…) compile on their first use: all of them together cost
 * ~7 s of CPU, which every apiserver start paid before serving — most of the test suite's CPU, in tests that never
 * touch a Deployment. Agents and controllers never call it, so they never load the compiled code.
 */
export function compileDecoders(): void {
  for (const k of ['Pod', 'Node', 'Lease', 'Event', 'Binding', 'DeleteOptions', 'Namespace'] as const) {
    void KINDS[k].validateClean;
    void KINDS[k].validate;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's name for the JSON type of a value in `cannot unmarshal <x> into …`. */
function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function types(s: Schema): string[] {
  return (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []).filter((t) => t !== 'null');
}

/** The Go type a schema node stands for, as printed in decoding errors. */
function goType(s: Schema): string {
  const t = types(s);
  if (t.includes('integer') && t.includes('string')) return 'intstr.IntOrString';
  if (t.includes('number') && t.includes('string')) return 'resource.Quantity';
  if (t[0] === 'string') return 'string';
  if (t[0] === 'integer') return 'int64';
  if (t[0] === 'number') return 'float64';
  if (t[0] === 'boolean') return 'bool';
  if (t[0] === 'array') return `[]${s.items ? goType(s.items) : 'interface {}'}`;
  if (s.title) return `v1.${s.title}`;
  if (s.additionalProperties) return `map[string]${goType(s.additionalProperties)}`;
  return 'map[string]interface {}';
}

const GO_TYPEMETA = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

function typeError(k: DecodableKind, version: string, schema: Schema, raw: unknown, err: ErrorObject): never {
  const segments = err.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: Schema = schema;
  let structName = schema.title ?? k;
  let value: unknown = raw;
  const path: string[] = [];
  for (const seg of segments) {
    if (node.properties) { structName = node.title ?? structName; path.push(seg); node = node.properties[seg] ?? {}; }
    else if (node.items) node = node.items;
    else if (node.additionalProperties) node = node.additionalProperties;
    value = (value as Record<string, unknown>)?.[seg];
  }
  if (err.keyword === 'pattern') {
    throw errors.badRequest(`${k} in version "${version}" cannot be handled as a ${k}: parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(value)} as "2006"`);
  }
  const expected = goType(node);
  const got = typeof value === 'number' && expected === 'int64' ? `number ${value}` : jsonType(value);
  throw errors.badRequest(`${k} in version "${version}" cannot be handled as a ${k}: json: cannot unmarshal ${got} into Go struct field ${structName}.${path.join('.')} of type ${expected}`);
}

/** Drops unknown fields and nulls in place, collecting unknown-field paths as the strict decoder names them.
 *  In place because the caller hands over a freshly parsed body (or a patched copy): rebuilding it would cost a
 *  second allocation of every object on the hottest path of the apiserver. The path is a stack of segments, written
 *  out only for an unknown field: most bodies that get here only carry nulls (client-go sends `eventTime: null`, the
 *  kubelet `lastProbeTime: null`), and a path string per field was most of what decoding them allocated. */
function prune(value: unknown, schema: Schema, path: PathSegment[], unknown: string[]): unknown {
  if (value === null || value === undefined) return undefined;
  const props = schema.properties;
  if ((props || schema.additionalProperties) && isObject(value)) {
    for (const k in value) {
      // Own keys only: an inherited member (constructor, toString, __proto__) is an unknown field like any other.
      const s = props ? (Object.hasOwn(props, k) ? props[k] : undefined) : schema.additionalProperties;
      path.push(props ? k : { key: k });
      if (!s) unknown.push(pathString(path));
      const v = value[k];
      const pv = s ? prune(v, s, path, unknown) : undefined;
      path.pop();
      if (pv === undefined) delete value[k];
      else if (pv !== v) value[k] = pv;
    }
    return value;
  }
  if (schema.items && Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      value[i] = prune(value[i], schema.items, path, unknown) ?? null;
      path.pop();
    }
    return value;
  }
  // Quantities are serialized as strings whatever the client sent (`cpu: 1` → "1").
  if (typeof value === 'number' && goType(schema) === 'resource.Quantity') return String(value);
  return value;
}

/** A field name, an array index, or a map key. */
type PathSegment = string | number | { key: string };

/** `spec.containers[0].name`, `metadata.labels[app]`. */
function pathString(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'string') out += out ? `.${seg}` : seg;
    else out += `[${typeof seg === 'number' ? seg : seg.key}]`;
  }
  return out;
}

/** Decodes a parsed JSON body as `kind`; throws a 400 StatusError for anything the apiserver would refuse.
 *  Takes ownership of `raw`: unknown fields and nulls are removed from it in place. */
export function decodeObject<T>(k: DecodableKind, raw: unknown, opts: DecodeOptions = {}): Decoded<T> {
  const info = KINDS[k];
  if (!info) throw errors.badRequest(`no kind "${k}" is registered`);
  if (!isObject(raw)) throw errors.badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonType(raw)} into Go value of type ${GO_TYPEMETA}`);
  for (const f of ['apiVersion', 'kind'] as const) {
    if (raw[f] !== undefined && raw[f] !== null && typeof raw[f] !== 'string') {
      throw errors.badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonType(raw[f])} into Go struct field .${f} of type string`);
    }
  }
  const apiVersion = (raw.apiVersion as string | undefined) || info.apiVersions[0];
  const rawKind = (raw.kind as string | undefined) || k;
  if (!info.apiVersions.includes(apiVersion)) {
    throw errors.badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${info.apiVersions[0]})`);
  }
  if (rawKind !== k) throw errors.badRequest(`the kind in the data (${rawKind}) does not match the expected kind (${k})`);
  assertDepth(raw, `${k} body`);
  const unknown: string[] = [];
  let object = raw;
  if (!info.validateClean(raw)) {
    const validate = info.validate;
    if (!validate(raw)) typeError(k, apiVersion, info.schema, raw, validate.errors![0]);
    object = prune(raw, info.schema, [], unknown) as Record<string, unknown>;
  }
  const mode = opts.fieldValidation ?? 'Warn';
  if (unknown.length && mode === 'Strict') {
    throw errors.badRequest(`${k} in version "${apiVersion}" cannot be handled as a ${k}: strict decoding error: ${unknown.map((u) => `unknown field ${JSON.stringify(u)}`).join(', ')}`);
  }
  const warnings = mode === 'Warn' ? unknown.map((u) => `unknown field ${JSON.stringify(u)}`) : [];
  const { apiVersion: _v, kind: _k, ...rest } = object;
  const typed: Record<string, unknown> = { apiVersion, kind: k, ...rest };
  if (info.hasMetadata) typed.metadata ??= {};
  return { object: typed as T, warnings };
}

/** The schema a kind is decoded with: the one source for its OpenAPI documents too. */
export function kindSchema(k: DecodableKind): Schema {
  return KINDS[k].schema;
}
