// Guards against patch and body "bombs": nesting deeper than MAX_JSON_DEPTH is refused before any recursive
// algorithm touches the value, so recursion depth stays bounded.
import { errors } from './errors.ts';

export const MAX_JSON_DEPTH = 100;

/** Depth of a JSON value (scalars 0), computed iteratively; stops counting once beyond `limit`. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth]);
  }
  return max;
}

export function assertDepth(value: unknown, what: string): void {
  if (jsonDepth(value) > MAX_JSON_DEPTH) throw errors.badRequest(`${what} exceeds the maximum nesting depth of ${MAX_JSON_DEPTH}`);
}
