// How the etcd backend retries a call, for both of its etcd3 clients (the main thread's and the write thread's,
// etcd-txn-worker.mjs; plain JavaScript so that thread loads it without tsx). The attempts of one call are one
// call through etcd3's pool, whose retries walk one shuffle of the members (ConnectionPool.exec): a call made
// afresh per attempt picks a member at random, so a member that had gone silent (connection accepted, never
// answered) could take every attempt until its circuit breaker opened (1 in 27 with three members).
import { AsyncLocalStorage } from 'node:async_hooks';
import { isRecoverableError } from 'etcd3';

const NEVER_ABORTED = new AbortController().signal;

/** An etcd3 global fault-handling policy that retries recoverable errors (UNAVAILABLE, DEADLINE_EXCEEDED) up to
 *  `attempts` times for calls made inside `run`, and runs every other call once. */
export function attemptsInTurn(attempts) {
  const current = new AsyncLocalStorage();
  return {
    policy: {
      execute: async (fn) => {
        const call = current.getStore();
        for (let attempt = 0; ; attempt++) {
          if (call) call.attempts = attempt + 1;
          try {
            return await fn({ signal: NEVER_ABORTED, attempt });
          } catch (err) {
            if (!call || attempt + 1 >= attempts || !isRecoverableError(err)) throw err;
          }
        }
      },
    },
    run: async (fn) => {
      const call = { attempts: 1 };
      const result = await current.run(call, fn);
      return { result, attempts: call.attempts };
    },
  };
}
