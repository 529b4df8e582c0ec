// Field selectors (apimachinery pkg/fields/selector.go + each resource's selectable fields, k/k
// pkg/apis/core/v1/conversion.go): `f=v`, `f==v`, `f!=v`, comma = AND, values may be empty and may escape
// `\,` `\=` `\\`. Only the fields a resource declares are accepted: `field label not supported: <field>`.
import { errors } from './errors.ts';
import type { KubeObject } from './types.ts';

export interface FieldRequirement { field: string; operator: '=' | '!='; value: string }
export interface FieldSelector { resource: string; requirements: FieldRequirement[] }

const COMMON = ['metadata.name', 'metadata.namespace'];
const SUPPORTED: Record<string, string[]> = {
  pods: [...COMMON, 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName',
    'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  nodes: ['metadata.name', 'spec.unschedulable'],
  namespaces: ['metadata.name', 'status.phase'],
  events: [...COMMON, 'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
    'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason',
    'reportingComponent', 'source', 'type'],
};
const ALIASES: Record<string, Record<string, string>> = { pods: { 'spec.host': 'spec.nodeName' } };
/** Fields read from somewhere other than their own path. */
const READ_FROM: Record<string, Record<string, string>> = { events: { source: 'source.component' } };
/** Booleans render as "true"/"false"; a missing boolean is false (Go zero value). */
const BOOLEAN_FIELDS = new Set(['spec.hostNetwork', 'spec.unschedulable']);

/** Splits on separators not escaped with a backslash. */
function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) { cur += s[i] + s[i + 1]; i++; continue; }
    if (s[i] === sep) { parts.push(cur); cur = ''; continue; }
    cur += s[i];
  }
  parts.push(cur);
  return parts;
}

function unescapeValue(v: string, selector: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== '\\') { out += v[i]; continue; }
    const n = v[++i];
    if (n !== '\\' && n !== ',' && n !== '=') throw errors.badRequest(`invalid field selector: '${selector}'; invalid escape sequence`);
    out += n;
  }
  return out;
}

/** Parses a field selector for a resource (plural name); throws a 400 StatusError when invalid or unsupported. */
export function parseFieldSelector(s: string, resource: 'pods' | 'nodes' | 'namespaces' | 'events' | string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  if (s.trim() === '') return { resource, requirements };
  const supported = SUPPORTED[resource] ?? COMMON;
  for (const term of splitUnescaped(s, ',')) {
    const m = /^([^=!]*?)(!=|==|=)(.*)$/s.exec(term);
    if (!m) throw errors.badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    const rawField = m[1].trim();
    const fieldName = ALIASES[resource]?.[rawField] ?? rawField;
    if (!supported.includes(fieldName)) throw errors.badRequest(`field label not supported: ${rawField}`);
    requirements.push({ field: fieldName, operator: m[2] === '!=' ? '!=' : '=', value: unescapeValue(m[3], s) });
  }
  return { resource, requirements };
}

export function isEverythingFields(sel: FieldSelector): boolean {
  return sel.requirements.length === 0;
}

/** Field paths split once: every watcher of a node's pods reads spec.nodeName of every pod change. */
const splitPaths = new Map<string, string[]>();

