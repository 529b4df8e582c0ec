// Issue 6: the real kubectl against Podling — `kubectl get` in its output modes, selectors, sorting and -w.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { waitFor } from '@podling/testkit';
import { parseColumns, startKubectlCluster, type KubectlCluster } from './kubectl-cli.ts';

let cluster: KubectlCluster;
const kubectl = () => cluster.kubectl;

function podYaml(name: string, labels: Record<string, string>, namespace = 'default'): string {
  return [
    'apiVersion: v1', 'kind: Pod', 'metadata:', `  name: ${name}`, `  namespace: ${namespace}`, '  labels:',
    ...Object.entries(labels).map(([k, v]) => `    ${k}: ${v}`),
    'spec:', '  terminationGracePeriodSeconds: 2', '  containers:', '  - name: main', '    image: busybox',
    '    command: ["sh", "-c", "sleep 3600"]', '',
  ].join('\n');
}

async function phaseOf(name: string): Promise<string | undefined> {
  const res = await fetch(`${cluster.apiserver.url}/api/v1/namespaces/default/pods/${name}`);
  return res.ok ? ((await res.json()) as { status?: { phase?: string } }).status?.phase : undefined;
}

before(async () => {
  cluster = await startKubectlCluster({ kubelet: true, nodeName: 'node-1' });
  await kubectl().ok(['create', '-f', kubectl().file('web.yaml', podYaml('web', { app: 'web', tier: 'front' }))]);
  await kubectl().ok(['create', '-f', kubectl().file('db.yaml', podYaml('db', { app: 'db' }))]);
  for (const name of ['web', 'db']) await waitFor(async () => (await phaseOf(name)) === 'Running', { timeoutMs: 20_000, message: `${name} Running` });
});
after(async () => { await cluster?.stop(); });

