// @podling/testkit — helpers for tests and benchmarks that start the real thing: apiserver and kubelet processes,
// temp dirs, and condition polling. Never imported by production code.
export * from './wait-for.ts';
export * from './process.ts';
export * from './cluster.ts';
export { leasePodCidr } from './pod-cidr-lease.ts';
export * from './pod-processes.ts';
export * from './hollow-nodes.ts';
export * from './free-port.ts';
export * from './etcd-cluster.ts';
export * from './proc-stats.ts';
