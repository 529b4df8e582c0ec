// Request bodies for benchmarks: the ~1.5 KB pod of pod-body.json, either as-is (generateName: every POST creates a
// new pod) or with a fixed name and extra labels.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const POD_BODY_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'pod-body.json');

interface PodBody { metadata: { name?: string; generateName?: string; labels: Record<string, string> }; spec: Record<string, unknown> }

export function podBody(): PodBody {
  return JSON.parse(readFileSync(POD_BODY_FILE, 'utf8')) as PodBody;
}

/** The pod-body.json pod named `name`, with `labels` added and `spec` fields overridden. */
export function namedPodBody(name: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}): string {
  const b = podBody();
  delete b.metadata.generateName;
  b.metadata.name = name;
  Object.assign(b.metadata.labels, labels);
  Object.assign(b.spec, spec);
  return JSON.stringify(b);
}

/** The store's current revision, to start watches at "now" instead of replaying every stored pod as ADDED. */
export async function currentResourceVersion(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/pods?limit=1`);
  const list = await res.json() as { metadata: { resourceVersion: string } };
  return list.metadata.resourceVersion;
}
