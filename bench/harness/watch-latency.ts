// Write-to-watch latency through the API: one HTTP watch on pods (on `watchUrl`), then sequential creates (through
// `writeUrl`, which may be another apiserver on the same etcd); each sample is the time from sending the create to
// the watcher reading its ADDED event.
import { summarize, type Summary } from './percentiles.ts';

export async function watchLatency(writeUrl: string, watchUrl: string, count: number, body: object): Promise<Summary> {
  const pods = '/api/v1/namespaces/default/pods';
  const rv = ((await (await fetch(`${watchUrl}${pods}?limit=1`)).json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const ac = new AbortController();
  const res = await fetch(`${watchUrl}${pods}?watch=1&resourceVersion=${rv}`, { signal: ac.signal });
  const sent = new Map<string, number>();
  const samples: number[] = [];
  let seen: (() => void) | undefined;
  const reading = (async () => {
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += dec.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line) as { type: string; object: { metadata: { name: string } } };
          const t0 = sent.get(ev.object.metadata.name);
          if (ev.type === 'ADDED' && t0 !== undefined) { samples.push(performance.now() - t0); seen?.(); }
        }
      }
    } catch { /* aborted */ }
  })();
  try {
    for (let i = 0; i < count; i++) {
      const name = `watch-latency-${i}`;
      const arrived = new Promise<void>((r) => { seen = r; });
      sent.set(name, performance.now());
      const created = await fetch(`${writeUrl}${pods}`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, metadata: { name } }),
      });
      await created.arrayBuffer();
      if (created.status !== 201) throw new Error(`create ${name}: HTTP ${created.status}`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([arrived, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no ADDED for ${name} within 5 s`)), 5000); })])
        .finally(() => clearTimeout(timer));
    }
  } finally {
    ac.abort();
    await reading;
  }
  return summarize(samples);
}
