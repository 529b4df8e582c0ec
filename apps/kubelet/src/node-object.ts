// The Node this agent registers and the status it heartbeats (reference B8). Pure given the host facts.
// Capacity is what pods on this node can get: the CPUs the agent may run on and the machine's memory, each cut to
// the limit of the cgroups the pods' cgroups live under (cgroup-capacity.ts). Nothing is reserved for the system,
// so allocatable equals capacity.
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { formatCpu, type Node, type NodeCondition, type NodeStatus } from '@podling/api';
import type { CgroupBounds } from './cgroup-capacity.ts';

export const KUBELET_VERSION = 'v1.32.0-podling';
export const RUNTIME_VERSION = 'podling-process://1';

export interface NodeFacts {
  nodeName: string;
  nodeIP: string;
  port: number;
  labels: Record<string, string>;
  maxPods: number;
  cpus: number;
  memoryBytes: number;
  arch: string;
  kernelVersion: string;
  osImage: string;
  /** Conditions beyond the kubelet's own four, read at every heartbeat (the service proxy's). */
  moreConditions?: () => NodeConditionTemplate[];
}

export type NodeConditionTemplate = Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>;

export function hostNodeFacts(base: Pick<NodeFacts, 'nodeName' | 'nodeIP' | 'port' | 'labels' | 'maxPods'>, bounds: CgroupBounds = {}): NodeFacts {
  let osImage = `${os.type()} ${os.release()}`;
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) osImage = m[1];
  } catch { /* keep the generic name */ }
  const cpus = Math.min(os.availableParallelism(), bounds.cpus ?? Infinity);
  const memoryBytes = Math.min(os.totalmem(), bounds.memoryBytes ?? Infinity);
  return { ...base, cpus, memoryBytes, arch: goArch(os.arch()), kernelVersion: os.release(), osImage };
}

/** Node's process.arch → Go's GOARCH, which Kubernetes labels use. */
function goArch(a: string): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[a] ?? a;
}

export function buildNode(f: NodeFacts): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: f.nodeName,
      labels: {
        'kubernetes.io/hostname': f.nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': f.arch,
        'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': f.arch, ...f.labels,
      },
    },
    spec: {},
  };
}

const CONDITIONS: NodeConditionTemplate[] = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/** `previous` keeps each condition's lastTransitionTime while its status is unchanged. */
export function buildNodeStatus(f: NodeFacts, now: string, previous?: NodeCondition[]): NodeStatus {
  const memory = `${Math.floor(f.memoryBytes / 1024)}Ki`;
  const resources = { cpu: formatCpu(f.cpus), memory, pods: String(f.maxPods) };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: [...CONDITIONS, ...(f.moreConditions?.() ?? [])].map((c) => {
      const prev = previous?.find((p) => p.type === c.type);
      return { ...c, lastHeartbeatTime: now, lastTransitionTime: prev?.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now };
    }),
    addresses: [{ type: 'InternalIP', address: f.nodeIP }, { type: 'Hostname', address: f.nodeName }],
    daemonEndpoints: { kubeletEndpoint: { Port: f.port } },
    nodeInfo: {
      machineID: '', systemUUID: '', bootID: '', kernelVersion: f.kernelVersion, osImage: f.osImage,
      containerRuntimeVersion: RUNTIME_VERSION, kubeletVersion: KUBELET_VERSION, kubeProxyVersion: '',
      operatingSystem: 'linux', architecture: f.arch,
    },
  };
}
