// `--leader-elect`, `--leader-elect-lease-duration`, `--leader-elect-renew-deadline`, `--leader-elect-retry-period`,
// read the same way by podling-apiserver (which embeds the controllers) and podling-controller-manager, with
// kube-controller-manager's defaults (15 s, 10 s, 2 s) and client-go's checks: a leader must give up before its
// lease can expire for the others.
import { parseDuration } from '@podling/api';
import type { LeaderElectionConfig } from './start-controllers.ts';

export const LEADER_ELECTION_DEFAULTS = { leaderElect: 'true', leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '2s' } as const;

/** The four flags as strings (a string `--leader-elect`, so `--leader-elect=false` reads as in Kubernetes). */
export function parseLeaderElectionFlags(v: { leaderElect: string; leaseDuration: string; renewDeadline: string; retryPeriod: string }):
  { config?: LeaderElectionConfig | false; problems: string[] } {
  const problems: string[] = [];
  if (!['true', 'false'].includes(v.leaderElect)) problems.push(`--leader-elect: must be true or false, got ${JSON.stringify(v.leaderElect)}`);
  const dur = (flag: string, text: string): number => {
    try {
      const ms = parseDuration(text);
      if (ms <= 0) problems.push(`--${flag}: must be longer than 0`);
      return ms;
    } catch (e) { problems.push(`--${flag}: ${(e as Error).message}`); return 0; }
  };
  const leaseDurationMs = dur('leader-elect-lease-duration', v.leaseDuration);
  const renewDeadlineMs = dur('leader-elect-renew-deadline', v.renewDeadline);
  const retryPeriodMs = dur('leader-elect-retry-period', v.retryPeriod);
  if (renewDeadlineMs >= leaseDurationMs) problems.push('--leader-elect-renew-deadline: must be less than --leader-elect-lease-duration');
  // client-go: renewDeadline > retryPeriod × JitterFactor (1.2).
  if (retryPeriodMs * 1.2 >= renewDeadlineMs) problems.push('--leader-elect-retry-period: times 1.2 must be less than --leader-elect-renew-deadline');
  if (problems.length) return { problems };
  return { config: v.leaderElect === 'false' ? false : { leaseDurationMs, renewDeadlineMs, retryPeriodMs }, problems };
}
