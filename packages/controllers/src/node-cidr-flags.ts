// `--cluster-cidr` and `--node-cidr-mask-size`, read the same way by podling-apiserver (which embeds the
// controllers) and podling-controller-manager. Kubernetes' defaults for a kubeadm + flannel cluster: 10.244.0.0/16
// cut into /24s, 256 nodes of 254 pod addresses. IPv4 only; the mask difference is capped at 16 bits as in
// k/k cidr_set.go (a bitmap of at most 65536 blocks).
import { parseIpv4Cidr, type Ipv4Cidr } from '@podling/api';

export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
export const DEFAULT_NODE_CIDR_MASK_SIZE = '24';

export interface NodeCidrConfig { clusterCidr: Ipv4Cidr; nodeCidrMaskSize: number }

export function parseNodeCidrFlags(clusterCidr: string, maskSize: string): { config?: NodeCidrConfig; problems: string[] } {
  const problems: string[] = [];
  const cluster = parseIpv4Cidr(clusterCidr);
  if (!cluster) problems.push(`--cluster-cidr: ${JSON.stringify(clusterCidr)} is not an IPv4 network in CIDR notation (e.g. 10.244.0.0/16)`);
  const mask = Number(maskSize);
  if (!/^[0-9]+$/.test(maskSize) || mask > 30) problems.push(`--node-cidr-mask-size: must be an integer <= 30, got ${JSON.stringify(maskSize)}`);
  else if (cluster && (mask < cluster.prefix || mask - cluster.prefix > 16)) {
    problems.push(`--node-cidr-mask-size: must be between the cluster CIDR's mask (/${cluster.prefix}) and 16 bits more, got ${mask}`);
  }
  return { config: problems.length ? undefined : { clusterCidr: cluster!, nodeCidrMaskSize: mask }, problems };
}
