// Starting one container instance (k/k kuberuntime_container.go `startContainer`), or restarting one that ended
// after its back-off: plan it (a config problem
// becomes CreateContainerConfigError), launch it, record it, emit Created and Started, then run its postStart hook
// while the worker waits: the container is not reported started, and the next container is not started, until the
// hook returned. A failed hook gives the Warning FailedPostStartHook and kills the instance; the worker then
// restarts it per the restart policy.
import type { Container } from '@podling/api';
import { backoffMessage } from './crashloop-backoff.ts';
import { planLaunch } from './container-launcher.ts';
import { volumeEnvName } from './container-env.ts';
import { runPostStart } from './post-start-hook.ts';
import { isRunning } from './pod-record.ts';
import type { PodWorker } from './pod-worker.ts';
import type { WorkerDeps } from './worker-deps.ts';

export async function startContainer(w: PodWorker, c: Container, init: boolean, deps: WorkerDeps): Promise<void> {
  const r = (w.record.containers[c.name] ??= { name: c.name, init, restartCount: 0 });
  const index = r.current ? r.restartCount + 1 : 0;
  const plan = planLaunch(c, index, w.launchContext());
  const target = w.target(c.name);
  if (plan.configError !== undefined) {
    if (r.waiting?.message !== plan.configError) {
      r.waiting = { reason: 'CreateContainerConfigError', message: plan.configError };
      deps.events.record(target, 'Warning', 'Failed', `Error: ${plan.configError}`);
    }
    return;
  }
  for (const m of plan.unhonoured) {
    if (!w.warnOnce(`${c.name}:${m}`)) continue;
    const vm = c.volumeMounts!.find((v) => v.mountPath === m)!;
    deps.events.record(target, 'Warning', 'MountPathNotHonoured',
      `mountPath ${m} of volume ${vm.name} cannot be honoured on this node (${deps.namespaces ? 'it is not an existing directory' : 'no mount namespace: the agent does not run as root'}); the container finds the volume at $${volumeEnvName(vm.name)}`);
  }
  for (const m of plan.notHonoured) {
    if (w.warnOnce(`${c.name}:${m}`)) deps.events.record(target, 'Warning', 'SecurityContextNotHonoured', `${m} (container ${c.name})`);
  }
  const inst = await w.sandbox.launch(c.name, index, plan.launch, (n, i, info) => w.instanceExited(n, i, info), () => w.terminator.signalSent(c.name));
  w.podState.started(c.name, init, inst);
  w.terminator.instanceStarted(c.name);
  w.sandbox.removeLogsBefore(c.name, index - 1);
  if (inst.reason === 'StartError') {
    deps.events.record(target, 'Warning', 'Failed', `Error: ${inst.message}`);
    w.poke();
    return;
  }
  deps.events.record(target, 'Normal', 'Created', `Created container ${c.name}`);
  deps.events.record(target, 'Normal', 'Started', `Started container ${c.name}`);
  const hook = c.lifecycle?.postStart;
  if (!hook) return;
  const { name, namespace } = w.record;
  const res = await runPostStart(hook, {
    container: c, podDesc: `${name}_${namespace}(${w.uid})`, podIP: w.podIP, exec: w.execIn(c, index), signal: w.lifetime,
  });
  if (res.ok || !isRunning(inst) || w.lifetime.aborted) return;
  deps.log.debug({ container: c.name, index, message: res.message }, 'postStart hook failed');
  deps.events.record(target, 'Warning', 'FailedPostStartHook', 'PostStartHook failed');
  w.killInstance(c, 'FailedPostStartHook', w.currentPod.spec.terminationGracePeriodSeconds ?? 30);
  // Shown once it ended, until it is started again (the kubelet's reasonCache), if it is to be restarted at all.
  if (w.currentPod.spec.restartPolicy !== 'Never') r.waiting = { reason: 'PostStartHookError', message: res.message };
}

/**
 * Starts the next instance of a container that ended, now or once its CrashLoopBackOff delay is over; returns
 * when the worker should look again (epoch ms), or Infinity when it started.
 */
export async function restartContainer(w: PodWorker, c: Container, init: boolean, now: number, deps: WorkerDeps): Promise<number> {
  const r = w.record.containers[c.name];
  const d = deps.backoff.decide(r.backoff, Date.parse(r.current!.finishedAt!), now);
  if (d.startNow) {
    r.backoff = d.entry;
    await startContainer(w, c, init, deps);
    return Infinity;
  }
  const message = backoffMessage(d.delayMs, c.name, { name: w.record.name, namespace: w.record.namespace, uid: w.uid });
  if (r.waiting?.message !== message) {
    r.waiting = { reason: 'CrashLoopBackOff', message };
    deps.events.record(w.target(c.name), 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${w.record.name}`);
  }
  return d.notBeforeMs;
}
