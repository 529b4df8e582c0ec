// A container's environment: a fixed base (never the agent's own environment, which may hold credentials),
// HOSTNAME, volume paths, the Service variables, then `env` in order with `$(VAR)` expansion against earlier entries and downward-API
// fieldRefs. An unresolvable fieldRef is a CreateContainerConfigError, like the kubelet's.
import type { Container, Pod } from '@podling/api';
import { expand } from './env-expansion.ts';

/** The PATH an OCI image config usually carries; containers here have no image to take one from. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface EnvContext {
  pod: Pod;
  hostname: string;
  nodeIP: string;
  /** The pod's own IP (its sandbox's), or the node IP for hostNetwork pods and the host-network fallback. */
  podIP?: string;
  /** volume name → host directory, exposed as PODLING_VOLUME_<NAME>. */
  volumeDirs: Record<string, string>;
  /** Service environment variables (service-env.ts); `env` entries may use them in $(VAR) and override them. */
  serviceEnv?: Record<string, string>;
}

export class EnvError extends Error {}

/** `PODLING_VOLUME_<NAME>`: the volume name upper-cased with `-` and `.` turned into `_`. */
export function volumeEnvName(volume: string): string {
  return `PODLING_VOLUME_${volume.toUpperCase().replace(/[-.]/g, '_')}`;
}

export function buildContainerEnv(c: Container, ctx: EnvContext): Record<string, string> {
  const env: Record<string, string> = { PATH: DEFAULT_PATH, HOME: '/root', HOSTNAME: ctx.hostname };
  for (const [name, dir] of Object.entries(ctx.volumeDirs)) env[volumeEnvName(name)] = dir;
  const defined: Record<string, string> = { ...ctx.serviceEnv };
  Object.assign(env, ctx.serviceEnv);
  for (const e of c.env ?? []) {
    let value: string;
    if (e.valueFrom?.fieldRef) value = fieldRefValue(e.valueFrom.fieldRef.fieldPath, ctx);
    else if (e.valueFrom) throw new EnvError(`env ${e.name}: only valueFrom.fieldRef is supported`);
    else value = expand(e.value ?? '', (n) => (Object.hasOwn(defined, n) ? defined[n] : undefined));
    defined[e.name] = value;
    env[e.name] = value;
  }
  return env;
}

const subscript = /^metadata\.(labels|annotations)\['(.*)'\]$/;

export function fieldRefValue(path: string, ctx: EnvContext): string {
  const { pod } = ctx;
  switch (path) {
    case 'metadata.name': return pod.metadata.name ?? '';
    case 'metadata.namespace': return pod.metadata.namespace ?? '';
    case 'metadata.uid': return pod.metadata.uid ?? '';
    case 'metadata.labels': return formatMap(pod.metadata.labels);
    case 'metadata.annotations': return formatMap(pod.metadata.annotations);
    case 'spec.nodeName': return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP': case 'status.hostIPs': return ctx.nodeIP;
    case 'status.podIP': case 'status.podIPs': return ctx.podIP ?? ctx.nodeIP;
  }
  const m = subscript.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]] ?? '';
  throw new EnvError(`unsupported fieldRef fieldPath ${JSON.stringify(path)}`);
}

/** The downward API's `key="value"` lines, sorted by key. */
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}
