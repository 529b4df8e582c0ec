// The core/v1 Event printer of kubernetes pkg/printers/internalversion/printers.go (printEvent): what
// `kubectl get events` shows as LAST SEEN, TYPE, REASON, OBJECT, MESSAGE (+ wide columns).
import type { KubeEvent, KubeObject } from '@podling/api';
import { timestampSince } from './human-duration.ts';
import { column, nameColumn, type TablePrinter } from './table-types.ts';

interface EventSeries { count?: number; lastObservedTime?: string }

/** `component, host` with reportingController/reportingInstance as fallbacks; '' when there is no component. */
function eventSource(ev: KubeEvent): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const instance = ev.source?.host || ev.reportingInstance || '';
  if (!component) return '';
  return instance ? `${component}, ${instance}` : component;
}

export const eventPrinter: TablePrinter = {
  columns: [
    column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    column('Object', 'The object that this event is about.'),
    column('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', { priority: 1 }),
    column('Source', 'The component reporting this event. Should be a short machine understandable string.', { priority: 1 }),
    column('Message', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { priority: 1 }),
    column('Count', 'The number of times this event has occurred.', { priority: 1 }),
    nameColumn({ priority: 1 }),
  ],
  row(obj: KubeObject, now: number) {
    const ev = obj as KubeEvent;
    const first = ev.firstTimestamp ? timestampSince(ev.firstTimestamp, now) : timestampSince(ev.eventTime, now);
    let last = ev.lastTimestamp ? timestampSince(ev.lastTimestamp, now) : first;
    let count = ev.count ?? 0;
    const series = ev.series as EventSeries | undefined;
    if (series) {
      last = timestampSince(series.lastObservedTime, now);
      count = series.count ?? 0;
    } else if (count === 0) {
      count = 1; // singleton events of the events.k8s.io API carry no count
    }
    const involved = ev.involvedObject ?? {};
    const kind = (involved.kind ?? '').toLowerCase();
    const target = involved.name ? `${kind}/${involved.name}` : kind;
    return {
      cells: [
        last, ev.type ?? '', ev.reason ?? '', target, involved.fieldPath ?? '', eventSource(ev),
        (ev.message ?? '').trim(), first, count, ev.metadata.name ?? '',
      ],
    };
  },
};
