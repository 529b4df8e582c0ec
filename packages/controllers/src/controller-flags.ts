// The flags of the controllers, declared and read once for both programs that run them: podling-controller-manager,
// and podling-apiserver, which embeds the controllers. Names and defaults are kube-controller-manager's
// (https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/).
import { parseDuration } from '@podling/api';
import { DEFAULT_CONTROLLERS, parseControllerSelection, type ControllerName } from './controller-selection.ts';
import { LEADER_ELECTION_DEFAULTS, parseLeaderElectionFlags } from './leader-election-flags.ts';
import { DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_CIDR_MASK_SIZE, parseNodeCidrFlags, type NodeCidrConfig } from './node-cidr-flags.ts';
import type { LeaderElectionConfig } from './start-controllers.ts';

/** node:util parseArgs declarations; each program adds its own flags beside them. */
export const CONTROLLER_OPTIONS = {
  controllers: { type: 'string', default: DEFAULT_CONTROLLERS },
  'node-monitor-grace-period': { type: 'string', default: '40s' },
  'node-monitor-period': { type: 'string', default: '5s' },
  'pod-eviction-timeout': { type: 'string', default: '5m' },
  'pod-gc-period': { type: 'string', default: '20s' },
  'terminated-pod-gc-threshold': { type: 'string', default: '12500' },
  'cluster-cidr': { type: 'string', default: DEFAULT_CLUSTER_CIDR },
  'node-cidr-mask-size': { type: 'string', default: DEFAULT_NODE_CIDR_MASK_SIZE },
  // A string, so `--leader-elect=false` reads as in Kubernetes (node:util parseArgs has no negatable booleans).
  'leader-elect': { type: 'string', default: LEADER_ELECTION_DEFAULTS.leaderElect },
  'leader-elect-lease-duration': { type: 'string', default: LEADER_ELECTION_DEFAULTS.leaseDuration },
  'leader-elect-renew-deadline': { type: 'string', default: LEADER_ELECTION_DEFAULTS.renewDeadline },
  'leader-elect-retry-period': { type: 'string', default: LEADER_ELECTION_DEFAULTS.retryPeriod },
} as const;

export interface ControllerFlags {
  controllers: Set<ControllerName>;
  nodeMonitorGracePeriodMs: number;
  nodeMonitorPeriodMs: number;
  podEvictionTimeoutMs: number;
  podGcPeriodMs: number;
  terminatedPodGcThreshold: number;
  nodeCidrs: NodeCidrConfig;
  leaderElection: LeaderElectionConfig | false;
}

/** Reads CONTROLLER_OPTIONS' values (`str` of a flag name); what is wrong goes to `problems`, one line per flag. */
export function parseControllerFlags(str: (flag: keyof typeof CONTROLLER_OPTIONS) => string | undefined, problems: string[]): ControllerFlags {
  const dur = (k: keyof typeof CONTROLLER_OPTIONS) => {
    try { return parseDuration(str(k)!); } catch (e) { problems.push(`--${k}: ${(e as Error).message}`); return 0; }
  };
  const threshold = Number(str('terminated-pod-gc-threshold'));
  if (!Number.isInteger(threshold) || threshold < 0) {
    problems.push(`--terminated-pod-gc-threshold: must be an integer >= 0, got ${JSON.stringify(str('terminated-pod-gc-threshold'))}`);
  }
  const selection = parseControllerSelection(str('controllers')!);
  problems.push(...selection.problems);
  const cidrs = parseNodeCidrFlags(str('cluster-cidr')!, str('node-cidr-mask-size')!);
  problems.push(...cidrs.problems);
  const election = parseLeaderElectionFlags({
    leaderElect: str('leader-elect')!, leaseDuration: str('leader-elect-lease-duration')!,
    renewDeadline: str('leader-elect-renew-deadline')!, retryPeriod: str('leader-elect-retry-period')!,
  });
  problems.push(...election.problems);
  return {
    controllers: selection.which,
    nodeMonitorGracePeriodMs: dur('node-monitor-grace-period'),
    nodeMonitorPeriodMs: dur('node-monitor-period'),
    podEvictionTimeoutMs: dur('pod-eviction-timeout'),
    podGcPeriodMs: dur('pod-gc-period'),
    terminatedPodGcThreshold: threshold,
    nodeCidrs: cidrs.config!,
    leaderElection: election.config ?? false,
  };
}
