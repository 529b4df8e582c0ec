// Registers this agent's Node and keeps its status fresh (reference B8): POST /api/v1/nodes, on 409 read and
// reconcile the existing object; then every `updateMs` read the Node, compute its status and renew the node's
// Lease. The status is PATCHed (merge, with new lastHeartbeatTime values) only when it differs from the Node's or
// `reportMs` has passed since the last one, as the kubelet's tryUpdateNodeStatus does (k/k
// pkg/kubelet/kubelet_node_status.go, nodeStatusHasChanged): the Lease is the heartbeat, and 1,000 nodes would
// otherwise write 100 unchanged statuses a second. Comparing with the Node as read, not with what was last sent,
// puts back within one period a status someone else changed (the node lifecycle controller's Unknown after a
// partition). Failures back off (200 ms doubling to 7 s, the kubelet's lease retry range) and retry forever, so an
// apiserver restart only delays heartbeats; a 404 (the Node was deleted) registers again.
import { isStatusError, semanticEqual, type Node, type NodeCondition, type NodeStatus, rfc3339 } from '@podling/api';
import { timerDelay, type KubeClientApi } from '@podling/client';
import { buildNode, buildNodeStatus, type NodeFacts } from './node-object.ts';
import { renewNodeLease } from './node-lease.ts';
import type { Logger } from './logger.ts';

const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 7000;
const ref = { resource: 'nodes' };

export interface NodeStatusPeriods {
  /** How often the status is computed and the Lease renewed. */
  updateMs: number;
  /** How often an unchanged status is still sent. */
  reportMs: number;
}

/** nodeStatusHasChanged: the conditions by type with their heartbeat times aside, the rest as it is. */
function statusChanged(old: NodeStatus | undefined, next: NodeStatus): boolean {
  const comparable = (s: NodeStatus | undefined) => ({
    ...s, conditions: Object.fromEntries((s?.conditions ?? []).map(({ lastHeartbeatTime: _, ...c }: NodeCondition) => [c.type, c])),
  });
  return !semanticEqual(comparable(old), comparable(next));
}

export class NodeRegistrar {
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  /** When the status was last sent (0: not since registering). */
  private reportedAt = 0;
  private registered = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly client: KubeClientApi, private readonly facts: NodeFacts, private readonly periods: NodeStatusPeriods, private readonly log: Logger) {}

  start(): void {
    this.loop = this.run();
  }

  /** Sends the next status now rather than at the next period (a condition changed). */
  refresh(): void {
    clearTimeout(this.timer);
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let retry = RETRY_MIN_MS;
    while (!this.stopped) {
      let delay = this.periods.updateMs;
      try {
        if (!this.registered) await this.register();
        await this.heartbeat();
        retry = RETRY_MIN_MS;
      } catch (err) {
        if (isStatusError(err) && err.code === 404) this.registered = false;
        this.log.warn({ err, retryMs: retry }, this.registered ? 'node status update failed' : 'node registration failed');
        delay = retry;
        retry = Math.min(retry * 2, RETRY_MAX_MS);
      }
      await new Promise<void>((r) => { this.wake = r; this.timer = setTimeout(r, timerDelay(delay)); });
    }
  }

  private async register(): Promise<void> {
    const desired = buildNode(this.facts);
    try {
      await this.client.create(ref, desired);
      this.log.info({ node: this.facts.nodeName }, 'node registered');
    } catch (err) {
      if (!isStatusError(err) || err.code !== 409) throw err;
      const existing = await this.client.get<Node>(ref, this.facts.nodeName);
      const labels = { ...existing.metadata.labels, ...desired.metadata.labels };
      if (JSON.stringify(labels) !== JSON.stringify(existing.metadata.labels)) {
        await this.client.update(ref, { ...existing, metadata: { ...existing.metadata, labels } });
      }
      this.log.info({ node: this.facts.nodeName }, 'node already registered; reconciled');
    }
    this.registered = true;
    this.reportedAt = 0;
  }

  private async heartbeat(): Promise<void> {
    const now = Date.now();
    const current = await this.client.get<Node>(ref, this.facts.nodeName);
    const status = buildNodeStatus(this.facts, rfc3339(now), current.status?.conditions);
    if (statusChanged(current.status, status) || now - this.reportedAt >= this.periods.reportMs) {
      await this.client.patchStatus(ref, this.facts.nodeName, { status }, 'merge');
      this.reportedAt = now;
    }
    await renewNodeLease(this.client, this.facts.nodeName, new Date(now));
  }
}
