// @podling/api — the core/v1 vocabulary: types, Status errors, field errors, decoding (ajv schemas), defaulting,
// validation, selectors, patches and names. Pure functions only: no I/O, no clock except where passed in.
export * from './types.ts';
export * from './errors.ts';
export * from './field-errors.ts';
export * from './duration.ts';
export * from './names.ts';
export * from './quantity.ts';
export * from './label-selector.ts';
export * from './field-selector.ts';
export * from './validate-meta.ts';
export * from './defaults.ts';
export * from './validate-pod.ts';
export * from './validate-pod-update.ts';
export * from './validate-node.ts';
export * from './validate-namespace.ts';
export * from './validate-event.ts';
export * from './validate-lease.ts';
export { semanticEqual } from './semantic-equal.ts';
export { applyJsonPatch, applyMergePatch } from './patch.ts';
export { applyStrategicMergePatch } from './strategic-merge.ts';
export { MAX_JSON_DEPTH, jsonDepth } from './json-depth.ts';
export { compileDecoders, decodeObject, type DecodableKind, type FieldValidation, type DecodeOptions, type Decoded } from './decode.ts';
export * from './workload-types.ts';
export * from './defaults-workloads.ts';
export * from './label-selector-object.ts';
export * from './validate-workload-template.ts';
export * from './validate-apps.ts';
export * from './validate-batch.ts';
