// Issue 7: the apiserver refuses a non-loopback address without a token file (exit 2, with the reason), and with
// --insecure-allow-anonymous it starts but says so loudly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { makeTempDir, startTs } from '@podling/testkit';

test('listening on 0.0.0.0 without a token file is refused with exit code 2', async (t) => {
  const tmp = makeTempDir();
  t.after(() => tmp.remove());
  const p = startTs('apps/apiserver/src/main.ts', { args: ['--address', '0.0.0.0', '--port', '0', '--db', path.join(tmp.dir, 'db')] });
  const { code } = await p.exited;
  assert.equal(code, 2);
  assert.match(p.output(), /refusing to listen on 0\.0\.0\.0 without authentication/);
});

test('--insecure-allow-anonymous starts on 0.0.0.0 with a loud warning', async (t) => {
  const tmp = makeTempDir();
  const p = startTs('apps/apiserver/src/main.ts', {
    args: ['--address', '0.0.0.0', '--port', '0', '--db', path.join(tmp.dir, 'db'), '--insecure-allow-anonymous', '--controllers', 'none'],
  });
  t.after(async () => { await p.stop(); tmp.remove(); });
  const warning = await p.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('INSECURE:'));
  assert.equal(warning.level, 40);
  await p.waitForLog((l) => l.msg === 'listening');
});
