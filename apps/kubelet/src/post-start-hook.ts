// Runs a container's lifecycle.postStart handler (k/k pkg/kubelet/lifecycle/handlers.go), right after the
// container's process started and before it counts as started: `exec` inside the container without a timeout
// (a non-zero exit fails), `httpGet` to the pod's address with `User-Agent: kube-lifecycle/1.32` (only a
// transport error fails: the status code is not checked), or `sleep`. tcpSocket passes validation but is not run,
// as in Kubernetes. `signal` ends the hook early when the pod goes away. The failure message is the one Kubernetes
// puts in the container's waiting state; events carry none of it (it may hold secrets).
import type { Container, LifecycleHandler } from '@podling/api';
import { timerDelay } from '@podling/client';
import type { ContainerExec } from './exec-action.ts';
import { actionHeaders, actionURL, httpGet } from './http-get-action.ts';
import { resolveContainerPort } from './probe-action.ts';

export interface PostStartContext {
  container: Container;
  /** `<pod>_<namespace>(<uid>)`, as the kubelet names a pod in hook messages. */
  podDesc: string;
  podIP: string;
  exec: ContainerExec;
  signal: AbortSignal;
}

export type HookOutcome = { ok: true } | { ok: false; message: string };

export async function runPostStart(h: LifecycleHandler, ctx: PostStartContext): Promise<HookOutcome> {
  const where = `for Container ${JSON.stringify(ctx.container.name)} in Pod ${JSON.stringify(ctx.podDesc)}`;
  if (h.exec?.command?.length) {
    const cmd = h.exec.command;
    const failed = (err: string, output: string): HookOutcome =>
      ({ ok: false, message: `Exec lifecycle hook ([${cmd.join(' ')}]) ${where} failed - error: ${err}, message: ${JSON.stringify(output)}` });
    try {
      const r = await ctx.exec(cmd, { signal: ctx.signal });
      return r.code === 0 ? { ok: true } : failed(`command '${cmd.join(' ')}' exited with ${r.code ?? 137}: ${r.output}`, r.output);
    } catch (err) {
      return failed((err as Error).message, '');
    }
  }
  if (h.httpGet) {
    const a = h.httpGet;
    try {
      const url = actionURL(a, a.host || ctx.podIP, resolveContainerPort(a.port, ctx.container));
      await httpGet(url, actionHeaders(a, 'lifecycle'), { signal: ctx.signal });
      return { ok: true };
    } catch (err) {
      return { ok: false, message: `HTTP lifecycle hook (${a.path ?? '/'}) ${where} failed - error: ${(err as Error).message}` };
    }
  }
  if (h.sleep) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timerDelay(h.sleep!.seconds * 1000));
      ctx.signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
    });
  }
  return { ok: true };
}
