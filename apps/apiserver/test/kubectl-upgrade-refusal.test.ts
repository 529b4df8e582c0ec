// Refusing exec/attach/port-forward upgrades before any WebSocket handshake, as kubectl needs to print
// `Error from server (BadRequest): …` (kubectl-wire.md §14). Other upgrades still reach their listener.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import type { Status } from '@podling/api';
import { interceptUpgrades } from '../src/kubectl/index.ts';

const refusal: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'exec is not supported', reason: 'BadRequest', code: 400 };

async function rawUpgrade(port: number, method: string, path: string, upgrade: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${upgrade}\r\n\r\n`);
  let text = '';
  socket.on('data', (b) => { text += b; });
  await once(socket, 'close');
  return text;
}

test('exec upgrades (WebSocket and SPDY) get the Status; other upgrades reach the original listener', async () => {
  const server = http.createServer();
  const reached: string[] = [];
  server.on('upgrade', (req, socket) => { reached.push(req.url!); socket.end('HTTP/1.1 101 Switching Protocols\r\n\r\n'); });
  interceptUpgrades(server, async (req) => (/\/exec(\?|$)/.test(req.url!) ? refusal : undefined));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  try {
    for (const [method, upgrade] of [['GET', 'websocket'], ['POST', 'SPDY/3.1']]) {
      const res = await rawUpgrade(port, method, '/api/v1/namespaces/default/pods/x/exec?command=ls', upgrade);
      assert.match(res, /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.deepEqual(JSON.parse(res.split('\r\n\r\n')[1]), refusal);
    }
    assert.match(await rawUpgrade(port, 'GET', '/api/v1/pods?watch=true', 'websocket'), /^HTTP\/1\.1 101/);
    assert.deepEqual(reached, ['/api/v1/pods?watch=true']);
  } finally {
    server.close();
  }
});
