// An etcd cluster across lab machines: one member of Debian's etcd-server per machine, on the machine's lab address
// and etcd's registered ports (2379 clients, 2380 peers), plain HTTP inside the lab's private network. A machine may
// also run an apiserver: "stacked" etcd, as kubeadm lays out a highly available control plane.
import path from 'node:path';
import type { LabHost } from './netns-lab.ts';
import { startCommandInNetns, type NetnsProcess } from './netns-process.ts';

export const ETCD_CLIENT_PORT = 2379;
const ETCD_PEER_PORT = 2380;

/** What --etcd-servers takes for these machines. */
export function etcdEndpoints(hosts: LabHost[]): string[] {
  return hosts.map((h) => `http://${h.ip}:${ETCD_CLIENT_PORT}`);
}

/** Starts a member on each machine, with its data under `dataRoot`. */
export function startLabEtcd(hosts: LabHost[], dataRoot: string): NetnsProcess[] {
  const peer = (h: LabHost) => `http://${h.ip}:${ETCD_PEER_PORT}`;
  const initialCluster = hosts.map((h) => `${h.role}=${peer(h)}`).join(',');
  return hosts.map((h) => {
    const client = `http://${h.ip}:${ETCD_CLIENT_PORT}`;
    return startCommandInNetns(`etcd-${h.role}`, h.ns, [
      'etcd', '--name', h.role, '--data-dir', path.join(dataRoot, `etcd-${h.role}`), '--logger', 'zap', '--log-level', 'info',
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer(h), '--initial-advertise-peer-urls', peer(h),
      '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', path.basename(dataRoot),
    ]);
  });
}

/** Resolves once every member has joined, which takes a quorum of them: a member logs this once its join is
 *  committed through raft (and only then serves clients). */
export async function etcdJoined(members: NetnsProcess[]): Promise<void> {
  await Promise.all(members.map((m) => m.waitForLog((l) => l.msg === 'published local member to cluster through raft', 30_000)));
}
