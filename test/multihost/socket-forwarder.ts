// Run inside the operator's lab namespace: accepts connections on a Unix socket (a file, so reachable from the
// root namespace, where the test runs) and connects each one to HOST:PORT over the lab network. The test thereby
// talks to the apiserver from a lab machine, at its lab address, without adding any interface to the root
// namespace. Usage: socket-forwarder.ts --listen /path/to/sock --connect 10.77.0.1:6443
import net from 'node:net';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { listen: { type: 'string' }, connect: { type: 'string' } } });
const target = /^(.+):(\d+)$/.exec(values.connect ?? '');
if (!values.listen || !target) {
  process.stderr.write('usage: socket-forwarder.ts --listen SOCKET --connect HOST:PORT\n');
  process.exit(2);
}
const [, host, port] = target;
rmSync(values.listen, { force: true });
const server = net.createServer((inbound) => {
  const outbound = net.connect({ host, port: Number(port) });
  inbound.pipe(outbound).pipe(inbound);
  inbound.on('error', () => outbound.destroy());
  outbound.on('error', () => inbound.destroy());
});
server.listen(values.listen, () => {
  process.stdout.write(JSON.stringify({ msg: 'listening', socket: values.listen, target: values.connect }) + '\n');
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
