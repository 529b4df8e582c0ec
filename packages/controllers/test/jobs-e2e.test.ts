// Issue 15 acceptance for Jobs, with the real kubectl and two real agents: a Job completes and `kubectl wait
// --for=condition=Complete` returns; an Indexed Job runs every index, each pod seeing its JOB_COMPLETION_INDEX; a
// failing Job stops at backoffLimit with BackoffLimitExceeded; `kubectl create job --from=cronjob/x` runs a
// CronJob's template at once (its schedule is tested on an injected clock in cronjob-controller.test.ts). The failing Job is created first: its 10 s back-off
// passes meanwhile.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '@podling/api';
import type { KubeClient } from '@podling/client';
import { waitFor } from '@podling/testkit';
import type { Kubectl } from '../../../apps/apiserver/test/kubectl-cli.ts';
import { PODS as P, startControllersCluster, type ControllersCluster } from './controllers-cluster.ts';
import type { Job } from '../src/workload-types.ts';

let c: ControllersCluster;
let client: KubeClient;
let kubectl: Kubectl;

function manifest(name: string, spec: string, command: string): string {
  return `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
${spec}
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        command: [sh, -c, '${command}']
`;
}

before(async () => {
  c = await startControllersCluster(['job-a', 'job-b']);
  ({ client, kubectl } = c);
  await kubectl.ok(['create', '-f', kubectl.file('fail.yaml', manifest('fail', '  backoffLimit: 1', 'exit 3'))]);
});

after(() => c?.stop(() => kubectl.run(['delete', 'cronjobs,jobs', '--all', '--wait=false'])));

const jobPods = async (job: string) => (await client.list<Pod>(P, { labelSelector: `batch.kubernetes.io/job-name=${job}` })).items;

test('a Job completes and kubectl wait --for=condition=Complete returns', async () => {
  assert.equal(await kubectl.ok(['create', 'job', 'hello', '--image=busybox', '--', 'sh', '-c', 'echo hello']), 'job.batch/hello created\n');
  assert.equal(await kubectl.ok(['wait', '--for=condition=Complete', 'job/hello', '--timeout=60s'], { timeoutMs: 70_000 }), 'job.batch/hello condition met\n');
  assert.match(await kubectl.ok(['get', 'job', 'hello']), /hello\s+Complete\s+1\/1\s/);
  const pods = await jobPods('hello');
  assert.equal(pods.length, 1);
  assert.ok(pods.every((p) => p.status?.phase === 'Succeeded' && !p.metadata.finalizers?.length));
  assert.equal(await kubectl.ok(['logs', 'job/hello']), 'hello\n');
});

test('an Indexed Job runs every index, each pod seeing its JOB_COMPLETION_INDEX', async () => {
  const spec = '  completions: 3\n  parallelism: 3\n  completionMode: Indexed';
  await kubectl.ok(['create', '-f', kubectl.file('idx.yaml', manifest('idx', spec, 'echo index=$JOB_COMPLETION_INDEX'))]);
  await kubectl.ok(['wait', '--for=condition=Complete', 'job/idx', '--timeout=60s'], { timeoutMs: 70_000 });
  const job = await client.get<Job>({ resource: 'jobs', namespace: 'default' }, 'idx');
  assert.equal(job.status?.completedIndexes, '0-2');
  const seen: string[] = [];
  for (const p of await jobPods('idx')) {
    const out = await kubectl.ok(['logs', p.metadata.name!]);
    assert.equal(out, `index=${p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']}\n`);
    seen.push(out.trim());
  }
  assert.deepEqual(seen.sort(), ['index=0', 'index=1', 'index=2']);
});

test('kubectl create job --from=cronjob/tick runs the CronJob\'s template now', async () => {
  assert.equal(await kubectl.ok(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=0 0 1 1 *', '--', 'sh', '-c', 'echo tick']), 'cronjob.batch/tick created\n');
  assert.equal(await kubectl.ok(['create', 'job', 'tick-now', '--from=cronjob/tick']), 'job.batch/tick-now created\n');
  await kubectl.ok(['wait', '--for=condition=Complete', 'job/tick-now', '--timeout=60s'], { timeoutMs: 70_000 });
  assert.equal(await kubectl.ok(['logs', 'job/tick-now']), 'tick\n');
  assert.match(await kubectl.ok(['get', 'cronjob', 'tick']), /tick\s+0 0 1 1 \*\s+<none>\s+False\s+0\s+<none>\s/);
});

test('a failing Job stops at backoffLimit with BackoffLimitExceeded', async () => {
  assert.equal(await kubectl.ok(['wait', '--for=condition=Failed', 'job/fail', '--timeout=60s'], { timeoutMs: 70_000 }), 'job.batch/fail condition met\n');
  const job = await client.get<Job>({ resource: 'jobs', namespace: 'default' }, 'fail');
  const failed = job.status?.conditions?.find((c) => c.type === 'Failed');
  assert.equal(failed?.reason, 'BackoffLimitExceeded');
  assert.equal(job.status?.failed, 2);
  const pods = await jobPods('fail');
  assert.equal(pods.length, 2, 'backoffLimit 1: the first pod and one retry, no more');
  assert.ok(pods.every((p) => p.status?.phase === 'Failed'));
});
