// Runs async tasks one after another per key and concurrently across keys: a write waits for the writes of the same
// key issued before it, so it starts from their result (and a second create of a key fails with KeyExists).
export class KeyedChain {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: (key: string) => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    const result = before ? before.then(() => task(key), () => task(key)) : task(key);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key); });
    return result;
  }

  /** Resolves once every task started so far has settled. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}
