// Parent side of watch-clients.ts: forks the watcher process, waits until every watch is open, and collects its
// latency report. The child runs on its own event loop so receipt times are not delayed by the writer.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Summary } from './percentiles.ts';

/** The label whose value numbers each benchmark write; watchers find it in the raw event bytes. */
export const SEQ_LABEL = 'bench-seq';

export interface ClientArgs {
  url: string;
  /** Watch path and query, e.g. `/api/v1/pods?watch=true&resourceVersion=12`. */
  path: string;
  http: number;
  ws: number;
  /** Writes numbered 0 … maxSeq-1 are tracked; 0 for idle watchers. */
  maxSeq: number;
}

export interface ClientReport {
  watchers: number;
  deliveries: number;
  /** Watch streams that ended or errored after measuring began. */
  disconnects: number;
  /** ack → receipt over every (event, watcher) pair. */
  pair: Summary;
  /** write sent → receipt over every pair (never negative, unlike ack → receipt). */
  pairFromSend: Summary;
  /** ack → receipt by the last watcher, per event that reached every watcher. */
  all: Summary;
  /** Acknowledged writes that some watcher never received. */
  incompleteEvents: number;
  lastReceiptMs: number;
}

export interface WatchClientPool {
  pid: number;
  connected: number;
  failed: number;
  connectMs: number;
  /** From now on, a closed stream counts as a disconnect. */
  startMeasuring(): Promise<void>;
  report(acks: number[], sends: number[]): Promise<ClientReport>;
  close(): Promise<void>;
}

const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'watch-clients.ts');

export async function startWatchClients(args: ClientArgs): Promise<WatchClientPool> {
  const t0 = performance.now();
  const child = fork(entry, [JSON.stringify(args)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await nextMessage<{ connected: number; failed: number }>(child, 'ready', exited, 120_000);
  return {
    pid: child.pid!,
    connected: ready.connected,
    failed: ready.failed,
    connectMs: performance.now() - t0,
    async startMeasuring() {
      child.send({ type: 'measure' });
      await nextMessage(child, 'measuring', exited, 10_000);
    },
    async report(acks, sends) {
      child.send({ type: 'report', acks, sends });
      return (await nextMessage<{ report: ClientReport }>(child, 'report', exited, 60_000)).report;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function nextMessage<T>(child: ChildProcess, type: string, exited: Promise<void>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); child.kill('SIGKILL'); reject(new Error(`watch clients: no "${type}" within ${timeoutMs} ms`)); }, timeoutMs);
    const onMessage = (m: { type: string } & T) => { if (m.type === type) { cleanup(); resolve(m); } };
    const cleanup = () => { clearTimeout(timer); child.off('message', onMessage); };
    child.on('message', onMessage);
    void exited.then(() => { cleanup(); reject(new Error(`watch clients exited before "${type}"`)); });
  });
}
