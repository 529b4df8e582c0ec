// Starts one of the bench's own baseline servers (echo-server.ts, bare-watch-server.ts) on a free port, the same
// process model as the apiserver: its own Node process under tsx, stopped with SIGTERM then SIGKILL.
import { freePort, startTs } from '@podling/testkit';
import { waitReady } from './bench-apiserver.ts';

export interface ServerUnderTest {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `entry` is relative to the repo root and must log `{"msg":"listening"}` and answer GET /readyz. */
export async function startScriptServer(entry: string, nodeArgs?: string[]): Promise<ServerUnderTest> {
  const port = await freePort();
  const proc = startTs(entry, { args: ['--port', String(port)], nodeArgs });
  const url = `http://127.0.0.1:${port}`;
  try {
    await proc.waitForLog((l) => l.msg === 'listening', 30_000);
    await waitReady(url, proc, 10_000);
  } catch (err) {
    await proc.stop(2000);
    throw err;
  }
  return { url, pid: proc.pid, async stop() { await proc.stop(5000); } };
}
