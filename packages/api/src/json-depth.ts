// Guards against patch and body "bombs": nesting deeper than MAX_JSON_DEPTH is refused before any recursive
// algorithm touches the value, so recursion depth stays bounded.
import { errors } from './errors.ts';

export const MAX_JSON_DEPTH = 100;

/** Depth of a JSON value (scalars 0); stops descending once beyond `limit`, so its own recursion is bounded by
 *  limit + 1 frames. Recursive rather than an explicit stack: it runs on every request body, and a stack of
 *  [value, depth] pairs allocated two objects per node. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  return depthOf(value, 0, limit);
}

function depthOf(v: unknown, above: number, limit: number): number {
  if (v === null || typeof v !== 'object') return above;
  const here = above + 1;
  if (here > limit) return here;
  let max = here;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const d = depthOf(v[i], here, limit);
      if (d > max) { max = d; if (max > limit) return max; }
    }
  } else {
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      const d = depthOf((v as Record<string, unknown>)[k], here, limit);
      if (d > max) { max = d; if (max > limit) return max; }
    }
  }
  return max;
}

export function assertDepth(value: unknown, what: string): void {
  if (jsonDepth(value) > MAX_JSON_DEPTH) throw errors.badRequest(`${what} exceeds the maximum nesting depth of ${MAX_JSON_DEPTH}`);
}
