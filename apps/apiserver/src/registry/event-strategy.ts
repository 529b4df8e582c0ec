// core/v1 Events: written by the scheduler and agents, read by `kubectl describe`; expired by the event TTL.
import { isDNS1123Subdomain, validateEvent, validateObjectMetaUpdate, type KubeEvent } from '@podling/api';
import type { Strategy } from './strategy.ts';

export const eventStrategy: Strategy<KubeEvent> = {
  resource: 'events', apiVersion: 'v1', kind: 'Event', listKind: 'EventList', namespaced: true, singular: 'event',
  nameValidator: isDNS1123Subdomain,
  tracksGeneration: false,
  returnsDeletedObject: false,
  prepareForCreate() {},
  validate: (ev) => validateEvent(ev),
  prepareForUpdate() {},
  validateUpdate: (ev, old) => [...validateObjectMetaUpdate(ev.metadata, old.metadata), ...validateEvent(ev)],
};
