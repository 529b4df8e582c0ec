// Issue 6: the real kubectl against Podling — create, apply (client- and server-side), replace, label, annotate,
// patch, run, namespaces and error renderings. No kubelet: pods stay Pending, which is all these commands need.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { startKubectlCluster, type KubectlCluster } from './kubectl-cli.ts';

let cluster: KubectlCluster;
const kubectl = () => cluster.kubectl;
before(async () => { cluster = await startKubectlCluster(); });
after(async () => { await cluster?.stop(); });

interface PodLike { metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { uid: string }[] };
  spec: { containers: { name: string; image: string; command?: string[]; args?: string[] }[]; tolerations?: unknown[] } }

function manifest(name: string, over: { labels?: Record<string, string>; images?: [string, string]; owners?: string[] } = {}): string {
  const [img1, img2] = over.images ?? ['busybox:1.36', 'busybox:1.36'];
  return toYaml({
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, labels: over.labels ?? { app: name },
      ...(over.owners ? { ownerReferences: over.owners.map((uid) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: `cm-${uid}`, uid })) } : {}),
    },
    spec: { containers: [
      { name: 'main', image: img1, command: ['sh', '-c', 'sleep 3600'] },
      { name: 'side', image: img2, command: ['sh', '-c', 'sleep 3600'] },
    ] },
  });
}

async function getPod(name: string, ns = 'default'): Promise<PodLike> {
  return JSON.parse(await kubectl().ok(['get', 'pod', name, '-n', ns, '-o', 'json']));
}

test('create -f creates a pod, and creating it again renders AlreadyExists', async () => {
  const file = kubectl().file('c1.yaml', manifest('c1'));
  assert.equal((await kubectl().ok(['create', '-f', file])).trim(), 'pod/c1 created');
  const r = await kubectl().fails(['create', '-f', file]);
  assert.match(r.stderr, /Error from server \(AlreadyExists\): error when creating ".*c1\.yaml": pods "c1" already exists/);
});

