// A full garbage collection in a server under test, through its inspector (started with `--inspect=<host:port>`),
// so that resident memory read afterwards is what the process holds and not how much garbage it happened to carry.
import WebSocket from 'ws';

/** The node flag that opens the inspector on `port` (loopback only). */
export const inspectArg = (port: number): string => `--inspect=127.0.0.1:${port}`;

/** Runs HeapProfiler.collectGarbage in the process whose inspector listens on `port`. */
export async function collectGarbage(port: number): Promise<void> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  try {
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data) => { if ((JSON.parse(String(data)) as { id?: number }).id === 1) resolve(); });
      ws.once('error', reject);
      ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    });
  } finally {
    ws.close();
  }
}
