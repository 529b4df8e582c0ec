// Runs a container's lifecycle.preStop handler (reference B5, B7.3): `exec` inside the container (container-entry.ts:
// its namespaces, user, environment and working directory), or `sleep`. The hook is bounded by `deadline()`; at the
// deadline it is killed. httpGet/tcpSocket are not supported here (no pod network of our own) and count as done.
import { spawn } from 'node:child_process';
import type { LifecycleHandler } from '@podling/api';
import type { EntryPlan } from './container-entry.ts';
import { timerDelay } from '@podling/client';

export interface HookContext {
  /** How to run an argv inside the container (containerEntry bound to the container's running instance). */
  enter: (argv: string[]) => EntryPlan;
  /** Epoch ms after which the hook is cut short. */
  deadline: () => number;
}

export interface HookResult { ok: boolean; message?: string }

export async function runPreStop(h: LifecycleHandler, ctx: HookContext): Promise<HookResult> {
  if (h.sleep) {
    const until = Date.now() + h.sleep.seconds * 1000;
    while (Date.now() < Math.min(until, ctx.deadline())) await new Promise((r) => setTimeout(r, timerDelay(Math.min(until, ctx.deadline()) - Date.now())));
    return { ok: true };
  }
  if (!h.exec?.command?.length) return { ok: true };
  const cmd = h.exec.command;
  const plan = ctx.enter(cmd);
  if (plan.configError !== undefined) return { ok: false, message: plan.configError };
  const { file, args, env } = plan.command;
  return new Promise<HookResult>((resolve) => {
    const child = spawn(file, args, { env, cwd: '/', detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { if (stderr.length < 4096) stderr += d.toString(); });
    const timer = setTimeout(() => {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }, timerDelay(ctx.deadline() - Date.now()));
    child.once('error', (err) => { clearTimeout(timer); resolve({ ok: false, message: err.message }); });
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ok: true });
      else resolve({ ok: false, message: `command ${JSON.stringify(cmd.join(' '))} exited with ${code ?? sig}: ${stderr.trim()}` });
    });
  });
}
