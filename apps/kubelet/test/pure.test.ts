// Pure parts of the kubelet: back-off schedule, phase, env expansion, status building, configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from '@podling/api';
import { CrashLoopBackoff, backoffMessage, goDuration } from '../src/crashloop-backoff.ts';
import { computePhase } from '../src/pod-phase.ts';
import { expand, expandCommand } from '../src/env-expansion.ts';
import { buildContainerEnv, volumeEnvName } from '../src/container-env.ts';
import { buildPodStatus } from '../src/pod-status.ts';
import { newPodRecord } from '../src/pod-record.ts';
import { parseConfig, type HostFacts } from '../src/config.ts';
import { buildNodeStatus, hostNodeFacts } from '../src/node-object.ts';

test('back-off: first restart is immediate, then base doubling to the cap, counted from each exit', () => {
  const b = new CrashLoopBackoff(10_000, 300_000);
  let entry = b.decide(undefined, 0, 0);
  assert.equal(entry.startNow, true);
  const delays: number[] = [];
  let t = 0;
  for (let i = 0; i < 7; i++) {
    const exitAt = t + 1; // the container dies one ms after starting
    const wait = b.decide(entry.entry, exitAt, exitAt);
    assert.equal(wait.startNow, false);
    delays.push(wait.delayMs);
    t = wait.notBeforeMs;
    entry = b.decide(entry.entry, exitAt, t);
    assert.equal(entry.startNow, true);
  }
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
});

test('back-off: an entry is forgotten after 2×max without failures', () => {
  const b = new CrashLoopBackoff(10_000, 300_000);
  const first = b.decide(undefined, 0, 0);
  const afterLongRun = b.decide(first.entry, 600_001, 600_001);
  assert.equal(afterLongRun.startNow, true);
  assert.equal(afterLongRun.entry!.delayMs, 10_000);
});

test('back-off message names the delay the way the kubelet does', () => {
  assert.equal(backoffMessage(20_000, 'app', { name: 'web', namespace: 'default', uid: 'u1' }),
    'back-off 20s restarting failed container=app pod=web_default(u1)');
  assert.equal(goDuration(300_000), '5m0s');
  assert.equal(goDuration(80_000), '1m20s');
  assert.equal(goDuration(1_500), '1.5s');
});

const running = (name: string): ContainerStatus => ({ name, state: { running: {} }, lastState: {}, ready: true, restartCount: 0, image: '', imageID: '' });
const exited = (name: string, exitCode: number): ContainerStatus => ({ name, state: { terminated: { exitCode } }, lastState: {}, ready: false, restartCount: 0, image: '', imageID: '' });
const backingOff = (name: string, exitCode: number): ContainerStatus => ({ name, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode } }, ready: false, restartCount: 1, image: '', imageID: '' });
const creating = (name: string): ContainerStatus => ({ name, state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0, image: '', imageID: '' });

test('phase follows the kubelet table for each restart policy', () => {
  const spec = (restartPolicy: 'Always' | 'OnFailure' | 'Never') => ({ restartPolicy, containers: [{ name: 'a' }] });
  const cases: [string, 'Always' | 'OnFailure' | 'Never', ContainerStatus, string][] = [
    ['a running container makes the pod Running', 'Never', running('a'), 'Running'],
    ['a container not yet started keeps the pod Pending', 'Always', creating('a'), 'Pending'],
    ['Always: an exit 0 is restarted, pod stays Running', 'Always', exited('a', 0), 'Running'],
    ['OnFailure: exit 0 means Succeeded', 'OnFailure', exited('a', 0), 'Succeeded'],
    ['OnFailure: a failure in back-off keeps Running', 'OnFailure', backingOff('a', 1), 'Running'],
    ['Never: exit 0 means Succeeded', 'Never', exited('a', 0), 'Succeeded'],
    ['Never: a failure means Failed', 'Never', exited('a', 2), 'Failed'],
  ];
  for (const [name, policy, status, want] of cases) {
    assert.equal(computePhase({ spec: spec(policy), initContainerStatuses: [], containerStatuses: [status], podIsTerminal: false }), want, name);
  }
});

