// podling-controller-manager: the controllers the apiserver embeds, as a process of their own (kube-scheduler and
// kube-controller-manager in one). Flags + PODLING_* env, one pino root logger, its clients (controller-clients.ts);
// SIGTERM/SIGINT stop every controller and exit 0.
import pino from 'pino';
import { loadKubeconfig } from '@podling/client';
import { parseConfig, usage } from './config.ts';
import { controllerClients, startControllers } from './index.ts';

const { config, problems, help } = parseConfig(process.argv.slice(2), process.env);
if (help) {
  process.stdout.write(usage() + '\n');
  process.exit(0);
}
if (!config) {
  process.stderr.write(`podling-controller-manager: invalid flags:\n${problems.map((p) => `  ${p}`).join('\n')}\n\n${usage()}\n`);
  process.exit(2);
}
const logger = pino({ level: config.logLevel, base: { component: 'controller-manager' } });
const clientOpts = config.kubeconfig ? loadKubeconfig(config.kubeconfig)
  : { server: config.server, token: config.token, insecureSkipTLSVerify: config.insecureSkipTlsVerify };
const controllers = startControllers({
  ...controllerClients({ ...clientOpts, userAgent: 'podling-controller-manager' }), which: config.controllers, logger,
  nodeMonitorGracePeriodMs: config.nodeMonitorGracePeriodMs, nodeMonitorPeriodMs: config.nodeMonitorPeriodMs,
  podEvictionTimeoutMs: config.podEvictionTimeoutMs, terminatedPodGcThreshold: config.terminatedPodGcThreshold,
  podGcPeriodMs: config.podGcPeriodMs, nodeCidrs: config.nodeCidrs,
  leaderElection: config.leaderElection,
});
logger.info({ server: clientOpts.server, controllers: [...config.controllers] }, 'controller manager started');

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => { logger.error('shutdown took too long; exiting'); process.exit(1); }, 10_000);
  force.unref();
  controllers.stop().then(() => { logger.info('stopped'); process.exit(0); }, (err: unknown) => { logger.error({ err }, 'stop failed'); process.exit(1); });
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
