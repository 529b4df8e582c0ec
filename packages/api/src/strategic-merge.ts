// Strategic merge patch (apimachinery pkg/util/strategicpatch) for the built-in kinds Podling serves: maps merge,
// null deletes, lists merge by their merge key (strategic-merge-schema.ts) or are replaced, and the directives
// `$patch` (replace|delete), `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` are
// honoured and never stored. Works on a private copy of the document; inputs are never mutated.
import { errors } from './errors.ts';
import { assertDepth } from './json-depth.ts';
import { listStrategy, type ListStrategy } from './strategic-merge-schema.ts';
import type { KubeObject } from './types.ts';

type Json = unknown;
type JsonMap = Record<string, Json>;

const isObject = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);
const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

const sameValue = (a: Json, b: Json): boolean => JSON.stringify(a) === JSON.stringify(b);

function isDirectiveKey(k: string): boolean {
  return k === '$patch' || k === '$retainKeys' || k.startsWith(SET_ORDER) || k.startsWith(DELETE_FROM);
}

/** A patch value taken as-is: directives removed, nulls in maps mean "absent". */
function strip(v: Json): Json {
  if (Array.isArray(v)) return v.filter((e) => !(isObject(e) && e.$patch !== undefined && Object.keys(e).length === 1)).map(strip);
  if (!isObject(v)) return v;
  const out: JsonMap = {};
  for (const [k, x] of Object.entries(v)) if (!isDirectiveKey(k) && x !== null) out[k] = strip(x);
  return out;
}

/** Applies a strategic merge patch for a built-in kind; throws 400 on a malformed patch. */
export function applyStrategicMergePatch(doc: KubeObject, patch: unknown, kind: string): KubeObject {
  if (!isObject(patch)) throw errors.badRequest('strategic merge patch: the patch must be a JSON object');
  assertDepth(patch, 'strategic merge patch');
  const merged = mergeMap(structuredClone(doc) as JsonMap, patch, '', kind);
  if (merged === undefined) throw errors.badRequest('strategic merge patch: $patch: delete on the whole object is not supported');
  return merged as KubeObject;
}

/** Merges `patch` into `original` (which this module owns); undefined = the map was deleted. */
function mergeMap(original: JsonMap, patch: JsonMap, path: string, kind: string): JsonMap | undefined {
  const directive = patch.$patch;
  if (directive !== undefined) {
    if (directive === 'replace') return strip(patch) as JsonMap;
    if (directive === 'delete') return undefined;
    throw errors.badRequest(`strategic merge patch: Unknown patch type: ${JSON.stringify(directive)} in map: ${path || '<root>'}`);
  }
  const out = original;
  if (patch.$retainKeys !== undefined) {
    const keep = patch.$retainKeys;
    if (!Array.isArray(keep) || !keep.every((k) => typeof k === 'string')) throw errors.badRequest('strategic merge patch: $retainKeys must be a list of strings');
    for (const k of Object.keys(out)) if (!keep.includes(k)) delete out[k];
  }
  const orders: [string, Json[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith(DELETE_FROM)) {
      const f = k.slice(DELETE_FROM.length);
      if (!Array.isArray(v)) throw errors.badRequest(`strategic merge patch: ${k} must be a list`);
      if (Array.isArray(out[f])) out[f] = (out[f] as Json[]).filter((x) => !v.some((y) => sameValue(x, y)));
    } else if (k.startsWith(SET_ORDER)) {
      if (!Array.isArray(v)) throw errors.badRequest(`strategic merge patch: ${k} must be a list`);
      orders.push([k.slice(SET_ORDER.length), v]);
    }
  }
  for (const [k, v] of Object.entries(patch)) {
    if (isDirectiveKey(k)) continue;
    const childPath = path ? `${path}.${k}` : k;
    if (v === null) {
      delete out[k];
    } else if (isObject(v)) {
      const merged = mergeMap(isObject(out[k]) ? (out[k] as JsonMap) : {}, v, childPath, kind);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else if (Array.isArray(v)) {
      out[k] = mergeList(Array.isArray(out[k]) ? (out[k] as Json[]) : [], v, childPath, kind);
    } else {
      out[k] = v;
    }
  }
  for (const [f, order] of orders) {
    const strategy = listStrategy(kind, path ? `${path}.${f}` : f);
    if (strategy && Array.isArray(out[f])) out[f] = applyOrder(out[f] as Json[], order, strategy);
  }
  return out;
}

function mergeList(original: Json[], patch: Json[], path: string, kind: string): Json[] {
  const strategy = listStrategy(kind, path);
  if (!strategy) return strip(patch) as Json[];
  const replace = patch.some((e) => isObject(e) && e.$patch === 'replace');
  const items = patch.filter((e) => !(isObject(e) && e.$patch === 'replace'));
  if ('set' in strategy) {
    if (replace) return strip(items) as Json[];
    const out = [...original];
    for (const v of items) if (!isObject(v) && !out.some((x) => sameValue(x, v))) out.push(v);
    return out;
  }
  const key = strategy.mergeKey;
  if (replace) return items.map((e) => strip(e));
  const out = [...original];
  for (const item of items) {
    if (!isObject(item)) throw errors.badRequest(`strategic merge patch: ${path}: expected a list of maps, got ${JSON.stringify(item)}`);
    if (!(key in item)) throw errors.badRequest(`strategic merge patch: map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const idx = out.findIndex((e) => isObject(e) && sameValue(e[key], item[key]));
    if (item.$patch === 'delete') {
      for (let i = out.length - 1; i >= 0; i--) { const e = out[i]; if (isObject(e) && sameValue(e[key], item[key])) out.splice(i, 1); }
      continue;
    }
    const merged = mergeMap(idx >= 0 ? (out[idx] as JsonMap) : {}, item, `${path}.*`, kind);
    if (idx >= 0) { if (merged === undefined) out.splice(idx, 1); else out[idx] = merged; }
    else if (merged !== undefined) out.push(merged);
  }
  return out;
}

/**
 * `$setElementOrder`: the elements it names take the positions that named elements occupy, in its order;
 * elements it does not name (present only on the server) keep their places.
 */
function applyOrder(list: Json[], order: Json[], strategy: ListStrategy): Json[] {
  const idOf = (e: Json): string => JSON.stringify('mergeKey' in strategy ? (isObject(e) ? e[strategy.mergeKey] : undefined) : e);
  const rank = new Map(order.map((o, i) => [idOf(o), i] as const));
  const slots: number[] = [];
  const ordered: Json[] = [];
  list.forEach((e, i) => { if (rank.has(idOf(e))) { slots.push(i); ordered.push(e); } });
  ordered.sort((a, b) => rank.get(idOf(a))! - rank.get(idOf(b))!);
  const out = [...list];
  slots.forEach((slot, i) => { out[slot] = ordered[i]; });
  return out;
}
