// Test-side watch readers over chunked HTTP and websocket that collect events and let a test wait for them.
import WebSocket from 'ws';
import { waitFor } from '@podling/testkit';

export interface Ev { type: string; object: any }

export class EventLog {
  readonly events: Ev[] = [];
  ended = false;
  heartbeats = 0;
  async waitCount(n: number, timeoutMs = 10_000): Promise<Ev[]> {
    await waitFor(() => this.events.length >= n, { timeoutMs, message: `expected ${n} events, got ${this.events.length}: ${JSON.stringify(this.events.map((e) => [e.type, e.object?.metadata?.name]))}` });
    return this.events;
  }
  async waitFor(pred: (e: Ev) => boolean, timeoutMs = 10_000): Promise<Ev> {
    return waitFor(() => this.events.find(pred), { timeoutMs, message: `no matching event among ${JSON.stringify(this.events.map((e) => [e.type, e.object?.metadata?.name]))}` });
  }
  async waitEnded(timeoutMs = 10_000): Promise<void> {
    await waitFor(() => this.ended, { timeoutMs, message: 'stream did not end' });
  }
}

export function httpWatch(url: string, path: string, headers: Record<string, string> = {}): { log: EventLog; stop(): void; status: Promise<number> } {
  const log = new EventLog();
  const ac = new AbortController();
  const status = (async () => {
    const res = await fetch(url + path, { signal: ac.signal, headers });
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.trim() === '') { log.heartbeats++; continue; }
            log.events.push(JSON.parse(line));
          }
        }
      } catch { /* aborted */ }
      log.ended = true;
    })();
    return res.status;
  })();
  return { log, status, stop: () => ac.abort() };
}

export function wsWatch(url: string, path: string): { log: EventLog; socket: WebSocket; opened: Promise<void>; stop(): void } {
  const log = new EventLog();
  const socket = new WebSocket(url.replace(/^http/, 'ws') + path);
  socket.on('message', (data) => log.events.push(JSON.parse(String(data))));
  socket.on('close', () => { log.ended = true; });
  socket.on('error', () => { log.ended = true; });
  const opened = new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject); });
  return { log, socket, opened, stop: () => socket.close() };
}
