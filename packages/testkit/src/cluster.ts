// A real control plane for tests: apiserver and kubelet processes on temp dirs and free ports.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { startTs, type ManagedProcess } from './process.ts';
import { killPodProcesses } from './pod-processes.ts';
import { ContainerCgroups, NodeMasquerade, PodNetwork, ProxyTable } from '@podling/kubelet';
import { freeStalePodCidrs, leasePodCidr } from './pod-cidr-lease.ts';
import { startEtcdCluster, type EtcdCluster } from './etcd-cluster.ts';

export function makeTempDir(prefix = 'podling-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
      freeStalePodCidrs();
    },
  };
}

/**
 * The apiserver → agent token of every cluster this process starts (kubelet-auth: a loopback cluster without TLS),
 * passed to both sides through their env twins so every test cluster is wired without asking.
 */
export const KUBELET_AUTH_TOKEN = randomBytes(24).toString('hex');

export interface RunningApiserver {
  url: string;
  port: number;
  dbPath: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** With PODLING_TEST_STORAGE=etcd3 (`npm run test:etcd`), every apiserver a test process starts stores in one etcd
 *  member started for that process, under a key prefix derived from its --db path: a restart with the same path finds
 *  its objects again, and other tests' apiservers do not see them. */
let sharedEtcd: Promise<EtcdCluster> | undefined;
async function storageArgs(dbPath: string, storage: 'default' | 'sqlite' | undefined): Promise<string[]> {
  if (storage === 'sqlite' || process.env.PODLING_TEST_STORAGE !== 'etcd3') return [];
  sharedEtcd ??= startEtcdCluster();
  const etcd = await sharedEtcd;
  const prefix = `/registry-${createHash('sha256').update(path.resolve(dbPath)).digest('hex').slice(0, 12)}`;
  return ['--storage-backend', 'etcd3', '--etcd-servers', etcd.endpoints.join(','), '--etcd-prefix', prefix];
}

/** Starts `podling-apiserver` on port 0 and resolves once it logged its URL and /readyz answers. `storage: 'sqlite'`
 *  keeps a test on SQLite under PODLING_TEST_STORAGE=etcd3 (what it checks is SQLite's own). */
export async function startApiserver(opts: {
  dbPath: string; args?: string[]; env?: Record<string, string>; port?: number; storage?: 'default' | 'sqlite';
}): Promise<RunningApiserver> {
  const proc = startTs('apps/apiserver/src/main.ts', {
    args: ['--port', String(opts.port ?? 0), '--db', opts.dbPath, ...await storageArgs(opts.dbPath, opts.storage), ...(opts.args ?? [])],
    env: { PODLING_LOG_LEVEL: 'info', PODLING_KUBELET_AUTH_TOKEN: KUBELET_AUTH_TOKEN, ...opts.env },
  });
  const line = await proc.waitForLog((l) => l.msg === 'listening' && typeof l.url === 'string', 30_000);
  const url = String(line.url);
  await waitReady(url, proc);
  return {
    url, port: Number(new URL(url).port), dbPath: opts.dbPath, process: proc,
    async stop() { await proc.stop(); },
  };
}

async function waitReady(url: string, proc: ManagedProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last = '';
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`apiserver exited early:\n${proc.output().slice(-4000)}`);
    try {
      const status = await probe(`${url}/readyz`);
      if (status === 200) return;
      last = `HTTP ${status}`;
    } catch (e) { last = (e as Error).message; }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`apiserver never became ready (${last}):\n${proc.output().slice(-4000)}`);
}

/** GET that also works against our own HTTPS server with a generated CA (readiness only, so no verification). */
function probe(url: string): Promise<number> {
  const get = url.startsWith('https:') ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const req = get(url, { rejectUnauthorized: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
  });
}

export interface RunningKubelet {
  nodeName: string;
  rootDir: string;
  url: string;
  process: ManagedProcess;
  /** GET `path` on the agent's own port as the apiserver does (with the cluster's agent token). */
  fetch(path: string): Promise<Response>;
  /** Stops the agent (SIGTERM) and then kills the containers it left running, unless `keepPods`. */
  stop(opts?: { keepPods?: boolean }): Promise<void>;
}

/** Starts `podling-kubelet` against `server` and resolves once its own HTTP server is listening. */
export async function startKubelet(opts: {
  server: string; nodeName: string; rootDir: string; args?: string[]; env?: Record<string, string>;
  /** The agent's --pod-cidr: by default a /24 no other agent on this machine uses (pod-cidr-lease.ts); false: none
   *  (the agent waits for the Node's spec.podCIDR). An explicit --pod-cidr in `args` wins. */
  podCIDR?: string | false;
  /** Extra node flags for the agent, e.g. ['--cpu-prof']. */
  nodeArgs?: string[];
}): Promise<RunningKubelet> {
  const cidr = opts.args?.includes('--pod-cidr') || opts.podCIDR === false ? undefined : opts.podCIDR ?? leasePodCidr(opts.rootDir);
  const proc = startTs('apps/kubelet/src/main.ts', {
    args: ['--server', opts.server, '--node-name', opts.nodeName, '--root-dir', opts.rootDir, '--port', '0', ...(cidr ? ['--pod-cidr', cidr] : []), ...(opts.args ?? [])],
    env: { PODLING_LOG_LEVEL: 'info', PODLING_KUBELET_AUTH_TOKEN: KUBELET_AUTH_TOKEN, ...opts.env }, nodeArgs: opts.nodeArgs,
  });
  const line = await proc.waitForLog((l) => l.msg === 'listening' && typeof l.url === 'string', 30_000);
  return {
    nodeName: opts.nodeName, rootDir: opts.rootDir, url: String(line.url), process: proc,
    fetch: (p) => fetch(`${String(line.url)}${p}`, { headers: { authorization: `Bearer ${opts.env?.PODLING_KUBELET_AUTH_TOKEN ?? KUBELET_AUTH_TOKEN}` } }),
    async stop(stopOpts = {}) {
      await proc.stop(10_000);
      if (stopOpts.keepPods) return;
      killPodProcesses(opts.rootDir);
      // What left the process groups, and the agent's cgroups themselves (the agent leaves its pods running).
      await ContainerCgroups.detect(opts.rootDir, opts.nodeName).removeAll();
      await PodNetwork.removeAll(opts.nodeName, opts.rootDir); // their netns, IPC namespaces, IPs and the bridge
      // A killed agent leaves its masquerade and service proxy tables (a stopped one has removed them already).
      if (process.getuid?.() === 0) {
        await new NodeMasquerade(opts.nodeName).remove().catch(() => {});
        await new ProxyTable(opts.nodeName, opts.rootDir).remove().catch(() => {});
      }
    },
  };
}
