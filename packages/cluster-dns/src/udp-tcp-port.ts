// A UDP socket and a TCP server on one address and port, as DNS serves both (RFC 1035 §4.2, RFC 7766). Port 0 means
// the port UDP gets; its TCP side may already be taken (by a listener, or as the local end of an outgoing
// connection), so a few other ports are tried before giving up. Both are returned without handlers.
import dgram from 'node:dgram';
import net, { type AddressInfo } from 'node:net';

const PORT_ATTEMPTS = 5;

export interface UdpTcpPort { udp: dgram.Socket; tcp: net.Server; port: number }

export async function bindUdpAndTcp(host: string, port: number): Promise<UdpTcpPort> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await bindOnce(host, port);
    } catch (err) {
      if (port !== 0 || attempt >= PORT_ATTEMPTS || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
}

async function bindOnce(host: string, port: number): Promise<UdpTcpPort> {
  const udp = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
  await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind(port, host, () => { udp.off('error', reject); resolve(); }); });
  const bound = (udp.address() as AddressInfo).port;
  const tcp = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(bound, host, () => { tcp.off('error', reject); resolve(); }); });
  } catch (err) {
    udp.close();
    throw err;
  }
  return { udp, tcp, port: bound };
}
