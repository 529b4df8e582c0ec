// The cluster DNS server as an API client: informers over Services and EndpointSlices feed a ClusterView, and a
// DnsServer answers the cluster zone from it and forwards everything else upstream. The apiserver embeds it by
// default; `podling-cluster-dns` runs the same code as its own process.
import type { EndpointSlice, Service } from '@podling/api';
import { Informer, type InformerLogger, type KubeClientApi } from '@podling/client';
import { clusterAnswer } from './cluster-answer.ts';
import { ClusterView } from './cluster-view.ts';
import { DnsForwarder, type Upstream } from './dns-forwarder.ts';
import { DnsServer, type DnsServerLogger } from './dns-server.ts';

export interface ClusterDnsOptions {
  client: KubeClientApi;
  /** Where to listen, UDP and TCP; port 0 picks a free one. */
  bindAddress: string;
  port: number;
  /** The cluster domain (cluster.local). */
  zone: string;
  /** Resolvers for every other name, read at each forwarded query (the host's resolv.conf may change). */
  upstreams: () => Upstream[];
  logger: InformerLogger & DnsServerLogger;
}

export interface RunningClusterDns {
  /** The port bound (UDP and TCP). */
  port: number;
  /** Resolves once Services and EndpointSlices have been listed (answers before that may be NXDOMAIN). */
  synced: Promise<void>;
  stop(): Promise<void>;
}

export async function startClusterDns(o: ClusterDnsOptions): Promise<RunningClusterDns> {
  const view = new ClusterView();
  const zone = o.zone.toLowerCase().replace(/\.$/, '');
  const forwarder = new DnsForwarder(o.upstreams);
  const server = new DnsServer({ local: (name, type) => clusterAnswer(name, type, view, zone), forward: (q, t) => forwarder.forward(q, t) }, o.logger);
  const port = await server.listen(o.bindAddress, o.port);
  const services = new Informer<Service>(o.client, {
    resource: 'services', logger: o.logger,
    onAdd: (s) => view.setService(s), onUpdate: (_, s) => view.setService(s), onDelete: (s) => view.deleteService(s),
  });
  const slices = new Informer<EndpointSlice>(o.client, {
    resource: 'endpointslices', logger: o.logger,
    onAdd: (s) => view.setSlice(s), onUpdate: (_, s) => view.setSlice(s), onDelete: (s) => view.deleteSlice(s),
  });
  const synced = Promise.all([services.start(), slices.start()]).then(() => {});
  synced.catch(() => {}); // a stop before the first list rejects it; nobody needs to hear that
  return {
    port, synced,
    async stop() {
      await Promise.all([services.stop(), slices.stop(), server.close()]);
    },
  };
}
