// One run of a probe's handler (k/k pkg/kubelet/prober/prober.go `runProbe`): exec in the container, httpGet,
// tcpSocket or grpc against the pod's address. A run ends in success, failure or warning with the output Kubernetes
// puts in its events; a ProbeError is the kubelet's "probe errored" (the run could not be made at all: e.g. a port
// name the container does not declare) and is not counted towards any threshold.
import type { Container, Probe } from '@podling/api';
import { execAction, type ContainerExec } from './exec-action.ts';
import { grpcAction } from './grpc-action.ts';
import { httpGetAction } from './http-get-action.ts';
import { tcpSocketAction } from './tcp-socket-action.ts';

export interface ActionResult { result: 'success' | 'failure' | 'warning'; output: string }

export class ProbeError extends Error {}

export interface ActionContext {
  container: Container;
  /** The pod's address (see PodWorker.podIP). */
  podIP: string;
  /** Runs argv inside the container instance being probed. */
  exec: ContainerExec;
}

/** k/k pkg/probe/util.go `ResolveContainerPort`: a number, a named container port, or a number written as a string. */
export function resolveContainerPort(port: number | string, c: Container): number {
  let n: number;
  if (typeof port === 'number') n = port;
  else {
    const named = c.ports?.find((p) => p.name === port);
    if (named) n = named.containerPort;
    else if (/^\d+$/.test(port)) n = Number(port);
    else throw new ProbeError(`port ${port} not found`);
  }
  if (n > 0 && n < 65536) return n;
  throw new ProbeError(`invalid port number: ${n}`);
}

export function runProbeAction(p: Probe, ctx: ActionContext): Promise<ActionResult> {
  const timeoutMs = (p.timeoutSeconds || 1) * 1000;
  if (p.exec) return execAction(p.exec.command, ctx.exec, timeoutMs);
  if (p.httpGet) return httpGetAction(p.httpGet, resolveContainerPort(p.httpGet.port, ctx.container), ctx.podIP, timeoutMs);
  if (p.tcpSocket) return tcpSocketAction(p.tcpSocket.host || ctx.podIP, resolveContainerPort(p.tcpSocket.port, ctx.container), timeoutMs);
  if (p.grpc) return grpcAction(ctx.podIP, p.grpc.port, p.grpc.service ?? '', timeoutMs);
  return Promise.reject(new ProbeError('missing probe handler'));
}
