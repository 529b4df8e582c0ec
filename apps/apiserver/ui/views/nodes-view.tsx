// Nodes and their health: STATUS as kubectl prints it, what the scheduler has handed out (the pods' requests, the
// scheduler's own arithmetic from controllers/resources.ts) against capacity, pod count, and the last heartbeat —
// the newer of the node Lease's renewTime and the Ready condition's lastHeartbeatTime.
import { formatCpu, parseQuantity, type KubeObject, type Node, type Pod } from '@podling/api';
import { useMemo } from 'preact/hooks';
import { nodeStatusText } from '../../src/kubectl/node-table.ts';
import { timestampSince } from '../../src/kubectl/human-duration.ts';
import { podRequests, type Resources } from '../../../../packages/controllers/src/resources.ts';
import { setUnschedulable } from '../api/actions.ts';
import { useCanI } from '../api/can-i.ts';
import { useListWatch } from '../api/use-list-watch.ts';
import { ApiErrorNote } from '../parts/api-error.tsx';
import { confirm } from '../parts/confirm.tsx';
import { useNow } from '../parts/route.ts';
import { StatusText } from '../parts/status-text.tsx';

type Lease = KubeObject & { spec?: { renewTime?: string } };

const terminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

function quantity(q: string | undefined): number {
  try { return q === undefined ? 0 : parseQuantity(q); } catch { return 0; }
}

/** Bytes for reading, not for a manifest: 320Mi, 23.5Gi (formatMemory's exact forms read badly for capacities). */
function memory(bytes: number): string {
  const units = ['Ki', 'Mi', 'Gi', 'Ti'];
  let v = bytes;
  let unit = '';
  for (const u of units) { if (v < 1024) break; v /= 1024; unit = u; }
  return `${Number.isInteger(v) ? v : v.toFixed(1)}${unit}`;
}

function Usage({ used, total, text }: { used: number; total: number; text: string }) {
  const pct = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
  return <div class="usage" title={`${pct}%`}><span>{text}</span><div class="bar"><div style={{ width: `${pct}%` }} /></div></div>;
}

export function NodesView() {
  const nodes = useListWatch<Node>('/api/v1/nodes');
  const pods = useListWatch<Pod>('/api/v1/pods');
  const leases = useListWatch<Lease>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases');
  const mayPatch = useCanI({ verb: 'patch', group: '', resource: 'nodes' });
  const now = useNow();
  const perNode = useMemo(() => {
    const m = new Map<string, { pods: number; req: Resources }>();
    for (const p of pods.items.values()) {
      const n = p.spec.nodeName;
      if (!n || terminal(p)) continue;
      const e = m.get(n) ?? { pods: 0, req: { milliCpu: 0, memory: 0 } };
      const r = podRequests(p);
      m.set(n, { pods: e.pods + 1, req: { milliCpu: e.req.milliCpu + r.milliCpu, memory: e.req.memory + r.memory } });
    }
    return m;
  }, [pods.version]);
  const list = [...nodes.items.values()].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));

  const cordon = (node: Node) => {
    const name = node.metadata.name!;
    const un = !!node.spec?.unschedulable;
    confirm({
      title: `${un ? 'Uncordon' : 'Cordon'} node ${name}?`,
      body: <p>{un ? 'New pods may be scheduled to this node again.' : 'No new pods are scheduled to this node; running pods stay.'}</p>,
      confirmLabel: un ? 'Uncordon' : 'Cordon',
      run: () => setUnschedulable(name, !un),
    });
  };

  return (
    <section class="view">
      <ApiErrorNote error={nodes.error} />
      {nodes.synced && list.length === 0 && <p class="empty">No nodes have registered. Start an agent (npm start starts one).</p>}
      <div class="cards">
        {list.map((node) => {
          const name = node.metadata.name ?? '';
          const use = perNode.get(name) ?? { pods: 0, req: { milliCpu: 0, memory: 0 } };
          const cap = node.status?.capacity ?? {};
          const cpu = quantity(cap.cpu);
          const mem = quantity(cap.memory);
          const maxPods = quantity(node.status?.allocatable?.pods ?? cap.pods);
          const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
          const renew = leases.items.get(`kube-node-lease/${name}`)?.spec?.renewTime;
          const beat = [renew, ready?.lastHeartbeatTime].filter(Boolean).sort().pop();
          const status = nodeStatusText(node);
          return (
            <article class="card" key={name} data-node={name}>
              <header><h3>{name}</h3><span data-testid="node-status"><StatusText text={status.split(',')[0]} /></span>
                {node.spec?.unschedulable && <span class="status pending" data-testid="cordoned">cordoned</span>}</header>
              <dl>
                <dt>CPU</dt><dd><Usage used={use.req.milliCpu / 1000} total={cpu} text={`${formatCpu(use.req.milliCpu / 1000)} / ${formatCpu(cpu)}`} /></dd>
                <dt>Memory</dt><dd><Usage used={use.req.memory} total={mem} text={`${memory(use.req.memory)} / ${memory(mem)}`} /></dd>
                <dt>Pods</dt><dd><Usage used={use.pods} total={maxPods} text={`${use.pods} / ${maxPods}`} /></dd>
                <dt>Heartbeat</dt><dd data-testid="heartbeat">{beat ? `${timestampSince(beat, now)} ago` : 'never'}</dd>
                <dt>Version</dt><dd>{node.status?.nodeInfo?.kubeletVersion ?? ''}</dd>
                <dt>Address</dt><dd>{node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? ''}</dd>
              </dl>
              {mayPatch && <button onClick={() => cordon(node)}>{node.spec?.unschedulable ? 'Uncordon' : 'Cordon'}</button>}
            </article>
          );
        })}
      </div>
    </section>
  );
}