test('apply -f creates, then reports unchanged, then configured with a three-way strategic merge patch', async () => {
  const v1 = kubectl().file('a1-v1.yaml', manifest('a1', { labels: { app: 'a1', tier: 'web' }, owners: ['u-1', 'u-2'] }));
  assert.equal((await kubectl().ok(['apply', '-f', v1])).trim(), 'pod/a1 created');
  const created = await getPod('a1');
  assert.ok(created.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']);
  assert.equal((await kubectl().ok(['apply', '-f', v1])).trim(), 'pod/a1 unchanged');

  // Drops label `tier` (null in the patch), changes one image (containers merged by name with
  // $setElementOrder/containers) and drops one owner reference ($patch: delete, merge key uid).
  const v2 = kubectl().file('a1-v2.yaml', manifest('a1', { labels: { app: 'a1' }, images: ['busybox:1.37', 'busybox:1.36'], owners: ['u-1'] }));
  assert.equal((await kubectl().ok(['apply', '-f', v2])).trim(), 'pod/a1 configured');
  const pod = await getPod('a1');
  assert.deepEqual(pod.metadata.labels, { app: 'a1' });
  assert.deepEqual(pod.spec.containers.map((c) => `${c.name}=${c.image}`), ['main=busybox:1.37', 'side=busybox:1.36']);
  assert.deepEqual(pod.metadata.ownerReferences?.map((o) => o.uid), ['u-1']);
  assert.ok(!JSON.stringify(pod).includes('$setElementOrder'), 'patch directives are never stored');
});

test('apply over a pod made by create warns about the missing last-applied annotation and patches', async () => {
  await kubectl().ok(['create', '-f', kubectl().file('a2.yaml', manifest('a2'))]);
  const r = await kubectl().run(['apply', '-f', kubectl().file('a2-v2.yaml', manifest('a2', { labels: { app: 'a2', extra: 'x' } }))]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /missing the kubectl.kubernetes.io\/last-applied-configuration annotation/);
  assert.equal(r.stdout.trim(), 'pod/a2 configured');
  assert.equal((await getPod('a2')).metadata.labels?.extra, 'x');
});

test('apply --server-side creates and then updates the pod', async () => {
  const file = kubectl().file('ssa.yaml', manifest('ssa'));
  assert.equal((await kubectl().ok(['apply', '--server-side', '-f', file])).trim(), 'pod/ssa serverside-applied');
  const file2 = kubectl().file('ssa2.yaml', manifest('ssa', { labels: { app: 'ssa', v: '2' } }));
  assert.equal((await kubectl().ok(['apply', '--server-side', '-f', file2])).trim(), 'pod/ssa serverside-applied');
  assert.equal((await getPod('ssa')).metadata.labels?.v, '2');
});

test('replace -f writes the object back with its resourceVersion', async () => {
  await kubectl().ok(['create', '-f', kubectl().file('r1.yaml', manifest('r1'))]);
  const live = parseYaml(await kubectl().ok(['get', 'pod', 'r1', '-o', 'yaml']));
  live.metadata.labels.replaced = 'done'; // not 'yes': kubectl reads YAML 1.1, where yes is a boolean
  assert.equal((await kubectl().ok(['replace', '-f', kubectl().file('r1-live.yaml', toYaml(live))])).trim(), 'pod/r1 replaced');
  assert.equal((await getPod('r1')).metadata.labels?.replaced, 'done');
  // The file still carries the old resourceVersion: the optimistic lock must refuse it.
  const stale = await kubectl().fails(['replace', '-f', kubectl().file('r1-live.yaml', toYaml(live))]);
  assert.match(stale.stderr, /Error from server \(Conflict\): .*Operation cannot be fulfilled on pods "r1": the object has been modified/);
});

test('label and annotate add, overwrite and remove keys with merge patches', async () => {
  await kubectl().ok(['create', '-f', kubectl().file('l1.yaml', manifest('l1'))]);
  assert.equal((await kubectl().ok(['label', 'pod', 'l1', 'env=dev'])).trim(), 'pod/l1 labeled');
  const clash = await kubectl().fails(['label', 'pod', 'l1', 'env=prod']);
  assert.match(clash.stderr, /'env' already has a value \(dev\), and --overwrite is false/);
  await kubectl().ok(['label', 'pod', 'l1', 'env=prod', '--overwrite']);
  assert.equal((await getPod('l1')).metadata.labels?.env, 'prod');
  assert.equal((await kubectl().ok(['label', 'pod', 'l1', 'env-'])).trim(), 'pod/l1 unlabeled');
  assert.equal((await getPod('l1')).metadata.labels?.env, undefined);
  assert.equal((await kubectl().ok(['annotate', 'pod', 'l1', 'note=hello world'])).trim(), 'pod/l1 annotated');
  assert.equal((await getPod('l1')).metadata.annotations?.note, 'hello world');
  await kubectl().ok(['label', 'pods', '-l', 'app=l1', 'bulk=1']);
  assert.equal((await getPod('l1')).metadata.labels?.bulk, '1');
});

test('patch applies strategic, merge and JSON patches', async () => {
  await kubectl().ok(['create', '-f', kubectl().file('p1.yaml', manifest('p1'))]);
  assert.equal((await kubectl().ok(['patch', 'pod', 'p1', '-p', '{"spec":{"containers":[{"name":"side","image":"busybox:1.37"}]}}'])).trim(), 'pod/p1 patched');
  let pod = await getPod('p1');
  assert.deepEqual(pod.spec.containers.map((c) => c.image), ['busybox:1.36', 'busybox:1.37'], 'strategic: merged by name');
  await kubectl().ok(['patch', 'pod', 'p1', '--type=merge', '-p', '{"metadata":{"labels":{"m":"1"}}}']);
  await kubectl().ok(['patch', 'pod', 'p1', '--type=json', '-p', '[{"op":"add","path":"/metadata/labels/j","value":"2"},{"op":"replace","path":"/spec/containers/0/image","value":"busybox:1.35"}]']);
  pod = await getPod('p1');
  assert.deepEqual([pod.metadata.labels?.m, pod.metadata.labels?.j, pod.spec.containers[0].image], ['1', '2', 'busybox:1.35']);
  assert.equal((await kubectl().ok(['patch', 'pod', 'p1', '--type=merge', '-p', '{"metadata":{"labels":{"m":"1"}}}'])).trim(), 'pod/p1 patched (no change)');
  const bad = await kubectl().fails(['patch', 'pod', 'p1', '--type=json', '-p', '[{"op":"test","path":"/metadata/labels/m","value":"nope"}]']);
  // Real apiservers answer a failed JSON-patch test with a 422 that has no kind or name, which kubectl renders so.
  assert.equal(bad.stderr.trim(), 'The request is invalid: : testing value /metadata/labels/m failed: test failed');
});

test('patch that changes an immutable pod field renders the Invalid error', async () => {
  await kubectl().ok(['create', '-f', kubectl().file('p2.yaml', manifest('p2'))]);
  const r = await kubectl().fails(['patch', 'pod', 'p2', '--type=merge', '-p', '{"spec":{"restartPolicy":"Never"}}']);
  assert.match(r.stderr, /The Pod "p2" is invalid: spec: Forbidden: pod updates may not change fields other than/);
});

test('run creates a pod whose arguments follow --', async () => {
  assert.equal((await kubectl().ok(['run', 'runner', '--image=busybox', '--restart=Never', '--labels=run=yes', '--', 'sh', '-c', 'echo hi'])).trim(), 'pod/runner created');
  const pod = await getPod('runner') as PodLike & { spec: { restartPolicy: string } };
  assert.deepEqual(pod.spec.containers[0].args, ['sh', '-c', 'echo hi']);
  assert.equal(pod.spec.restartPolicy, 'Never');
  assert.equal(pod.metadata.labels?.run, 'yes');
  await kubectl().ok(['run', 'runner2', '--image=busybox', '--command', '--', 'sleep', '10']);
  assert.deepEqual((await getPod('runner2')).spec.containers[0].command, ['sleep', '10']);
});

test('create namespace works although kubectl sends that body as protobuf', async () => {
  assert.equal((await kubectl().ok(['create', 'namespace', 'team-b'])).trim(), 'namespace/team-b created');
  assert.match(await kubectl().ok(['get', 'ns', 'team-b']), /^team-b\s+Active\s/m);
});

test('namespaces can be created from a manifest, listed, used and deleted', async () => {
  const file = kubectl().file('ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n');
  assert.equal((await kubectl().ok(['create', '-f', file])).trim(), 'namespace/team-a created');
  const rows = (await kubectl().ok(['get', 'ns'])).split('\n');
  assert.ok(rows.some((l) => /^team-a\s+Active\s/.test(l)), rows.join('\n'));
  assert.ok(rows.some((l) => /^default\s+Active\s/.test(l)), rows.join('\n'));
  await kubectl().ok(['run', 'inside', '--image=busybox', '-n', 'team-a']);
  assert.equal((await getPod('inside', 'team-a')).metadata.name, 'inside');
  assert.equal((await kubectl().ok(['delete', 'namespace', 'team-a'], { timeoutMs: 60_000 })).trim(), 'namespace "team-a" deleted');
  const gone = await kubectl().fails(['get', 'ns', 'team-a']);
  assert.match(gone.stderr, /Error from server \(NotFound\): namespaces "team-a" not found/);
});

test('errors render as kubectl prints real apiserver Status objects', async () => {
  const nf = await kubectl().fails(['get', 'pod', 'nope']);
  assert.equal(nf.stderr.trim(), 'Error from server (NotFound): pods "nope" not found');
  const invalid = await kubectl().fails(['create', '-f', kubectl().file('bad.yaml', manifest('My_Pod'))]);
  assert.match(invalid.stderr, /The Pod "My_Pod" is invalid: metadata.name: Invalid value: "My_Pod": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.', and must start and end with an alphanumeric character/);
  const del = await kubectl().fails(['delete', 'pod', 'nope']);
  assert.equal(del.stderr.trim(), 'Error from server (NotFound): pods "nope" not found');
  const unknown = await kubectl().fails(['create', '-f', kubectl().file('unknown.yaml',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: unk}\nspec: {foo: 1, containers: [{name: c, image: busybox}]}\n')]);
  assert.match(unknown.stderr, /unknown field "spec.foo"/);
});
