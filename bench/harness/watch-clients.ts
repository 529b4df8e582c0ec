// Child process of watch-client-pool.ts: opens N chunked-HTTP and M websocket watches on one URL, records when each
// watcher receives the event of each numbered write, and on request turns those receipt times into latencies
// against the write acknowledgement times the parent sends. Events are not JSON-parsed: the write number is found
// by searching the raw bytes for the `bench-seq` label, so the client costs as little CPU as possible.
// Protocol (IPC): → {type:'ready', connected, failed} ; ← {type:'report', acks, sends} → {type:'report', …} ;
// ← {type:'close'}.
import http from 'node:http';
import { WebSocket } from 'ws';
import { nowMs, summarize } from './percentiles.ts';
import { SEQ_LABEL, type ClientArgs, type ClientReport } from './watch-client-pool.ts';

const MARK = Buffer.from(`"${SEQ_LABEL}":"`);
const NL = 0x0a;

const args = JSON.parse(process.argv[2]) as ClientArgs;
const total = args.http + args.ws;
/** receipts[seq * total + watcher] = receipt time in ms since the epoch (0: not received). */
const receipts = new Float64Array(Math.max(1, args.maxSeq * total));
let deliveries = 0;
let disconnects = 0;
let measuring = false;

function record(watcher: number, event: Buffer, at: number): void {
  const i = event.indexOf(MARK);
  if (i < 0) return;
  let seq = 0;
  for (let j = i + MARK.length; j < event.length; j++) {
    const c = event[j];
    if (c < 0x30 || c > 0x39) break;
    seq = seq * 10 + (c - 0x30);
  }
  if (seq >= args.maxSeq) return;
  deliveries++;
  receipts[seq * total + watcher] = at;
}

function httpWatcher(index: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${args.url}${args.path}`, { agent: false }, (res) => {
      if (res.statusCode !== 200) { res.resume(); resolve(false); return; }
      resolve(true);
      // Bytes of an event split across chunks, waiting for its newline.
      let pending: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        const at = nowMs();
        let start = 0;
        let nl: number;
        while ((nl = chunk.indexOf(NL, start)) >= 0) {
          const piece = chunk.subarray(start, nl);
          const event = pending.length ? Buffer.concat([...pending, piece]) : piece;
          pending = [];
          if (event.length) record(index, event, at);
          start = nl + 1;
        }
        if (start < chunk.length) pending.push(chunk.subarray(start));
      });
      res.on('close', () => { if (measuring) disconnects++; });
    });
    req.on('error', () => { if (measuring) disconnects++; resolve(false); });
  });
}

function wsWatcher(index: number): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${args.url.replace(/^http/, 'ws')}${args.path}`, { perMessageDeflate: false, skipUTF8Validation: true });
    ws.on('open', () => resolve(true));
    ws.on('message', (data: Buffer) => record(index, data, nowMs()));
    ws.on('error', () => resolve(false));
    ws.on('close', () => { if (measuring) disconnects++; });
  });
}

async function connectAll(): Promise<{ connected: number; failed: number }> {
  let connected = 0;
  let failed = 0;
  const BATCH = 50; // below the server's listen backlog, so no SYN is dropped and retried a second later
  for (let i = 0; i < total; i += BATCH) {
    const batch: Promise<boolean>[] = [];
    for (let w = i; w < Math.min(total, i + BATCH); w++) batch.push(w < args.http ? httpWatcher(w) : wsWatcher(w));
    for (const ok of await Promise.all(batch)) ok ? connected++ : failed++;
  }
  return { connected, failed };
}

function report(acks: number[], sends: number[]): ClientReport {
  const pair: number[] = [];
  const pairFromSend: number[] = [];
  const all: number[] = [];
  let incomplete = 0;
  let last = 0;
  for (let seq = 0; seq < Math.min(args.maxSeq, acks.length); seq++) {
    const ack = acks[seq];
    if (!(ack > 0)) continue;
    let max = 0;
    let got = 0;
    for (let w = 0; w < total; w++) {
      const t = receipts[seq * total + w];
      if (t === 0) continue;
      got++;
      pair.push(t - ack);
      pairFromSend.push(t - sends[seq]);
      if (t > max) max = t;
    }
    if (max > last) last = max;
    if (got === total) all.push(max - ack); else incomplete++;
  }
  return {
    watchers: total, deliveries, disconnects, pair: summarize(pair), pairFromSend: summarize(pairFromSend),
    all: summarize(all), incompleteEvents: incomplete, lastReceiptMs: last,
  };
}

process.on('message', (m: { type: string; acks?: number[]; sends?: number[] }) => {
  if (m.type === 'measure') { measuring = true; process.send!({ type: 'measuring' }); }
  if (m.type === 'report') process.send!({ type: 'report', report: report(m.acks!, m.sends!) });
  if (m.type === 'close') process.exit(0);
});
process.on('disconnect', () => process.exit(0));

const result = await connectAll();
process.send!({ type: 'ready', ...result });
