// @podling/apiserver — the REST + watch API server: HTTP plumbing, the registry pipeline with per-resource
// strategies, the watch hub, kubectl compatibility, auth, and the embedded controllers (as API clients).
export { buildServer, type ServerDeps } from './server.ts';
export { parseConfig, type ApiserverConfig } from './config.ts';
