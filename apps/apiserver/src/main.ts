// podling-apiserver: parses flags, opens the store, listens, starts the embedded controllers, and shuts all of
// it down in reverse order on SIGTERM/SIGINT.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import pino from 'pino';
import { compileDecoders, isIPv4, useDecoderCompiler } from '@podling/api';
import { cachedDecoderCompiler } from './decoder-cache.ts';
import { KubeClient } from '@podling/client';
import { controllerClients, startControllers } from '@podling/controllers';
import { isDataFilesError } from '@podling/store';
import { checkListenPolicy, loadTokenFile, registerAuth, runGenerateCerts, type TokenMap } from './auth/index.ts';
import { parseConfig, usage } from './config.ts';
import { buildServer } from './server.ts';
import { KubeletClient } from './kubelet/kubelet-client.ts';
import { ensureBuiltinNamespaces } from './housekeeping/bootstrap.ts';
import { startNamespaceFinalizer } from './housekeeping/namespace-finalizer.ts';
import { startEventExpiry } from './housekeeping/event-expiry.ts';
import { ensureKubernetesService } from './housekeeping/kubernetes-service.ts';
import { startEndpointLeaseReconciler } from './housekeeping/endpoint-lease-reconciler.ts';
import { openStorage, type OpenedStorage } from './open-storage.ts';
import { ensureKubeDnsService } from './housekeeping/kube-dns-service.ts';
import { hostUpstreams, startClusterDns, type RunningClusterDns } from '@podling/cluster-dns';

