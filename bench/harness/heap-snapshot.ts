// Writes a V8 heap snapshot of a server under test through its inspector (`--inspect=<host:port>`), streamed to a
// file chunk by chunk, so what holds a server's memory at the end of a benchmark can be read in Chrome's DevTools.
import { createWriteStream } from 'node:fs';
import WebSocket from 'ws';

export async function writeHeapSnapshot(port: number, file: string): Promise<void> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  const out = createWriteStream(file);
  try {
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as { id?: number; method?: string; params?: { chunk: string } };
        if (m.method === 'HeapProfiler.addHeapSnapshotChunk') out.write(m.params!.chunk);
        else if (m.id === 1) resolve();
      });
      ws.once('error', reject);
      ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.takeHeapSnapshot', params: { reportProgress: false } }));
    });
  } finally {
    ws.close();
    await new Promise((r) => out.end(r));
  }
}