test('phase: a failed init container with restartPolicy Never fails the pod; a running one keeps it Pending', () => {
  const spec = { restartPolicy: 'Never' as const, initContainers: [{ name: 'i' }], containers: [{ name: 'a' }] };
  assert.equal(computePhase({ spec, initContainerStatuses: [exited('i', 1)], containerStatuses: [creating('a')], podIsTerminal: false }), 'Failed');
  assert.equal(computePhase({ spec, initContainerStatuses: [running('i')], containerStatuses: [creating('a')], podIsTerminal: false }), 'Pending');
});

test('phase: a deleted pod whose containers were all stopped is Succeeded only if every exit was 0', () => {
  const spec = { restartPolicy: 'Always' as const, containers: [{ name: 'a' }, { name: 'b' }] };
  assert.equal(computePhase({ spec, initContainerStatuses: [], containerStatuses: [exited('a', 0), exited('b', 0)], podIsTerminal: true }), 'Succeeded');
  assert.equal(computePhase({ spec, initContainerStatuses: [], containerStatuses: [exited('a', 0), exited('b', 143)], podIsTerminal: true }), 'Failed');
});

test('$(VAR) expansion: defined names expand, unknown stay, $$ escapes, unterminated is verbatim', () => {
  const env: Record<string, string> = { A: 'x', B: 'y' };
  const look = (n: string) => env[n];
  assert.equal(expand('$(A)-$(B)', look), 'x-y');
  assert.equal(expand('$(C)', look), '$(C)');
  assert.equal(expand('$$(A)', look), '$(A)');
  assert.equal(expand('$$', look), '$');
  assert.equal(expand('$(A', look), '$(A');
  assert.equal(expand('a$b$', look), 'a$b$');
  assert.deepEqual(expandCommand(['echo', '$(A)'], env), ['echo', 'x']);
});

const pod = (over: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', uid: 'u1', labels: { app: 'web' } },
  spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'busybox', command: ['sleep', '1'] }], ...over },
});

