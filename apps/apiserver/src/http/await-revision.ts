// A list or watch at a resourceVersion this apiserver's store has not reached yet: another apiserver on the same
// etcd handed it out a moment ago. kube-apiserver's cacher waits up to 3 s for its cache to catch up
// (k8s.io/apiserver pkg/storage/cacher, blockTimeout) before answering 504 "Too large resource version".
import type { Storage } from '@podling/store';

const BLOCK_TIMEOUT_MS = 3000;

export async function awaitRevision(storage: Storage, rv: number | undefined): Promise<void> {
  if (rv === undefined || rv <= storage.currentRevision() || !storage.waitForRevision) return;
  await storage.waitForRevision(rv, BLOCK_TIMEOUT_MS);
}
