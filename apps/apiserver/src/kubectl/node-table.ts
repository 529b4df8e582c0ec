// The Node printer of kubernetes pkg/printers/internalversion/printers.go (printNode): STATUS from the Ready
// condition plus SchedulingDisabled, ROLES from node-role labels, VERSION from nodeInfo, and the wide columns.
import type { KubeObject, Node } from '@podling/api';
import { timestampSince } from './human-duration.ts';
import { ageColumn, column, nameColumn, type TablePrinter } from './table-types.ts';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** `Ready`, `NotReady` (False or Unknown), or `Unknown` when the node never reported; `,SchedulingDisabled` if cordoned. */
export function nodeStatusText(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

/** Sorted, de-duplicated roles from `node-role.kubernetes.io/<role>` keys and the legacy `kubernetes.io/role` value. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === ROLE_LABEL && v) roles.add(v);
  }
  return [...roles].sort();
}

const address = (node: Node, type: string) => node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';

export const nodePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    ageColumn(),
    column('Version', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'List of addresses reachable to the node.', { priority: 1 }),
    column('External-IP', 'List of addresses reachable to the node.', { priority: 1 }),
    column('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { priority: 1 }),
    column('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { priority: 1 }),
    column('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { priority: 1 }),
  ],
  row(obj: KubeObject, now: number) {
    const node = obj as Node;
    const info = node.status?.nodeInfo ?? {};
    return {
      cells: [
        node.metadata.name ?? '', nodeStatusText(node), nodeRoles(node).join(',') || '<none>',
        timestampSince(node.metadata.creationTimestamp, now), info.kubeletVersion ?? '',
        address(node, 'InternalIP'), address(node, 'ExternalIP'),
        info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>',
      ],
    };
  },
};
