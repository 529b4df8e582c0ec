// A pod made from a controller's template (k/k pkg/controller/controller_utils.go GetPodFromTemplate): the
// template's labels, annotations, finalizers and spec, `generateName` `<owner>-` (the apiserver adds 5 random
// characters), and a controller reference to the owner.
import type { OwnerReference, Pod } from '@podling/api';
import type { PodTemplate } from './workload-types.ts';

export function podFromTemplate(template: PodTemplate | undefined, namespace: string, ownerName: string, ref: OwnerReference | undefined, extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): Pod {
  const m = template?.metadata ?? {};
  const metadata: Pod['metadata'] = {
    generateName: `${ownerName}-`,
    namespace,
    labels: { ...m.labels, ...extra.labels },
  };
  if (m.annotations || extra.annotations) metadata.annotations = { ...m.annotations, ...extra.annotations };
  if (m.finalizers?.length) metadata.finalizers = [...m.finalizers];
  if (ref) metadata.ownerReferences = [ref];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(template?.spec ?? {}) as Pod['spec'] };
}