test('get nodes shows the registered node as Ready with its kubelet version', async () => {
  const rows = parseColumns(await kubectl().ok(['get', 'nodes']));
  assert.deepEqual(Object.keys(rows[0]), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
  assert.equal(rows[0].NAME, 'node-1');
  assert.equal(rows[0].STATUS, 'Ready');
  assert.notEqual(rows[0].VERSION, '');
});

test('get nodes -o wide adds the addresses, OS image, kernel and runtime', async () => {
  const [row] = parseColumns(await kubectl().ok(['get', 'no', '-o', 'wide']));
  assert.deepEqual(Object.keys(row), ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
  assert.match(row['INTERNAL-IP'], /^\d+\.\d+\.\d+\.\d+$/);
});

test('get pods prints the server-side Table: NAME READY STATUS RESTARTS AGE', async () => {
  const rows = parseColumns(await kubectl().ok(['get', 'pods']));
  assert.deepEqual(Object.keys(rows[0]), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
  assert.deepEqual(rows.map((r) => [r.NAME, r.READY, r.STATUS, r.RESTARTS]).sort(), [['db', '1/1', 'Running', '0'], ['web', '1/1', 'Running', '0']]);
});

test('get pods -o wide adds IP, NODE, NOMINATED NODE and READINESS GATES', async () => {
  const row = parseColumns(await kubectl().ok(['get', 'pods', '-o', 'wide'])).find((r) => r.NAME === 'web')!;
  assert.equal(row.NODE, 'node-1');
  assert.match(row.IP, /^\d+\.\d+\.\d+\.\d+$/);
  assert.deepEqual([row['NOMINATED NODE'], row['READINESS GATES']], ['<none>', '<none>']);
});

test('get pod -o yaml and -o json print the stored object', async () => {
  const pod = parseYaml(await kubectl().ok(['get', 'pod', 'web', '-o', 'yaml']));
  assert.deepEqual([pod.kind, pod.apiVersion, pod.metadata.name, pod.spec.nodeName], ['Pod', 'v1', 'web', 'node-1']);
  assert.ok(pod.metadata.uid && pod.metadata.resourceVersion && pod.metadata.creationTimestamp);
  const list = JSON.parse(await kubectl().ok(['get', 'pods', '-o', 'json']));
  assert.equal(list.kind, 'List');
  assert.deepEqual(list.items.map((p: { kind: string; metadata: { name: string } }) => `${p.kind}/${p.metadata.name}`).sort(), ['Pod/db', 'Pod/web']);
});

test('get pods -o name prints kind/name lines', async () => {
  assert.deepEqual((await kubectl().ok(['get', 'pods', '-o', 'name'])).trim().split('\n').sort(), ['pod/db', 'pod/web']);
});

test('get pods -A adds the NAMESPACE column from the row metadata', async () => {
  const rows = parseColumns(await kubectl().ok(['get', 'pods', '-A']));
  assert.equal(Object.keys(rows[0])[0], 'NAMESPACE');
  assert.deepEqual(rows.map((r) => `${r.NAMESPACE}/${r.NAME}`).sort(), ['default/db', 'default/web']);
});

test('get pods -l and --field-selector filter on the server', async () => {
  assert.deepEqual(parseColumns(await kubectl().ok(['get', 'pods', '-l', 'app=web'])).map((r) => r.NAME), ['web']);
  assert.deepEqual(parseColumns(await kubectl().ok(['get', 'pods', '-l', 'app in (db,cache),!tier'])).map((r) => r.NAME), ['db']);
  assert.deepEqual(parseColumns(await kubectl().ok(['get', 'pods', '--field-selector', 'metadata.name=db'])).map((r) => r.NAME), ['db']);
  assert.deepEqual(parseColumns(await kubectl().ok(['get', 'pods', '--field-selector', 'spec.nodeName=node-1,status.phase!=Failed'])).length, 2);
});

test('get pods --show-labels and -L print labels from the row metadata', async () => {
  const row = parseColumns(await kubectl().ok(['get', 'pods', '--show-labels'])).find((r) => r.NAME === 'web')!;
  assert.equal(row.LABELS, 'app=web,tier=front');
  const withL = parseColumns(await kubectl().ok(['get', 'pods', '-L', 'tier'])).find((r) => r.NAME === 'web')!;
  assert.equal(withL.TIER, 'front');
});

test('get pods --sort-by sorts rows using the full objects (includeObject=Object)', async () => {
  assert.deepEqual(parseColumns(await kubectl().ok(['get', 'pods', '--sort-by=.metadata.name'])).map((r) => r.NAME), ['db', 'web']);
  assert.deepEqual(parseColumns(await kubectl().ok(['get', 'pods', '--sort-by=.metadata.labels.app'])).map((r) => r.NAME), ['db', 'web']);
});

test('get in an empty namespace says No resources found on stderr and exits 0', async () => {
  const r = await kubectl().run(['get', 'pods', '-n', 'kube-system']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /No resources found in kube-system namespace\./);
});

test('get pods -w prints the list, then a row per change of a new pod until it is gone', async () => {
  const watch = kubectl().stream(['get', 'pods', '-w']);
  try {
    await watch.waitForLine((l) => /^web\s+1\/1\s+Running/.test(l));
    await kubectl().ok(['create', '-f', kubectl().file('w1.yaml', podYaml('w1', { app: 'w' }))]);
    await watch.waitForLine((l) => /^w1\s+0\/1\s+Pending/.test(l));
    await watch.waitForLine((l) => /^w1\s+1\/1\s+Running/.test(l), 20_000);
    await kubectl().ok(['delete', 'pod', 'w1', '--wait=false']);
    await watch.waitForLine((l) => /^w1\s+\S+\s+Terminating/.test(l));
    assert.equal(watch.lines.filter((l) => l.startsWith('NAME')).length, 1, `one header only:\n${watch.lines.join('\n')}`);
    assert.equal(watch.lines.filter((l) => l.startsWith('web ')).length, 1, 'the existing pod is listed once, not replayed');
  } finally {
    await watch.stop();
  }
});

test('get pod NAME -w follows one pod', async () => {
  const watch = kubectl().stream(['get', 'pod', 'db', '-w']);
  try {
    await watch.waitForLine((l) => /^db\s+1\/1\s+Running/.test(l));
    await kubectl().ok(['label', 'pod', 'db', 'watched=yes']);
    await waitFor(() => watch.lines.filter((l) => l.startsWith('db ')).length >= 2, { message: `a second db row:\n${watch.lines.join('\n')}` });
    assert.ok(!watch.lines.some((l) => l.startsWith('web ')));
  } finally {
    await watch.stop();
  }
});

test('get pods -w -o name prints plain watch events', async () => {
  const watch = kubectl().stream(['get', 'pods', '-w', '-o', 'name', '-l', 'app=db']);
  try {
    await watch.waitForLine((l) => l === 'pod/db');
  } finally {
    await watch.stop();
  }
});

test('get events lists what the scheduler and kubelet recorded, as LAST SEEN TYPE REASON OBJECT MESSAGE', async () => {
  const rows = parseColumns(await kubectl().ok(['get', 'events']));
  assert.deepEqual(Object.keys(rows[0]), ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
  assert.ok(rows.some((r) => r.REASON === 'Scheduled' && r.OBJECT === 'pod/web' && r.MESSAGE === 'Successfully assigned default/web to node-1'),
    JSON.stringify(rows, null, 1));
});

test('version, api-resources, wait and cordon work against the discovery and status endpoints', async () => {
  assert.match(await kubectl().ok(['version']), /^Server Version: v1\.32\.0-podling$/m);
  const resources = parseColumns(await kubectl().ok(['api-resources']));
  assert.deepEqual(resources.find((r) => r.NAME === 'pods'), { NAME: 'pods', SHORTNAMES: 'po', APIVERSION: 'v1', NAMESPACED: 'true', KIND: 'Pod' });
  assert.equal((await kubectl().ok(['wait', '--for=condition=Ready', 'pod/web', '--timeout=20s'])).trim(), 'pod/web condition met');
  assert.equal((await kubectl().ok(['cordon', 'node-1'])).trim(), 'node/node-1 cordoned');
  assert.equal(parseColumns(await kubectl().ok(['get', 'nodes']))[0].STATUS, 'Ready,SchedulingDisabled');
  assert.equal((await kubectl().ok(['uncordon', 'node-1'])).trim(), 'node/node-1 uncordoned');
});