test('container env: earlier entries expand, later do not; fieldRefs resolve; the agent env never leaks', () => {
  const c = { name: 'app', env: [
    { name: 'FIRST', value: 'one' },
    { name: 'SECOND', value: '$(FIRST)-$(THIRD)' },
    { name: 'THIRD', value: 'three' },
    { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
    { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
  ] };
  const env = buildContainerEnv(c, { pod: pod(), hostname: 'web', nodeIP: '10.0.0.5', volumeDirs: { 'cache-vol': '/r/v' } });
  assert.equal(env.SECOND, 'one-$(THIRD)');
  assert.equal(env.POD, 'web');
  assert.equal(env.APP, 'web');
  assert.equal(env.IP, '10.0.0.5');
  assert.equal(env.HOSTNAME, 'web');
  assert.equal(env[volumeEnvName('cache-vol')], '/r/v');
  assert.equal(volumeEnvName('cache-vol'), 'PODLING_VOLUME_CACHE_VOL');
  assert.equal(env.PODLING_TOKEN, undefined);
});

test('status: a container in back-off shows CrashLoopBackOff with the last run as lastState', () => {
  const rec = newPodRecord('u1', 'default', 'web', new Date('2024-01-01T00:00:00Z'));
  rec.containers.app = {
    name: 'app', init: false, restartCount: 2,
    current: { index: 2, pid: 42, procStart: 1, startedAt: '2024-01-01T00:00:05Z', finishedAt: '2024-01-01T00:00:06Z', exitCode: 1 },
    waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=app pod=web_default(u1)' },
  };
  const s = buildPodStatus({ pod: pod(), record: rec, nodeIP: '10.0.0.5', podIP: '10.0.0.5', sandboxReady: true, final: false, previousConditions: undefined, now: '2024-01-01T00:00:07Z' });
  assert.equal(s.phase, 'Running');
  const cs = s.containerStatuses![0];
  assert.equal(cs.state.waiting?.reason, 'CrashLoopBackOff');
  assert.deepEqual(cs.lastState.terminated, { exitCode: 1, reason: 'Error', startedAt: '2024-01-01T00:00:05Z', finishedAt: '2024-01-01T00:00:06Z', containerID: 'podling://42' });
  assert.equal(cs.restartCount, 2);
  const ready = s.conditions!.find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'False');
  assert.equal(ready.message, 'containers with unready status: [app]');
  assert.equal(s.podIP, '10.0.0.5');
});

test('status: lastTransitionTime only moves when a condition flips', () => {
  const rec = newPodRecord('u1', 'default', 'web', new Date());
  rec.containers.app = { name: 'app', init: false, restartCount: 0, current: { index: 0, pid: 7, procStart: 1, startedAt: 't0' } };
  const first = buildPodStatus({ pod: pod(), record: rec, nodeIP: '1.2.3.4', podIP: '1.2.3.4', sandboxReady: true, final: false, previousConditions: undefined, now: 'T1' });
  const again = buildPodStatus({ pod: pod(), record: rec, nodeIP: '1.2.3.4', podIP: '1.2.3.4', sandboxReady: true, final: false, previousConditions: first.conditions, now: 'T2' });
  assert.deepEqual(again, first);
  rec.containers.app.current!.finishedAt = 't3';
  rec.containers.app.current!.exitCode = 0;
  const done = buildPodStatus({ pod: pod({ restartPolicy: 'Never' }), record: rec, nodeIP: '1.2.3.4', podIP: '1.2.3.4', sandboxReady: true, final: false, previousConditions: first.conditions, now: 'T3' });
  assert.equal(done.phase, 'Succeeded');
  assert.equal(done.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, 'T3');
  assert.equal(done.conditions!.find((c) => c.type === 'PodScheduled')!.lastTransitionTime, 'T1');
});

test('status: containers that never ran are reported ContainerStatusUnknown once the pod is deleted', () => {
  const rec = newPodRecord('u1', 'default', 'web', new Date());
  const s = buildPodStatus({ pod: pod(), record: rec, nodeIP: '1.2.3.4', podIP: '1.2.3.4', sandboxReady: true, final: true, previousConditions: undefined, now: 'T' });
  assert.equal(s.phase, 'Failed');
  assert.equal(s.containerStatuses![0].state.terminated?.reason, 'ContainerStatusUnknown');
});

const host: HostFacts = { hostname: 'MyHost', interfaces: { lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true } as never], eth0: [{ address: '10.1.2.3', family: 'IPv4', internal: false } as never] } };

test('config: defaults, env twins, flags win over env', () => {
  const r = parseConfig(['--port', '0'], { PODLING_NODE_LABELS: 'zone=a,disk=ssd', PODLING_PORT: '9' }, host);
  assert.ok(r.ok);
  assert.equal(r.config.nodeName, 'myhost');
  assert.equal(r.config.port, 0);
  assert.deepEqual(r.config.nodeLabels, { zone: 'a', disk: 'ssd' });
  assert.equal(r.config.nodeStatusUpdateFrequencyMs, 10_000);
  assert.equal(r.config.crashloopBackoffBaseMs, 10_000);
  assert.equal(r.config.crashloopBackoffMaxMs, 300_000);
  assert.equal(r.config.nodeIP, '127.0.0.1');
  assert.equal(r.config.maxPods, 110);
  assert.deepEqual(r.config.clusterCidr, { base: 0x0af40000, prefix: 16 }, 'issue 19: --cluster-cidr defaults to 10.244.0.0/16');
  const wild = parseConfig(['--address', '0.0.0.0'], {}, host);
  assert.ok(wild.ok);
  assert.equal(wild.config.nodeIP, '10.1.2.3');
});

