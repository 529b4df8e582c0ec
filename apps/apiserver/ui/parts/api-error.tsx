// A failed list or watch, said plainly: 401 and 403 carry the server's own message (who may not do what).
import type { ApiError } from '../api/api.ts';

export function ApiErrorNote({ error }: { error: ApiError | undefined }) {
  if (!error) return null;
  const what = error.code === 401 ? 'Not signed in' : error.code === 403 ? 'Forbidden' : error.code === 0 ? 'Cannot reach the apiserver' : 'Error';
  return <p class="error" role="alert"><strong>{what}</strong> ({error.code || 'network'}): {error.message}</p>;
}
