// core/v1 Events: written by the scheduler and agents, read by `kubectl describe`; expired by the event TTL.
import { isDNS1123Subdomain, validateEvent, validateObjectMetaUpdate, type KubeEvent } from '@podling/api';
import { eventPrinter } from '../kubectl/event-table.ts';
import { defineResource } from './resource.ts';

export const events = defineResource<KubeEvent>({
  group: '', version: 'v1', kind: 'Event', resource: 'events', singular: 'event', namespaced: true, shortNames: ['ev'],
  strategy: {
    nameValidator: isDNS1123Subdomain,
    tracksGeneration: false,
    returnsDeletedObject: false,
    prepareForCreate() {},
    validate: (ev) => validateEvent(ev),
    prepareForUpdate() {},
    validateUpdate: (ev, old) => [...validateObjectMetaUpdate(ev.metadata, old.metadata), ...validateEvent(ev)],
  },
  printer: eventPrinter,
});
