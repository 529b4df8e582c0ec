// A network namespace standing in for a pod on a lab machine: one address of the node's pod range, attached to the
// machine by a veth pair routed as a /32; the pod's default route is the link itself and the machine's end answers
// its ARP requests by proxy ARP for whatever the machine can route (Calico wires pods much like this). No bridge,
// so it never clashes with the agent's own. It lets
// the multi-host test check what the agents program between machines — host-gw routes, masquerade — for traffic
// that really comes from a pod address, independently of how the agent builds its sandboxes.
import { ip, type Lab } from './netns-lab.ts';

/** Creates the namespace `<machine ns>-pod-<suffix>` holding `address`; the lab deletes it with everything else. */
export function attachStandInPod(lab: Lab, role: string, address: string, suffix: string): string {
  const host = lab.hosts[role].ns;
  const ns = `${host}-pod-${suffix}`;
  const hostEnd = `sip-${suffix}`.slice(0, 15);
  ip('netns', 'add', ns);
  lab.namespaces.push(ns);
  ip('-n', host, 'link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
  ip('netns', 'exec', host, 'sysctl', '-qw', `net.ipv4.conf.${hostEnd}.proxy_arp=1`);
  ip('-n', host, 'link', 'set', hostEnd, 'up');
  ip('-n', host, 'route', 'add', `${address}/32`, 'dev', hostEnd);
  ip('-n', ns, 'addr', 'add', `${address}/32`, 'dev', 'eth0');
  for (const l of ['lo', 'eth0']) ip('-n', ns, 'link', 'set', l, 'up');
  ip('-n', ns, 'route', 'add', 'default', 'dev', 'eth0');
  return ns;
}
