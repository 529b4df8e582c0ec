// podling-kubelet entry point: configuration (flags + PODLING_* env), one pino root logger, the client, the agent —
// or, with --hollow-nodes N, that many hollow nodes (hollow-nodes.ts); SIGTERM/SIGINT stop it cleanly (pod
// processes keep running) and exit 0.
import pino from 'pino';
import { KubeClient, loadKubeconfig } from '@podling/client';
import { hostFacts, parseConfig } from './config.ts';
import { HollowNodes } from './hollow-nodes.ts';
import { Kubelet } from './kubelet.ts';

const parsed = parseConfig(process.argv.slice(2), process.env, hostFacts());
if (!parsed.ok) {
  for (const e of parsed.errors) process.stderr.write(`podling-kubelet: ${e}\n`);
  process.exit(2);
}
const cfg = parsed.config;
const log = pino({ level: cfg.logLevel, base: { component: 'kubelet', ...(cfg.hollowNodes ? {} : { node: cfg.nodeName }) } });
const clientOpts = cfg.kubeconfig ? loadKubeconfig(cfg.kubeconfig) : { server: cfg.server, token: cfg.token };
const clientFor = (nodeName: string) => new KubeClient({ ...clientOpts, userAgent: `podling-kubelet/${nodeName}` });
const agent = cfg.hollowNodes > 0 ? new HollowNodes(cfg, clientFor, log) : new Kubelet(cfg, clientFor(cfg.nodeName), log);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  const force = setTimeout(() => { log.error({}, 'shutdown timed out'); process.exit(1); }, 10_000);
  force.unref();
  agent.stop().then(() => { log.info({}, 'stopped'); process.exit(0); }, (err: unknown) => { log.error({ err }, 'stop failed'); process.exit(1); });
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

agent.start().catch((err: unknown) => {
  log.fatal({ err }, 'kubelet failed to start');
  process.exit(1);
});
