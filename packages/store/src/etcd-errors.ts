// etcd client failures as storage errors, translated once here: a call that ran out of time is a Timeout (HTTP 504),
// anything else that kept etcd from answering is Unavailable (HTTP 503). Messages name etcd and the endpoints, so
// an operator reading a kubectl error knows where to look.
import { GRPCDeadlineExceededError, GRPCOutOfRangeError } from 'etcd3';
import { StorageError, type ObjectKey } from './storage.ts';
import { describeKey } from './stamp.ts';

export function etcdFailure(err: unknown, endpoints: readonly string[], what: string, key?: ObjectKey): StorageError {
  if (err instanceof StorageError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  const subject = key ? `${what} ${describeKey(key)}` : what;
  const e = err instanceof GRPCDeadlineExceededError
    ? new StorageError('Timeout', key, `etcd (${endpoints.join(',')}) did not complete the ${subject} in time: ${detail}`)
    : new StorageError('Unavailable', key, `etcd (${endpoints.join(',')}) is unavailable; the ${subject} was not done: ${detail}`);
  e.cause = err;
  return e;
}

/** A read or watch at a revision etcd has compacted away. */
export function isCompacted(err: unknown): boolean {
  return err instanceof GRPCOutOfRangeError || (err instanceof Error && /compacted/.test(err.message));
}
