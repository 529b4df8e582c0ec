// Field errors as apimachinery's pkg/util/validation/field renders them. The message of a cause is the body
// without the field path; the full text is `<field>: <body>`.

export type FieldErrorType =
  | 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueDuplicate' | 'FieldValueNotSupported'
  | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueNotFound' | 'FieldValueTooMany' | 'FieldValueTypeInvalid';

export interface FieldError { type: FieldErrorType; field: string; body: string }

/** Go's %v of a value inside a field error: strings quoted, numbers and booleans bare. */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export const field = {
  invalid: (path: string, value: unknown, detail: string): FieldError =>
    ({ type: 'FieldValueInvalid', field: path, body: `Invalid value: ${formatValue(value)}: ${detail}` }),
  required: (path: string, detail?: string): FieldError =>
    ({ type: 'FieldValueRequired', field: path, body: detail ? `Required value: ${detail}` : 'Required value' }),
  duplicate: (path: string, value: unknown): FieldError =>
    ({ type: 'FieldValueDuplicate', field: path, body: `Duplicate value: ${formatValue(value)}` }),
  notSupported: (path: string, value: unknown, supported: string[]): FieldError => ({
    type: 'FieldValueNotSupported', field: path,
    body: `Unsupported value: ${formatValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
  }),
  forbidden: (path: string, detail: string): FieldError =>
    ({ type: 'FieldValueForbidden', field: path, body: `Forbidden: ${detail}` }),
  tooLong: (path: string, max: number): FieldError =>
    ({ type: 'FieldValueTooLong', field: path, body: `Too long: may not be more than ${max} bytes` }),
  notFound: (path: string, value: unknown): FieldError =>
    ({ type: 'FieldValueNotFound', field: path, body: `Not found: ${formatValue(value)}` }),
  tooMany: (path: string, actual: number, max: number): FieldError =>
    ({ type: 'FieldValueTooMany', field: path, body: `Too many: ${actual}: must have at most ${max} items` }),
};

export function fieldErrorText(e: FieldError): string {
  return `${e.field}: ${e.body}`;
}
