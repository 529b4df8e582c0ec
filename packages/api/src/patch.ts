// JSON patch (RFC 6902) and JSON merge patch (RFC 7386). Inputs are never mutated. A malformed patch is a 400; a
// well-formed patch that cannot apply (failed `test`, missing path) is a 422 Invalid, as the apiserver answers.
import { errors, StatusError } from './errors.ts';
import { assertDepth } from './json-depth.ts';

type Json = unknown;
type Container = Record<string, Json> | Json[];

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
// Primitives need no copy, and structuredClone of one is still a native call: most leaves of a patch are strings.
const clone = <T>(v: T): T => (typeof v === 'object' && v !== null ? structuredClone(v) : v);

function unprocessable(message: string): StatusError {
  return new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: ${message}`, {
    causes: [{ reason: 'FieldValueInvalid', message }],
  });
}

function parsePointer(ptr: unknown): string[] {
  if (typeof ptr !== 'string') throw errors.badRequest(`json patch: path must be a string, got ${JSON.stringify(ptr)}`);
  if (ptr === '') return [];
  if (!ptr.startsWith('/')) throw errors.badRequest(`json patch: invalid JSON pointer ${JSON.stringify(ptr)}: must start with '/'`);
  return ptr.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(tok: string, len: number, allowEnd: boolean, ptr: string): number {
  if (allowEnd && tok === '-') return len;
  if (!/^(0|[1-9]\d*)$/.test(tok)) throw unprocessable(`invalid array index ${JSON.stringify(tok)} in path ${JSON.stringify(ptr)}`);
  const i = Number(tok);
  if (i > (allowEnd ? len : len - 1)) throw unprocessable(`index ${i} out of bounds in path ${JSON.stringify(ptr)}`);
  return i;
}

/** The parent container of the pointer's target and the last token; the parent must exist. */
function resolveParent(doc: Json, tokens: string[], ptr: string): [Container, string] {
  let cur: Json = doc;
  for (const tok of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(tok, cur.length, false, ptr)];
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, tok)) cur = cur[tok];
    else throw unprocessable(`doc is missing path: ${JSON.stringify(ptr)}: missing value`);
  }
  if (!isObject(cur) && !Array.isArray(cur)) throw unprocessable(`doc is missing path: ${JSON.stringify(ptr)}: missing value`);
  return [cur, tokens[tokens.length - 1]];
}

function getAt(doc: Json, ptr: string): Json {
  const tokens = parsePointer(ptr);
  if (tokens.length === 0) return doc;
  const [parent, last] = resolveParent(doc, tokens, ptr);
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, false, ptr)];
  if (!Object.prototype.hasOwnProperty.call(parent, last)) throw unprocessable(`doc is missing path: ${JSON.stringify(ptr)}: missing value`);
  return parent[last];
}

function addAt(doc: Json, ptr: string, value: Json): Json {
  const tokens = parsePointer(ptr);
  if (tokens.length === 0) return value;
  const [parent, last] = resolveParent(doc, tokens, ptr);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, ptr), 0, value);
  else parent[last] = value;
  return doc;
}

function removeAt(doc: Json, ptr: string): Json {
  const tokens = parsePointer(ptr);
  if (tokens.length === 0) return undefined;
  const [parent, last] = resolveParent(doc, tokens, ptr);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false, ptr), 1);
  else if (Object.prototype.hasOwnProperty.call(parent, last)) delete parent[last];
  else throw unprocessable(`unable to remove nonexistent key: ${last}: missing value`);
  return doc;
}

/** Applies an RFC 6902 patch (array of operations) to a copy of `doc`. */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw errors.badRequest('json patch: the patch must be a JSON array of operations');
  assertDepth(ops, 'json patch');
  let out = clone(doc);
  ops.forEach((op, i) => {
    if (!isObject(op) || typeof op.op !== 'string') throw errors.badRequest(`json patch: operation ${i} has no "op" member`);
    const path = op.path as string;
    parsePointer(path);
    const needValue = op.op === 'add' || op.op === 'replace' || op.op === 'test';
    if (needValue && !Object.prototype.hasOwnProperty.call(op, 'value')) throw errors.badRequest(`json patch: operation ${i} (${op.op}) has no "value" member`);
    switch (op.op) {
      case 'add': out = addAt(out, path, clone(op.value)); break;
      case 'remove': out = removeAt(out, path); break;
      case 'replace': getAt(out, path); out = removeAt(out, path); out = addAt(out, path, clone(op.value)); break;
      case 'move': case 'copy': {
        const from = op.from as string;
        parsePointer(from);
        if (op.op === 'move' && (path === from || path.startsWith(`${from}/`))) {
          if (path !== from) throw unprocessable(`json patch: cannot move ${JSON.stringify(from)} into its own child ${JSON.stringify(path)}`);
          break;
        }
        const value = clone(getAt(out, from));
        if (op.op === 'move') out = removeAt(out, from);
        out = addAt(out, path, value);
        break;
      }
      case 'test':
        if (!semanticEqualStrict(getAt(out, path), op.value)) throw unprocessable(`testing value ${path} failed: test failed`);
        break;
      default:
        throw errors.badRequest(`json patch: unexpected kind of operation ${JSON.stringify(op.op)}`);
    }
  });
  return out;
}

/** RFC 6902 `test` compares exactly (no empty == missing leniency). */
function semanticEqualStrict(a: Json, b: Json): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

/** RFC 7386: objects merge recursively, null deletes, everything else (lists included) replaces. The result copies
 *  the maps the patch reaches and shares every other subtree with `doc`: a caller that changes the result owns `doc`
 *  (the apiserver passes a fresh parse of the stored object; copying it again was 2% of its CPU in a burst of status
 *  patches). */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  assertDepth(patch, 'merge patch');
  return mergePatch(doc, patch);
}

function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
