// Issue 15 (API side): the workload kinds served like Pods — discovery, CRUD, defaults, validation messages,
// generation and observedGeneration, the status and scale subresources, Job selector generation, Tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, useApiserver } from './http-helpers.ts';

const srv = useApiserver();
const APPS = '/apis/apps/v1/namespaces/default';
const BATCH = '/apis/batch/v1/namespaces/default';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

const template = (labels: Record<string, string>, extra: object = {}) => ({
  metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }], ...extra },
});
const deployment = (name: string, spec: object = {}) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: name } },
  spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: template({ app: name }), ...spec },
});
const job = (name: string, spec: object = {}) => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
  spec: { template: template({}, { restartPolicy: 'Never' }), ...spec },
});

test('discovery lists apps and batch with short names, the all category, status and autoscaling/v1 scale', async () => {
  const groups = (await call(srv.url, 'GET', '/apis')).body.groups.map((g: { name: string }) => g.name);
  assert.ok(groups.includes('apps') && groups.includes('batch'), groups.join());
  const apps = new Map((await call(srv.url, 'GET', '/apis/apps/v1')).body.resources.map((r: { name: string }) => [r.name, r]));
  assert.deepEqual(apps.get('deployments'), { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['deploy'], categories: ['all'] });
  assert.deepEqual(apps.get('deployments/scale'), { name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling',
    version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
  for (const [name, short] of [['replicasets', 'rs'], ['statefulsets', 'sts'], ['daemonsets', 'ds']]) {
    assert.deepEqual((apps.get(name) as { shortNames: string[] }).shortNames, [short]);
    assert.ok(apps.has(`${name}/status`), name);
  }
  assert.ok(!apps.has('daemonsets/scale') && !(apps.get('controllerrevisions') as { categories?: string[] }).categories);
  const batch = new Map((await call(srv.url, 'GET', '/apis/batch/v1')).body.resources.map((r: { name: string }) => [r.name, r]));
  assert.deepEqual((batch.get('cronjobs') as { shortNames: string[] }).shortNames, ['cj']);
  assert.deepEqual((batch.get('jobs') as { categories: string[] }).categories, ['all']);
  const core = new Map((await call(srv.url, 'GET', '/api/v1')).body.resources.map((r: { name: string }) => [r.name, r]));
  assert.deepEqual((core.get('replicationcontrollers') as { shortNames: string[] }).shortNames, ['rc']);
  assert.ok(core.has('replicationcontrollers/scale'));
});

test('a Deployment is created with Kubernetes defaults, generation 1 and an empty status', async () => {
  const r = await call(srv.url, 'POST', `${APPS}/deployments`, { ...deployment('web'), status: { replicas: 9 } });
  assert.equal(r.status, 201, r.text);
  const d = r.body;
  assert.equal(d.metadata.generation, 1);
  assert.deepEqual(d.status, {});
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.spec.template.spec.restartPolicy, 'Always');
  assert.equal(d.spec.template.spec.terminationGracePeriodSeconds, 30);
  assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'Always');
  const list = await call(srv.url, 'GET', '/apis/apps/v1/deployments');
  assert.equal(list.body.kind, 'DeploymentList');
  assert.equal(list.body.apiVersion, 'apps/v1');
  assert.ok(list.body.items.some((i: { metadata: { name: string } }) => i.metadata.name === 'web'));
});

test('spec and annotation changes bump generation, label changes do not; status writes keep spec and generation', async () => {
  await call(srv.url, 'POST', `${APPS}/deployments`, deployment('gen'));
  const P = `${APPS}/deployments/gen`;
  const merge = (body: object, path = P) => call(srv.url, 'PATCH', path, body, { contentType: 'application/merge-patch+json' });
  assert.equal((await merge({ metadata: { labels: { x: 'y' } } })).body.metadata.generation, 1);
  assert.equal((await merge({ spec: { replicas: 3 } })).body.metadata.generation, 2);
  assert.equal((await merge({ metadata: { annotations: { note: 'n' } } })).body.metadata.generation, 3);
  const st = await merge({ spec: { replicas: 7 }, status: { observedGeneration: 3, replicas: 3, readyReplicas: 1 } }, `${P}/status`);
  assert.equal(st.status, 200, st.text);
  assert.deepEqual([st.body.spec.replicas, st.body.metadata.generation, st.body.status.observedGeneration], [3, 3, 3]);
  const main = await merge({ status: { replicas: 99 } });
  assert.equal(main.body.status.replicas, 3, 'the main resource ignores status');
  const neg = await merge({ status: { replicas: -1 } }, `${P}/status`);
  assert.equal(neg.status, 422);
});

