// Continue tokens: opaque to clients, base64url JSON of the snapshot revision and the last key returned.
import { StorageError } from './storage.ts';

export interface ContinuePosition {
  /** Revision of the first page: every page is the snapshot at this revision. */
  rv: number;
  /** `namespace\0name` of the last item returned; the next page starts after it. */
  lastKey: string;
}

export function encodeContinue(pos: ContinuePosition): string {
  return Buffer.from(JSON.stringify({ rv: pos.rv, k: pos.lastKey })).toString('base64url');
}

/** Throws StorageError 'Invalid' for anything this module did not produce. */
export function decodeContinue(token: string): ContinuePosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const p = parsed as { rv?: unknown; k?: unknown } | undefined;
  if (typeof p !== 'object' || p === null || !Number.isSafeInteger(p.rv) || (p.rv as number) < 0 || typeof p.k !== 'string') {
    throw new StorageError('Invalid', undefined, 'continue key is not valid: malformed token');
  }
  return { rv: p.rv as number, lastKey: p.k };
}