function readPath(obj: unknown, path: string): unknown {
  let parts = splitPaths.get(path);
  if (!parts) splitPaths.set(path, (parts = path.split('.')));
  let cur: unknown = obj;
  for (const part of parts) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The value of a selectable field as the apiserver renders it: missing = '', booleans "true"/"false". */
export function selectableFieldValue(resource: string, obj: KubeObject, fieldName: string): string {
  const v = readPath(obj, READ_FROM[resource]?.[fieldName] ?? fieldName);
  if (BOOLEAN_FIELDS.has(fieldName)) return v === true ? 'true' : 'false';
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Fields whose values differ from object to object: not worth holding in the shared table below. */
const DISTINCT = new Set(['status.podIP', 'involvedObject.uid', 'involvedObject.name', 'involvedObject.resourceVersion']);
/** Equal values of selectable fields held once across skeletons. A store keeps one skeleton per object and per state
 *  in its watch window; at the end of bench/scale.ts --scale (30,000 pods, 1,000 nodes, 92,000 events) their pods
 *  shared a few thousand label maps, node names and scheduler fields, each parsed afresh from every write's JSON.
 *  Bounded: once full a table starts over, and what it handed out stays shared. */
const SHARED_LIMIT = 16384;
const sharedStrings = new Map<string, string>();
const sharedObjects = new Map<string, Record<string, unknown>>();

function shareString(v: string): string {
  const held = sharedStrings.get(v);
  if (held !== undefined) return held;
  if (sharedStrings.size >= SHARED_LIMIT) sharedStrings.clear();
  sharedStrings.set(v, v);
  return v;
}

/** A copy of `o` is kept, so no later change by the caller to its own object reaches another skeleton. */
function shareObject<T extends object>(o: T): T {
  const key = JSON.stringify(o);
  const held = sharedObjects.get(key);
  if (held !== undefined) return held as T;
  if (sharedObjects.size >= SHARED_LIMIT) sharedObjects.clear();
  const copy = Object.freeze({ ...o }) as Record<string, unknown>;
  sharedObjects.set(key, copy);
  return copy as T;
}

/** What label and field selectors read of an object — name, namespace, labels and the resource's selectable fields —
 *  as a skeleton of the same shape, so labelsMatch and fieldsMatch answer on it as on the whole object. A store keeps
 *  it beside each object's JSON text to filter lists and watches without parsing (kube-apiserver's watch cache keeps
 *  each object's labels and fields from the strategy's GetAttrs for the same reason). Its parts may be shared with
 *  other skeletons: read it, never change it. */
export function selectorAttrs(resource: string, obj: KubeObject): KubeObject {
  const { name, namespace, labels } = obj.metadata;
  // Filled in from an empty literal, which V8 gives room for four fields in the object itself; a literal with
  // one field has room for one, and the rest go to a separate property array (~40 bytes per skeleton).
  const attrs = {} as KubeObject;
  attrs.metadata = {} as KubeObject['metadata'];
  if (name !== undefined) attrs.metadata.name = name;
  if (namespace !== undefined) attrs.metadata.namespace = shareString(namespace);
  if (labels !== undefined && labels !== null) attrs.metadata.labels = shareObject(labels);
  const sections = new Set<string>();
  const distinct = new Set<string>();
  for (const field of SUPPORTED[resource] ?? COMMON) {
    const path = READ_FROM[resource]?.[field] ?? field;
    if (path.startsWith('metadata.')) continue;
    let v = readPath(obj, path);
    if (v === undefined || v === null) continue;
    const parts = splitPaths.get(path)!;
    if (DISTINCT.has(path)) distinct.add(parts[0]);
    else if (typeof v === 'string') v = shareString(v);
    if (parts.length > 1) sections.add(parts[0]);
    let cur = attrs as Record<string, unknown>;
    for (let i = 0; i < parts.length - 1; i++) cur = (cur[parts[i]] ??= {}) as Record<string, unknown>;
    cur[parts[parts.length - 1]] = v;
  }
  const top = attrs as Record<string, unknown>;
  for (const section of sections) if (!distinct.has(section)) top[section] = shareObject(top[section] as object);
  return attrs;
}

export function fieldsMatch(sel: FieldSelector, obj: KubeObject): boolean {
  return sel.requirements.every((r) => {
    const v = selectableFieldValue(sel.resource, obj, r.field);
    return r.operator === '=' ? v === r.value : v !== r.value;
  });
}

/** X when the selector contains `metadata.name=X` (lets a single-object watch be served by key). */
export function fieldSelectorRequiresName(sel: FieldSelector): string | undefined {
  return sel.requirements.find((r) => r.field === 'metadata.name' && r.operator === '=')?.value;
}
