// @podling/cluster-dns — the cluster's DNS server (the kube-dns/CoreDNS role): it answers the cluster zone as the
// Kubernetes DNS spec asks (Services, headless endpoints, StatefulSet pod names, SRV, PTR) from informers over
// Services and EndpointSlices, and forwards every other name to the host's resolvers. Strictly an API client (it
// imports @podling/api and @podling/client only), so the apiserver embeds it and `podling-cluster-dns` runs it alone.
// Not here: the kube-dns Service and its endpoints (the apiserver keeps them), pods' resolv.conf (the kubelet).
export { clusterAnswer, DNS_TTL, SCHEMA_VERSION, type ZoneAnswer } from './cluster-answer.ts';
export { ClusterView, type ReadyEndpoint } from './cluster-view.ts';
export { DnsForwarder, parseUpstream, type Upstream } from './dns-forwarder.ts';
export { DnsServer, type DnsResolver } from './dns-server.ts';
export { startClusterDns, type ClusterDnsOptions, type RunningClusterDns } from './cluster-dns.ts';
export { hostUpstreams } from './host-upstreams.ts';
export { bindUdpAndTcp, type UdpTcpPort } from './udp-tcp-port.ts';
