// POST pods/{name}/binding: the only way to set spec.nodeName after creation (kubernetes pod/storage BindingREST).
import { decodeObject, errors, type Binding, type Pod, type PodCondition, rfc3339 } from '@podling/api';
import type { Registry } from './registry.ts';
import { pods } from './pod-strategy.ts';

export async function bindPod(reg: Registry, namespace: string, name: string, raw: unknown): Promise<void> {
  if (raw === undefined || raw === null) throw errors.badRequest('a Binding object is required');
  const { object: binding } = decodeObject<Binding>('Binding', raw, { fieldValidation: 'Ignore' });
  if (binding.metadata?.name && binding.metadata.name !== name) throw errors.badRequest('name in URL does not match name in Binding object');
  if (binding.metadata?.namespace && binding.metadata.namespace !== namespace) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const target = binding.target;
  if (!target?.name) throw errors.invalid('Binding', name, [{ type: 'FieldValueRequired', field: 'target.name', body: 'Required value' }]);
  if (target.kind && target.kind !== 'Node') throw errors.badRequest(`binding target must be a Node, not ${JSON.stringify(target.kind)}`);
  const conflict = (detail: string) => errors.conflict('pods/binding', name, detail);
  await reg.storage.guaranteedUpdate(reg.key(pods, namespace, name), (cur) => {
    const pod = cur.object as Pod; // a fresh parse: ours to change
    if (pod.metadata.deletionTimestamp) throw conflict(`pod ${name} is being deleted, cannot be assigned to a host`);
    if (pod.spec.nodeName) throw conflict(`pod ${name} is already assigned to node ${JSON.stringify(pod.spec.nodeName)}`);
    if (pod.spec.schedulingGates?.length) throw conflict(`pod ${name} has non-empty .spec.schedulingGates`);
    pod.spec.nodeName = target.name;
    const scheduled: PodCondition = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339() };
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    pod.status = { ...(pod.status ?? {}), conditions: [...conditions, scheduled] };
    return pod;
  });
}
