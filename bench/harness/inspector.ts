// A session with the inspector of a server under test (started with `--inspect=<host:port>`): what the benchmarks
// read from inside a server without adding anything to it — a full GC, a heap snapshot, event-loop delay.
import WebSocket from 'ws';

/** The node flag that opens the inspector on `port` (loopback only). */
export const inspectArg = (port: number): string => `--inspect=127.0.0.1:${port}`;

export interface InspectorSession {
  /** Sends one DevTools protocol command and resolves with its result (rejects with the protocol's error). */
  call<T = unknown>(method: string, params?: object): Promise<T>;
  /** Notifications (method and params) arriving while the session is open. */
  onEvent(listener: (method: string, params: unknown) => void): void;
}

export async function withInspector<T>(port: number, use: (session: InspectorSession) => Promise<T>): Promise<T> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners: ((method: string, params: unknown) => void)[] = [];
  let seq = 0;
  try {
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: unknown };
      if (m.id === undefined) {
        for (const l of listeners) l(m.method!, m.params);
        return;
      }
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error) w?.reject(new Error(`inspector: ${m.error.message}`));
      else w?.resolve(m.result);
    });
    ws.on('error', (err) => { for (const w of waiting.values()) w.reject(err); });
    return await use({
      call: <R>(method: string, params?: object) => new Promise<R>((resolve, reject) => {
        const id = ++seq;
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ id, method, params }));
      }),
      onEvent: (l) => { listeners.push(l); },
    });
  } finally {
    ws.close();
  }
}

/** Evaluates an expression in the server's main context; `require` is available there (Node's console API). */
export async function evaluate<T>(port: number, expression: string): Promise<T> {
  return withInspector(port, async ({ call }) => {
    const r = await call<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
      'Runtime.evaluate', { expression, includeCommandLineAPI: true, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`inspector: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  });
}

/** What a server's memory is made of, read inside it in one evaluation: process.memoryUsage() and V8's heap spaces. */
export interface HeapReading {
  mem: NodeJS.MemoryUsage;
  spaces: { space_name: string; space_size: number; space_used_size: number }[];
}

export function readHeap(port: number): Promise<HeapReading> {
  return evaluate<HeapReading>(port, "({ mem: process.memoryUsage(), spaces: require('node:v8').getHeapSpaceStatistics() })");
}
