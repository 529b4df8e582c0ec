// A real apiserver and real kubelet agents for the kubelet's integration tests, torn down in reverse order even when
// a test fails; a process's output is printed only when the test failed. Short back-off and heartbeat flags keep the
// suite fast.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Pod } from '@podling/api';
import { KubeClient } from '@podling/client';
import { ContainerCgroups } from '../src/container-cgroup.ts';
import { killPodProcesses, makeTempDir, pidsMatching, startApiserver, startKubelet, waitFor, type RunningApiserver, type RunningKubelet } from '@podling/testkit';
export { pidsMatching } from '@podling/testkit';

export const FAST_ARGS = ['--crashloop-backoff-base', '1s', '--crashloop-backoff-max', '8s', '--node-status-update-frequency', '1s'];

export interface AgentCluster {
  api: RunningApiserver;
  client: KubeClient;
  dir: string;
  agents: RunningKubelet[];
  addAgent(nodeName: string, args?: string[], rootDir?: string): Promise<RunningKubelet>;
  pod(ns: string, name: string): Promise<Pod>;
  waitPod(name: string, cond: (p: Pod) => boolean, timeoutMs?: number, ns?: string): Promise<Pod>;
}

/** `apiserverArgs` gets the cluster's temp dir (agents' root dirs are `<dir>/<node>`). */
export async function startAgentCluster(t: TestContext, nodes: string[] = ['node-a'], args: string[] = FAST_ARGS, apiserverArgs: (dir: string) => string[] = () => []): Promise<AgentCluster> {
  const tmp = makeTempDir('podling-kubelet-');
  const api = await startApiserver({ dbPath: path.join(tmp.dir, 'db.sqlite'), args: apiserverArgs(tmp.dir) });
  const client = new KubeClient({ server: api.url });
  const agents: RunningKubelet[] = [];
  const rootDirs = new Map<string, string>();
  t.after(async () => {
    const failed = !!(t as unknown as { error?: unknown }).error;
    for (const a of [...agents].reverse()) {
      if (failed) process.stderr.write(`--- ${a.nodeName} output ---\n${a.process.output().slice(-6000)}\n`);
      await a.stop();
    }
    for (const [dir, node] of rootDirs) { // also agents a test took out of `agents` (restart tests)
      killPodProcesses(dir);
      await ContainerCgroups.detect(dir, node).removeAll(); // and what left the process groups
    }
    if (failed) process.stderr.write(`--- apiserver output ---\n${api.process.output().slice(-3000)}\n`);
    await api.stop();
    tmp.remove();
  });
  const c: AgentCluster = {
    api, client, dir: tmp.dir, agents,
    async addAgent(nodeName, extra = args, rootDir = path.join(tmp.dir, nodeName)) {
      rootDirs.set(rootDir, nodeName);
      const a = await startKubelet({ server: api.url, nodeName, rootDir, args: extra });
      agents.push(a);
      return a;
    },
    pod: (ns, name) => client.get<Pod>({ resource: 'pods', namespace: ns }, name),
    async waitPod(name, cond, timeoutMs = 15_000, ns = 'default') {
      let last: Pod | undefined;
      try {
        return await waitFor(async () => { last = await c.pod(ns, name); return cond(last) && last; }, { timeoutMs, message: `pod ${name}` });
      } catch (e) {
        throw new Error(`${(e as Error).message}; last status: ${JSON.stringify(last?.status)}`);
      }
    },
  };
  for (const n of nodes) await c.addAgent(n);
  return c;
}

export function podManifest(name: string, spec: Partial<Pod['spec']> & { containers: Pod['spec']['containers'] }, nodeName = 'node-a'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName, terminationGracePeriodSeconds: 5, ...spec } };
}

export const create = (c: AgentCluster, pod: Pod) => c.client.create<Pod>({ resource: 'pods', namespace: pod.metadata.namespace ?? 'default' }, pod);


/** Live spawner.mjs processes whose parent is `ppid`. */
export function spawnersOf(ppid: number): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[1]) === ppid && fields[0] !== 'Z' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('spawner.mjs');
    } catch { return false; }
  });
}

/** A container whose children escape: one setsid()s into a session of its own, one double-forks out of that. */
export const escaper = (tag: string) => ({
  name: 'app', image: 'busybox', command: ['sh', '-c',
    `setsid sh -c 'sleep ${tag}1 & exec sleep ${tag}2' & setsid sh -c 'sleep ${tag}3 &'; echo ready; exec sleep 3600`],
});

/** Live processes whose whole command line is `sleep <n>` (not the shells whose scripts mention it). */
export function sleeps(n: string): number[] {
  return pidsMatching(`sleep\0${n}`).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `sleep\0${n}\0`);
}
/** None / each one of the three escapes of `escaper(tag)` is alive. */
export const noEscapes = (tag: string) => [1, 2, 3].every((i) => sleeps(`${tag}${i}`).length === 0);
export const allEscapes = (tag: string) => [1, 2, 3].every((i) => sleeps(`${tag}${i}`).length === 1);
