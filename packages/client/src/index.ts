// @podling/client — how Podling components talk to an apiserver: KubeClient (typed REST verbs and NDJSON watch
// streams over HTTP/HTTPS with a bearer token; every non-2xx becomes a StatusError), Informer (list+watch cache
// with add/update/delete handlers, rewatch, relist on 410 and reconnect with backoff), EventRecorder (core/v1 Events
// for the agent and the controllers, deduplicated and rate-limited as client-go's tools/record does), and kubeconfig
// reading and writing. It knows URLs and wire framing, not resource semantics: validation and defaulting live in
// @podling/api.
export * from './types.ts';
export { KubeClient, type RequestOptions } from './kube-client.ts';
export { Informer, type InformerOptions, type InformerHandlers, type InformerLogger } from './informer.ts';
export { EventRecorder, type EventRecorderOptions, type EventTarget, type EventType, type EventYield, type EventLogger } from './event-recorder.ts';
export { loadKubeconfig, buildKubeconfig, clusterServerFields, SERVERS_EXTENSION, type KubeconfigOptions, type KubeconfigSpec } from './kubeconfig.ts';
export { resourcePath } from './resource-path.ts';
export { ServerList, parseServers, serverListProblems, isUnreachable } from './server-list.ts';
export { timerDelay, MAX_TIMER_DELAY_MS } from './timer-delay.ts';
export { KUBELET_NONCE_HEADER, KUBELET_PROOF_HEADER, kubeletProof, isValidKubeletProof, newNonce } from './kubelet-link.ts';
export { TokenBucket } from './token-bucket.ts';
