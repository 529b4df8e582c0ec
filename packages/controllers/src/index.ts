// @podling/controllers — the control loops of kube-scheduler and kube-controller-manager, strictly as API
// clients: they import only @podling/api and @podling/client (never the store or the apiserver), so the apiserver
// embeds them by default and `podling-controller-manager` runs the same code as its own process. Each controller
// starts its informers in the background (retrying until the apiserver answers) and logs through its own child
// logger. Not here: storage, HTTP serving, admission — the apiserver's business. README.md tells what each does.
export { Scheduler } from './scheduler.ts';
export { NodeLifecycleController } from './node-lifecycle.ts';
export { PodGcController } from './pod-gc.ts';
export { ReplicaSetController, REPLICA_SET, REPLICATION_CONTROLLER } from './replica-set-controller.ts';
export { DeploymentController } from './deployment-controller.ts';
export { JobController } from './job-controller.ts';
export { CronJobController } from './cronjob-controller.ts';
export { TtlAfterFinishedController } from './ttl-after-finished-controller.ts';
export { DaemonSetController } from './daemon-set-controller.ts';
export { StatefulSetController } from './stateful-set-controller.ts';
export { NodeIpamController } from './node-ipam-controller.ts';
export { CidrSet } from './cidr-set.ts';
export { DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_CIDR_MASK_SIZE, parseNodeCidrFlags, type NodeCidrConfig } from './node-cidr-flags.ts';
export { EndpointsController } from './endpoints-controller.ts';
export { EndpointSliceController } from './endpointslice-controller.ts';
export { SharedInformers, type SharedInformer } from './shared-informers.ts';
export { CONTROLLER_OPTIONS, parseControllerFlags, type ControllerFlags } from './controller-flags.ts';
export { LEADER_ELECTION_DEFAULTS, parseLeaderElectionFlags } from './leader-election-flags.ts';
export { LeaderElector, type LeaderElectionOptions, type Lease } from './leader-election.ts';
export { WorkQueue, runWorkers } from './work-queue.ts';
export { Expectations } from './expectations.ts';
export { CONTROLLER_NAMES, DEFAULT_CONTROLLERS, parseControllerSelection, type ControllerName } from './controller-selection.ts';
export { controllerClients, CONTROLLER_REQUESTS_IN_FLIGHT } from './controller-clients.ts';
export { startControllers, type ControllersOptions, type LeaderElectionConfig } from './start-controllers.ts';
