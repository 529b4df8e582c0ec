// Deployments (with their rollout's progress), StatefulSets, DaemonSets and Jobs, live. Each table shows the columns
// `kubectl get` prints by default, taken from the apiserver's printers, plus the actions the user may take.
import type { Deployment, KubeObject, StatefulSet } from '@podling/api';
import { daemonSetPrinter, deploymentPrinter, jobPrinter, statefulSetPrinter } from '../../src/kubectl/workload-tables.ts';
import type { TablePrinter } from '../../src/kubectl/table-types.ts';
import { deleteObject, rolloutRestart, scale, type Target } from '../api/actions.ts';
import { useCanI } from '../api/can-i.ts';
import { useListWatch } from '../api/use-list-watch.ts';
import { ApiErrorNote } from '../parts/api-error.tsx';
import { confirm } from '../parts/confirm.tsx';
import { NamespacePicker, useNamespace } from '../parts/namespace-picker.tsx';
import { useNow } from '../parts/route.ts';
import { StatusText } from '../parts/status-text.tsx';

interface Kind { title: string; group: string; resource: string; printer: TablePrinter; scalable: boolean; restartable: boolean }

const KINDS: Kind[] = [
  { title: 'Deployments', group: 'apps', resource: 'deployments', printer: deploymentPrinter, scalable: true, restartable: true },
  { title: 'StatefulSets', group: 'apps', resource: 'statefulsets', printer: statefulSetPrinter, scalable: true, restartable: true },
  { title: 'DaemonSets', group: 'apps', resource: 'daemonsets', printer: daemonSetPrinter, scalable: false, restartable: true },
  { title: 'Jobs', group: 'batch', resource: 'jobs', printer: jobPrinter, scalable: false, restartable: false },
];

/** kubectl rollout status's reading of a Deployment: how far the new template has come and what is left. */
function Rollout({ d }: { d: Deployment }) {
  const want = d.spec?.replicas ?? 0;
  const st = d.status ?? {};
  const updated = st.updatedReplicas ?? 0;
  const available = st.availableReplicas ?? 0;
  const observed = (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
  const progressing = st.conditions?.find((c) => c.type === 'Progressing');
  const done = observed && updated === want && (st.replicas ?? 0) === want && available === want;
  const text = progressing?.reason === 'ProgressDeadlineExceeded' ? 'ProgressDeadlineExceeded'
    : done ? 'Complete' : `${updated} of ${want} updated, ${available} available`;
  const pct = want > 0 ? Math.round((Math.min(updated, available) / want) * 100) : 100;
  return <div class="usage" data-testid="rollout"><StatusText text={text} /><div class="bar"><div style={{ width: `${done ? 100 : pct}%` }} /></div></div>;
}

function KindTable({ kind, namespace }: { kind: Kind; namespace: string }) {
  const list = useListWatch<KubeObject>(`/apis/${kind.group}/v1/${kind.resource}`);
  const now = useNow();
  const ns = namespace || 'default';
  const mayScale = useCanI({ verb: 'patch', group: kind.group, resource: kind.resource, subresource: 'scale', namespace: ns });
  const mayPatch = useCanI({ verb: 'patch', group: kind.group, resource: kind.resource, namespace: ns });
  const mayDelete = useCanI({ verb: 'delete', group: kind.group, resource: kind.resource, namespace: ns });
  const items = [...list.items.values()].filter((o) => !namespace || o.metadata.namespace === namespace)
    .sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  const columns = kind.printer.columns.map((c, i) => ({ c, i })).filter(({ c }) => c.priority === 0);
  const target = (o: KubeObject): Target => ({ group: kind.group, resource: kind.resource, namespace: o.metadata.namespace, name: o.metadata.name! });
  const label = (o: KubeObject) => `${kind.resource.replace(/s$/, '')} ${o.metadata.namespace}/${o.metadata.name}`;
  if (list.synced && items.length === 0 && !list.error) return null;
  return (
    <>
      <h3>{kind.title}</h3>
      <ApiErrorNote error={list.error} />
      <div class="scroll-x"><table class="plain">
        <thead><tr>{!namespace && <th>Namespace</th>}{columns.map(({ c }) => <th key={c.name}>{c.name}</th>)}
          {kind.resource === 'deployments' && <th>Rollout</th>}<th /></tr></thead>
        <tbody>{items.map((o) => {
          const cells = kind.printer.row(o, now).cells;
          return (
            <tr key={`${o.metadata.namespace}/${o.metadata.name}`} data-key={`${o.metadata.namespace}/${o.metadata.name}`}>
              {!namespace && <td>{o.metadata.namespace}</td>}
              {columns.map(({ c, i }) => <td key={c.name}>{String(cells[i])}</td>)}
              {kind.resource === 'deployments' && <td><Rollout d={o as Deployment} /></td>}
              <td class="actions">
                {kind.scalable && mayScale && <button class="small" onClick={() => confirm({
                  title: `Scale ${label(o)}`, confirmLabel: 'Scale',
                  input: { label: 'Replicas', value: String((o as Deployment | StatefulSet).spec?.replicas ?? 0) },
                  run: (v) => scale(target(o), Number(v)),
                })}>Scale</button>}
                {kind.restartable && mayPatch && <button class="small" onClick={() => confirm({
                  title: `Restart ${label(o)}?`, confirmLabel: 'Restart',
                  body: <p>Its pods are replaced by a rolling update (kubectl rollout restart).</p>,
                  run: () => rolloutRestart(target(o)),
                })}>Restart</button>}
                {mayDelete && <button class="small danger" onClick={() => confirm({
                  title: `Delete ${label(o)}?`, confirmLabel: 'Delete', danger: true,
                  body: <p>Its pods are deleted with it (propagation: Background).</p>,
                  run: () => deleteObject(target(o)),
                })}>Delete</button>}
              </td>
            </tr>
          );
        })}</tbody>
      </table></div>
    </>
  );
}

export function WorkloadsView() {
  const [namespace, setNamespace] = useNamespace();
  return (
    <section class="view">
      <div class="toolbar"><NamespacePicker value={namespace} onChange={setNamespace} /></div>
      {KINDS.map((k) => <KindTable key={k.resource} kind={k} namespace={namespace} />)}
      <p class="hint">Workloads appear here once they exist (kubectl create deployment web --image=busybox -- sleep 3600).</p>
    </section>
  );
}
