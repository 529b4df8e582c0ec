// Tiny builders for the JSON schemas the decoder compiles. Every node also accepts null because Go's JSON decoder
// treats null as "zero value" (kubectl run sends `"creationTimestamp": null`). Conventions the decoder relies on:
// an object with `properties` is a Go struct (other keys are unknown fields), one with `additionalProperties` is a
// map, and one with neither is open (kept as-is, never inspected: fields Podling stores but does not act on).

export interface Schema {
  type?: string | string[];
  title?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  pattern?: string;
}

export const str: Schema = { type: ['string', 'null'] };
/** metav1.Time / MicroTime: RFC 3339 text (Go rejects anything else with a "parsing time" error). */
export const time: Schema = { type: ['string', 'null'], pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$' };
export const int: Schema = { type: ['integer', 'null'] };
export const num: Schema = { type: ['number', 'null'] };
export const bool: Schema = { type: ['boolean', 'null'] };
/** IntOrString (ports of probes) and Quantity both accept a JSON number or string. */
export const intOrStr: Schema = { type: ['integer', 'string', 'null'] };
export const quantity: Schema = { type: ['number', 'string', 'null'] };
export const open: Schema = { type: ['object', 'null'] };
export const anything: Schema = {};

export const struct = (title: string, properties: Record<string, Schema>): Schema => ({ type: ['object', 'null'], title, properties });
export const map = (values: Schema): Schema => ({ type: ['object', 'null'], additionalProperties: values });
export const list = (items: Schema): Schema => ({ type: ['array', 'null'], items });

export const strList = list(str);
export const strMap = map(str);
export const quantityMap = map(quantity);
export const openList = list(open);

/** A struct of fields that are all open objects (e.g. the many volume sources). */
export const openFields = (names: string[]): Record<string, Schema> => Object.fromEntries(names.map((n) => [n, open]));

/** The two TypeMeta fields every top-level object carries. */
export const typeMeta = { apiVersion: str, kind: str };
