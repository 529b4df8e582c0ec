// The agent's configuration: flags parsed with node:util parseArgs, each with a PODLING_* environment twin (flag
// wins). Everything is validated at once; main.ts prints every problem and exits 2. Only this module and main.ts
// read process.env, and only through the `env` argument here.
import { parseArgs } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { isIP } from 'node:net';
import { forbiddenNodeLabels, parseDuration, parseIpv4Cidr, parseQuantity, type Ipv4Cidr } from '@podling/api';
import { serverListProblems } from '@podling/client';
import { PodCidr } from './pod-cidr.ts';

export interface KubeletConfig {
  server: string;
  token?: string;
  kubeconfig?: string;
  nodeName: string;
  rootDir: string;
  /** Address the kubelet HTTP server listens on. */
  address: string;
  /** The Node's InternalIP (also hostIP/podIP of every pod). */
  nodeIP: string;
  /** Every pod range of the cluster (the control plane's --cluster-cidr): pod traffic leaving it is masqueraded. */
  clusterCidr: Ipv4Cidr;
  /** The control plane's --service-cluster-ip-range: the service proxy refuses addresses in it that no Service holds. */
  serviceCidr: Ipv4Cidr;
  port: number;
  nodeLabels: Record<string, string>;
  /** The Node's pods capacity and allocatable, which the scheduler fills up to (the kubelet's --max-pods). */
  maxPods: number;
  /** How often the node's status is computed and its Lease renewed (the kubelet's nodeStatusUpdateFrequency). */
  nodeStatusUpdateFrequencyMs: number;
  /** How often an unchanged status is still sent (the kubelet's nodeStatusReportFrequency); a changed one goes at the next update. */
  nodeStatusReportFrequencyMs: number;
  crashloopBackoffBaseMs: number;
  crashloopBackoffMaxMs: number;
  /** Size at which a container's log file is rotated (the kubelet's --container-log-max-size). */
  containerLogMaxBytes: number;
  /** Whether pods that do not set spec.hostUsers share the host's users (false: a user namespace per pod). */
  defaultHostUsers: boolean;
  /** The node's pod range (the kubelet's --pod-cidr); wins over the Node's spec.podCIDR when given. */
  podCIDR?: string;
  /** Cluster DNS server addresses written into pods' resolv.conf (the kubelet's --cluster-dns); [] = none. */
  clusterDNS: string[];
  /** The cluster's DNS domain (the kubelet's --cluster-domain). */
  clusterDomain: string;
  /** The host resolver file pods with dnsPolicy Default copy (the kubelet's --resolv-conf); '' = none. */
  resolvConf: string;
  /** false: run as if the node had no cgroups (tests of the fallback). */
  cgroups: boolean;
  logLevel: string;
  /** Shared token the apiserver presents (a loopback cluster without TLS). */
  kubeletAuthToken?: string;
  /** HTTPS with a client CA: the apiserver's client certificate is required. */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCAFile?: string;
  /** More than 0: run that many hollow nodes named <node-name>-<i> instead of an agent (hollow-nodes.ts). */
  hollowNodes: number;
  /** A hollow container's start time, run time (Infinity: until stopped) and exit code (hollow-runtime.ts). */
  hollow: { startDelayMs: number; runForMs: number; exitCode: number };
}

const options = {
  server: { type: 'string', default: 'http://127.0.0.1:8080' },
  token: { type: 'string' },
  kubeconfig: { type: 'string' },
  'node-name': { type: 'string' },
  'root-dir': { type: 'string' },
  address: { type: 'string', default: '127.0.0.1' },
  'node-ip': { type: 'string' },
  'cluster-cidr': { type: 'string', default: '10.244.0.0/16' },
  'service-cluster-ip-range': { type: 'string', default: '10.96.0.0/12' },
  port: { type: 'string', default: '10250' },
  'node-labels': { type: 'string', default: '' },
  'max-pods': { type: 'string', default: '110' },
  'node-status-update-frequency': { type: 'string', default: '10s' },
  // Default 5m, or the update frequency when that is given (kubelet's KubeletConfiguration defaulting, for
  // backward compatibility there): see parseConfig.
  'node-status-report-frequency': { type: 'string' },
  // Hidden: tests shorten the CrashLoopBackOff schedule (Kubernetes: 10s doubling to 5m).
  'crashloop-backoff-base': { type: 'string', default: '10s' },
  'crashloop-backoff-max': { type: 'string', default: '5m' },
  'container-log-max-size': { type: 'string', default: '10Mi' },
  'default-host-users': { type: 'string', default: 'true' },
  'pod-cidr': { type: 'string' },
  // The kube-dns Service's ClusterIP the control plane keeps by default (kubeadm's 10th address of 10.96.0.0/12).
  'cluster-dns': { type: 'string', default: '10.96.0.10' },
  'cluster-domain': { type: 'string', default: 'cluster.local' },
  'resolv-conf': { type: 'string', default: '/etc/resolv.conf' },
  // Hidden: tests force the no-cgroup fallback (descendant-tracker.ts) on a host that has cgroups.
  cgroups: { type: 'string', default: 'true' },
  'log-level': { type: 'string', default: 'info' },
  // Who may call the agent's port (kubelet-auth.ts): a shared token, or TLS with the apiserver's client certificate.
  'kubelet-auth-token': { type: 'string' },
  'tls-cert-file': { type: 'string' },
  'tls-private-key-file': { type: 'string' },
  'client-ca-file': { type: 'string' },
  // Hollow nodes (hollow-nodes.ts): simulated nodes for scale tests, sharing the agent's node and pod code.
  'hollow-nodes': { type: 'string', default: '0' },
  'hollow-start-delay': { type: 'string', default: '0s' },
  'hollow-run-for': { type: 'string', default: '' },
  'hollow-exit-code': { type: 'string', default: '0' },
} as const;

