// Which container a pods/log, exec or attach request means, with kube-apiserver's errors (all 400;
// pkg/registry/core/pod/strategy.go validateContainer): no name and several containers →
// `a container name must be specified for pod p, choose one of: [a b]`; an unknown name →
// `container c is not valid for pod p`.
import { errors, isDNS1123Label, type Pod } from '@podling/api';

export function pickContainer(pod: Pod, requested: string | undefined): string {
  const name = pod.metadata.name!;
  const names = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
  let container = requested || undefined;
  if (!container) {
    if (pod.spec.containers.length !== 1) {
      throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${pod.spec.containers.map((c) => c.name).join(' ')}]`);
    }
    container = pod.spec.containers[0].name;
  }
  if (isDNS1123Label(container).length || !names.includes(container)) {
    throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
  }
  return container;
}
