// Issue 13: what one httpGet, tcpSocket or grpc probe run reports, against servers in this process, with the
// kubelet's texts (k/k pkg/probe/{http,tcp,grpc}).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { decodeCheckResponse, encodeCheckRequest, grpcAction } from '../src/grpc-action.ts';
import { httpGetAction } from '../src/http-get-action.ts';
import { resolveContainerPort } from '../src/probe-action.ts';
import { tcpSocketAction } from '../src/tcp-socket-action.ts';

async function listen(srv: net.Server): Promise<number> {
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return (srv.address() as net.AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  const port = await listen(srv);
  await new Promise((r) => srv.close(r));
  return port;
}

test('issue 13: httpGet passes on 2xx/3xx, follows same-host redirects, warns on others, fails with the status code only', async (t) => {
  const seen: http.IncomingHttpHeaders[] = [];
  const srv = http.createServer((req, res) => {
    seen.push(req.headers);
    if (req.url === '/ok?x=1') res.end('fine');
    else if (req.url === '/same') res.writeHead(301, { location: '/ok?x=1' }).end();
    else if (req.url === '/away') res.writeHead(302, { location: 'http://localhost:1/' }).end('moved');
    else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
    else if (req.url === '/slow') setTimeout(() => res.end(), 3000);
    else res.writeHead(500).end('secret body');
  });
  const port = await listen(srv);
  t.after(() => { srv.closeAllConnections(); srv.close(); });
  const get = (path: string, extra = {}) => httpGetAction({ path, port, scheme: 'HTTP', ...extra }, port, '127.0.0.1', 1000);
  assert.deepEqual(await get('/ok?x=1', { httpHeaders: [{ name: 'X-Custom', value: 'v' }, { name: 'Accept', value: '' }] }), { result: 'success', output: 'fine' });
  assert.equal(seen[0]['user-agent'], 'kube-probe/1.32');
  assert.equal(seen[0]['x-custom'], 'v');
  assert.equal(seen[0].accept, undefined, 'an empty Accept removes the header');
  assert.equal(seen[0].connection, 'close');
  assert.deepEqual(await get('/same'), { result: 'success', output: 'fine' });
  assert.deepEqual(await get('/away'), { result: 'warning', output: 'Probe terminated redirects, Response body: moved' });
  assert.deepEqual(await get('/loop'), { result: 'failure', output: `Get "http://127.0.0.1:${port}/loop": stopped after 10 redirects` });
  assert.deepEqual(await get('/500'), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
  assert.deepEqual(await get('/slow'), { result: 'failure', output: `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
  const closed = await closedPort();
  assert.deepEqual(await httpGetAction({ path: '/', port: closed }, closed, '127.0.0.1', 1000),
    { result: 'failure', output: `Get "http://127.0.0.1:${closed}/": dial tcp 127.0.0.1:${closed}: connect: connection refused` });
});

test('issue 13: an HTTPS httpGet probe does not verify the certificate', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'podling-probe-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=self-signed',
    '-days', '1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  const srv = https.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (_req, res) => res.end('tls'));
  const port = await listen(srv);
  t.after(() => srv.close());
  assert.deepEqual(await httpGetAction({ path: '/', port, scheme: 'HTTPS' }, port, '127.0.0.1', 1000), { result: 'success', output: 'tls' });
});

test('issue 13: tcpSocket connects and closes; a refused dial carries Go’s text', async (t) => {
  const srv = net.createServer((s) => s.end());
  const port = await listen(srv);
  t.after(() => srv.close());
  assert.deepEqual(await tcpSocketAction('127.0.0.1', port, 1000), { result: 'success', output: '' });
  const closed = await closedPort();
  assert.deepEqual(await tcpSocketAction('127.0.0.1', closed, 1000), { result: 'failure', output: `dial tcp 127.0.0.1:${closed}: connect: connection refused` });
});

test('issue 13: grpc health messages and a server that is not there', async () => {
  assert.deepEqual(encodeCheckRequest(''), Buffer.alloc(0));
  assert.deepEqual(encodeCheckRequest('db'), Buffer.from([0x0a, 2, 0x64, 0x62]));
  assert.equal(decodeCheckResponse(Buffer.from([0x08, 2])), 2);
  assert.equal(decodeCheckResponse(Buffer.alloc(0)), 0);
  const closed = await closedPort();
  assert.deepEqual(await grpcAction('127.0.0.1', closed, '', 1000),
    { result: 'failure', output: `timeout: failed to connect service "127.0.0.1:${closed}" within 1s: context deadline exceeded` });
});

test('issue 13: probe ports resolve by number, by container port name, or a number in a string', () => {
  const c = { name: 'c', ports: [{ name: 'http', containerPort: 8080 }] };
  assert.equal(resolveContainerPort(81, c), 81);
  assert.equal(resolveContainerPort('http', c), 8080);
  assert.equal(resolveContainerPort('9090', c), 9090);
  assert.throws(() => resolveContainerPort('metrics', c), /^Error: port metrics not found$/);
});