test('issue 19 config: --cluster-cidr must be an IPv4 network', () => {
  const r = parseConfig(['--cluster-cidr', '10.244.0.1/16'], {}, host);
  assert.equal(r.ok, false);
  if (!r.ok) assert.deepEqual(r.errors, ['--cluster-cidr: "10.244.0.1/16" is not an IPv4 network in CIDR notation (e.g. 10.244.0.0/16)']);
});

test('issue 20 config: --cluster-dns defaults to the kube-dns ClusterIP, takes a list or nothing, and --cluster-domain to cluster.local', () => {
  const r = parseConfig([], {}, host);
  assert.ok(r.ok);
  assert.deepEqual([r.config.clusterDNS, r.config.clusterDomain, r.config.resolvConf], [['10.96.0.10'], 'cluster.local', '/etc/resolv.conf']);
  const set = parseConfig(['--cluster-dns', '10.0.0.10,10.0.0.11', '--cluster-domain', 'corp.local.'], {}, host);
  assert.ok(set.ok);
  assert.deepEqual([set.config.clusterDNS, set.config.clusterDomain], [['10.0.0.10', '10.0.0.11'], 'corp.local']);
  const off = parseConfig(['--cluster-dns='], {}, host);
  assert.ok(off.ok);
  assert.deepEqual(off.config.clusterDNS, []);
  const bad = parseConfig(['--cluster-dns', 'dns.example', '--cluster-domain', 'Bad_Domain'], {}, host);
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.deepEqual(bad.errors, ['--cluster-dns: "dns.example" is not an IP address', '--cluster-domain: "Bad_Domain" is not a lowercase DNS domain']);
});

test('config: --node-status-report-frequency defaults to 5m, or to the update frequency when that is given', () => {
  const report = (argv: string[], env: Record<string, string> = {}) => {
    const r = parseConfig(argv, env, host);
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    return r.config.nodeStatusReportFrequencyMs;
  };
  assert.equal(report([]), 300_000);
  assert.equal(report(['--node-status-update-frequency', '1s']), 1000);
  assert.equal(report([], { PODLING_NODE_STATUS_UPDATE_FREQUENCY: '2s' }), 2000);
  assert.equal(report(['--node-status-update-frequency', '1s', '--node-status-report-frequency', '1m']), 60_000);
  const bad = parseConfig(['--node-status-report-frequency', 'soon'], {}, host);
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.match(bad.errors.join('\n'), /--node-status-report-frequency/);
});

test('config: every problem is reported at once', () => {
  const r = parseConfig(['--port', 'x', '--node-status-update-frequency', '10', '--address', 'nope', '--max-pods', '0'], { PODLING_NODE_NAME: 'Bad_Name' }, host);
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.errors.length, 5, r.errors.join('\n'));
});

test('config: --max-pods sets the Node\'s pods capacity and allocatable', () => {
  const r = parseConfig(['--max-pods', '1010'], {}, host);
  assert.ok(r.ok);
  const status = buildNodeStatus({ ...hostNodeFacts({ nodeName: 'n', nodeIP: '127.0.0.1', port: 1, labels: {}, maxPods: r.config.maxPods }) }, '2026-01-01T00:00:00Z');
  assert.deepEqual([status.capacity?.pods, status.allocatable?.pods], ['1010', '1010']);
});

test('config: --node-labels that NodeRestriction would refuse are refused at start-up, the kubelet\'s own set is not', () => {
  const ok = parseConfig(['--node-labels', 'node.kubernetes.io/instance-type=big,topology.kubernetes.io/zone=a,team=x'], {}, host);
  assert.ok(ok.ok);
  const r = parseConfig(['--node-labels', 'node-role.kubernetes.io/worker=,node-restriction.kubernetes.io/secure=yes,team=x'], {}, host);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.errors.length, 1, r.errors.join('\n'));
    assert.match(r.errors[0], /unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: \[node-restriction.kubernetes.io\/secure node-role.kubernetes.io\/worker\]/);
  }
});
