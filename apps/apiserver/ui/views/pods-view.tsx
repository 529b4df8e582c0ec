// All pods, live: one cluster-wide list+watch, filtered here by namespace, label selector (the apiserver's own
// parser and matcher) and free text over name, node, IP and STATUS; rendered through the virtual table.
import { useMemo, useState } from 'preact/hooks';
import { labelsMatch, parseLabelSelector, type LabelSelector, type Pod } from '@podling/api';
import { deleteObject } from '../api/actions.ts';
import { useCanI } from '../api/can-i.ts';
import { useListWatch } from '../api/use-list-watch.ts';
import { ApiErrorNote } from '../parts/api-error.tsx';
import { confirm } from '../parts/confirm.tsx';
import { NamespacePicker, useNamespace } from '../parts/namespace-picker.tsx';
import { href, useNow } from '../parts/route.ts';
import { StatusText } from '../parts/status-text.tsx';
import { VirtualTable, type Column } from '../parts/virtual-table.tsx';
import { podRow, podStatus } from './pod-rows.ts';

export function confirmPodDelete(pod: Pod, force: boolean, after?: () => void): void {
  const { namespace, name } = pod.metadata;
  confirm({
    title: `${force ? 'Force delete' : 'Delete'} pod ${name}?`,
    body: force
      ? <p>The pod is removed from the API at once, without waiting for its containers to stop (kubectl delete --force --grace-period=0).</p>
      : <p>The pod gets its grace period ({pod.spec.terminationGracePeriodSeconds ?? 30}s) to stop.</p>,
    confirmLabel: force ? 'Force delete' : 'Delete', danger: true,
    run: async () => { await deleteObject({ group: '', resource: 'pods', namespace, name: name! }, force); after?.(); },
  });
}

function parseSelector(text: string): { selector?: LabelSelector; error?: string } {
  try { return { selector: parseLabelSelector(text) }; } catch (e) { return { error: (e as Error).message }; }
}

export function PodsView() {
  const pods = useListWatch<Pod>('/api/v1/pods');
  const [namespace, setNamespace] = useNamespace();
  const [labels, setLabels] = useState('');
  const [text, setText] = useState('');
  const now = useNow();
  const mayDelete = useCanI({ verb: 'delete', group: '', resource: 'pods', namespace: namespace || 'default' });
  const { selector, error: selectorError } = useMemo(() => parseSelector(labels), [labels]);

  const rows = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const out: Pod[] = [];
    for (const p of pods.items.values()) {
      if (namespace && p.metadata.namespace !== namespace) continue;
      if (selector && !labelsMatch(selector, p.metadata.labels)) continue;
      if (needle && ![p.metadata.name, p.metadata.namespace, p.spec.nodeName, p.status?.podIP, podStatus(p)]
        .some((f) => f?.toLowerCase().includes(needle))) continue;
      out.push(p);
    }
    return out.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  }, [pods.version, namespace, selector, text]);

  const columns: Column<Pod>[] = [
    ...(namespace ? [] : [{ key: 'namespace', title: 'Namespace', width: 90, wide: true, cell: (p: Pod) => p.metadata.namespace }]),
    { key: 'name', title: 'Name', width: 180, cell: (p) => <a href={href('pods', p.metadata.namespace ?? '', p.metadata.name ?? '')}>{p.metadata.name}</a> },
    { key: 'ready', title: 'Ready', width: 50, cell: (p) => podRow(p, now).ready },
    { key: 'status', title: 'Status', width: 110, cell: (p) => <StatusText text={podRow(p, now).status} /> },
    { key: 'restarts', title: 'Restarts', width: 70, cell: (p) => podRow(p, now).restarts },
    { key: 'age', title: 'Age', width: 50, cell: (p) => podRow(p, now).age },
    { key: 'node', title: 'Node', width: 100, wide: true, cell: (p) => podRow(p, now).node },
    { key: 'ip', title: 'IP', width: 100, wide: true, cell: (p) => podRow(p, now).ip },
    ...(mayDelete ? [{
      key: 'actions', title: '', width: 60,
      cell: (p: Pod) => <button class="small danger" onClick={() => confirmPodDelete(p, false)}>Delete</button>,
    }] : []),
  ];

  return (
    <section class="view">
      <div class="toolbar">
        <NamespacePicker value={namespace} onChange={setNamespace} />
        <input type="search" name="labels" placeholder="label selector, e.g. app=web,tier!=db" value={labels}
          class={selectorError ? 'invalid' : ''} title={selectorError} onInput={(e) => setLabels((e.currentTarget as HTMLInputElement).value)} />
        <input type="search" name="text" placeholder="filter text" value={text} onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} />
        <span class="count" data-testid="pod-count">{rows.length} of {pods.items.size} pods</span>
      </div>
      {selectorError && <p class="error">{selectorError}</p>}
      <ApiErrorNote error={pods.error} />
      <VirtualTable rows={rows} columns={columns} rowKey={(p) => `${p.metadata.namespace}/${p.metadata.name}`}
        empty={pods.synced ? 'No pods match.' : 'Loading…'} />
    </section>
  );
}
