// One cluster for a controllers end-to-end file: an apiserver with its embedded controllers, real agents (heartbeat
// 1 s) and the real kubectl with its own HOME. `stop` deletes what the file made (its `cleanup`), waits until no pod
// is left, then stops the agents (which also removes what they left) and the apiserver, and removes the temp dir.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Node, Pod } from '@podling/api';
import { KubeClient } from '@podling/client';
import { makeTempDir, startApiserver, startKubelet, waitFor, type RunningApiserver, type RunningKubelet } from '@podling/testkit';
import { makeKubectl, requireKubectl, type Kubectl } from '../../../apps/apiserver/test/kubectl-cli.ts';

export const PODS = { resource: 'pods', namespace: 'default' };

export interface ControllersCluster {
  srv: RunningApiserver;
  client: KubeClient;
  kubectl: Kubectl;
  /** The `nodes` given, in that order, then those added. */
  agents: RunningKubelet[];
  /** Starts one more agent and waits until its Node is Ready. */
  addAgent(name: string): Promise<void>;
  /** `kubectl rollout status`, with `kubectl get <show> -o wide` in the error when it fails. */
  rolloutStatus(target: string, show: string, timeoutS?: number): Promise<string>;
  stop(cleanup?: () => Promise<unknown>): Promise<void>;
}

const readyNodes = async (client: KubeClient) => (await client.list<Node>({ resource: 'nodes' })).items
  .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;

export async function startControllersCluster(nodes: string[], apiserverArgs: string[] = []): Promise<ControllersCluster> {
  requireKubectl();
  const tmp = makeTempDir();
  const srv = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db'), args: apiserverArgs });
  const client = new KubeClient({ server: srv.url });
  mkdirSync(path.join(tmp.dir, 'home'));
  const kubectl = makeKubectl(srv.url, path.join(tmp.dir, 'home'));
  const agents: RunningKubelet[] = [];
  const launch = (name: string) =>
    startKubelet({ server: srv.url, nodeName: name, rootDir: path.join(tmp.dir, name), args: ['--node-status-update-frequency', '1s'] });
  const c: ControllersCluster = {
    srv, client, kubectl, agents,
    async addAgent(name) {
      agents.push(await launch(name));
      const want = agents.length;
      await waitFor(async () => (await readyNodes(client)) === want, { timeoutMs: 20_000, message: `${want} Ready nodes` });
    },
    async rolloutStatus(target, show, timeoutS = 60) {
      try {
        return await kubectl.ok(['rollout', 'status', target, `--timeout=${timeoutS}s`], { timeoutMs: timeoutS * 1000 + 10_000 });
      } catch (e) {
        throw new Error(`${(e as Error).message}\n${(await kubectl.run(['get', show, '-o', 'wide'])).stdout}`);
      }
    },
    async stop(cleanup) {
      await cleanup?.().catch(() => undefined);
      await waitFor(async () => (await client.list<Pod>(PODS)).items.length === 0, { timeoutMs: 30_000, message: 'pods gone' }).catch(() => undefined);
      for (const a of [...agents].reverse()) await a.stop();
      await srv.stop();
      tmp.remove();
    },
  };
  // In the order of `nodes`, whichever started first; if one fails, the others are still stopped by `stop`.
  const started = await Promise.allSettled(nodes.map(launch));
  for (const r of started) if (r.status === 'fulfilled') agents.push(r.value);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) { await c.stop(); throw failed.reason; }
  await waitFor(async () => (await readyNodes(client)) === nodes.length, { timeoutMs: 20_000, message: `${nodes.length} Ready nodes` });
  return c;
}
