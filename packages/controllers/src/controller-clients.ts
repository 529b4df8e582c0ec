// The API clients of the controllers, for whoever runs them (podling-controller-manager, the apiserver that embeds
// them). As in Kubernetes, leader election has a client of its own (kube-controller-manager's "leader-election"
// client, cmd/kube-controller-manager/app/controllermanager.go), so a Lease renewal never waits behind the
// controllers' calls, and so does the scheduler (kube-scheduler is a process of its own there), so Bindings never
// wait behind the ReplicaSets' creates.
//
// The controllers' and the scheduler's clients each keep at most CONTROLLER_REQUESTS_IN_FLIGHT calls at the
// apiserver. Without a limit, 30 ReplicaSets each creating a slow-start batch of up to 500 pods put thousands of
// calls in the apiserver's queue at once, and every other client's call waited behind them: at 1,000 nodes and
// 30,000 pods the mutating p99 was ~200 ms, and 90 ms with the limit, at the same pods bound per second. Kubernetes
// bounds the same burst with the clients' rate limits (--kube-api-qps/--kube-api-burst) and the apiserver's
// priority levels (API Priority and Fairness gives workload-high a share of its seats); a bound on calls in flight
// keeps the rate the apiserver can sustain and drops the queue. 64 matches the scheduler's own bound on Bindings.
import { KubeClient, type ClientOptions } from '@podling/client';

export const CONTROLLER_REQUESTS_IN_FLIGHT = 64;

export interface ControllerClients { client: KubeClient; schedulerClient: KubeClient; leaderElectionClient: KubeClient }

export function controllerClients(opts: ClientOptions & { userAgent: string }): ControllerClients {
  return {
    client: new KubeClient({ ...opts, maxRequestsInFlight: CONTROLLER_REQUESTS_IN_FLIGHT }),
    schedulerClient: new KubeClient({ ...opts, userAgent: `${opts.userAgent}/scheduler`, maxRequestsInFlight: CONTROLLER_REQUESTS_IN_FLIGHT }),
    leaderElectionClient: new KubeClient({ ...opts, userAgent: `${opts.userAgent}/leader-election` }),
  };
}
