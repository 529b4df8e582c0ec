// The host's resolvers, the forwarding target when none is configured: the nameserver lines of a resolv.conf file
// (port 53). Read at each call, so an edited file takes effect at once; an unreadable file gives none (SERVFAIL).
import { readFileSync } from 'node:fs';
import type { Upstream } from './dns-forwarder.ts';
import { parseUpstream } from './dns-forwarder.ts';

export function hostUpstreams(resolvConf = '/etc/resolv.conf'): Upstream[] {
  let text: string;
  try { text = readFileSync(resolvConf, 'utf8'); } catch { return []; }
  return [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => parseUpstream(m[1].replace(/%.*$/, ''))).filter((u): u is Upstream => !!u);
}
