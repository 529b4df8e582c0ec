// Issue 20 acceptance for cluster DNS, with a real apiserver (its embedded DNS server and kube-dns Service) and one
// real agent (pods with their own resolv.conf, the node proxy sending 10.96.0.10:53 to the DNS server): from inside
// a pod, `getent hosts web.default.svc.cluster.local` gives the ClusterIP, `curl http://web/` reaches the Service
// by its short name, a headless Service resolves to its pods' IPs and a StatefulSet pod to its own under it, SRV
// names a named port, and other names are forwarded — to a stand-in resolver this test runs on loopback, never off
// the machine. The DNS server listens on the agent's bridge address (its endpoint), where pods' traffic arrives.
// Root only (namespaces, veths, nftables).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { decode, encode } from 'dns-packet';
import type { Pod, Service } from '@podling/api';
import { leasePodCidr, waitFor } from '@podling/testkit';
import { create, podManifest, startAgentCluster, type AgentCluster } from './cluster-fixture.ts';

const run = promisify(execFile);
const skip = process.getuid?.() !== 0 ? 'needs root: pods in their own network namespaces, and the node proxy\'s nftables rules' : false;

const running = (p: Pod) => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((s) => s.state.running);
const pidOf = (p: Pod) => Number(p.status!.containerStatuses![0].containerID!.replace('podling://', ''));
/** Runs `argv` in the pod's network and mount namespaces (its eth0, its /etc/resolv.conf and /etc/hosts).
 *  Asynchronously: the stand-in upstream resolver answers from this process's event loop. */
const inPod = async (p: Pod, argv: string[]) => (await run('nsenter', ['-t', String(pidOf(p)), '--net', '--mount', '--', ...argv], { encoding: 'utf8', timeout: 15_000 })).stdout.trim();
const tryInPod = (p: Pod, argv: string[]) => inPod(p, argv).catch(() => false as const);
const server = (id: string) => [{ name: 'web', image: 'python', command: ['sh', '-c', `echo ${id} > id && exec python3 -m http.server 8080`], ports: [{ name: 'http', containerPort: 8080 }] }];
const SRV = "require('dns').resolveSrv(process.argv[1], (e, r) => { if (e) { console.error(e.code); process.exit(1); } console.log(JSON.stringify(r)); })";

/** A stand-in upstream resolver on loopback: outside.example is 192.0.2.77, any other name NXDOMAIN. */
async function fakeUpstream(): Promise<{ port: number; close(): void }> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (m, r) => {
    const q = decode(m);
    const known = q.questions?.[0]?.name.toLowerCase() === 'outside.example';
    const answers = known && q.questions![0].type === 'A' ? [{ type: 'A' as const, name: q.questions![0].name, ttl: 60, data: '192.0.2.77' }] : [];
    sock.send(encode({ type: 'response', id: q.id, flags: 0x180 | (known ? 0 : 3), questions: q.questions, answers }), r.port, r.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  return { port: (sock.address() as AddressInfo).port, close: () => sock.close() };
}

test('issue 20: cluster DNS from inside pods', { skip }, async (t) => {
  const upstream = await fakeUpstream();
  t.after(() => upstream.close());
  const c: AgentCluster = await startAgentCluster(t, ['node-a'], undefined, (dir) => {
    const gateway = leasePodCidr(path.join(dir, 'node-a')).replace(/0\/24$/, '1');
    return ['--cluster-dns-bind-address', '0.0.0.0', '--cluster-dns-advertise-address', gateway, '--cluster-dns-upstream', `127.0.0.1:${upstream.port}`];
  });
  const svc = (name: string, spec: Service['spec']) => c.client.create<Service>({ resource: 'services', namespace: 'default' }, { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });
  const web = await svc('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
  await svc('db', { clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] });
  // A StatefulSet's pod: hostname and subdomain name it under the headless Service.
  await create(c, { ...podManifest('db-0', { hostname: 'db-0', subdomain: 'db', containers: server('db-0') }), metadata: { name: 'db-0', namespace: 'default', labels: { app: 'web' } } });
  await create(c, { ...podManifest('web-1', { containers: server('web-1') }), metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' } } });
  await create(c, podManifest('client', { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] }));
  const [db0, web1, client] = [await c.waitPod('db-0', running), await c.waitPod('web-1', running), await c.waitPod('client', running)];
  const clusterIP = web.spec.clusterIP!;

  await t.test('getent hosts web.default.svc.cluster.local gives the ClusterIP, through 10.96.0.10', async () => {
    assert.match(await inPod(client, ['cat', '/etc/resolv.conf']), /^nameserver 10\.96\.0\.10$/m);
    const line = await waitFor(() => tryInPod(client, ['getent', 'hosts', 'web.default.svc.cluster.local']), { timeoutMs: 20_000, message: 'web resolves in the pod' });
    assert.equal(line.split(/\s+/)[0], clusterIP);
  });

  await t.test('curl http://web/ resolves the short name through the search list and reaches a replica', async () => {
    const id = await waitFor(() => tryInPod(client, ['curl', '-sf', '--max-time', '3', 'http://web/id']), { timeoutMs: 20_000, message: 'curl http://web/id' });
    assert.ok(['db-0', 'web-1'].includes(id), id);
  });

  await t.test('a headless Service resolves to its ready pods\' IPs, a StatefulSet pod to its own, SRV to named ports', async () => {
    const ips = await waitFor(async () => {
      const out = await tryInPod(client, ['getent', 'ahostsv4', 'db.default.svc.cluster.local']);
      const found = out ? [...new Set(out.split('\n').map((l) => l.split(/\s+/)[0]))].sort() : [];
      return found.length === 2 && found;
    }, { timeoutMs: 20_000, message: 'both pods behind the headless Service' });
    assert.deepEqual(ips, [db0.status!.podIP!, web1.status!.podIP!].sort());
    assert.equal((await inPod(client, ['getent', 'hosts', 'db-0.db.default.svc.cluster.local'])).split(/\s+/)[0], db0.status!.podIP);
    const srv = JSON.parse(await inPod(client, [process.execPath, '-e', SRV, '_http._tcp.web.default.svc.cluster.local']));
    assert.deepEqual(srv.map((r: { name: string; port: number }) => `${r.name}:${r.port}`), ['web.default.svc.cluster.local:80']);
    assert.equal(await tryInPod(client, ['getent', 'hosts', 'nope.default.svc.cluster.local']), false, 'an unknown Service is NXDOMAIN');
  });

  await t.test('other names are forwarded to the upstream resolver', async () => {
    assert.equal((await inPod(client, ['getent', 'hosts', 'outside.example'])).split(/\s+/)[0], '192.0.2.77');
  });
});
