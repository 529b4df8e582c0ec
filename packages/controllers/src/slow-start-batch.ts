// k/k pkg/controller/replicaset slowStartBatch: run `count` calls in batches of 1, 2, 4, 8 … concurrently, and stop
// after the first batch with an error. A quota or validation problem then costs one failed request instead of
// hundreds, while a healthy burst still reaches full concurrency after a few round trips. Batches are capped at
// `maxBatch` calls in flight. Returns how many calls succeeded and the first error, if any.

export async function slowStartBatch(count: number, fn: () => Promise<void>, maxBatch = 500): Promise<{ succeeded: number; error?: unknown }> {
  let succeeded = 0;
  let size = 1;
  for (let remaining = count; remaining > 0;) {
    const batch = Math.min(size, remaining, maxBatch);
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    let error: unknown;
    for (const r of results) {
      if (r.status === 'fulfilled') succeeded++;
      else error ??= r.reason;
    }
    if (error !== undefined) return { succeeded, error };
    remaining -= batch;
    size *= 2;
  }
  return { succeeded };
}
