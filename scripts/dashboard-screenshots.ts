// Regenerates the dashboard screenshots in docs/dashboard/ (`node --import tsx scripts/dashboard-screenshots.ts`):
// a cluster with one agent, a Deployment, a Job, a talking pod and a crashing one, photographed by Debian's
// Chromium at laptop and phone sizes.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { makeTempDir, repoRoot, startApiserver, startKubelet, waitFor } from '@podling/testkit';

const out = path.join(repoRoot, 'docs', 'dashboard');
mkdirSync(out, { recursive: true });
const tmp = makeTempDir('podling-screenshots-');
const apiserver = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db') });
const kubelet = await startKubelet({ server: apiserver.url, nodeName: 'node-1', rootDir: path.join(tmp.dir, 'kubelet') });
const browser = await chromium.launch({ executablePath: process.env.PODLING_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const post = async (p: string, body: unknown) => {
    const res = await fetch(apiserver.url + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
  };
  const container = (name: string, script: string) => ({ name, image: 'busybox', command: ['sh', '-c', script], resources: { requests: { cpu: '100m', memory: '64Mi' } } });
  const template = (app: string, script: string) => ({ metadata: { labels: { app } }, spec: { containers: [container('main', script)] } });
  await post('/apis/apps/v1/namespaces/default/deployments', { metadata: { name: 'web' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template('web', 'while true; do sleep 1; done') } });
  await post('/apis/batch/v1/namespaces/default/jobs', { metadata: { name: 'report' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [container('main', 'echo done')] } } } });
  await post('/api/v1/namespaces/default/pods', { metadata: { name: 'talker', labels: { app: 'talker' } },
    spec: { containers: [container('main', 'i=0; while true; do i=$((i+1)); echo "request $i served in $((i % 7 + 3)) ms"; sleep 0.5; done')] } });
  await post('/api/v1/namespaces/default/pods', { metadata: { name: 'crasher', labels: { app: 'crasher' } },
    spec: { containers: [container('main', 'echo "config missing"; exit 1')] } });
  await waitFor(async () => {
    const pods = await (await fetch(`${apiserver.url}/api/v1/pods`)).json() as { items: { status?: { phase?: string; containerStatuses?: { restartCount?: number }[] } }[] };
    return pods.items.filter((p) => p.status?.phase === 'Running').length >= 4 &&
      pods.items.some((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2);
  }, { timeoutMs: 60_000, message: 'workloads running and a crash loop under way' });

  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  const shot = async (hash: string, file: string, ready: string) => {
    await page.goto(`${apiserver.url}/ui/#/${hash}`);
    await page.locator(ready).first().waitFor();
    await page.waitForTimeout(500); // let the coalesced updates land before the picture
    await page.screenshot({ path: path.join(out, file) });
  };
  await shot('nodes', 'nodes.png', '[data-node=node-1]');
  await shot('pods', 'pods.png', '[data-key="default/talker"]');
  await shot('pods/default/talker', 'pod.png', '[data-testid=log] >> text=served');
  await shot('workloads', 'workloads.png', '[data-testid=rollout]');
  await shot('events', 'events.png', '.vrow.warning');
  await page.setViewportSize({ width: 390, height: 760 });
  await shot('pods', 'phone-pods.png', '[data-key="default/talker"]');
  process.stdout.write(`screenshots written to ${out}\n`);
} finally {
  await browser.close();
  await kubelet.stop();
  await apiserver.stop();
  tmp.remove();
}
