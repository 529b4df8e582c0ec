// Small HTTP helpers for apiserver tests: JSON in, status code and parsed body out.
import { after, before } from 'node:test';
import path from 'node:path';
import { makeTempDir, startApiserver, type RunningApiserver } from '@podling/testkit';
export interface Res<T = any> { status: number; body: T; headers: Headers; text: string }

export async function call<T = any>(url: string, method: string, path: string, body?: unknown,
  opts: { contentType?: string; accept?: string; raw?: string; token?: string } = {}): Promise<Res<T>> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let payload: string | undefined;
  if (opts.raw !== undefined) { payload = opts.raw; headers['content-type'] = opts.contentType ?? 'application/json'; }
  else if (body !== undefined) { payload = JSON.stringify(body); headers['content-type'] = opts.contentType ?? 'application/json'; }
  if (opts.accept) headers.accept = opts.accept;
  const res = await fetch(url + path, { method, headers, body: payload });
  const text = await res.text();
  let parsed: any = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: parsed, headers: res.headers, text };
}

export function pod(name: string, extra: { labels?: Record<string, string>; nodeName?: string; spec?: object; namespace?: string } = {}) {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, ...(extra.namespace ? { namespace: extra.namespace } : {}), ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: {
      containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }],
      ...(extra.nodeName ? { nodeName: extra.nodeName } : {}),
      ...extra.spec,
    },
  };
}

/** One apiserver for a whole test file: started in before(), stopped (and its temp dir removed) in after(). */
export function useApiserver(args: string[] = ['--controllers', 'none'], setup?: (url: string) => Promise<void>): { readonly url: string; readonly srv: RunningApiserver; restart(): Promise<void> } {
  let srv: RunningApiserver | undefined;
  let tmp: ReturnType<typeof makeTempDir> | undefined;
  before(async () => {
    tmp = makeTempDir();
    srv = await startApiserver({ dbPath: path.join(tmp.dir, 'podling.db'), args });
    // Node 20 does not order two top-level before() hooks, so per-file seeding runs inside this one.
    await setup?.(srv.url);
  });
  after(async () => { await srv?.stop(); tmp?.remove(); });
  return {
    get url() { return srv!.url; },
    get srv() { return srv!; },
    async restart() { await srv!.stop(); srv = await startApiserver({ dbPath: srv!.dbPath, args }); },
  };
}
