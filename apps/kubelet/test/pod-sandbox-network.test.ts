// Issue 19: each pod its own network and IPC namespace — one IP from the node's range, a shared localhost, a
// shared SysV IPC, reachable by its IP from the host and from other pods — and nothing of a sandbox left after its
// pod, even across an agent kill -9. Root only (namespaces and veths need it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isStatusError, type Pod } from '@podling/api';
import { waitFor } from '@podling/testkit';
import { IpAllocator } from '../src/ip-allocator.ts';
import { SandboxNames } from '../src/sandbox-names.ts';
import { create, podManifest, startAgentCluster, type AgentCluster } from './cluster-fixture.ts';

const skip = process.getuid?.() !== 0 ? 'needs root: pod sandboxes are network and IPC namespaces with veths' : false;

/** Serves `GET /id` → the pod's name on :8080 (from its working directory). */
const server = (name: string) => ({ name: 'web', image: 'python', command: ['sh', '-c', `echo ${name} > id && exec python3 -m http.server 8080`] });
const sleeper = (name = 'side') => ({ name, image: 'busybox', command: ['sleep', '3600'] });
const FETCH = 'import sys,urllib.request as u; print(u.urlopen(sys.argv[1], timeout=3).read().decode().strip())';

const running = (p: Pod) => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((s) => s.state.running);
const pidOf = (p: Pod, c: string) => Number(p.status!.containerStatuses!.find((s) => s.name === c)!.containerID!.replace('podling://', ''));
/** Runs `argv` inside the namespaces (`flags`: --net, --ipc) of a container's wrapper process. */
const inside = (pid: number, flags: string[], argv: string[]) => execFileSync('nsenter', ['-t', String(pid), ...flags, '--', ...argv], { encoding: 'utf8', timeout: 10_000 }).trim();
const fetchId = (url: string) => execFileSync('python3', ['-c', FETCH, url], { encoding: 'utf8', timeout: 10_000 }).trim();

/** The host's search domains as the pod's search line continues them (` a b`, or nothing). */
const hostSearch = () => (readFileSync('/etc/resolv.conf', 'utf8').match(/^search\s+(.*)$/m)?.[1].trim().split(/\s+/).map((s) => ` ${s.replace(/\.$/, '')}`).join('') ?? '');

let c: AgentCluster;
/** The cases share one cluster (started by the test at the end of this file). */
const cases: [string, () => Promise<void>][] = [];
let names: SandboxNames;

/** What of this agent's sandboxes exists on the machine: netns, IPC pins, IPAM files, bridge ports. */
function leftovers(): string[] {
  return [
    ...readdirSync('/run/netns').filter((e) => names.uidOfNetns(e) !== undefined),
    ...(existsSync(names.sandboxesDir) ? readdirSync(names.sandboxesDir) : []),
    ...[...new IpAllocator(c.agents[0].rootDir).holders()].map((uid) => `IP of ${uid}`),
    ...execFileSync('ip', ['-o', 'link', 'show', 'master', names.bridge], { encoding: 'utf8' }).split('\n').filter(Boolean),
  ];
}

async function deleteAll(...pods: string[]): Promise<void> {
  for (const p of pods) await c.client.delete({ resource: 'pods', namespace: 'default' }, p, { gracePeriodSeconds: 0 }).catch(() => {});
  for (const p of pods) await waitFor(async () => { try { await c.pod('default', p); return false; } catch (e) { return isStatusError(e) && e.code === 404; } }, { message: `${p} deleted` });
}


