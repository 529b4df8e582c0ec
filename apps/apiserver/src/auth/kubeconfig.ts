// A standard kubeconfig (the format kubectl and client-go read) for one user of one cluster, authenticated by a
// bearer token and trusting the cluster's CA. Several apiservers: `server` comma-separated (see @podling/client's
// clusterServerFields: the first in `server:`, all of them in an extension Podling's clients fail over along).
import { stringify } from 'yaml';
import { clusterServerFields } from '@podling/client';

export interface KubeconfigInput {
  server: string;
  /** The CA certificate in PEM; embedded as certificate-authority-data so the file stands alone. */
  caPem: string;
  user: string;
  token: string;
  /** Cluster and context name; default `podling`. */
  cluster?: string;
}

export function kubeconfigYaml({ server, caPem, user, token, cluster = 'podling' }: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { ...clusterServerFields(server), 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: cluster, context: { cluster, user } }],
    'current-context': cluster,
    preferences: {},
  });
}
