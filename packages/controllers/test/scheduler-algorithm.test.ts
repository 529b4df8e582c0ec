// The default scheduler's pure decision: filters, their messages, least-requested spreading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Taint, Toleration } from '@podling/api';
import {
  feasibleNodesToFind, filterNode, needsScheduling, schedulePod, tolerates, unschedulableMessage,
} from '../src/scheduling-algorithm.ts';
import { podRequests } from '../src/resources.ts';
import { NodeUsageCache, usageOf } from '../src/node-usage.ts';
import { NodeInfos } from '../src/node-infos.ts';
import { nodeView } from '../src/node-view.ts';

/** The NodeInfos schedulePod walks, with the pods listed per node. */
const infos = (nodes: Node[], m = new Map<string, Pod[]>()) => nodes.map((n) => ({ view: nodeView(n), usage: usageOf(m.get(n.metadata.name!) ?? []) }));

function node(name: string, o: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean; ready?: 'True' | 'False' | 'Unknown' } = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels: o.labels ?? {} },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: {
      allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' },
      conditions: [{ type: 'Ready', status: o.ready ?? 'True' }],
    },
  };
}

function pod(name: string, o: { cpu?: string; memory?: string; nodeSelector?: Record<string, string>; tolerations?: Toleration[]; nodeName?: string; init?: { cpu: string }[] } = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: {
      containers: [{ name: 'c', resources: { requests } }],
      initContainers: o.init?.map((r, i) => ({ name: `init${i}`, resources: { requests: { cpu: r.cpu } } })),
      nodeSelector: o.nodeSelector, tolerations: o.tolerations, nodeName: o.nodeName, schedulerName: 'default-scheduler',
    },
    status: { phase: 'Pending' },
  };
}

const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' };

test('a pod fits a ready node with room for it', () => {
  assert.deepEqual(filterNode(pod('p', { cpu: '1' }), node('n'), usageOf([])), []);
});

test('a pod that asks for more cpu than is left reports Insufficient cpu', () => {
  const used = [pod('a', { cpu: '3' })];
  assert.deepEqual(filterNode(pod('p', { cpu: '1500m' }), node('n'), usageOf(used)), ['Insufficient cpu']);
});

test('every resource that falls short is reported, pod count first', () => {
  const p = pod('p', { cpu: '8', memory: '16Gi' });
  assert.deepEqual(filterNode(p, node('n', { pods: '1' }), usageOf([pod('a')])), ['Too many pods', 'Insufficient cpu', 'Insufficient memory']);
});

test('a pod without requests only needs a free pod slot', () => {
  assert.deepEqual(filterNode(pod('p'), node('n', { cpu: '0', memory: '0' }), usageOf([])), []);
});

test('the pod request is the larger of the containers\' sum and the biggest init container', () => {
  assert.equal(podRequests(pod('p', { cpu: '500m', init: [{ cpu: '2' }, { cpu: '1' }] })).milliCpu, 2000);
  assert.equal(podRequests(pod('p', { cpu: '3', init: [{ cpu: '2' }] })).milliCpu, 3000);
});

test('a nodeSelector must match every label', () => {
  const p = pod('p', { nodeSelector: { disk: 'ssd', zone: 'a' } });
  assert.deepEqual(filterNode(p, node('n', { labels: { disk: 'ssd', zone: 'a', x: 'y' } }), usageOf([])), []);
  assert.deepEqual(filterNode(p, node('n', { labels: { disk: 'ssd' } }), usageOf([])), ["node(s) didn't match Pod's node affinity/selector"]);
});

test('issue 15: a pod pinned by a metadata.name matchFields affinity (a DaemonSet pod) goes to that node only', () => {
  const p = pod('p');
  p.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }] } } };
  const r = schedulePod(p, infos([node('a'), node('b'), node('c')]));
  assert.equal(r.nodeName, 'b');
  const none = schedulePod(p, infos([node('a')]));
  assert.equal(none.nodeName, undefined);
  assert.equal(none.nodeName === undefined && none.message, "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.");
});

