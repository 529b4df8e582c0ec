// The `--controllers` flag, read as kube-controller-manager reads it: a comma list where `*` means every
// controller that is on by default, `name` turns one on and `-name` turns one off (`*,-podgc`). A bare list of
// names runs exactly those; `none` (Podling's spelling of an empty list) runs nothing.
export const CONTROLLER_NAMES = ['scheduler', 'nodelifecycle', 'podgc', 'replicaset', 'replicationcontroller', 'deployment', 'daemonset', 'statefulset', 'job', 'cronjob', 'ttl-after-finished', 'garbagecollector', 'nodeipam', 'endpoint', 'endpointslice'] as const;

export type ControllerName = typeof CONTROLLER_NAMES[number];

/** What `--controllers` means when not given. */
export const DEFAULT_CONTROLLERS = '*';

export function parseControllerSelection(text: string): { which: Set<ControllerName>; problems: string[] } {
  const which = new Set<ControllerName>();
  const problems: string[] = [];
  const known = (n: string): n is ControllerName => (CONTROLLER_NAMES as readonly string[]).includes(n);
  const items = text.split(',').map((s) => s.trim()).filter((s) => s && s !== 'none');
  // Kubernetes applies `-name` over `*` whatever their order, so collect the exclusions first.
  const off = new Set(items.filter((s) => s.startsWith('-')).map((s) => s.slice(1)));
  for (const item of items) {
    const name = item.startsWith('-') ? item.slice(1) : item;
    if (name !== '*' && !known(name)) {
      problems.push(`--controllers: unknown controller ${JSON.stringify(name)} (known: ${CONTROLLER_NAMES.join(', ')})`);
      continue;
    }
    if (item.startsWith('-')) continue;
    for (const n of item === '*' ? CONTROLLER_NAMES : [name as ControllerName]) if (!off.has(n)) which.add(n);
  }
  return { which, problems };
}
