// What the user may do, so the UI offers only that. Kubernetes' answer is a SelfSubjectAccessReview, which this
// apiserver does not serve; instead each question is the very request the action would send, with dryRun=All and a
// name that does not exist. Authorization runs before the handler (auth-hook.ts), so a 403 means "may not", and the
// 404 an allowed request gets means "may" — and a dry run changes nothing even if the name did exist.
import { useEffect, useState } from 'preact/hooks';
import { request, ApiError } from './api.ts';
import { objectPath } from './actions.ts';

/** A question: may I send `verb` to objects of this resource (cluster-scoped when namespace is undefined)? */
export interface Can { verb: 'delete' | 'patch'; group: string; resource: string; subresource?: string; namespace?: string }

const PROBE = 'podling-ui-can-i-probe';
const answers = new Map<string, Promise<boolean>>();

export function canI(q: Can): Promise<boolean> {
  const path = objectPath({ group: q.group, resource: q.resource, namespace: q.namespace, name: PROBE }) + (q.subresource ? `/${q.subresource}` : '');
  const key = `${q.verb} ${path}`;
  let answer = answers.get(key);
  if (!answer) {
    const opts = q.verb === 'patch' ? { method: 'PATCH', body: {}, patch: 'merge' as const } : { method: 'DELETE' };
    answer = request(`${path}?dryRun=All`, opts).then(() => true, (e) => {
      // Not signed in yet: no answer to keep (the token prompt asks again).
      if (e instanceof ApiError && e.code === 401) answers.delete(key);
      return !(e instanceof ApiError && (e.code === 403 || e.code === 401));
    });
    answers.set(key, answer);
  }
  return answer;
}

const askAgain = new Set<() => void>();

/** Forget the answers (the token changed) and ask again for what is on screen. */
export function forgetPermissions(): void {
  answers.clear();
  for (const f of askAgain) f();
}

/** false until the server said yes: an action is never offered on a guess. */
export function useCanI(q: Can): boolean {
  const [allowed, setAllowed] = useState(false);
  const [epoch, setEpoch] = useState(0);
  const key = JSON.stringify(q);
  useEffect(() => {
    const f = () => setEpoch((e) => e + 1);
    askAgain.add(f);
    return () => { askAgain.delete(f); };
  }, []);
  useEffect(() => {
    let live = true;
    setAllowed(false);
    void canI(q).then((a) => { if (live) setAllowed(a); });
    return () => { live = false; };
  }, [key, epoch]);
  return allowed;
}