test('an untolerated NoSchedule or NoExecute taint filters the node; PreferNoSchedule does not', () => {
  assert.deepEqual(filterNode(pod('p'), node('n', { taints: [unreachable] }), usageOf([])), ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
  assert.deepEqual(filterNode(pod('p'), node('n', { taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }] }), usageOf([])), ['node(s) had untolerated taint {k: v}']);
  assert.deepEqual(filterNode(pod('p'), node('n', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }), usageOf([])), []);
  const tolerant = pod('p', { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }] });
  assert.deepEqual(filterNode(tolerant, node('n', { taints: [unreachable], ready: 'True' }), usageOf([])), []);
});

test('toleration matching follows Kubernetes: key, operator, value, effect', () => {
  const t: Taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
  assert.equal(tolerates([{ operator: 'Exists' }], t), true);
  assert.equal(tolerates([{ key: 'k', operator: 'Exists', effect: 'NoExecute' }], t), false);
  assert.equal(tolerates([{ key: 'k', operator: 'Equal', value: 'v' }], t), true);
  assert.equal(tolerates([{ key: 'k', value: 'v' }], t), true);
  assert.equal(tolerates([{ key: 'k', operator: 'Equal', value: 'w' }], t), false);
  assert.equal(tolerates([{ key: 'other', operator: 'Exists' }], t), false);
  assert.equal(tolerates(undefined, t), false);
});

test('cordoned and not-ready nodes are filtered', () => {
  assert.deepEqual(filterNode(pod('p'), node('n', { unschedulable: true }), usageOf([])), ['node(s) were unschedulable']);
  assert.deepEqual(filterNode(pod('p'), node('n', { ready: 'Unknown' }), usageOf([])), ['node(s) were not ready']);
});

test('pods spread to the least requested node', () => {
  const nodes = [node('a'), node('b')];
  const used1 = new Map([['a', [pod('x', { cpu: '1' })]], ['b', []]]);
  assert.equal(schedulePod(pod('p', { cpu: '1' }), infos(nodes, used1)).nodeName, 'b');
  // Without requests the scheduler's scoring defaults (100m, 200Mi) still make an occupied node score lower.
  const used2 = new Map([['a', []], ['b', [pod('x')]]]);
  assert.equal(schedulePod(pod('p'), infos(nodes, used2)).nodeName, 'a');
});

test('equal scores go to the node with fewer pods, then by name', () => {
  const nodes = [node('b', { cpu: '1000', memory: '1Ti' }), node('a', { cpu: '1000', memory: '1Ti' })];
  assert.equal(schedulePod(pod('p'), infos(nodes)).nodeName, 'a');
  assert.equal(schedulePod(pod('p'), infos(nodes, new Map([['a', [pod('x')]]]))).nodeName, 'b');
});

test('a pod that fits nowhere gets the Kubernetes summary, reasons counted and sorted', () => {
  const nodes = [node('a', { cpu: '1' }), node('b', { cpu: '1' }), node('c', { labels: {} })];
  const p = pod('p', { cpu: '2', nodeSelector: { size: 'big' } });
  nodes[0].metadata.labels = { size: 'big' };
  nodes[1].metadata.labels = { size: 'big' };
  const r = schedulePod(p, infos(nodes));
  assert.equal(r.nodeName, undefined);
  assert.equal('message' in r && r.message, "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu.");
});

test('the summary sorts whole "<count> <reason>" strings, as sort.Strings does', () => {
  assert.equal(
    unschedulableMessage(4, [['Insufficient cpu'], ['Insufficient cpu', 'Insufficient memory'], ['node(s) were unschedulable'], ['Too many pods']]),
    '0/4 nodes are available: 1 Insufficient memory, 1 Too many pods, 1 node(s) were unschedulable, 2 Insufficient cpu.',
  );
  assert.equal(unschedulableMessage(0, []), 'no nodes available to schedule pods');
});

test('only unbound, live, non-terminal pods for the default scheduler need scheduling', () => {
  assert.equal(needsScheduling(pod('p')), true);
  assert.equal(needsScheduling(pod('p', { nodeName: 'n' })), false);
  const other = pod('p');
  other.spec.schedulerName = 'my-scheduler';
  assert.equal(needsScheduling(other), false);
  const deleting = pod('p');
  deleting.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  assert.equal(needsScheduling(deleting), false);
  const done = pod('p');
  done.status = { phase: 'Failed' };
  assert.equal(needsScheduling(done), false);
});

