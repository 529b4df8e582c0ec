// The pod's own /etc/hosts, as the kubelet's managedHostsFileContent (k/k pkg/kubelet/kubelet_pods.go): localhost
// lines, the pod's IP with its hostname (FQDN first when spec.subdomain is set), then spec.hostAliases. It is
// bind-mounted over /etc/hosts in each container's mount namespace only: the host's file is never changed.
import type { Pod } from '@podling/api';
import { podHostname } from './pod-paths.ts';

export function podHostsFile(pod: Pod, podIP: string, clusterDomain = 'cluster.local'): string {
  const hostname = podHostname(pod.metadata.name!, pod.spec.hostname);
  const spec = pod.spec as { subdomain?: string; hostAliases?: { ip: string; hostnames?: string[] }[] };
  const names = spec.subdomain ? `${hostname}.${spec.subdomain}.${pod.metadata.namespace}.svc.${clusterDomain}\t${hostname}` : hostname;
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    `${podIP}\t${names}`,
  ];
  const aliases = spec.hostAliases ?? [];
  if (aliases.length > 0) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) if (a.hostnames?.length) lines.push(`${a.ip}\t${a.hostnames.join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}
