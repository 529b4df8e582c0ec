// The node proxy's nftables ruleset, in the shape of kube-proxy's nftables mode (k/k pkg/proxy/nftables/proxier.go
// and its README): dispatch maps from (ClusterIP, protocol, port) and (protocol, NodePort) to a chain per service
// port, which picks an endpoint chain at random (`numgen random mod N vmap`), which DNATs. Pure: the same service
// ports and node facts give the same ruleset, so a sync whose result did not change costs no `nft` run.
//
// Where it deliberately differs, because several agents may share one network namespace (test clusters on one
// machine, each agent with its own table): ClusterIP traffic arriving from outside the host (prerouting, forward) is
// dispatched and checked only when it comes from this node's own pod range — another agent's pods are that agent's
// business — and the host's own traffic is checked after DNAT (output hook, priority -90, where kube-proxy checks
// endpoints at -110), so a ClusterIP that any agent's table translated is never refused by another's.
//
// Priorities are numeric: nft 1.0.6 refuses the `dstnat` keyword on the output hook.
import { LOOPBACK_NOTRACK } from './loopback-notrack.ts';
import type { ProxyServicePort } from './proxy-service-ports.ts';

export interface ProxyNodeFacts {
  /** This node's pod range, once known: the sources whose ClusterIP traffic this table dispatches in prerouting. */
  podCIDR?: string;
  /** Every pod range of the cluster: sources outside it (and the pod range) are masqueraded. */
  clusterCIDR: string;
  /** The Service range: addresses in it that no Service holds are refused, so they never leave the node. */
  serviceCIDR: string;
  /** Where NodePorts answer: the node's addresses (loopback never, as in kube-proxy's nftables mode). */
  nodeIPs: string[];
}

export interface ProxyChain { hook?: string; rules: string[] }
export interface ProxySet { spec: string; elements: string[]; /** Kept across syncs (its elements are state). */ dynamic?: boolean }

export interface ProxyRuleset {
  chains: Map<string, ProxyChain>;
  /** Maps and sets, by name: `spec` is the body of their declaration. */
  sets: Map<string, ProxySet & { map?: boolean }>;
}

/** kube-proxy's masquerade bit (its --masquerade-bit 14); flannel's masquerade rules also leave it to kube-proxy. */
export const MASQUERADE_MARK = '0x4000';

const base = (type: string, hook: string, priority: number) => `type ${type} hook ${hook} priority ${priority} ; policy accept ;`;
const portId = (p: ProxyServicePort) => `${p.namespace}/${p.service}/${p.protocol}/${p.portName}`;
const epId = (p: ProxyServicePort, e: { ip: string; port: number }) => `${portId(p)}__${e.ip}/${e.port}`;

