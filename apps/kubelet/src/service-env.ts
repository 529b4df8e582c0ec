// The Service environment variables a container starts with (k/k pkg/kubelet/envvars/envvars.go FromServices, and
// kubelet_pods.go getServiceEnvVarMap): every Service with a ClusterIP in the pod's namespace when
// spec.enableServiceLinks is true (the default), plus always the `kubernetes` Service of `default`. A snapshot at
// container start: a Service made later shows up after a restart of the container, as in Kubernetes.
import type { Pod, Service } from '@podling/api';

const envName = (s: string) => s.toUpperCase().replace(/-/g, '_');

function varsOf(svc: Service, out: Record<string, string>): void {
  const ip = svc.spec?.clusterIP;
  const ports = svc.spec?.ports ?? [];
  if (!ip || ip === 'None' || !ports.length) return;
  const name = envName(svc.metadata.name!);
  out[`${name}_SERVICE_HOST`] = ip;
  out[`${name}_SERVICE_PORT`] = String(ports[0].port);
  for (const p of ports) if (p.name) out[`${name}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
  // Docker-links style: the first port as <NAME>_PORT, then every port's URL and parts.
  const url = (p: { port: number; protocol?: string }) => `${(p.protocol ?? 'TCP').toLowerCase()}://${ip}:${p.port}`;
  out[`${name}_PORT`] = url(ports[0]);
  for (const p of ports) {
    const proto = p.protocol ?? 'TCP';
    const prefix = `${name}_PORT_${p.port}_${proto.toUpperCase()}`;
    out[prefix] = url(p);
    out[`${prefix}_PROTO`] = proto.toLowerCase();
    out[`${prefix}_PORT`] = String(p.port);
    out[`${prefix}_ADDR`] = ip;
  }
}

/** The variables for `pod` given every Service the agent knows. */
export function serviceEnv(pod: Pod, services: Service[]): Record<string, string> {
  const ns = pod.metadata.namespace ?? 'default';
  const links = pod.spec.enableServiceLinks !== false;
  const out: Record<string, string> = {};
  // Sorted by name so the result does not depend on the informer's order; the pod's own namespace wins a clash.
  const chosen = services
    .filter((s) => (links && s.metadata.namespace === ns) || (s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes'))
    .sort((a, b) => Number(a.metadata.namespace === ns) - Number(b.metadata.namespace === ns) || (a.metadata.name! < b.metadata.name! ? -1 : 1));
  for (const s of chosen) varsOf(s, out);
  return out;
}
