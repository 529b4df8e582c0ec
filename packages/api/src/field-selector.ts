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

/** What label and field selectors read of an object — name, namespace, labels and the resource's selectable fields —
 *  as a skeleton of the same shape, so labelsMatch and fieldsMatch answer on it as on the whole object. A store keeps
 *  it beside each object's JSON text to filter lists and watches without parsing (kube-apiserver's watch cache keeps
 *  each object's labels and fields from the strategy's GetAttrs for the same reason). Values are shared, not copied. */
export function selectorAttrs(resource: string, obj: KubeObject): KubeObject {
  const { name, namespace, labels } = obj.metadata;
  const attrs: KubeObject = { metadata: {} as KubeObject['metadata'] };
  if (name !== undefined) attrs.metadata.name = name;
  if (namespace !== undefined) attrs.metadata.namespace = namespace;
  if (labels !== undefined) attrs.metadata.labels = labels;
  for (const field of SUPPORTED[resource] ?? COMMON) {
    const path = READ_FROM[resource]?.[field] ?? field;
    if (path.startsWith('metadata.')) continue;
    const v = readPath(obj, path);
    if (v === undefined || v === null) continue;
    const parts = splitPaths.get(path)!;
    let cur = attrs as Record<string, unknown>;
    for (let i = 0; i < parts.length - 1; i++) cur = (cur[parts[i]] ??= {}) as Record<string, unknown>;
    cur[parts[parts.length - 1]] = v;
  }
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
