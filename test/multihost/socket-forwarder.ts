// Run inside the operator's lab namespace: accepts connections on a Unix socket (a file, so reachable from the
// root namespace, where the test runs) and connects each one to HOST:PORT over the lab network. The test thereby
// talks to an apiserver from a lab machine, at its lab address, without adding any interface to the root
// namespace. Several pairs forward to several apiservers.
// Usage: socket-forwarder.ts --listen /path/to/sock --connect 10.77.0.1:6443 [--listen … --connect …]
import net from 'node:net';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { listen: { type: 'string', multiple: true }, connect: { type: 'string', multiple: true } } });
const listen = values.listen ?? [];
const targets = (values.connect ?? []).map((c) => /^(.+):(\d+)$/.exec(c));
if (listen.length === 0 || listen.length !== targets.length || targets.some((t) => !t)) {
  process.stderr.write('usage: socket-forwarder.ts --listen SOCKET --connect HOST:PORT [--listen SOCKET --connect HOST:PORT …]\n');
  process.exit(2);
}
const servers = listen.map((socket, i) => {
  const [, host, port] = targets[i]!;
  rmSync(socket, { force: true });
  const server = net.createServer((inbound) => {
    const outbound = net.connect({ host, port: Number(port) });
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  return new Promise<net.Server>((resolve) => server.listen(socket, () => resolve(server)));
});
const listening = await Promise.all(servers);
process.stdout.write(JSON.stringify({ msg: 'listening', sockets: listen, targets: values.connect }) + '\n');
const stop = () => { let open = listening.length; for (const s of listening) s.close(() => { if (--open === 0) process.exit(0); }); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
