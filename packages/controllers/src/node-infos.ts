// The nodes a scheduling decision walks, each as what the Node offers (its view) and what its pods use (the live
// usage object), in one array: kube-scheduler's Snapshot.nodeInfoList (pkg/scheduler/internal/cache/snapshot.go).
// At 1,000 nodes a decision examines ~420 nodes; looking each one's view and usage up in maps, and copying the
// informer's node list, took about a fifth of the scheduler's time in the issue 18 profile. The array is rebuilt
// only when nodes come or go; a Node update (a heartbeat, mostly) replaces that one entry's view.
import type { Node } from '@podling/api';
import type { NodeUsage, NodeUsageCache } from './node-usage.ts';
import { nodeView, type NodeView } from './node-view.ts';

export interface NodeInfo {
  readonly view: NodeView;
  /** Updated in place by the usage cache as pods are counted on the node and leave it. */
  readonly usage: NodeUsage;
}

interface Entry { view: NodeView; readonly usage: NodeUsage }

export class NodeInfos {
  private readonly byName = new Map<string, Entry>();
  private list: readonly NodeInfo[] | undefined;

  constructor(private readonly usage: NodeUsageCache) {}

  /** A node seen for the first time or changed. */
  set(node: Node): void {
    const name = node.metadata.name ?? '';
    const known = this.byName.get(name);
    if (known) { known.view = nodeView(node); return; }
    this.byName.set(name, { view: nodeView(node), usage: this.usage.hold(name) });
    this.list = undefined;
  }

  delete(node: Node): void {
    const name = node.metadata.name ?? '';
    if (!this.byName.delete(name)) return;
    this.usage.release(name);
    this.list = undefined;
  }

  /** Every node, in the order they were first seen. */
  all(): readonly NodeInfo[] {
    return (this.list ??= [...this.byName.values()]);
  }
}
