// A loopback TCP port that was free a moment ago, for servers that cannot listen on port 0 and report back (etcd
// needs its peer and client URLs before it starts). Callers retry when they lose the race for it.
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => { srv.once('error', reject); srv.listen(0, '127.0.0.1', resolve); });
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}
