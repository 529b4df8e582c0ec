// kubectl-facing rendering for the apiserver: server-side Tables, discovery documents and the minimal OpenAPI v3.
// Pure functions of their inputs (the clock is passed in); the routes decide when to call them.
export * from './human-duration.ts';
export * from './tables.ts';
export { podPrinter, podStatusText } from './pod-table.ts';
export { nodePrinter, nodeRoles, nodeStatusText } from './node-table.ts';
export { eventPrinter } from './event-table.ts';
export * from './discovery.ts';
export * from './openapi.ts';
export { decodeProtobuf, PROTOBUF_CONTENT_TYPE } from './protobuf/decode-protobuf.ts';
