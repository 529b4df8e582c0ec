// Issue 16 in the multi-host lab: a highly available control plane across machines. Two control-plane machines each
// run an apiserver and an etcd member (stacked, as kubeadm lays it out), a third machine the third etcd member; the
// two agents' kubeconfigs (from `--generate-certs --server https://cp-1:6443,https://cp-2:6443`) list both
// apiservers, TLS and tokens as in the single-apiserver lab. The apiservers agree on objects; shutting down the
// machine whose apiserver the agents use and that leads the controllers — its etcd member with it — leaves the
// cluster serving through the other: the agents move there, the controllers are handed over, new pods are
// scheduled and run, and running pods are left alone.
//
// Needs root and `ip netns` (should-run.ts), and Debian's etcd-server, as the etcd tests do.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError, type Node, type Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { LabCluster, sweepStaleRuns } from './lab-cluster.ts';
import { greeterPod, runningAndReady } from './greeter-pod.ts';
import { podProcesses, startedPodProcesses } from './pod-processes.ts';
import { multihostSkipReason } from './should-run.ts';

const skip = multihostSkipReason();
const pods = { resource: 'pods', namespace: 'default' };
// kube-controller-manager's lease flags, shrunk (as in test/ha) so a hand-over fits the test's time.
const LEASE = ['--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s', '--leader-elect-retry-period', '250ms'];
const NODES = ['node-1', 'node-2'];

describe('issue 16: two apiservers on a 3-member etcd cluster, each on its own machine; agents list both', { skip, timeout: 120_000 }, () => {
  let c: LabCluster;
  let failed = false;
  const step = (name: string, fn: () => Promise<void>) => it(name, async () => {
    try { await fn(); } catch (e) { failed = true; throw e; }
  });
  const leads = (role: string) => c.apiservers.get(role)!.waitForLog((l) => l.msg === 'acquired leadership', 15_000);
  const runningOn = async (role: string, name: string, timeoutMs = 20_000) => waitFor(async () => {
    const p = await c.clientOf(role).get<Pod>(pods, name);
    return runningAndReady(p) && p;
  }, { timeoutMs, message: `pod ${name} scheduled and running (seen through ${role})` });
  const processesOf = (p: Pod) => podProcesses(c.agents.get(p.spec.nodeName!)!.rootDir, p.metadata.uid!);
  const startedProcessesOf = (p: Pod) => startedPodProcesses(c.agents.get(p.spec.nodeName!)!.rootDir, p.metadata.uid!);

  before(async () => {
    sweepStaleRuns();
    c = new LabCluster({
      controlPlanes: ['cp-1', 'cp-2'],
      etcdMembers: ['cp-1', 'cp-2', 'etcd-3'],
      nodes: NODES.map((name) => ({ name, labels: {} })),
      apiserverArgs: LEASE,
      agentArgs: ['--node-status-update-frequency', '1s'],
    });
    try { await c.start(); } catch (e) { failed = true; throw e; }
  });

  after(async () => {
    if (!c) return;
    if (failed) process.stderr.write(`${c.report()}\n`);
    await c.teardown();
  });

  step('the apiservers agree: both agents\' Nodes, and a pod created through one is the same object at the same resourceVersion through the other', async () => {
    // cp-1 started alone, so it took the controllers' lease; the agents talk to it, the first in their list.
    await leads('cp-1');
    for (const name of NODES) {
      await waitFor(async () => (await c.clientOf('cp-2').get<Node>({ resource: 'nodes' }, name)).status?.conditions
        ?.some((x) => x.type === 'Ready' && x.status === 'True'), { timeoutMs: 20_000, message: `node ${name} Ready, seen through cp-2` });
    }
    await c.clientOf('cp-1').create(pods, greeterPod('before-stop', {}));
    await runningOn('cp-2', 'before-stop');
    // The agent may still be writing the pod's status: compare once both have the same version.
    const both = () => Promise.all(['cp-1', 'cp-2'].map((r) => c.clientOf(r).get<Pod>(pods, 'before-stop')));
    const [one, two] = await waitFor(async () => { const b = await both(); return b[0].metadata.resourceVersion === b[1].metadata.resourceVersion && b; },
      { timeoutMs: 5000, message: 'both apiservers serve the same resourceVersion of before-stop' });
    assert.deepEqual(one, two);
  });

  step('shutting down cp-1: its apiserver, which leads, stops (the agents move to cp-2, which takes the controllers over), then its etcd member, then it leaves the network; new pods are scheduled and run', async () => {
    const survivor = await c.clientOf('cp-2').get<Pod>(pods, 'before-stop');
    const survivorProcesses = await startedProcessesOf(survivor);
    // A machine's shutdown: its services stop while its network is still up (so clients are refused, not left
    // waiting), then it goes off the network.
    const stopped = Date.now();
    assert.equal(await c.apiservers.get('cp-1')!.stop(), 0, 'the apiserver stops cleanly');
    await leads('cp-2');
    // Heartbeat times have whole seconds: one stamped at or after the next full second came through cp-2.
    const since = Math.ceil(stopped / 1000) * 1000;
    for (const name of NODES) {
      await waitFor(async () => {
        const hb = (await c.clientOf('cp-2').get<Node>({ resource: 'nodes' }, name)).status?.conditions?.find((x) => x.type === 'Ready')?.lastHeartbeatTime;
        return hb !== undefined && Date.parse(hb) >= since;
      }, { timeoutMs: 20_000, message: `${name}'s agent heartbeats through cp-2` });
    }
    // etcd shuts down on SIGTERM, then re-raises it (Go's etcd osutil.HandleInterrupts), so it exits by the signal.
    assert.equal(await c.etcd.find((m) => m.name === 'etcd-cp-1')!.stop(), 'SIGTERM', 'the etcd member stops cleanly');
    c.lab!.cut('cp-1');
    // From here a write that cp-2's etcd client sends to the silent member waits out one attempt (a third of its
    // 10 s deadline) before another member takes it, until the client's breaker skips that member: allow for a few.
    await c.clientOf('cp-2').create(pods, greeterPod('after-stop', {}));
    const moved = await runningOn('cp-2', 'after-stop', 40_000);
    assert.ok(NODES.includes(moved.spec.nodeName!), `scheduled by cp-2's controllers, to ${moved.spec.nodeName}`);
    await startedProcessesOf(moved); // wrapper + sleep, started by the agent through cp-2
    const still = await c.clientOf('cp-2').get<Pod>(pods, 'before-stop');
    assert.equal(still.status!.containerStatuses![0].restartCount, 0, 'the pod running before is left alone');
    assert.deepEqual(processesOf(still), survivorProcesses, 'the same processes, none added');
    // Its agent's watch moved too: a deletion through cp-2 reaches it.
    await c.clientOf('cp-2').delete(pods, 'before-stop', { gracePeriodSeconds: 1 });
    await waitFor(async () => {
      try { await c.clientOf('cp-2').get<Pod>(pods, 'before-stop'); return false; } catch (e) { if (isStatusError(e) && e.code === 404) return true; throw e; }
    }, { timeoutMs: 40_000, message: 'before-stop deleted by its agent through cp-2' });
    assert.deepEqual(processesOf(still), [], 'its processes stopped');
  });
});
