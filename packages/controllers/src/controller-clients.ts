// The API clients of the controllers, for whoever runs them (podling-controller-manager, the apiserver that embeds
// them). As in Kubernetes, leader election has a client of its own (kube-controller-manager's "leader-election"
// client, cmd/kube-controller-manager/app/controllermanager.go), so a Lease renewal never waits behind the
// controllers' calls, and so does the scheduler (kube-scheduler is a process of its own there), so Bindings never
// wait behind the ReplicaSets' creates.
//
// The controllers' and the scheduler's clients each keep at most CONTROLLER_REQUESTS_IN_FLIGHT calls at the
// apiserver. Without a limit, 30 ReplicaSets each creating a slow-start batch of up to 500 pods put thousands of
// calls in the apiserver's queue at once, and every other client's call waited behind them. Kubernetes bounds the
// same burst with the clients' rate limits (--kube-api-qps/--kube-api-burst) and the apiserver's priority levels
// (API Priority and Fairness gives workload-high a share of its seats); a bound on calls in flight keeps the rate
// the apiserver can sustain and drops the queue. Measured at 1,000 nodes and 30,000 pods (bench/scale.ts, runs of
// one evening): mutating p99 170-237 ms without a bound, 90-98 ms with 64 (four runs), 51-83 ms with 32 (six runs,
// 83 in one whose GC ran heavy), the pods bound per second the same within the runs' spread; with 16 they fell
// from ~500 to ~305 (two runs). The scheduler would keep up to 64 Bindings in flight; at 32, half wait in its client.
import { KubeClient, type ClientOptions } from '@podling/client';

export const CONTROLLER_REQUESTS_IN_FLIGHT = 32;

export interface ControllerClients { client: KubeClient; schedulerClient: KubeClient; leaderElectionClient: KubeClient }

export function controllerClients(opts: ClientOptions & { userAgent: string }): ControllerClients {
  return {
    client: new KubeClient({ ...opts, maxRequestsInFlight: CONTROLLER_REQUESTS_IN_FLIGHT }),
    schedulerClient: new KubeClient({ ...opts, userAgent: `${opts.userAgent}/scheduler`, maxRequestsInFlight: CONTROLLER_REQUESTS_IN_FLIGHT }),
    leaderElectionClient: new KubeClient({ ...opts, userAgent: `${opts.userAgent}/leader-election` }),
  };
}
