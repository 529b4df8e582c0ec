// @podling/api — the core/v1 vocabulary: types, Status errors, field errors, decoding (ajv schemas), defaulting,
// validation, selectors, patches and names. Pure functions only: no I/O, no clock except where passed in.
export * from './types.ts';
export * from './errors.ts';
export * from './field-errors.ts';
export * from './duration.ts';