/** kubelet's nodeStatusReportFrequency default (k/k pkg/kubelet/apis/config/v1beta1/defaults.go). */
const REPORT_FREQUENCY_DEFAULT_MS = 5 * 60_000;

export const envName = (flag: string): string => `PODLING_${flag.toUpperCase().replace(/-/g, '_')}`;

export interface HostFacts { hostname: string; interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> }

export function hostFacts(): HostFacts {
  return { hostname: os.hostname(), interfaces: os.networkInterfaces() };
}

export type ConfigResult = { ok: true; config: KubeletConfig } | { ok: false; errors: string[] };

export function parseConfig(argv: string[], env: Record<string, string | undefined>, host: HostFacts): ConfigResult {
  const errors: string[] = [];
  let values: Record<string, string | undefined>;
  try {
    const parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    values = parsed.values as Record<string, string | undefined>;
  } catch (e) {
    return { ok: false, errors: [(e as Error).message] };
  }
  const explicit = (flag: keyof typeof options): boolean => argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
  const get = (flag: keyof typeof options): string | undefined => {
    if (explicit(flag)) return values[flag];
    return env[envName(flag)] ?? values[flag];
  };
  const given = (flag: keyof typeof options): boolean => explicit(flag) || env[envName(flag)] !== undefined;
  const duration = (flag: keyof typeof options, min: number): number => {
    const text = get(flag)!;
    try {
      const ms = parseDuration(text);
      if (ms < min) errors.push(`--${flag}: must be at least ${min} ms, got ${JSON.stringify(text)}`);
      return ms;
    } catch (e) {
      errors.push(`--${flag}: ${(e as Error).message}`);
      return 0;
    }
  };

  const nodeName = (get('node-name') ?? host.hostname).toLowerCase();
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(nodeName) || nodeName.length > 253) {
    errors.push(`--node-name: ${JSON.stringify(nodeName)} is not a lowercase RFC 1123 subdomain`);
  }
  const server = get('server')!;
  errors.push(...serverListProblems('--server', server));
  const address = get('address')!;
  if (!isIP(address)) errors.push(`--address: ${JSON.stringify(address)} is not an IP address`);
  const nodeIPFlag = get('node-ip');
  if (nodeIPFlag !== undefined && !isIP(nodeIPFlag)) errors.push(`--node-ip: ${JSON.stringify(nodeIPFlag)} is not an IP address`);
  const clusterCidr = parseIpv4Cidr(get('cluster-cidr')!);
  if (!clusterCidr) errors.push(`--cluster-cidr: ${JSON.stringify(get('cluster-cidr'))} is not an IPv4 network in CIDR notation (e.g. 10.244.0.0/16)`);
  const serviceCidr = parseIpv4Cidr(get('service-cluster-ip-range')!);
  if (!serviceCidr) errors.push(`--service-cluster-ip-range: ${JSON.stringify(get('service-cluster-ip-range'))} is not an IPv4 network in CIDR notation (e.g. 10.96.0.0/12)`);
  const portText = get('port')!;
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) errors.push(`--port: ${JSON.stringify(portText)} is not a port number (0 picks a free port)`);
  const nodeLabels: Record<string, string> = {};
  for (const pair of (get('node-labels') ?? '').split(',').filter((p) => p.trim() !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) { errors.push(`--node-labels: ${JSON.stringify(pair)} is not key=value`); continue; }
    nodeLabels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  // As the kubelet's flag validation does (k/k cmd/kubelet/app/options ValidateKubeletFlags): a label the
  // apiserver's NodeRestriction would refuse at registration is refused here, instead of a 403 retried for ever.
  const refused = forbiddenNodeLabels(nodeName, nodeLabels, undefined);
  if (refused.length) {
    errors.push(`--node-labels: unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: [${refused.join(' ')}]; --node-labels in the 'kubernetes.io' namespace must begin with an allowed prefix (kubelet.kubernetes.io, node.kubernetes.io) or be in the specifically allowed set (kubernetes.io/hostname, kubernetes.io/os, kubernetes.io/arch, topology.kubernetes.io/zone, topology.kubernetes.io/region, node.kubernetes.io/instance-type and their beta.kubernetes.io/failure-domain.beta.kubernetes.io forms)`);
  }
  const maxPodsText = get('max-pods')!;
  const maxPods = Number(maxPodsText);
  if (!/^\d+$/.test(maxPodsText) || maxPods < 1) errors.push(`--max-pods: ${JSON.stringify(maxPodsText)} is not a whole number of at least 1`);
  const nodeStatusUpdateFrequencyMs = duration('node-status-update-frequency', 100);
  const nodeStatusReportFrequencyMs = get('node-status-report-frequency') !== undefined ? duration('node-status-report-frequency', 100)
    : given('node-status-update-frequency') ? nodeStatusUpdateFrequencyMs : REPORT_FREQUENCY_DEFAULT_MS;
  const crashloopBackoffBaseMs = duration('crashloop-backoff-base', 1);
  const crashloopBackoffMaxMs = duration('crashloop-backoff-max', 1);
  const logSizeText = get('container-log-max-size')!;
  let containerLogMaxBytes = 0;
  try { containerLogMaxBytes = Math.floor(parseQuantity(logSizeText)); } catch { /* reported below */ }
  if (!(containerLogMaxBytes >= 1024)) errors.push(`--container-log-max-size: ${JSON.stringify(logSizeText)} is not a size of at least 1Ki`);
  const hostUsersText = get('default-host-users')!;
  if (hostUsersText !== 'true' && hostUsersText !== 'false') errors.push(`--default-host-users: ${JSON.stringify(hostUsersText)} is not true or false`);
  const cgroupsText = get('cgroups')!;
  if (cgroupsText !== 'true' && cgroupsText !== 'false') errors.push(`--cgroups: ${JSON.stringify(cgroupsText)} is not true or false`);
  const podCIDR = get('pod-cidr') || undefined;
  if (podCIDR !== undefined) {
    try { PodCidr.parse(podCIDR); } catch (e) { errors.push(`--pod-cidr: ${(e as Error).message}`); }
  }
  const clusterDNS = get('cluster-dns')!.split(',').map((s) => s.trim()).filter(Boolean);
  for (const ip of clusterDNS) if (!isIP(ip)) errors.push(`--cluster-dns: ${JSON.stringify(ip)} is not an IP address`);
  const clusterDomain = get('cluster-domain')!.replace(/\.$/, '');
  if (clusterDomain && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(clusterDomain)) {
    errors.push(`--cluster-domain: ${JSON.stringify(clusterDomain)} is not a lowercase DNS domain`);
  }
  const logLevel = get('log-level')!;
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(logLevel)) errors.push(`--log-level: unknown level ${JSON.stringify(logLevel)}`);
  const tlsFiles = { tlsCertFile: get('tls-cert-file'), tlsPrivateKeyFile: get('tls-private-key-file'), clientCAFile: get('client-ca-file') };
  const tlsGiven = Object.values(tlsFiles).filter((v) => v !== undefined).length;
  if (tlsGiven !== 0 && tlsGiven !== 3) errors.push('--tls-cert-file, --tls-private-key-file and --client-ca-file go together: give all three or none');
  const hollowText = get('hollow-nodes')!;
  const hollowNodes = Number(hollowText);
  if (!/^\d+$/.test(hollowText) || hollowNodes > 100_000) errors.push(`--hollow-nodes: ${JSON.stringify(hollowText)} is not a whole number up to 100000`);
  const startDelayMs = duration('hollow-start-delay', 0);
  const runForMs = get('hollow-run-for') ? duration('hollow-run-for', 1) : Infinity;
  const exitText = get('hollow-exit-code')!;
  if (!/^\d+$/.test(exitText) || Number(exitText) > 255) errors.push(`--hollow-exit-code: ${JSON.stringify(exitText)} is not an exit code (0-255)`);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      server, token: get('token'), kubeconfig: get('kubeconfig'), nodeName,
      rootDir: path.resolve(get('root-dir') ?? path.join('data', 'kubelet', nodeName)),
      address, nodeIP: nodeIPFlag ?? reachableIP(address, host), clusterCidr: clusterCidr!, serviceCidr: serviceCidr!, port, nodeLabels, maxPods,
      nodeStatusUpdateFrequencyMs, nodeStatusReportFrequencyMs, crashloopBackoffBaseMs, crashloopBackoffMaxMs, containerLogMaxBytes, defaultHostUsers: hostUsersText !== 'false', cgroups: cgroupsText !== 'false', logLevel, podCIDR,
      clusterDNS, clusterDomain, resolvConf: get('resolv-conf')!,
      kubeletAuthToken: get('kubelet-auth-token') || undefined, ...tlsFiles,
      hollowNodes, hollow: { startDelayMs, runForMs, exitCode: Number(exitText) },
    },
  };
}

/** A wildcard listen address is no address the apiserver can dial: report the first external IPv4 instead. */
function reachableIP(address: string, host: HostFacts): string {
  if (address !== '0.0.0.0' && address !== '::') return address;
  for (const infos of Object.values(host.interfaces)) {
    const hit = infos?.find((i) => i.family === 'IPv4' && !i.internal);
    if (hit) return hit.address;
  }
  return '127.0.0.1';
}
