// The long-lived podling-nsexec (`--serve`) on its own, with steps that need no root (--mkdir): answers in any
// order, a failing step's reason, arguments it cannot carry, and an exit that leaves no process behind.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, waitFor } from '@podling/testkit';
import { NsexecServer } from '../src/nsexec-server.ts';
import { ensureNsexec } from '../src/nsexec.ts';

const tmp = makeTempDir('podling-nsexec-server-');
after(() => tmp.remove());
const unbuilt = ensureNsexec();

test('concurrent requests each get their own answer; a failing step stops its request with the reason', { skip: unbuilt }, async () => {
  const server = new NsexecServer();
  const dirs = Array.from({ length: 12 }, (_, i) => path.join(tmp.dir, `d${i}`));
  await Promise.all(dirs.map((d) => server.run(['--mkdir', d, '--mkdir', path.join(d, 'sub')])));
  for (const d of dirs) assert.ok(existsSync(path.join(d, 'sub')), d);

  const missing = path.join(tmp.dir, 'no-such-dir', 'x');
  const after = path.join(tmp.dir, 'not-made');
  await assert.rejects(server.run(['--mkdir', missing, '--mkdir', after]), (err: Error) => err.message.includes(`--mkdir ${missing}: No such file or directory`));
  assert.equal(existsSync(after), false, 'no step runs after a failing one');
  await assert.rejects(server.run(['--mkdir']), /--mkdir: missing argument/);
  await assert.rejects(server.run(['--mkdir', 'a\tb']), /cannot contain a tab or newline/);
  await assert.rejects(server.run(['--mkdir', tmp.dir, '--', 'true']), /steps only, not a command/);
  await server.run(['--mkdir', path.join(tmp.dir, 'still-serving')]);
  await server.close();
  await assert.rejects(server.run(['--mkdir', tmp.dir]), /closed/);
});

test('a wrapper is answered for once it has exec\'d: its pid already runs the program, every step done', { skip: unbuilt }, async () => {
  const server = new NsexecServer();
  // Steps that take a while (each mkdir walks 50 path components): an answer sent at fork time would come while
  // the fork still runs them, and /proc/<pid>/exe would still be the helper.
  const slow = `${tmp.dir}${'/.'.repeat(50)}`;
  const steps = Array.from({ length: 3800 }, () => ['--mkdir', slow]).flat();
  const child = await server.spawn({}, steps, ['/bin/sleep', '30'], { exited: () => {}, lost: () => {} })!;
  assert.equal(readlinkSync(`/proc/${child.pid}/exe`), realpathSync('/bin/sleep'));
  process.kill(child.pid, 'SIGKILL');
  await waitFor(() => !existsSync(`/proc/${child.pid}`), { message: 'the wrapper reaped' });
  await server.close();
});

test('a helper that cannot be started rejects the request instead of hanging', async () => {
  const server = new NsexecServer(path.join(tmp.dir, 'no-such-helper'));
  await assert.rejects(server.run(['--mkdir', tmp.dir]), /namespace helper .* exited/);
  await server.close();
});

test('the template mount namespace holds no namespace pin, is made once, and ends with the helper', { skip: unbuilt ?? (process.getuid?.() !== 0 ? 'needs root (mount namespaces)' : undefined) }, async () => {
  const server = new NsexecServer();
  const t = await server.mountTemplate('/run/netns');
  assert.ok(t, 'a template');
  assert.equal(await server.mountTemplate('/run/netns'), t, 'asked once per helper');
  const holder = Number(t.path.split('/')[2]);
  assert.equal(String(statSync(t.path).ino), t.inode);
  assert.notEqual(readlinkSync(t.path), readlinkSync('/proc/self/ns/mnt'), 'not the agent\'s mount namespace');
  assert.deepEqual(readFileSync(`/proc/${holder}/mountinfo`, 'utf8').split('\n').filter((l) => / - nsfs /.test(l) || / \/run\/netns /.test(l)), []);
  await server.close();
  await waitFor(() => !existsSync(`/proc/${holder}/ns`), { message: 'the holder ends with the helper' });
});
