// A container's log through pods/log, as `kubectl logs` asks for it: tail, previous instance, and follow (the
// response stays open and lines are appended as they arrive). Keeps the last MAX_CHARS so a chatty pod cannot fill
// the tab's memory.
import type { Pod } from '@podling/api';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request } from '../api/api.ts';

const MAX_CHARS = 256 * 1024;

export function PodLog({ pod }: { pod: Pod }) {
  const names = (pod.spec.containers ?? []).map((c) => c.name);
  const [container, setContainer] = useState(names[0] ?? '');
  const [follow, setFollow] = useState(true);
  const [previous, setPrevious] = useState(false);
  const [tail, setTail] = useState('200');
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const pre = useRef<HTMLPreElement>(null);
  // Ask again when the container starts or restarts: before that there is no log, and a followed stream ends with
  // the instance it followed.
  const status = pod.status?.containerStatuses?.find((s) => s.name === container);
  const instance = `${status?.restartCount ?? 0}/${status?.state?.running ? 'running' : status?.state?.terminated ? 'terminated' : 'waiting'}`;
  const { namespace, name } = pod.metadata;

  useEffect(() => {
    const abort = new AbortController();
    setText('');
    setError('');
    const q = new URLSearchParams({ container });
    if (follow && !previous) q.set('follow', 'true');
    if (previous) q.set('previous', 'true');
    if (tail.trim()) q.set('tailLines', tail.trim());
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace ?? '')}/pods/${encodeURIComponent(name ?? '')}/log?${q}`;
    void (async () => {
      try {
        const res = await request(path, { signal: abort.signal });
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          setText((t) => (t + value).slice(-MAX_CHARS));
        }
      } catch (e) {
        if (abort.signal.aborted) return;
        setError(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
      }
    })();
    return () => abort.abort();
  }, [namespace, name, container, follow, previous, tail, instance]);

  useEffect(() => {
    const el = pre.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [text, follow]);

  return (
    <div class="log">
      <div class="toolbar">
        <select name="container" aria-label="container" value={container} onChange={(e) => setContainer((e.currentTarget as HTMLSelectElement).value)}>
          {names.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
        <label><input type="checkbox" name="follow" checked={follow} onChange={(e) => setFollow((e.currentTarget as HTMLInputElement).checked)} /> follow</label>
        <label><input type="checkbox" name="previous" checked={previous} onChange={(e) => setPrevious((e.currentTarget as HTMLInputElement).checked)} /> previous</label>
        <label>tail <input name="tail" class="narrow" inputMode="numeric" value={tail} onChange={(e) => setTail((e.currentTarget as HTMLInputElement).value)} /></label>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      <pre ref={pre} data-testid="log">{text}</pre>
    </div>
  );
}
