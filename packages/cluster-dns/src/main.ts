// podling-cluster-dns: the DNS server the apiserver embeds, as a process of its own (the kube-dns/CoreDNS role).
// Flags + PODLING_* env, one pino root logger, one client; SIGTERM/SIGINT close the sockets and exit 0. Point a
// selector-less Service's endpoints at its address to make it the cluster's DNS (the apiserver's own kube-dns
// Service does that for the embedded one).
import pino from 'pino';
import { KubeClient, loadKubeconfig } from '@podling/client';
import { parseConfig } from './config.ts';
import { hostUpstreams } from './host-upstreams.ts';
import { startClusterDns } from './cluster-dns.ts';

const { config, problems } = parseConfig(process.argv.slice(2), process.env);
if (!config) {
  process.stderr.write(`podling-cluster-dns: invalid flags:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(2);
}
const logger = pino({ level: config.logLevel, base: { component: 'cluster-dns' } });
const clientOpts = config.kubeconfig ? loadKubeconfig(config.kubeconfig) : { server: config.server, token: config.token };
const client = new KubeClient({ ...clientOpts, userAgent: 'podling-cluster-dns' });
let stopping = false;
const dns = await startClusterDns({
  client, bindAddress: config.bindAddress, port: config.port, zone: config.domain, logger,
  upstreams: config.upstreams ? () => config.upstreams! : () => hostUpstreams(),
}).catch((err: Error) => {
  process.stderr.write(`podling-cluster-dns: cannot listen on ${config.bindAddress}:${config.port}: ${err.message}\n`);
  process.exit(1);
});
logger.info({ address: config.bindAddress, port: dns.port, domain: config.domain, server: clientOpts.server }, 'cluster DNS listening');
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  setTimeout(() => { logger.error('shutdown took too long; exiting'); process.exit(1); }, 10_000).unref();
  dns.stop().then(() => process.exit(0), (err: unknown) => { logger.error({ err }, 'stop failed'); process.exit(1); });
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
