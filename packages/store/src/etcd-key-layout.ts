// Kubernetes' etcd key layout: <prefix>/<resource prefix>/<namespace>/<name>, cluster-scoped objects without the
// namespace segment. The resource prefix is the plural, except for the historic names kube-apiserver still uses
// (k8s.io/kubernetes pkg/registry/*/storage: nodes live under "minions", services under "services/specs", ...), so
// `etcdctl get /registry --prefix --keys-only` reads like a Kubernetes cluster's.
import type { ObjectKey } from './storage.ts';

const SEGMENT: Record<string, string> = {
  nodes: 'minions',
  services: 'services/specs',
  endpoints: 'services/endpoints',
  replicationcontrollers: 'controllers',
  ingresses: 'ingress',
};
const RESOURCE = new Map(Object.entries(SEGMENT).map(([r, s]) => [s, r]));

export class EtcdKeyLayout {
  /** `prefix` without a trailing slash, e.g. "/registry". */
  readonly root: string;

  constructor(prefix: string) {
    this.root = prefix.replace(/\/+$/, '');
  }

  /** Everything this store owns starts with this; a watch or range over it sees every object. */
  get rangePrefix(): string { return this.root + '/'; }

  key(k: ObjectKey): string {
    const seg = SEGMENT[k.resource] ?? k.resource;
    return k.namespace ? `${this.root}/${seg}/${k.namespace}/${k.name}` : `${this.root}/${seg}/${k.name}`;
  }

  /** The object key of an etcd key under the prefix; undefined for keys this layout does not produce. */
  parse(key: string): ObjectKey | undefined {
    if (!key.startsWith(this.rangePrefix)) return undefined;
    const rest = key.slice(this.rangePrefix.length);
    for (const [seg, resource] of RESOURCE) {
      if (seg.includes('/') && rest.startsWith(seg + '/')) return this.split(resource, rest.slice(seg.length + 1));
    }
    const slash = rest.indexOf('/');
    if (slash <= 0) return undefined;
    const seg = rest.slice(0, slash);
    return this.split(RESOURCE.get(seg) ?? seg, rest.slice(slash + 1));
  }

  private split(resource: string, path: string): ObjectKey | undefined {
    const parts = path.split('/');
    if (parts.length === 1 && parts[0]) return { resource, namespace: '', name: parts[0] };
    if (parts.length === 2 && parts[0] && parts[1]) return { resource, namespace: parts[0], name: parts[1] };
    return undefined;
  }
}
