// Writes a V8 heap snapshot of a server under test through its inspector, streamed to a file chunk by chunk, so what
// holds a server's memory at the end of a benchmark can be read in Chrome's DevTools.
import { createWriteStream } from 'node:fs';
import { withInspector } from './inspector.ts';

export async function writeHeapSnapshot(port: number, file: string): Promise<void> {
  const out = createWriteStream(file);
  try {
    await withInspector(port, async ({ call, onEvent }) => {
      onEvent((method, params) => {
        if (method === 'HeapProfiler.addHeapSnapshotChunk') out.write((params as { chunk: string }).chunk);
      });
      await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    });
  } finally {
    await new Promise((r) => out.end(r));
  }
}
