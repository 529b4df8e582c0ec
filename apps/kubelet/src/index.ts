// @podling/kubelet — the node agent: registers a Node, runs the containers of the pods bound to it as local process
// groups (see container-wrapper.ts), reports their status, serves their logs, and carries out graceful and force
// deletion. It talks to the cluster only through the apiserver (never the database) and keeps its own state under
// its root dir so a restarted agent adopts, rather than orphans, what it started.
export { Kubelet } from './kubelet.ts';
export { parseConfig, type KubeletConfig } from './config.ts';
export { ContainerCgroups } from './container-cgroup.ts';
export { PodNetwork } from './pod-network.ts';
export { NodeMasquerade } from './node-masquerade.ts';
export { NETNS_DIR, SandboxNames } from './sandbox-names.ts';
export { ProxyTable } from './proxy-table.ts';