cases.push(['two pods on one node both serve :8080 on their own IPs, reached from the host through the bridge', async () => {
  await create(c, podManifest('web-1', { containers: [server('web-1')] }));
  await create(c, podManifest('web-2', { containers: [server('web-2')] }));
  const [p1, p2] = [await c.waitPod('web-1', running), await c.waitPod('web-2', running)];
  const [ip1, ip2] = [p1.status!.podIP!, p2.status!.podIP!];
  assert.notEqual(ip1, ip2);
  for (const p of [p1, p2]) {
    assert.match(p.status!.podIP!, /^10\.250\.\d+\.\d+$/);
    assert.deepEqual(p.status!.podIPs, [{ ip: p.status!.podIP }]);
    assert.equal(p.status!.hostIP, '127.0.0.1');
    const route = JSON.parse(execFileSync('ip', ['-j', 'route', 'get', p.status!.podIP!], { encoding: 'utf8' }))[0];
    assert.equal(route.dev, names.bridge, `the host routes ${p.status!.podIP} through the node bridge`);
    // Hairpin on the pod's bridge port, as CNI's bridge plugin sets it: a pod reaching itself through its Service's
    // address gets its own frames back through that port.
    const port = JSON.parse(execFileSync('bridge', ['-j', '-d', 'link', 'show', 'dev', names.veth(p.metadata.uid!)], { encoding: 'utf8' }))[0];
    assert.equal(port.hairpin, true, 'hairpin mode on the pod\'s bridge port');
    // The pod network is IPv4: no IPv6 address (not even link-local) on either end of the veth, so neither sends
    // neighbour discovery or MLD that the bridge would flood to every pod.
    assert.equal(execFileSync('ip', ['-6', '-o', 'addr', 'show', 'dev', names.veth(p.metadata.uid!)], { encoding: 'utf8' }).trim(), '');
    assert.equal(inside(pidOf(p, 'web'), ['--net'], ['ip', '-6', '-o', 'addr', 'show', 'dev', 'eth0']), '');
  }
  assert.equal(await waitFor(() => { try { return fetchId(`http://${ip1}:8080/id`); } catch { return false; } }, { message: 'web-1 by IP' }), 'web-1');
  assert.equal(await waitFor(() => { try { return fetchId(`http://${ip2}:8080/id`); } catch { return false; } }, { message: 'web-2 by IP' }), 'web-2');
  // From inside web-2's network namespace, web-1 by its IP, and its own server on localhost.
  assert.equal(inside(pidOf(p2, 'web'), ['--net'], ['python3', '-c', FETCH, `http://${ip1}:8080/id`]), 'web-1');
  assert.equal(inside(pidOf(p2, 'web'), ['--net'], ['python3', '-c', FETCH, 'http://127.0.0.1:8080/id']), 'web-2');
  await deleteAll('web-1', 'web-2');
  await waitFor(() => leftovers().length === 0, { message: `no sandbox left: ${leftovers().join(', ')}` });
}]);

