// What the dashboard's bundle takes from @podling/api: its types and the modules that are pure (quantities, label
// selectors, time formats). The package's index also holds validators and schemas that need Node; tsconfig.json's
// `paths` and the bundler (ui-assets.ts) both map '@podling/api' here, so a browser import of anything else fails the
// typecheck.
export type * from '../../../packages/api/src/types.ts';
export type * from '../../../packages/api/src/workload-types.ts';
export * from '../../../packages/api/src/quantity.ts';
export * from '../../../packages/api/src/label-selector.ts';
export * from '../../../packages/api/src/label-selector-object.ts';
export * from '../../../packages/api/src/meta-time.ts';
