// buildServer(deps) assembles the fastify app without listening, so tests can inject() and main.ts can listen.
import fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import websocket from '@fastify/websocket';
import type { Logger } from 'pino';
import type { Storage, StorageStats } from '@podling/store';
import { BODY_LIMIT_BYTES, registerBodyParsers } from './http/body-parsers.ts';
import { notFoundPath, toStatusError } from './http/to-status-error.ts';
import { Registry } from './registry/registry.ts';
import { ServiceAllocator, type PortRange } from './registry/service-allocator.ts';
import { parseIPRange, type IPRange } from './registry/service-ip-range.ts';
import { nodeRestriction } from './auth/node-restriction.ts';
import { connectHandlers } from './routes/connect-handlers.ts';
import { registerResourceRoutes } from './routes/resource-routes.ts';
import { registerDiscovery } from './routes/discovery.ts';
import { registerMetrics } from './routes/metrics.ts';
import { registerUi } from './ui/ui-routes.ts';
import { podLogProxy } from './routes/pod-logs.ts';
import { isStreamPath, registerPodStreams, selectProtocol } from './routes/pod-streams.ts';
import { KubeletClient } from './kubelet/kubelet-client.ts';
import { WatchHub } from './watch/watch-hub.ts';
import { errors, StatusError } from '@podling/api';
import { writeClientError } from './http/client-error.ts';
import { destroyConnectionsAfterClose } from './http/connection-drain.ts';
import { registerRequestLimits, serverTimeoutOptions, type RequestLimits } from './http/request-limits.ts';
import { registerConnectionRule } from './http/connection-rule.ts';
import { registerRequestMetrics } from './http/request-metrics.ts';

export interface ServerDeps {
  storage: Storage;
  /** Group-commit counters for /metrics, where the storage keeps them. */
  storageStats?: () => StorageStats;
  /** Why the storage cannot serve right now (a remote store: etcd), or undefined; /readyz fails while it says so. */
  storageHealth?: () => Promise<string | undefined>;
  logger: Logger;
  allowPrivileged: boolean;
  watchBookmarkIntervalMs: number;
  watchHeartbeatIntervalMs: number;
  watchBufferLimitBytes: number;
  minRequestTimeoutMs: number;
  https?: { key: string | Buffer; cert: string | Buffer };
  /** Timeouts, in-flight caps and the body budget (request-limits.ts). */
  limits: RequestLimits;
  /** How to reach and authenticate agents (pods/log, exec, attach, portforward); none: agents are not called. */
  kubelets?: KubeletClient;
  /** --service-cluster-ip-range and --service-node-port-range (defaults 10.96.0.0/12 and 30000-32767). */
  serviceRanges?: { ip: IPRange; ports: PortRange };
  /** Extra plugins (authentication) registered before the routes. */
  beforeRoutes?: (app: FastifyInstance, registry: Registry) => void | Promise<void>;
}

/** How long requests in progress at shutdown get before their connections are cut. */
const SHUTDOWN_DRAIN_MS = 1000;

export interface BuiltServer { app: FastifyInstance; registry: Registry; hub: WatchHub }

export async function buildServer(deps: ServerDeps): Promise<BuiltServer> {
  const timeouts = serverTimeoutOptions(deps.limits);
  const opts: FastifyServerOptions & { https?: unknown } = {
    ...timeouts.fastify,
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    forceCloseConnections: true,
    routerOptions: { maxParamLength: 512, ignoreTrailingSlash: true },
    // Errors raised before routing (bad percent-encoding, over-long path segments) answer as Status too.
    frameworkErrors: (err: { code?: string; message: string }, _req: unknown, reply: import('fastify').FastifyReply) => {
      const se = err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new StatusError(414, 'RequestURITooLong', 'the request URI is too long: a path segment may be at most 512 characters')
        : errors.badRequest(err.message);
      reply.code(se.code).type('application/json').send(JSON.stringify(se.status));
    },
    clientErrorHandler: writeClientError,
    ...(deps.https ? { https: { ...deps.https, ...timeouts.node, ...timeouts.tls } } : { http: timeouts.node }),
  };
  const app = fastify(opts as FastifyServerOptions) as unknown as FastifyInstance;
  const ranges = deps.serviceRanges ?? { ip: parseIPRange('10.96.0.0/12') as IPRange, ports: { base: 30000, size: 2768 } };
  const serviceAllocator = new ServiceAllocator(deps.storage, ranges.ip, ranges.ports);
  const registry = new Registry(deps.storage, { allowPrivileged: deps.allowPrivileged, serviceAllocator }, nodeRestriction);
  const hub = new WatchHub(deps.storage, {
    bookmarkIntervalMs: deps.watchBookmarkIntervalMs, heartbeatIntervalMs: deps.watchHeartbeatIntervalMs, log: app.log,
  });
  let ready = false;

  registerBodyParsers(app);
  registerConnectionRule(app);
  await app.register(websocket, { options: { maxPayload: 1024 * 1024, handleProtocols: selectProtocol } });
  // `ws` would answer any other upgrade (kubectl's SPDY/3.1 fallback) with a 405 in HTML; kubectl needs a Status.
  // The streaming routes answer it themselves, after their own checks (pod-streams.ts).
  app.addHook('onRequest', async (req, reply) => {
    const upgrade = req.headers.upgrade;
    if (!upgrade || upgrade.toLowerCase() === 'websocket' || isStreamPath(req.url)) return;
    const se = errors.badRequest(`Upgrade to ${upgrade} is not supported`);
    return reply.code(400).type('application/json').send(JSON.stringify(se.status));
  });
  app.setErrorHandler((err, req, reply) => {
    const se = toStatusError(err, req.log);
    for (const [k, v] of Object.entries(se.headers)) reply.header(k, v);
    reply.code(se.code).type('application/json').send(JSON.stringify(se.status));
  });
  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).type('application/json').send(JSON.stringify(notFoundPath().status));
  });
  // One log line a request, with the fields an operator greps for.
  app.addHook('onResponse', (req, reply, done) => {
    if (deps.logger.isLevelEnabled('info')) {
      req.log.info({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
    }
    done();
  });
  app.addHook('preClose', (done) => { ready = false; hub.closeAll(); done(); });
  destroyConnectionsAfterClose(app, SHUTDOWN_DRAIN_MS);

  if (deps.beforeRoutes) await deps.beforeRoutes(app, registry);
  const limitStats = registerRequestLimits(app, deps.limits);
  const requestMetrics = registerRequestMetrics(app);
  registerDiscovery(app, () => ready, deps.storageHealth);
  registerMetrics(app, { storage: deps.storageStats, watches: () => hub.size, limits: limitStats, requests: requestMetrics });
  registerUi(app);
  const kubelets = deps.kubelets ?? new KubeletClient({});
  // exec, attach and portforward have routes of their own (websocket upgrades); they win over the generic ones.
  registerPodStreams(app, { storage: deps.storage, kubelets });
  registerResourceRoutes(app, {
    registry, storage: deps.storage, hub, connect: connectHandlers(registry, podLogProxy(deps.storage, kubelets)),
    minRequestTimeoutMs: deps.minRequestTimeoutMs, bufferLimitBytes: deps.watchBufferLimitBytes,
  });
  app.addHook('onReady', (done) => { ready = true; done(); });
  return { app, registry, hub };
}
