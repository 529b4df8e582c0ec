// The "clean" twin of a decoder schema: it accepts exactly the bodies that decoding would leave untouched — no
// unknown field, no null, no quantity sent as a number. Nearly every real body is clean, and for those one compiled
// ajv pass both type-checks and proves that pruning has nothing to do; only a body it refuses takes the slow path
// (lenient schema for the exact error, then the prune walk that collects unknown-field warnings).
import type { Schema } from './schema-builders.ts';

/** JSON Schema as ajv takes it: the decoder's Schema plus the keywords only the clean twin uses. */
export interface CleanSchema extends Omit<Schema, 'properties' | 'additionalProperties' | 'items'> {
  properties?: Record<string, CleanSchema>;
  additionalProperties?: CleanSchema | false;
  items?: CleanSchema;
  not?: { type: 'null' };
}

export function cleanSchema(s: Schema): CleanSchema {
  const out: CleanSchema = {};
  if (s.title) out.title = s.title;
  if (s.pattern) out.pattern = s.pattern;
  let types = (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []).filter((t) => t !== 'null');
  // Prune turns a numeric quantity into a string, so a clean body has only the string form.
  if (types.includes('number') && types.includes('string')) types = ['string'];
  if (types.length === 0) out.not = { type: 'null' };
  else out.type = types.length === 1 ? types[0] : types;
  if (s.properties) {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, cleanSchema(v)]));
    out.additionalProperties = false;
  } else if (s.additionalProperties) {
    out.additionalProperties = cleanSchema(s.additionalProperties);
  }
  if (s.items) out.items = cleanSchema(s.items);
  return out;
}