/** Exit codes: 2 bad flags or credentials files, 3 data files that opening would destroy (see the store's README). */
const EXIT_DATA_FILES = 3;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.some((a) => a === '--generate-certs' || a.startsWith('--generate-certs='))) {
    process.exit(await runGenerateCerts(argv));
  }
  const { config, problems, help } = parseConfig(argv, process.env);
  if (help) { process.stdout.write(usage() + '\n'); return; }
  if (!config) {
    process.stderr.write(`podling-apiserver: invalid flags:\n${problems.map((p) => `  ${p}`).join('\n')}\n\n${usage()}\n`);
    process.exit(2);
  }
  const logger = pino({ level: config.logLevel, base: { component: 'apiserver' } });
  const fail = (message: string): never => { process.stderr.write(`podling-apiserver: ${message}\n`); process.exit(2); };
  let tls: { cert: Buffer; key: Buffer } | undefined;
  try {
    tls = config.tlsCertFile ? { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsPrivateKeyFile!) } : undefined;
  } catch (e) { fail(`cannot read the TLS certificate or key: ${(e as Error).message}`); }
  let kubeletTls: { cert: Buffer; key: Buffer; ca: Buffer } | undefined;
  try {
    kubeletTls = config.kubeletClientCertificate
      ? { cert: readFileSync(config.kubeletClientCertificate), key: readFileSync(config.kubeletClientKey!), ca: readFileSync(config.kubeletCertificateAuthority!) }
      : undefined;
  } catch (e) { fail(`cannot read the kubelet client certificate, key or CA: ${(e as Error).message}`); }
  if (!kubeletTls && !config.kubeletAuthToken) {
    logger.warn('neither --kubelet-client-certificate nor --kubelet-auth-token is set: pods/log, exec, attach and port-forward cannot reach agents');
  }
  const policy = checkListenPolicy({ address: config.address, tokenFile: config.tokenAuthFile, insecureAllowAnonymous: config.insecureAllowAnonymous, tls: !!tls });
  if (!policy.ok) return fail(policy.message);
  if (policy.warn) logger.warn(policy.warn);
  // The embedded controllers are API clients like any other; with a token file they get their own admin token.
  const controllerToken = randomBytes(24).toString('hex');
  let tokens: TokenMap | undefined;
  if (config.tokenAuthFile) {
    try { tokens = loadTokenFile(config.tokenAuthFile); } catch (e) { fail((e as Error).message); }
    tokens = tokens!;
    tokens.set(controllerToken, { name: 'system:kube-controller-manager', uid: '', groups: ['system:masters', 'system:authenticated'] });
  }
  let opened: OpenedStorage;
  try {
    opened = await openStorage(config, logger);
  } catch (e) {
    if (!isDataFilesError(e)) { process.stderr.write(`podling-apiserver: ${(e as Error).message}\n`); process.exit(1); }
    // Its own exit code, so a supervisor or script can tell "the files need a human" from a crash.
    process.stderr.write(`podling-apiserver: ${e.message}\n`);
    process.exit(EXIT_DATA_FILES);
  }
  const { storage } = opened;
  const { app, registry } = await buildServer({
    storage, storageStats: opened.stats, storageHealth: opened.health, logger, allowPrivileged: config.allowPrivileged,
    watchBookmarkIntervalMs: config.watchBookmarkIntervalMs, watchHeartbeatIntervalMs: config.watchHeartbeatIntervalMs,
    watchBufferLimitBytes: config.watchBufferLimitBytes, minRequestTimeoutMs: config.minRequestTimeoutMs,
    https: tls, limits: config.limits,
    serviceRanges: { ip: config.serviceClusterIPRange, ports: config.serviceNodePortRange },
    kubelets: new KubeletClient({ tls: kubeletTls, token: config.kubeletAuthToken }),
    beforeRoutes: (app) => registerAuth(app, {
      tokens,
      anonymous: !tokens || config.insecureAllowAnonymous,
    }),
  });
  useDecoderCompiler(cachedDecoderCompiler());
  compileDecoders(); // before listening: the first requests should not pay for it
  await ensureBuiltinNamespaces(storage, registry);
  const finalizer = startNamespaceFinalizer(storage, registry, app.log);
  const expiry = startEventExpiry(registry, config.eventTtlMs, app.log);
  // Handlers before listening: a SIGTERM that arrives while the kubernetes Service is written or the controllers
  // start must still shut down cleanly (exit 0), not kill the process by the default action.
  let controllers: ReturnType<typeof startControllers> | undefined;
  let endpointLeases: ReturnType<typeof startEndpointLeaseReconciler> | undefined;
  let clusterDns: RunningClusterDns | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => { logger.error('shutdown took too long; exiting'); process.exit(1); }, 10_000).unref();
    await controllers?.stop();
    await endpointLeases?.stop();
    await clusterDns?.stop();
    finalizer.stop();
    expiry.stop();
    await app.close();
    await storage.close();
    clearTimeout(force);
    logger.info('stopped');
    logger.flush?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  const address = await app.listen({ host: config.address, port: config.port });
  const url = address.replace('[::1]', '127.0.0.1');
  const port = (app.server.address() as AddressInfo).port;
  // The controllers dial the address the server listens on (loopback when that is a wildcard).
  const host = ['', '0.0.0.0', '::', '[::]'].includes(config.address) ? '127.0.0.1'
    : config.address.includes(':') ? `[${config.address}]` : config.address;
  await ensureKubernetesService(registry, port).catch((err) => logger.error({ err }, 'cannot write the kubernetes Service'));
  if (config.endpointReconcilerType === 'lease' && !stopping) {
    endpointLeases = startEndpointLeaseReconciler({
      registry, address: config.advertiseAddress || advertiseAddress(config.address), port, ttlMs: config.endpointLeaseTtlMs,
      log: logger.child({ component: 'endpoint-reconciler' }),
    });
    await endpointLeases.firstRound;
  }
  // Always printed, whatever the level: tools and tests wait for this line to learn the URL. Logged once the
  // `kubernetes` Service and its endpoints say where this apiserver is.
  (logger.isLevelEnabled('info') ? logger.info : logger.warn).call(logger, { url, db: config.db, revision: storage.currentRevision() }, 'listening');
  if (stopping) return;
  const dns = config.clusterDns;
  if (dns) {
    // The cluster DNS server is one more embedded API client; when it cannot bind (port 53 without root, a port in
    // use) the apiserver runs on without it and says so.
    try {
      clusterDns = await startClusterDns({
        client: new KubeClient({ server: `${tls ? 'https' : 'http'}://${host}:${port}`, token: controllerToken, insecureSkipTLSVerify: true, userAgent: 'podling-cluster-dns' }),
        bindAddress: dns.bindAddress, port: dns.port, zone: dns.domain,
        upstreams: dns.upstreams ? () => dns.upstreams! : () => hostUpstreams(),
        logger: logger.child({ component: 'cluster-dns' }),
      });
      logger.info({ address: dns.bindAddress, port: clusterDns.port, clusterIP: dns.clusterIP, domain: dns.domain }, 'cluster DNS listening');
      await ensureKubeDnsService(registry, dns.clusterIP, dns.advertiseAddress ?? advertiseAddress(dns.bindAddress), clusterDns.port);
    } catch (err) {
      logger.error({ err }, `cluster DNS is not running: cannot serve on ${dns.bindAddress}:${dns.port} or write the kube-dns Service`);
    }
  }
  if (stopping) return;
  controllers = startControllers({
    ...controllerClients({ server: `${tls ? 'https' : 'http'}://${host}:${port}`, token: controllerToken, insecureSkipTLSVerify: true, userAgent: 'podling-controllers' }),
    which: config.controllers, logger: logger.child({ component: 'controllers' }),
    nodeMonitorGracePeriodMs: config.nodeMonitorGracePeriodMs, nodeMonitorPeriodMs: config.nodeMonitorPeriodMs,
    podEvictionTimeoutMs: config.podEvictionTimeoutMs, terminatedPodGcThreshold: config.terminatedPodGcThreshold,
    podGcPeriodMs: config.podGcPeriodMs, nodeCidrs: config.nodeCidrs, leaderElection: config.leaderElection,
  });
}

/** The address the `kubernetes` Service's endpoints carry: the listen address, or the host's first IPv4 address
 *  outside loopback when listening on a wildcard (kube-apiserver's --advertise-address default). */
function advertiseAddress(listen: string): string {
  if (isIPv4(listen) && listen !== '0.0.0.0') return listen;
  const ifaces = Object.values(os.networkInterfaces()).flat();
  return ifaces.find((i) => i && i.family === 'IPv4' && !i.internal)?.address ?? '127.0.0.1';
}

main().catch((err) => {
  process.stderr.write(`podling-apiserver: ${err?.stack ?? err}\n`);
  process.exit(1);
});
