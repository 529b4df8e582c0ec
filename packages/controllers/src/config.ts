// Flags of podling-controller-manager, each with a PODLING_<FLAG> environment twin (the flag wins). Every problem
// is reported at once; main.ts prints them and exits 2. Only this module and main.ts read process.env.
import { parseArgs } from 'node:util';
import { parseDuration } from '@podling/api';
import { serverListProblems } from '@podling/client';
import { LEADER_ELECTION_DEFAULTS, parseLeaderElectionFlags } from './leader-election-flags.ts';
import type { LeaderElectionConfig } from './start-controllers.ts';
import { DEFAULT_CONTROLLERS, parseControllerSelection, type ControllerName } from './controller-selection.ts';
import { DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_CIDR_MASK_SIZE, parseNodeCidrFlags, type NodeCidrConfig } from './node-cidr-flags.ts';

export interface ControllerManagerConfig {
  server: string;
  token?: string;
  kubeconfig?: string;
  insecureSkipTlsVerify: boolean;
  controllers: Set<ControllerName>;
  nodeMonitorGracePeriodMs: number;
  nodeMonitorPeriodMs: number;
  podEvictionTimeoutMs: number;
  podGcPeriodMs: number;
  terminatedPodGcThreshold: number;
  nodeCidrs: NodeCidrConfig;
  logLevel: string;
  /** false: run the controllers without a Lease. */
  leaderElection: LeaderElectionConfig | false;
}

const options = {
  server: { type: 'string', default: 'http://127.0.0.1:8080' },
  token: { type: 'string' },
  kubeconfig: { type: 'string' },
  'insecure-skip-tls-verify': { type: 'boolean', default: false },
  controllers: { type: 'string', default: DEFAULT_CONTROLLERS },
  'node-monitor-grace-period': { type: 'string', default: '40s' },
  'node-monitor-period': { type: 'string', default: '5s' },
  'pod-eviction-timeout': { type: 'string', default: '5m' },
  'pod-gc-period': { type: 'string', default: '20s' },
  'terminated-pod-gc-threshold': { type: 'string', default: '12500' },
  'cluster-cidr': { type: 'string', default: DEFAULT_CLUSTER_CIDR },
  'node-cidr-mask-size': { type: 'string', default: DEFAULT_NODE_CIDR_MASK_SIZE },
  'log-level': { type: 'string', default: 'info' },
  // A string, so `--leader-elect=false` reads as in Kubernetes (node:util parseArgs has no negatable booleans).
  'leader-elect': { type: 'string', default: LEADER_ELECTION_DEFAULTS.leaderElect },
  'leader-elect-lease-duration': { type: 'string', default: LEADER_ELECTION_DEFAULTS.leaseDuration },
  'leader-elect-renew-deadline': { type: 'string', default: LEADER_ELECTION_DEFAULTS.renewDeadline },
  'leader-elect-retry-period': { type: 'string', default: LEADER_ELECTION_DEFAULTS.retryPeriod },
  help: { type: 'boolean', default: false },
} as const;

const envName = (flag: string): string => `PODLING_${flag.toUpperCase().replace(/-/g, '_')}`;

export function usage(): string {
  return 'Usage: podling-controller-manager --server URL [--token T | --kubeconfig FILE] [flags]\n' + Object.entries(options)
    .map(([k, o]) => `  --${k}${o.type === 'string' ? ' VALUE' : ''}${'default' in o ? `  (default ${JSON.stringify(o.default)})` : ''}   env ${envName(k)}`)
    .join('\n');
}

export function parseConfig(argv: string[], env: Record<string, string | undefined>): { config?: ControllerManagerConfig; problems: string[]; help: boolean } {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    return { problems: [(e as Error).message], help: false };
  }
  const problems: string[] = [];
  const explicit = new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]));
  for (const [k, o] of Object.entries(options)) {
    const ev = env[envName(k)];
    if (ev !== undefined && !explicit.has(k)) values[k] = o.type === 'boolean' ? ev === 'true' || ev === '1' : ev;
  }
  const str = (k: keyof typeof options) => values[k] as string | undefined;
  const dur = (k: keyof typeof options) => {
    try { return parseDuration(str(k)!); } catch (e) { problems.push(`--${k}: ${(e as Error).message}`); return 0; }
  };
  const server = str('server')!;
  problems.push(...serverListProblems('--server', server));
  const threshold = Number(str('terminated-pod-gc-threshold'));
  if (!Number.isInteger(threshold) || threshold < 0) problems.push(`--terminated-pod-gc-threshold: must be an integer >= 0, got ${JSON.stringify(str('terminated-pod-gc-threshold'))}`);
  const election = parseLeaderElectionFlags({
    leaderElect: str('leader-elect')!, leaseDuration: str('leader-elect-lease-duration')!,
    renewDeadline: str('leader-elect-renew-deadline')!, retryPeriod: str('leader-elect-retry-period')!,
  });
  problems.push(...election.problems);
  const selection = parseControllerSelection(str('controllers')!);
  problems.push(...selection.problems);
  const cidrs = parseNodeCidrFlags(str('cluster-cidr')!, str('node-cidr-mask-size')!);
  problems.push(...cidrs.problems);
  const config: ControllerManagerConfig = {
    server, token: str('token'), kubeconfig: str('kubeconfig'), insecureSkipTlsVerify: values['insecure-skip-tls-verify'] === true,
    controllers: selection.which,
    nodeMonitorGracePeriodMs: dur('node-monitor-grace-period'),
    nodeMonitorPeriodMs: dur('node-monitor-period'),
    podEvictionTimeoutMs: dur('pod-eviction-timeout'),
    podGcPeriodMs: dur('pod-gc-period'),
    terminatedPodGcThreshold: threshold,
    nodeCidrs: cidrs.config!,
    logLevel: str('log-level')!,
    leaderElection: election.config ?? false,
  };
  return { config: problems.length ? undefined : config, problems, help: values.help === true };
}
