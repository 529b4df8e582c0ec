// The namespace choice shared by the pods, workloads and events views ('' is all namespaces), kept for the session.
import type { Namespace } from '@podling/api';
import { useState } from 'preact/hooks';
import { useListWatch } from '../api/use-list-watch.ts';

const KEY = 'podling.namespace';

export function useNamespace(): [string, (ns: string) => void] {
  const [ns, setNs] = useState(() => sessionStorage.getItem(KEY) ?? '');
  return [ns, (v: string) => { sessionStorage.setItem(KEY, v); setNs(v); }];
}

export function NamespacePicker({ value, onChange }: { value: string; onChange(ns: string): void }) {
  const namespaces = useListWatch<Namespace>('/api/v1/namespaces');
  const names = [...namespaces.items.values()].map((n) => n.metadata.name ?? '').sort();
  return (
    <select aria-label="namespace" name="namespace" value={value} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
      <option value="">all namespaces</option>
      {names.map((n) => <option key={n} value={n}>{n}</option>)}
    </select>
  );
}
