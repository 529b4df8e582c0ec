import type { IOptions } from 'etcd3';

export interface AttemptsInTurn {
  /** For `faultHandling.global` of an etcd3 client. */
  policy: NonNullable<NonNullable<IOptions['faultHandling']>['global']>;
  /** Runs `fn`'s etcd call with retries; `attempts` says how many were made (a resent write must be told apart). */
  run<T>(fn: () => Promise<T>): Promise<{ result: T; attempts: number }>;
}
export function attemptsInTurn(attempts: number): AttemptsInTurn;