export function renderProxyRuleset(node: ProxyNodeFacts, ports: ProxyServicePort[]): ProxyRuleset {
  const chains = new Map<string, ProxyChain>();
  const sets: ProxyRuleset['sets'] = new Map();
  const own = node.podCIDR;
  const nodeIPs = node.nodeIPs.filter((ip) => !ip.startsWith('127.'));
  const local = [...new Set([node.clusterCIDR, ...(own ? [own] : [])])].join(', ');

  const serviceIps: string[] = [];
  const nodePorts: string[] = [];
  const noEndpoint: string[] = [];
  const noEndpointNodePorts: string[] = [];
  const clusterIps = new Set<string>();

  for (const p of ports) {
    clusterIps.add(p.clusterIP);
    const key = `${p.clusterIP} . ${p.protocol} . ${p.port}`;
    if (!p.endpoints.length) {
      noEndpoint.push(`${key} : goto reject-chain`);
      if (p.nodePort) noEndpointNodePorts.push(`${p.protocol} . ${p.nodePort} : goto reject-chain`);
      continue;
    }
    const svc = `service-${portId(p)}`;
    const rules = [`ip daddr ${p.clusterIP} ${p.protocol} dport ${p.port} ip saddr != { ${local} } jump mark-for-masquerade`];
    const picks: string[] = [];
    p.endpoints.forEach((e, i) => {
      const ep = `endpoint-${epId(p, e)}`;
      const affinity = `affinity-${epId(p, e)}`;
      const epRules = [`ip saddr ${e.ip} jump mark-for-masquerade`];
      if (p.affinitySeconds !== undefined) {
        sets.set(affinity, { spec: `type ipv4_addr ; flags dynamic,timeout ; timeout ${p.affinitySeconds}s ;`, elements: [], dynamic: true });
        rules.push(`ip saddr @${affinity} goto ${ep}`);
        epRules.push(`update @${affinity} { ip saddr }`);
      }
      epRules.push(`meta l4proto ${p.protocol} dnat to ${e.ip}:${e.port}`);
      chains.set(ep, { rules: epRules });
      picks.push(`${i} : goto ${ep}`);
    });
    rules.push(`numgen random mod ${p.endpoints.length} vmap { ${picks.join(', ')} }`);
    chains.set(svc, { rules });
    serviceIps.push(`${key} : goto ${svc}`);
    if (p.nodePort) {
      const ext = `external-${portId(p)}`;
      // NodePort clients may be anywhere: the reply must come back through this node (externalTrafficPolicy Cluster).
      chains.set(ext, { rules: ['jump mark-for-masquerade', `goto ${svc}`] });
      nodePorts.push(`${p.protocol} . ${p.nodePort} : goto ${ext}`);
    }
  }

  const vmapOf = (type: string, elements: string[]) => ({ spec: `type ${type} : verdict ;`, elements, map: true });
  sets.set('service-ips', vmapOf('ipv4_addr . inet_proto . inet_service', serviceIps));
  sets.set('service-nodeports', vmapOf('inet_proto . inet_service', nodePorts));
  sets.set('no-endpoint-services', vmapOf('ipv4_addr . inet_proto . inet_service', noEndpoint));
  sets.set('no-endpoint-nodeports', vmapOf('inet_proto . inet_service', noEndpointNodePorts));
  sets.set('cluster-ips', { spec: 'type ipv4_addr ;', elements: [...clusterIps] });
  sets.set('nodeport-ips', { spec: 'type ipv4_addr ;', elements: nodeIPs });

  const fromOwnPods = own ? `ip saddr ${own} ` : undefined;
  const hooks = new Map<string, ProxyChain>([
    ['nat-prerouting', { hook: base('nat', 'prerouting', -100), rules: [...(fromOwnPods ? [`${fromOwnPods}jump services`] : []), 'jump nodeports'] }],
    ['nat-output', { hook: base('nat', 'output', -100), rules: ['jump services', 'jump nodeports'] }],
    ['nat-postrouting', { hook: base('nat', 'postrouting', 100), rules: ['jump masquerading'] }],
    ['filter-input', { hook: base('filter', 'input', -110), rules: ['ct state new jump nodeport-endpoints-check'] }],
    ['filter-forward', { hook: base('filter', 'forward', -110), rules: fromOwnPods
      ? [`${fromOwnPods}ct state new jump service-endpoints-check`, `${fromOwnPods}ct state new jump cluster-ips-check`] : [] }],
    ['filter-output', { hook: base('filter', 'output', -90), rules: ['ct state new jump service-endpoints-check', 'ct state new jump cluster-ips-check'] }],
    [LOOPBACK_NOTRACK.name, { hook: LOOPBACK_NOTRACK.hook, rules: [LOOPBACK_NOTRACK.rule] }],
    ['services', { rules: ['ip daddr . meta l4proto . th dport vmap @service-ips'] }],
    ['nodeports', { rules: ['ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports'] }],
    ['service-endpoints-check', { rules: ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services'] }],
    ['nodeport-endpoints-check', { rules: ['ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports'] }],
    // A known ClusterIP on a port it does not serve, or a service-range address no Service holds: refused here.
    ['cluster-ips-check', { rules: ['ip daddr @cluster-ips reject', `ip daddr ${node.serviceCIDR} reject`] }],
    ['reject-chain', { rules: ['reject'] }],
    ['mark-for-masquerade', { rules: [`meta mark set meta mark or ${MASQUERADE_MARK}`] }],
    ['masquerading', { rules: [`meta mark & ${MASQUERADE_MARK} == 0 return`, `meta mark set meta mark xor ${MASQUERADE_MARK}`, 'masquerade fully-random'] }],
  ]);
  return { chains: new Map([...hooks, ...chains]), sets };
}
