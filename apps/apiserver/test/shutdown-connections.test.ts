// SIGTERM ends the apiserver even while a client holds a connection Node's HTTP layer does not track: a TLS
// socket that never finishes its handshake kept server.close() waiting until the shutdown watchdog's exit(1) (and,
// in the multi-host lab, the supervisor's SIGKILL). Found when the controllers' own client connections were cut
// mid-handshake at shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, repoRoot, startTs } from '@podling/testkit';

const run = promisify(execFile);

test('an apiserver on TLS exits 0 on SIGTERM while a client sits in the TLS handshake', async () => {
  const tmp = makeTempDir();
  const pki = path.join(tmp.dir, 'pki');
  await run(process.execPath, ['--import', 'tsx', 'apps/apiserver/src/main.ts',
    '--generate-certs', pki, '--nodes', 'n1', '--server', 'https://127.0.0.1:6443'], { cwd: repoRoot });
  const apiserver = startTs('apps/apiserver/src/main.ts', {
    args: ['--port', '0', '--db', path.join(tmp.dir, 'podling.db'), '--controllers', 'none',
      '--tls-cert-file', path.join(pki, 'apiserver.crt'), '--tls-private-key-file', path.join(pki, 'apiserver.key'),
      '--token-auth-file', path.join(pki, 'tokens.csv')],
    env: { PODLING_LOG_LEVEL: 'info' },
  });
  const socket = new net.Socket();
  try {
    const url = new URL(String((await apiserver.waitForLog((l) => l.msg === 'listening', 30_000)).url));
    await new Promise<void>((resolve, reject) => socket.connect(Number(url.port), '127.0.0.1', resolve).once('error', reject));
    // Connected at the TCP level, never a ClientHello: the server holds a socket with no HTTP request on it.
    const code = await apiserver.stop(20_000);
    assert.equal(code, 0, `apiserver exit on SIGTERM; output:\n${apiserver.output().slice(-3000)}`);
  } finally {
    socket.destroy();
    await apiserver.stop();
    tmp.remove();
  }
});
