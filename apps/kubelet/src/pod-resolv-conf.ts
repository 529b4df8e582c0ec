// The pod's own /etc/resolv.conf, decided as the kubelet's DNS configurer does (k/k pkg/kubelet/network/dns/dns.go):
//   dnsPolicy None                       → only spec.dnsConfig;
//   ClusterFirst (not hostNetwork),
//   ClusterFirstWithHostNet              → the cluster DNS servers, `search <ns>.svc.<domain> svc.<domain> <domain>`
//                                          + the host's search domains, `options ndots:5`;
//   Default, ClusterFirst on hostNetwork → the host's file (the kubelet's --resolv-conf);
// then spec.dnsConfig is appended (duplicates dropped, options merged by name) and the result cut to the resolver's
// limits (3 nameservers, 32 search domains of at most 253 chars, a search line of at most 2048 chars), each cut
// reported as a DNSConfigForming warning. Without a cluster DNS server ClusterFirst falls back to Default with a
// MissingClusterDNS warning. Pure: the host's file comes in as text.
import type { Pod } from '@podling/api';

export interface ResolvConf { nameservers: string[]; searches: string[]; options: string[] }

export interface PodDnsSettings {
  /** The kubelet's --cluster-dns: the cluster DNS server addresses ([] = none configured). */
  clusterDNS: string[];
  /** The kubelet's --cluster-domain (cluster.local). */
  clusterDomain: string;
}

export interface PodDnsWarning { reason: 'MissingClusterDNS' | 'DNSConfigForming'; message: string }

interface PodDnsConfigSpec { nameservers?: string[]; searches?: string[]; options?: { name?: string; value?: string }[] }

const MAX_NAMESERVERS = 3;
const MAX_SEARCH_PATHS = 32;
const MAX_SEARCH_LINE_CHARS = 2048;
const MAX_SEARCH_PATH_CHARS = 253;

/** nameserver lines accumulate; the last search and options lines win; search domains lose a trailing dot. */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const fields = line.trim().startsWith('#') ? [] : line.trim().split(/\s+/).filter(Boolean);
    if (fields[0] === 'nameserver' && fields[1]) conf.nameservers.push(fields[1]);
    if (fields[0] === 'search') conf.searches = fields.slice(1).map((s) => s.replace(/\.$/, ''));
    if (fields[0] === 'options') conf.options = fields.slice(1);
  }
  return conf;
}

/** In containerd's order: search, nameservers, options. */
export function formatResolvConf(c: ResolvConf): string {
  const lines: string[] = [];
  if (c.searches.length) lines.push(`search ${c.searches.join(' ')}`);
  for (const ns of c.nameservers) lines.push(`nameserver ${ns}`);
  if (c.options.length) lines.push(`options ${c.options.join(' ')}`);
  return lines.map((l) => `${l}\n`).join('');
}

export function podResolvConf(pod: Pod, settings: PodDnsSettings, host: ResolvConf): { conf: ResolvConf; warnings: PodDnsWarning[] } {
  const warnings: PodDnsWarning[] = [];
  const spec = pod.spec as { dnsPolicy?: string; hostNetwork?: boolean; dnsConfig?: PodDnsConfigSpec };
  const policy = spec.dnsPolicy ?? 'ClusterFirst';
  let kind: 'cluster' | 'host' | 'none' = policy === 'None' ? 'none'
    : policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !spec.hostNetwork) ? 'cluster' : 'host';
  if (kind === 'cluster' && settings.clusterDNS.length === 0) {
    warnings.push({ reason: 'MissingClusterDNS', message: `pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.` });
    kind = 'host';
  }
  let conf: ResolvConf = kind === 'none' ? { nameservers: [], searches: [], options: [] }
    : kind === 'host' ? structuredClone(host)
      : { nameservers: [...settings.clusterDNS], searches: clusterSearches(pod.metadata.namespace!, settings.clusterDomain, host.searches), options: ['ndots:5'] };
  if (spec.dnsConfig) {
    conf = {
      nameservers: unique([...conf.nameservers, ...(spec.dnsConfig.nameservers ?? [])]),
      searches: unique([...conf.searches, ...(spec.dnsConfig.searches ?? [])]),
      options: mergeOptions(conf.options, spec.dnsConfig.options ?? []),
    };
  }
  if (conf.nameservers.length > MAX_NAMESERVERS) {
    conf.nameservers = conf.nameservers.slice(0, MAX_NAMESERVERS);
    warnings.push({ reason: 'DNSConfigForming', message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${conf.nameservers.join(' ')}` });
  }
  const searches = fitSearches(conf.searches);
  if (searches.length !== conf.searches.length) {
    warnings.push({ reason: 'DNSConfigForming', message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${searches.join(' ')}` });
  }
  conf.searches = searches;
  return { conf, warnings };
}

function clusterSearches(namespace: string, domain: string, hostSearches: string[]): string[] {
  if (!domain) return hostSearches;
  return unique([`${namespace}.svc.${domain}`, `svc.${domain}`, domain, ...hostSearches]);
}

function fitSearches(all: string[]): string[] {
  const kept = all.slice(0, MAX_SEARCH_PATHS).filter((s) => s.length <= MAX_SEARCH_PATH_CHARS);
  while (kept.join(' ').length > MAX_SEARCH_LINE_CHARS) kept.pop();
  return kept;
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

/** dnsConfig options replace same-named ones; an option without a value is written bare. */
function mergeOptions(existing: string[], extra: { name?: string; value?: string }[]): string[] {
  const byName = new Map<string, string>();
  for (const op of existing) {
    const i = op.indexOf(':');
    byName.set(i < 0 ? op : op.slice(0, i), i < 0 ? '' : op.slice(i + 1));
  }
  for (const op of extra) if (op.name) byName.set(op.name, op.value ?? '');
  return [...byName].map(([k, v]) => (v ? `${k}:${v}` : k));
}
