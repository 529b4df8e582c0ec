// Events as they happen, newest first, warnings highlighted; the columns of `kubectl get events` from the
// apiserver's event printer.
import type { KubeEvent } from '@podling/api';
import { useMemo } from 'preact/hooks';
import { eventPrinter } from '../../src/kubectl/event-table.ts';
import { useListWatch } from '../api/use-list-watch.ts';
import { ApiErrorNote } from '../parts/api-error.tsx';
import { NamespacePicker, useNamespace } from '../parts/namespace-picker.tsx';
import { useNow } from '../parts/route.ts';
import { VirtualTable, type Column } from '../parts/virtual-table.tsx';

const lastSeen = (e: KubeEvent) => e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '';

export function EventsView() {
  const events = useListWatch<KubeEvent>('/api/v1/events');
  const [namespace, setNamespace] = useNamespace();
  const now = useNow();
  const rows = useMemo(() => [...events.items.values()]
    .filter((e) => !namespace || e.metadata.namespace === namespace)
    .sort((a, b) => lastSeen(b).localeCompare(lastSeen(a))), [events.version, namespace]);
  const cell = (i: number) => (e: KubeEvent) => String(eventPrinter.row(e, now).cells[i]);
  const columns: Column<KubeEvent>[] = [
    { key: 'last', title: 'Last seen', width: 60, cell: cell(0) },
    { key: 'type', title: 'Type', width: 70, cell: cell(1) },
    { key: 'namespace', title: 'Namespace', width: 90, wide: true, cell: (e) => e.metadata.namespace },
    { key: 'reason', title: 'Reason', width: 110, cell: cell(2) },
    { key: 'object', title: 'Object', width: 160, wide: true, cell: cell(3) },
    { key: 'message', title: 'Message', width: 300, cell: cell(6) },
  ];
  return (
    <section class="view">
      <div class="toolbar"><NamespacePicker value={namespace} onChange={setNamespace} />
        <span class="count">{rows.length} events</span></div>
      <ApiErrorNote error={events.error} />
      <VirtualTable rows={rows} columns={columns} rowKey={(e) => `${e.metadata.namespace}/${e.metadata.name}`}
        rowClass={(e) => (e.type === 'Warning' ? 'warning' : '')} empty={events.synced ? 'No events.' : 'Loading…'} />
    </section>
  );
}
