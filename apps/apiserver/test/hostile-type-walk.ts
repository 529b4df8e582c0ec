// Systematic wrong-type bodies: walk a valid object and, at every field (leaf or object), substitute a value of
// each other JSON type. The decoder must refuse every substitution with 400 (or, where the API type is a union such
// as IntOrString or Quantity, may accept it or refuse it with 422) — never 500, never store a half-decoded object.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface WrongType {
  /** Field path as kubectl prints it, e.g. spec.containers[0].ports[0].containerPort. */
  path: string;
  /** JSON type name of the substituted value. */
  as: string;
  doc: Json;
}

const SAMPLES: [string, Json][] = [
  ['string', 'hostile'], ['integer', 7], ['fraction', 1.5], ['boolean', true], ['array', ['x']], ['object', { x: 'y' }],
];

function kindOf(v: Json): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'fraction';
  return typeof v;
}

/** A fraction is still a number where the field is a float, but every numeric field of these kinds is an integer. */
function isOtherType(original: Json, sample: Json): boolean {
  return kindOf(original) !== kindOf(sample);
}

function setAt(doc: Json, steps: (string | number)[], value: Json): Json {
  const copy = structuredClone(doc);
  let cur = copy as Record<string | number, Json>;
  for (const s of steps.slice(0, -1)) cur = cur[s] as Record<string | number, Json>;
  cur[steps[steps.length - 1]] = value;
  return copy;
}

function render(steps: (string | number)[]): string {
  return steps.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** Every (field, wrong value) pair of `doc`, `skip` naming paths to leave alone (apiVersion, kind: tested apart). */
export function wrongTypeVariants(doc: Json, skip: (path: string) => boolean = () => false): WrongType[] {
  const out: WrongType[] = [];
  const visit = (v: Json, steps: (string | number)[]) => {
    if (steps.length) {
      const path = render(steps);
      if (skip(path)) return;
      for (const [as, sample] of SAMPLES) if (isOtherType(v, sample)) out.push({ path, as, doc: setAt(doc, steps, sample) });
    }
    if (Array.isArray(v)) v.forEach((c, i) => visit(c, [...steps, i]));
    else if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) visit(c, [...steps, k]);
  };
  visit(doc, []);
  return out;
}
