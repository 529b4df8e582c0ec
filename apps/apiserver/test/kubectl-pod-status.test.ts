// The STATUS / READY / RESTARTS cells of `kubectl get pods`, as printers.go printPod computes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod, PodStatus } from '@podling/api';
import { podPrinter, podStatusText } from '../src/kubectl/index.ts';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(status: PodStatus, extra: { deleting?: boolean; init?: { name: string; restartPolicy?: 'Always' }[]; containers?: number } = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(5 * 60_000), ...(extra.deleting ? { deletionTimestamp: ago(0) } : {}) },
    spec: {
      containers: Array.from({ length: extra.containers ?? 1 }, (_, i) => ({ name: `c${i}`, image: 'x' })),
      ...(extra.init ? { initContainers: extra.init } : {}),
    },
    status,
  };
}
const cs = (state: ContainerStatus['state'], more: Partial<ContainerStatus> = {}): ContainerStatus =>
  ({ name: 'c0', state, lastState: {}, ready: false, restartCount: 0, image: 'x', imageID: '', ...more });
const running = (more: Partial<ContainerStatus> = {}) => cs({ running: { startedAt: ago(1000) } }, { ready: true, ...more });

const cases: [string, Pod, string][] = [
  ['a new pod shows its phase', pod({ phase: 'Pending' }), 'Pending'],
  ['status.reason replaces the phase', pod({ phase: 'Failed', reason: 'DeadlineExceeded' }), 'DeadlineExceeded'],
  ['a waiting container shows its reason', pod({ phase: 'Pending', containerStatuses: [cs({ waiting: { reason: 'ContainerCreating' } })] }), 'ContainerCreating'],
  ['a crash-looping container shows CrashLoopBackOff', pod({ phase: 'Running', containerStatuses: [cs({ waiting: { reason: 'CrashLoopBackOff' } })] }), 'CrashLoopBackOff'],
  ['a terminated container shows its reason', pod({ phase: 'Succeeded', containerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed' } })] }), 'Completed'],
  ['a terminated container without reason shows ExitCode:n', pod({ phase: 'Failed', containerStatuses: [cs({ terminated: { exitCode: 3 } })] }), 'ExitCode:3'],
  ['a terminated container killed by a signal shows Signal:n', pod({ phase: 'Failed', containerStatuses: [cs({ terminated: { exitCode: 137, signal: 9 } })] }), 'Signal:9'],
  ['a running ready pod shows Running', pod({ phase: 'Running', containerStatuses: [running()] }), 'Running'],
  ['the first container\'s reason wins over later ones', pod({ phase: 'Pending', containerStatuses: [
    cs({ waiting: { reason: 'ErrImagePull' } }), cs({ waiting: { reason: 'ContainerCreating' } }, { name: 'c1' })] }, { containers: 2 }), 'ErrImagePull'],
  ['Completed with another container still running shows Running when the pod is Ready', pod({
    phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed' } }), running({ name: 'c1' })] }, { containers: 2 }), 'Running'],
  ['Completed with another container still running shows NotReady when the pod is not Ready', pod({
    phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed' } }), running({ name: 'c1' })] }, { containers: 2 }), 'NotReady'],
  ['an init container that has not finished shows Init:i/n', pod({ phase: 'Pending',
    initContainerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed' } }, { name: 'i0' }), cs({ running: {} }, { name: 'i1' })] },
  { init: [{ name: 'i0' }, { name: 'i1' }] }), 'Init:1/2'],
  ['an init container waiting with a reason shows Init:<reason>', pod({ phase: 'Pending',
    initContainerStatuses: [cs({ waiting: { reason: 'CrashLoopBackOff' } }, { name: 'i0' })] }, { init: [{ name: 'i0' }] }), 'Init:CrashLoopBackOff'],
  ['an init container waiting with PodInitializing counts as not started', pod({ phase: 'Pending',
    initContainerStatuses: [cs({ waiting: { reason: 'PodInitializing' } }, { name: 'i0' })] }, { init: [{ name: 'i0' }] }), 'Init:0/1'],
  ['a failed init container shows Init:Error', pod({ phase: 'Pending',
    initContainerStatuses: [cs({ terminated: { exitCode: 1, reason: 'Error' } }, { name: 'i0' })] }, { init: [{ name: 'i0' }] }), 'Init:Error'],
  ['a failed init container without reason shows Init:ExitCode:n', pod({ phase: 'Pending',
    initContainerStatuses: [cs({ terminated: { exitCode: 2 } }, { name: 'i0' })] }, { init: [{ name: 'i0' }] }), 'Init:ExitCode:2'],
  ['a scheduling-gated pod shows SchedulingGated', pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), 'SchedulingGated'],
  ['a pod being deleted shows Terminating', pod({ phase: 'Running', containerStatuses: [running()] }, { deleting: true }), 'Terminating'],
  ['a terminal pod being deleted keeps its terminal text', pod({ phase: 'Succeeded', containerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed' } })] }, { deleting: true }), 'Completed'],
  ['a pod on a lost node being deleted shows Unknown', pod({ phase: 'Running', reason: 'NodeLost' }, { deleting: true }), 'Unknown'],
];

for (const [name, p, want] of cases) {
  test(`pod STATUS: ${name}`, () => assert.equal(podStatusText(p, NOW), want));
}

test('READY counts ready running containers over all containers, sidecars included', () => {
  const p = pod({ phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }],
    initContainerStatuses: [cs({ running: {} }, { name: 'side', started: true, ready: true })],
    containerStatuses: [running(), cs({ waiting: { reason: 'ContainerCreating' } }, { name: 'c1' })] },
  { init: [{ name: 'side', restartPolicy: 'Always' }], containers: 2 });
  assert.equal(podPrinter.row(p, NOW).cells[1], '2/3');
});

test('RESTARTS sums restart counts and appends the age of the last restart', () => {
  const p = pod({ phase: 'Running', containerStatuses: [
    running({ restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * 60_000) } } }),
    running({ name: 'c1', restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(90_000) } } })] }, { containers: 2 });
  assert.equal(podPrinter.row(p, NOW).cells[3], '3 (90s ago)');
});

test('RESTARTS is a bare number when no last termination time is known', () => {
  const p = pod({ phase: 'Running', containerStatuses: [running({ restartCount: 4 })] });
  assert.equal(podPrinter.row(p, NOW).cells[3], '4');
});

test('wide cells show <none> for a pod without IP, node or readiness gates', () => {
  const cells = podPrinter.row(pod({ phase: 'Pending' }), NOW).cells;
  assert.deepEqual(cells, ['p', '0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>']);
});

test('wide cells show the pod IP, node and how many readiness gates are true', () => {
  const p = pod({ phase: 'Running', podIPs: [{ ip: '10.0.0.7' }], conditions: [{ type: 'g1', status: 'True' }], containerStatuses: [running()] });
  p.spec.nodeName = 'n1';
  p.spec.readinessGates = [{ conditionType: 'g1' }, { conditionType: 'g2' }];
  assert.deepEqual(podPrinter.row(p, NOW).cells.slice(5), ['10.0.0.7', 'n1', '<none>', '1/2']);
});

test('succeeded and failed pods carry the Completed row condition', () => {
  assert.equal(podPrinter.row(pod({ phase: 'Succeeded' }), NOW).conditions?.[0].reason, 'Succeeded');
  assert.equal(podPrinter.row(pod({ phase: 'Failed' }), NOW).conditions?.[0].message, 'The pod failed.');
  assert.equal(podPrinter.row(pod({ phase: 'Running' }), NOW).conditions, undefined);
});
