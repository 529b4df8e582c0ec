// One pod: its kubectl row, containers, conditions, events and log, all live from the shared pod watch and the
// namespace's event watch.
import type { KubeEvent, Pod } from '@podling/api';
import { useCanI } from '../api/can-i.ts';
import { useListWatch } from '../api/use-list-watch.ts';
import { ApiErrorNote } from '../parts/api-error.tsx';
import { PodLog } from '../parts/pod-log.tsx';
import { href, useNow } from '../parts/route.ts';
import { StatusText } from '../parts/status-text.tsx';
import { timestampSince } from '../../src/kubectl/human-duration.ts';
import { confirmPodDelete } from './pods-view.tsx';
import { podRow } from './pod-rows.ts';

type ContainerState = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number]['state'] | undefined;

function stateText(s: ContainerState): string {
  if (s?.running) return 'Running';
  if (s?.terminated) return `Terminated: ${s.terminated.reason ?? ''} (exit ${s.terminated.exitCode})`;
  if (s?.waiting) return `Waiting: ${s.waiting.reason ?? ''}`;
  return '';
}

export function PodPage({ namespace, name }: { namespace: string; name: string }) {
  const pods = useListWatch<Pod>('/api/v1/pods');
  const events = useListWatch<KubeEvent>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/events`);
  const now = useNow(2000);
  const mayDelete = useCanI({ verb: 'delete', group: '', resource: 'pods', namespace });
  const pod = pods.items.get(`${namespace}/${name}`);
  if (!pod) {
    return (
      <section class="view">
        <p><a href={href('pods')}>← pods</a></p>
        <ApiErrorNote error={pods.error} />
        <p class="empty" data-testid="pod-gone">{pods.synced ? `Pod ${namespace}/${name} does not exist (any more).` : 'Loading…'}</p>
      </section>
    );
  }
  const row = podRow(pod, now);
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const podEvents = [...events.items.values()]
    .filter((e) => e.involvedObject?.kind === 'Pod' && e.involvedObject.name === name)
    .sort((a, b) => (b.lastTimestamp ?? b.eventTime ?? '').localeCompare(a.lastTimestamp ?? a.eventTime ?? ''));
  return (
    <section class="view pod-page">
      <p><a href={href('pods')}>← pods</a></p>
      <header class="pod-header">
        <h2>{namespace}/{name}</h2>
        <span data-testid="pod-status"><StatusText text={row.status} /></span>
        {mayDelete && <>
          <button class="danger" onClick={() => confirmPodDelete(pod, false)}>Delete</button>
          <button class="danger" onClick={() => confirmPodDelete(pod, true)}>Force delete</button>
        </>}
      </header>
      <dl class="facts">
        <dt>Ready</dt><dd>{row.ready}</dd><dt>Restarts</dt><dd>{row.restarts}</dd><dt>Age</dt><dd>{row.age}</dd>
        <dt>Node</dt><dd>{row.node}</dd><dt>Pod IP</dt><dd>{row.ip}</dd>
      </dl>
      <h3>Containers</h3>
      <table class="plain">
        <thead><tr><th>Name</th><th>Image</th><th>State</th><th>Ready</th><th>Restarts</th></tr></thead>
        <tbody>{(pod.spec.containers ?? []).map((c) => {
          const s = statuses.get(c.name);
          return <tr key={c.name}><td>{c.name}</td><td>{c.image}</td><td>{stateText(s?.state)}</td><td>{String(s?.ready ?? false)}</td><td>{s?.restartCount ?? 0}</td></tr>;
        })}</tbody>
      </table>
      <h3>Conditions</h3>
      <table class="plain">
        <thead><tr><th>Type</th><th>Status</th><th>Reason</th><th>Since</th></tr></thead>
        <tbody>{(pod.status?.conditions ?? []).map((c) => (
          <tr key={c.type}><td>{c.type}</td><td>{c.status}</td><td>{c.reason ?? ''}</td><td>{timestampSince(c.lastTransitionTime, now)}</td></tr>
        ))}</tbody>
      </table>
      <h3>Events</h3>
      {podEvents.length === 0 ? <p class="empty">No events.</p> : (
        <table class="plain">
          <thead><tr><th>Last seen</th><th>Type</th><th>Reason</th><th>Message</th></tr></thead>
          <tbody>{podEvents.map((e) => (
            <tr key={e.metadata.name} class={e.type === 'Warning' ? 'warning' : ''}>
              <td>{timestampSince(e.lastTimestamp ?? e.eventTime, now)}</td><td>{e.type}</td><td>{e.reason}</td><td>{e.message}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      <h3>Log</h3>
      <PodLog pod={pod} />
    </section>
  );
}