test('issue 18: on a big cluster a decision stops after kube-scheduler\'s share of feasible nodes, and the next starts where it stopped', () => {
  const nodes = Array.from({ length: 1000 }, (_, i) => node(`n${String(i).padStart(4, '0')}`));
  assert.equal(feasibleNodesToFind(50), 50);
  assert.equal(feasibleNodesToFind(1000), 420); // (50 - 1000/125)% = 42%
  assert.equal(feasibleNodesToFind(5000), 500); // 10%
  assert.equal(feasibleNodesToFind(6000), 300); // the 5% floor
  const first = schedulePod(pod('p'), infos(nodes), 0);
  assert.equal(first.examined, 420);
  assert.equal(first.nodeName, 'n0000');
  const second = schedulePod(pod('p'), infos(nodes), 900);
  assert.equal(second.examined, 420);
  assert.equal(second.nodeName, 'n0000', 'the search wraps round the list');
  const nowhere = schedulePod(pod('p', { cpu: '64' }), infos(nodes), 500);
  assert.equal(nowhere.examined, 1000, 'an unschedulable pod is checked against every node');
  assert.equal('message' in nowhere && nowhere.message, '0/1000 nodes are available: 1000 Insufficient cpu.');
});

test('issue 18: node usage follows pod events — an update moves a pod\'s requests, a terminal or deleted pod frees them', () => {
  const cache = new NodeUsageCache();
  cache.set('default/a', pod('a', { cpu: '1', nodeName: 'n1' }));
  cache.set('default/b', pod('b', { cpu: '500m', nodeName: 'n1' }));
  assert.deepEqual(cache.usage('n1').requested, { milliCpu: 1500, memory: 0 });
  assert.equal(cache.usage('n1').pods, 2);
  cache.set('default/b', pod('b', { cpu: '500m' }), 'n2'); // assumed on n2
  assert.deepEqual([cache.usage('n1').pods, cache.usage('n2').pods], [1, 1]);
  const done = pod('a', { cpu: '1', nodeName: 'n1' });
  done.status = { phase: 'Succeeded' };
  cache.set('default/a', done);
  assert.equal(cache.usage('n1').pods, 0);
  assert.deepEqual(cache.usage('n1').requested, { milliCpu: 0, memory: 0 });
  cache.remove('default/b');
  assert.equal(cache.usage('n2').pods, 0);
  assert.equal(cache.usage('n2').nonZero.milliCpu, 0);
});

test('issue 18: a decision reads each node\'s live usage and latest view from NodeInfos, kept as pods and nodes change', () => {
  const cache = new NodeUsageCache();
  const nodes = new NodeInfos(cache);
  nodes.set(node('a'));
  nodes.set(node('b'));
  const list = nodes.all();
  assert.equal(schedulePod(pod('p'), list).nodeName, 'a');
  cache.set('default/x', pod('x', { cpu: '1', nodeName: 'a' }));
  assert.equal(list[0].usage.pods, 1, 'the usage object is updated in place');
  assert.equal(schedulePod(pod('p'), nodes.all()).nodeName, 'b');
  cache.remove('default/x');
  assert.equal(list[0].usage.pods, 0, 'a held node keeps its usage object at zero pods');
  nodes.set(node('a', { unschedulable: true })); // an update: same entry, new view
  assert.equal(nodes.all(), list, 'an update does not rebuild the list');
  assert.equal(schedulePod(pod('p'), nodes.all()).nodeName, 'b');
  nodes.delete(node('b'));
  const r = schedulePod(pod('p'), nodes.all());
  assert.equal('message' in r && r.message, '0/1 nodes are available: 1 node(s) were unschedulable.');
  cache.set('default/y', pod('y', { nodeName: 'b' }));
  cache.remove('default/y');
  assert.equal(cache.usage('b'), cache.usage('gone'), 'a released node\'s usage is dropped at zero pods');
});
