// Concurrent requests per client class, after kube-apiserver's max-in-flight filter
// (k8s.io/apiserver pkg/server/filters/maxinflight.go): two pools, one for reads (get, list, watch) and one for
// everything else, each capped (--max-requests-inflight 400, --max-mutating-requests-inflight 200; 0 = no cap).
// A request takes its slot once it is authenticated and authorized (a 401 or 403 never counts) and gives it back
// when its response is done or its connection is gone.
//
// Who shares a pool — the rule, chosen to keep the cluster's own machinery working under load:
//   long-running requests (watch, proxy, and the log/exec/attach/portforward subresources)  never counted
//   system:masters (admins, the embedded controllers)       exempt, as the max-in-flight filter exempts them
//   each node (system:node:<name> in system:nodes)           its own pair of pools: one busy or hostile agent
//                                                            cannot starve another node's heartbeat (API
//                                                            Priority and Fairness gives nodes their own level
//                                                            and a flow per user for the same reason)
//   everyone else                                            one shared pair of pools
import { groups, nodeNameOf, type RequestInfo, type UserInfo } from '../auth/index.ts';

/** Kubernetes' BasicLongRunningRequestCheck(["watch", "proxy"], ["attach", "exec", "proxy", "log", "portforward"]). */
const LONG_RUNNING_VERBS = new Set(['watch', 'proxy']);
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);
/** maxinflight.go's nonMutatingRequestVerbs, plus HEAD (a non-resource HEAD keeps its method as verb). */
const READ_VERBS = new Set(['get', 'list', 'watch', 'head']);

export function isLongRunning(info: RequestInfo): boolean {
  return LONG_RUNNING_VERBS.has(info.verb) || (info.isResourceRequest && LONG_RUNNING_SUBRESOURCES.has(info.subresource));
}

/** The pool pair a request counts against; undefined when it is not counted. */
export function flowOf(user: UserInfo | undefined, info: RequestInfo): string | undefined {
  if (isLongRunning(info)) return undefined;
  // No user means no authentication was registered, which only the embedding can arrange: everyone is trusted.
  if (!user || user.groups.includes(groups.masters)) return undefined;
  const node = nodeNameOf(user);
  return node === undefined ? 'others' : `node:${node}`;
}

export interface InflightLimits { maxReadonly: number; maxMutating: number }

export class InflightPools {
  /** flow → [reads, mutations] in flight; an entry goes when both are 0, so node churn does not grow it. */
  private readonly counts = new Map<string, [number, number]>();
  /** Over all flows: reads and mutations in flight, and requests refused. */
  private readonly totals = { readonly: 0, mutating: 0, refused: 0 };

  constructor(private readonly limits: InflightLimits) {}

  /** Takes a slot; returns its release (idempotent), or undefined when the pool is full. */
  acquire(flow: string, verb: string): (() => void) | undefined {
    const i = READ_VERBS.has(verb) ? 0 : 1;
    const max = i === 0 ? this.limits.maxReadonly : this.limits.maxMutating;
    const pair = this.counts.get(flow) ?? [0, 0];
    const total = i === 0 ? 'readonly' : 'mutating';
    if (max > 0 && pair[i] >= max) { this.totals.refused++; return undefined; }
    pair[i]++;
    this.totals[total]++;
    this.counts.set(flow, pair);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      pair[i]--;
      this.totals[total]--;
      if (pair[0] === 0 && pair[1] === 0) this.counts.delete(flow);
    };
  }

  stats(): { readonly: number; mutating: number; refused: number } { return { ...this.totals }; }

  /** Requests in flight of a flow. */
  inFlight(flow: string): { readonly: number; mutating: number } {
    const [readonly, mutating] = this.counts.get(flow) ?? [0, 0];
    return { readonly, mutating };
  }
}
