// Issue 15: the official Python client (Debian's python3-kubernetes) against a real apiserver and agent. It sends
// booleans as `True` (watch, follow, timestamps), which must read as true on the apiserver and on the agent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startKubectlCluster, type KubectlCluster } from './kubectl-cli.ts';

const PYTHON = '/usr/bin/python3';
let cluster: KubectlCluster;

before(async () => {
  try {
    execFileSync(PYTHON, ['-c', 'import kubernetes'], { stdio: 'pipe' });
  } catch {
    throw new Error(`${PYTHON} cannot import kubernetes: install Debian's python3-kubernetes (.ci/run does)`);
  }
  cluster = await startKubectlCluster({ kubelet: true, apiserverArgs: ['--controllers', 'none'] });
});
after(async () => { await cluster?.stop(); });

// Prints one JSON line of what it saw; any exception fails the script with its traceback.
const SCRIPT = String.raw`
import json, sys, time
from kubernetes import client, config, watch
config.load_kube_config(config_file=sys.argv[1])
apps, core = client.AppsV1Api(), client.CoreV1Api()
out = {}
template = {'metadata': {'labels': {'app': 'py'}}, 'spec': {'containers': [{'name': 'c', 'image': 'busybox', 'command': ['sleep', '1']}]}}
apps.create_namespaced_deployment('default', {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': 'py'},
    'spec': {'replicas': 2, 'selector': {'matchLabels': {'app': 'py'}}, 'template': template}})
out['deployments'] = [d.metadata.name for d in apps.list_namespaced_deployment('default').items]
out['watched'] = [(e['type'], e['object'].metadata.name) for e in watch.Watch().stream(apps.list_namespaced_deployment, 'default', timeout_seconds=1)]
core.create_namespaced_pod('default', {'metadata': {'name': 'counter'}, 'spec': {'nodeName': 'node-1', 'containers': [{'name': 'c', 'image': 'busybox',
    'command': ['sh', '-c', 'i=0; while true; do echo line $i; i=$((i+1)); sleep 0.1; done']}]}})
while core.read_namespaced_pod('counter', 'default').status.phase != 'Running': time.sleep(0.1)
while not core.read_namespaced_pod_log('counter', 'default'): time.sleep(0.1)
before = len(core.read_namespaced_pod_log('counter', 'default').splitlines())
# With follow=True the stream keeps going past what a plain read saw; timestamps=True prefixes each line.
stream = core.read_namespaced_pod_log('counter', 'default', follow=True, timestamps=True, _preload_content=False)
buf = b''
while True:
    chunk = stream.read(64)
    if not chunk: raise SystemExit('the log stream ended: follow=True was not followed')
    buf += chunk
    lines = buf.decode().splitlines()[:-1]
    if lines and int(lines[-1].split()[-1]) > before + 3: break
stream.release_conn()
out['followed'] = lines[-1]
out['before'] = before
print(json.dumps(out))
`;

test('issue 15: the Python client creates, lists and watches Deployments and follows a pod log with True booleans', async () => {
  const file = path.join(cluster.kubectl.home, 'client.py');
  writeFileSync(file, SCRIPT);
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(PYTHON, [file, cluster.kubectl.kubeconfig], { timeout: 60_000 }, (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out)));
  });
  const seen = JSON.parse(stdout.trim().split('\n').pop()!);
  assert.deepEqual(seen.deployments, ['py']);
  assert.deepEqual(seen.watched, [['ADDED', 'py']]);
  assert.match(seen.followed, /^\d{4}-\d\d-\d\dT[\d:.]+Z line \d+$/);
  assert.ok(Number(seen.followed.split(' ').pop()) > seen.before + 3, 'the followed log went on past the plain read');
});