cases.push(['containers of one pod share localhost, SysV IPC and /etc/hosts; other pods and the host do not see its IPC', async () => {
  await create(c, podManifest('duo', { hostname: 'duo-host', containers: [
    { name: 'maker', image: 'busybox', command: ['sh', '-c', 'ipcmk -M 4242 && exec python3 -m http.server 8080'] }, sleeper()] }));
  await create(c, podManifest('other', { containers: [sleeper()] }));
  const duo = await c.waitPod('duo', running);
  const other = await c.waitPod('other', running);
  const shm = (pid: number) => inside(pid, ['--ipc'], ['ipcs', '-m']).split('\n').filter((l) => /\b4242\b/.test(l)).length;
  await waitFor(() => shm(pidOf(duo, 'side')) === 1, { message: 'the sibling sees the segment' });
  assert.equal(shm(pidOf(other, 'side')), 0, 'another pod does not');
  assert.equal(execFileSync('ipcs', ['-m'], { encoding: 'utf8' }).split('\n').filter((l) => /\b4242\b/.test(l)).length, 0, 'the host does not');
  // A container's mount namespace is made from the agent's pin-free template: it holds no namespace pin (netns or
  // IPC, its pod's or another's), so starting a container does not copy two mounts per pod on the node.
  for (const pid of [pidOf(duo, 'side'), pidOf(other, 'side')]) {
    assert.deepEqual(readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').filter((l) => / - nsfs /.test(l)), [], 'no namespace pin in a container');
  }
  const reply = await waitFor(() => { try { return inside(pidOf(duo, 'side'), ['--net'], ['python3', '-c', FETCH, 'http://localhost:8080/']); } catch { return false; } }, { message: 'sibling over localhost' });
  assert.match(reply, /Directory listing/);
  const hosts = inside(pidOf(duo, 'side'), ['--mount'], ['cat', '/etc/hosts']);
  assert.match(hosts, new RegExp(`^${duo.status!.podIP!.replace(/\./g, '\\.')}\tduo-host$`, 'm'));
  assert.doesNotMatch(execFileSync('cat', ['/etc/hosts'], { encoding: 'utf8' }), /duo-host/, 'the host\'s /etc/hosts is untouched');
  // Issue 20: and the pod's own /etc/resolv.conf (dnsPolicy ClusterFirst, the agent's default --cluster-dns).
  assert.equal(inside(pidOf(duo, 'side'), ['--mount'], ['cat', '/etc/resolv.conf']),
    `search default.svc.cluster.local svc.cluster.local cluster.local${hostSearch()}\nnameserver 10.96.0.10\noptions ndots:5`);
  assert.doesNotMatch(readFileSync('/etc/resolv.conf', 'utf8'), /10\.96\.0\.10/, 'the host\'s /etc/resolv.conf is untouched');
  await deleteAll('duo', 'other');
  await waitFor(() => leftovers().length === 0, { message: 'no sandbox left' });
}]);

cases.push(['a hostNetwork pod keeps the host network and reports the host IP', async () => {
  await create(c, podManifest('hostnet', { hostNetwork: true, containers: [sleeper()] }));
  const p = await c.waitPod('hostnet', running);
  assert.equal(p.status!.podIP, '127.0.0.1');
  assert.equal(inside(pidOf(p, 'side'), [], ['readlink', '/proc/self/ns/net']), execFileSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }).trim());
  // Issue 20: dnsPolicy ClusterFirst on the host network means the host's resolvers (k/k dns.go getPodDNSType).
  const conf = inside(pidOf(p, 'side'), ['--mount'], ['cat', '/etc/resolv.conf']);
  assert.doesNotMatch(conf, /10\.96\.0\.10|ndots:5/);
  for (const ns of readFileSync('/etc/resolv.conf', 'utf8').match(/^nameserver\s+\S+/gm) ?? []) assert.match(conf, new RegExp(`^${ns.replace(/\s+/, ' ').replace(/\./g, '\\.')}$`, 'm'));
  await deleteAll('hostnet');
}]);

cases.push(['after kill -9 of the agent, the restarted one keeps running pods\' sandboxes and removes those of deleted pods', async () => {
  await create(c, podManifest('stays', { containers: [server('stays')] }));
  await create(c, podManifest('goes', { containers: [sleeper()] }));
  const stays = await c.waitPod('stays', running);
  await c.waitPod('goes', running);
  const agent = c.agents.pop()!;
  agent.process.kill('SIGKILL');
  await agent.process.exited;
  await deleteAll('goes');
  await c.addAgent('node-a', undefined, agent.rootDir);
  await waitFor(() => leftovers().length === 4, { message: `only the sandbox of "stays" (netns, ipc, ip, veth) is left: ${leftovers().join(', ')}` });
  const again = await c.waitPod('stays', (p) => running(p) && p.status!.containerStatuses![0].containerID === stays.status!.containerStatuses![0].containerID);
  assert.equal(again.status!.podIP, stays.status!.podIP, 'adopted with its IP');
  assert.equal(await waitFor(() => { try { return fetchId(`http://${stays.status!.podIP}:8080/id`); } catch { return false; } }, { message: 'stays by IP' }), 'stays');
  await deleteAll('stays');
  await waitFor(() => leftovers().length === 0, { message: 'no sandbox left' });
}]);

test('issue 19: pod sandboxes on one agent', { skip }, async (t) => {
  c = await startAgentCluster(t);
  names = new SandboxNames('node-a', c.agents[0].rootDir);
  for (const [name, fn] of cases) await t.test(name, fn);
});
