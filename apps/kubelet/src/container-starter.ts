// Starting one container instance (k/k kuberuntime_container.go `startContainer`): plan it (a config problem
// becomes CreateContainerConfigError), launch it, record it, emit Created and Started, then run its postStart hook
// while the worker waits: the container is not reported started, and the next container is not started, until the
// hook returned. A failed hook gives the Warning FailedPostStartHook and kills the instance; the worker then
// restarts it per the restart policy.
import type { Container } from '@podling/api';
import { planLaunch } from './container-launcher.ts';
import { volumeEnvName } from './container-env.ts';
import { runPostStart } from './post-start-hook.ts';
import { isRunning } from './pod-record.ts';
import type { PodWorker, WorkerDeps } from './pod-worker.ts';

export async function startContainer(w: PodWorker, c: Container, init: boolean, deps: WorkerDeps): Promise<void> {
  const r = (w.record.containers[c.name] ??= { name: c.name, init, restartCount: 0 });
  const index = r.current ? r.restartCount + 1 : 0;
  const plan = planLaunch(c, index, w.launchContext());
  const target = w.target(c.name);
  if (plan.configError !== undefined) {
    if (r.waiting?.message !== plan.configError) {
      r.waiting = { reason: 'CreateContainerConfigError', message: plan.configError };
      deps.events.warning(target, 'Failed', `Error: ${plan.configError}`);
    }
    return;
  }
  for (const m of plan.unhonoured) {
    if (!w.warnOnce(`${c.name}:${m}`)) continue;
    const vm = c.volumeMounts!.find((v) => v.mountPath === m)!;
    deps.events.warning(target, 'MountPathNotHonoured',
      `mountPath ${m} of volume ${vm.name} cannot be honoured on this node (${deps.namespaces ? 'it is not an existing directory' : 'no mount namespace: the agent does not run as root'}); the container finds the volume at $${volumeEnvName(vm.name)}`);
  }
  const inst = await w.sandbox.launch(c.name, index, plan.launch, (n, i, info) => w.instanceExited(n, i, info), () => w.killedWith.get(c.name));
  if (r.current) r.previous = r.current;
  r.current = inst;
  r.restartCount = index;
  r.waiting = undefined;
  w.killedWith.delete(c.name);
  w.sandbox.removeLogsBefore(c.name, index - 1);
  deps.store.save(w.record);
  if (inst.reason === 'StartError') {
    deps.events.warning(target, 'Failed', `Error: ${inst.message}`);
    w.poke();
    return;
  }
  deps.events.normal(target, 'Created', `Created container ${c.name}`);
  deps.events.normal(target, 'Started', `Started container ${c.name}`);
  const hook = c.lifecycle?.postStart;
  if (!hook) return;
  const { name, namespace } = w.record;
  const res = await runPostStart(hook, {
    container: c, podDesc: `${name}_${namespace}(${w.uid})`, podIP: w.podIP, exec: w.execIn(c, index), signal: w.lifetime,
  });
  if (res.ok || !isRunning(inst) || w.lifetime.aborted) return;
  deps.log.debug({ container: c.name, index, message: res.message }, 'postStart hook failed');
  deps.events.warning(target, 'FailedPostStartHook', 'PostStartHook failed');
  w.killInstance(c, 'FailedPostStartHook', w.currentPod.spec.terminationGracePeriodSeconds ?? 30);
}