const invalid: [string, string, string, object, string][] = [
  ['a Deployment without a selector', 'deployments', APPS, { ...deployment('nosel'), spec: { template: template({ app: 'a' }) } }, 'Deployment.apps "nosel" is invalid: spec.selector: Required value'],
  ['a template the selector does not match', 'deployments', APPS, deployment('mismatch', { template: template({ app: 'other' }) }),
    'Deployment.apps "mismatch" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`'],
  ['a Deployment template with restartPolicy Never', 'deployments', APPS, deployment('never', { template: template({ app: 'never' }, { restartPolicy: 'Never' }) }),
    'Deployment.apps "never" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
  ['negative replicas', 'replicasets', APPS, { ...deployment('neg', { replicas: -1 }), kind: 'ReplicaSet' },
    'ReplicaSet.apps "neg" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
  ['maxSurge and maxUnavailable both 0', 'deployments', APPS, deployment('zero', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }),
    'Deployment.apps "zero" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
  ['a Job whose template restarts Always', 'jobs', BATCH, job('always', { template: template({}, { restartPolicy: 'Always' }) }),
    'Job.batch "always" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
  ['a StatefulSet with volumeClaimTemplates', 'statefulsets', APPS,
    { ...deployment('vol', { volumeClaimTemplates: [{ metadata: { name: 'data' } }] }), kind: 'StatefulSet' },
    'StatefulSet.apps "vol" is invalid: spec.volumeClaimTemplates: Forbidden: volumeClaimTemplates are not supported: Podling has no persistent volumes yet; use emptyDir volumes in the pod template'],
  ['a CronJob with a bad schedule', 'cronjobs', BATCH, { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'bad' },
    spec: { schedule: 'every minute', jobTemplate: { spec: job('x').spec } } }, 'CronJob.batch "bad" is invalid: spec.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]'],
];
for (const [what, plural, base, body, message] of invalid) {
  test(`422 for ${what}`, async () => {
    const r = await call(srv.url, 'POST', `${base}/${plural}`, body);
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.message, message);
    assert.ok(r.body.details.causes.length >= 1);
  });
}

test('apps/v1 selectors are immutable', async () => {
  await call(srv.url, 'POST', `${APPS}/deployments`, deployment('fixed'));
  const r = await call(srv.url, 'PATCH', `${APPS}/deployments/fixed`,
    { spec: { selector: { matchLabels: { app: 'fixed', v: '2' } }, template: { metadata: { labels: { app: 'fixed', v: '2' } } } } },
    { contentType: 'application/merge-patch+json' });
  assert.equal(r.status, 422);
  assert.match(r.body.message, /spec\.selector: Invalid value: .*: field is immutable/);
});

test('the scale subresource reads and writes spec.replicas through the parent', async () => {
  await call(srv.url, 'POST', `${APPS}/deployments`, deployment('sc'));
  const S = `${APPS}/deployments/sc/scale`;
  const got = (await call(srv.url, 'GET', S)).body;
  assert.equal(got.kind, 'Scale');
  assert.equal(got.apiVersion, 'autoscaling/v1');
  assert.deepEqual([got.spec.replicas, got.status.replicas, got.status.selector], [2, 0, 'app=sc']);
  const patched = await call(srv.url, 'PATCH', S, { spec: { replicas: 5 } }, { contentType: 'application/merge-patch+json' });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.body.spec.replicas, 5);
  const d = (await call(srv.url, 'GET', `${APPS}/deployments/sc`)).body;
  assert.deepEqual([d.spec.replicas, d.metadata.generation], [5, 2]);
  const stale = await call(srv.url, 'PUT', S, { ...got, spec: { replicas: 1 } });
  assert.equal(stale.status, 409);
  const zero = await call(srv.url, 'PUT', S, { ...patched.body, spec: { replicas: 0 } });
  assert.equal(zero.status, 200, zero.text);
  assert.deepEqual(zero.body.spec, {});
  const neg = await call(srv.url, 'PUT', S, { ...zero.body, spec: { replicas: -2 } });
  assert.equal(neg.status, 422);
  assert.equal((await call(srv.url, 'GET', `${APPS}/daemonsets/none/scale`)).status, 404);
});

test('a Job gets a generated selector with controller-uid labels, and its template labels become its labels', async () => {
  const r = await call(srv.url, 'POST', `${BATCH}/jobs`, job('pi'));
  assert.equal(r.status, 201, r.text);
  const j = r.body;
  const uid = j.metadata.uid;
  assert.deepEqual(j.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
  assert.deepEqual(j.spec.template.metadata.labels, {
    'batch.kubernetes.io/controller-uid': uid, 'controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi', 'job-name': 'pi',
  });
  assert.deepEqual(j.metadata.labels, j.spec.template.metadata.labels);
  assert.deepEqual([j.spec.completions, j.spec.parallelism, j.spec.backoffLimit, j.spec.completionMode], [1, 1, 6, 'NonIndexed']);
  const changed = await call(srv.url, 'PATCH', `${BATCH}/jobs/pi`, { spec: { template: { spec: { containers: [{ name: 'c', image: 'other' }] } } } },
    { contentType: 'application/strategic-merge-patch+json' });
  assert.equal(changed.status, 422);
  assert.match(changed.body.message, /spec\.template: Invalid value: .*: field is immutable/);
});

test('Tables carry kubectl\'s columns for each kind', async () => {
  await call(srv.url, 'POST', `${BATCH}/cronjobs`, { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick' },
    spec: { schedule: '*/1 * * * *', jobTemplate: { spec: job('x').spec } } });
  const cases: [string, string[], unknown[]][] = [
    [`${APPS}/deployments/web`, ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'], ['web', '0/2', 0, 0]],
    [`${BATCH}/jobs/pi`, ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector'], ['pi', 'Running', '0/1', '']],
    [`${BATCH}/cronjobs/tick`, ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers', 'Images', 'Selector'],
      ['tick', '*/1 * * * *', '<none>', 'False', 0, '<none>']],
  ];
  for (const [path, columns, cells] of cases) {
    const t = (await call(srv.url, 'GET', path, undefined, { accept: TABLE })).body;
    assert.deepEqual(t.columnDefinitions.map((c: { name: string }) => c.name), columns, path);
    assert.deepEqual(t.rows[0].cells.slice(0, cells.length), cells, path);
  }
});
