// Kubernetes' lease endpoint reconciler (k/k pkg/controlplane/reconcilers/lease.go, --endpoint-reconciler-type=lease):
// every apiserver keeps a record of itself with a TTL, and the `kubernetes` Service's endpoints are the addresses
// of the unexpired ones, so a dead apiserver leaves them within one TTL and a clean shutdown removes itself at once.
//
// Kubernetes keeps those records as etcd keys with a TTL (/registry/masterleases/<ip>, 15 s, renewed every 10 s).
// Podling's storage has no TTL keys, so the record is a coordination.k8s.io Lease in kube-system shaped like
// kube-apiserver's identity leases (name apiserver-<hash>, label apiserver.kubernetes.io/identity=kube-apiserver,
// holder <name>_<uuid>) with the address in an annotation; expiry is renewTime + leaseDurationSeconds by this
// apiserver's clock, and expired ones are deleted, as the identity-lease garbage collector does
// (k/k pkg/controlplane/apiserver/apiserverleasegc). Every apiserver renews its own and rewrites the endpoints each
// round; two writing the same endpoints at once conflict harmlessly (409) and agree on the next round.
import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import { isStatusError, microTime, type KubeObject } from '@podling/api';
import { isStorageError } from '@podling/store';
import { leases } from '../registry/lease-strategy.ts';
import type { Registry } from '../registry/registry.ts';
import { writeKubernetesEndpoints } from './kubernetes-service.ts';

const NS = 'kube-system';
export const IDENTITY_LABEL = 'apiserver.kubernetes.io/identity';
export const ADDRESS_ANNOTATION = 'podling.io/advertise-address';

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string };
}

export interface EndpointLeaseOptions {
  registry: Registry;
  /** This apiserver's advertise address (IPv4) and port. */
  address: string;
  port: number;
  /** How long a record lives unrenewed; it is renewed every two thirds of that (Kubernetes: 15 s and 10 s). */
  ttlMs: number;
  log: FastifyBaseLogger;
  now?: () => number;
}

/** The Lease name of the apiserver at `address:port`: stable across restarts, distinct for two on one host. */
export function endpointLeaseName(address: string, port: number): string {
  return `apiserver-${createHash('sha256').update(`${address}:${port}`).digest('hex').slice(0, 26)}`;
}

/** Addresses of the unexpired records at `now`, sorted and deduplicated, and the names of the expired ones. */
export function liveAddresses(records: Lease[], now: number): { live: string[]; expired: Lease[] } {
  const live = new Set<string>();
  const expired: Lease[] = [];
  for (const l of records) {
    const renewed = Date.parse(l.spec?.renewTime ?? '');
    const until = renewed + (l.spec?.leaseDurationSeconds ?? 0) * 1000;
    const address = l.metadata.annotations?.[ADDRESS_ANNOTATION];
    if (!Number.isFinite(until) || until <= now) expired.push(l);
    else if (address) live.add(address);
  }
  return { live: [...live].sort(), expired };
}

export function startEndpointLeaseReconciler(o: EndpointLeaseOptions): { firstRound: Promise<void>; stop(): Promise<void> } {
  const now = o.now ?? Date.now;
  const name = endpointLeaseName(o.address, o.port);
  const holder = `${name}_${randomUUID()}`;
  const durationSeconds = Math.max(1, Math.ceil(o.ttlMs / 1000));
  let stopped = false;
  let round: Promise<void> = Promise.resolve();

  const renewOwn = async () => {
    const t = microTime(now());
    const found = o.registry.storage.get(o.registry.key(leases, NS, name))?.object as Lease | undefined;
    const spec = { holderIdentity: holder, leaseDurationSeconds: durationSeconds, renewTime: t };
    if (!found) {
      await o.registry.create(leases, NS, {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name, namespace: NS, labels: { [IDENTITY_LABEL]: 'kube-apiserver', 'kubernetes.io/hostname': os.hostname() }, annotations: { [ADDRESS_ANNOTATION]: o.address } },
        spec: { ...spec, acquireTime: t },
      });
      return;
    }
    const acquireTime = found.spec?.holderIdentity === holder ? found.spec.acquireTime : t;
    const metadata = { ...found.metadata, annotations: { ...found.metadata.annotations, [ADDRESS_ANNOTATION]: o.address } };
    await o.registry.update(leases, NS, name, { ...found, metadata, spec: { ...found.spec, ...spec, acquireTime } });
  };

  /** Lists the records, drops expired ones, and points the endpoints at the live ones. */
  const reconcile = async () => {
    const records = o.registry.list(leases, NS, { filter: (s) => s.attrs.metadata.labels?.[IDENTITY_LABEL] === 'kube-apiserver' })
      .items.map((i) => i.object as Lease).filter((l) => !!l.metadata.annotations?.[ADDRESS_ANNOTATION]);
    const { live, expired } = liveAddresses(stopped ? records.filter((l) => l.metadata.name !== name) : records, now());
    for (const l of expired) {
      await o.registry.delete(leases, NS, l.metadata.name!, { preconditions: { uid: l.metadata.uid } }).catch(ignoreGone);
    }
    await writeKubernetesEndpoints(o.registry, live, o.port);
  };

  const tick = () => {
    round = round.then(async () => {
      if (stopped) return;
      try {
        await renewOwn();
        await reconcile();
      } catch (err) {
        // A conflict is another apiserver writing the same objects: the next round reads theirs and agrees.
        if (isStatusError(err) && err.code === 409) o.log.debug({ err }, 'endpoint lease round conflicted');
        else o.log.warn({ err }, 'endpoint lease round failed');
      }
    });
  };
  tick();
  const firstRound = round;
  const timer = setInterval(tick, Math.max(100, Math.round((o.ttlMs * 2) / 3))).unref();
  return {
    /** Settles (never rejects) when this apiserver has first written its record and the endpoints. */
    firstRound,
    /** Removes this apiserver's record and itself from the endpoints (k/k RemoveEndpoints on shutdown). */
    async stop() {
      clearInterval(timer);
      await round;
      stopped = true;
      try {
        await o.registry.delete(leases, NS, name, {}).catch(ignoreGone);
        await reconcile();
      } catch (err) {
        o.log.warn({ err }, 'could not remove this apiserver from the kubernetes endpoints');
      }
    },
  };
}

function ignoreGone(err: unknown): void {
  if ((isStatusError(err) && (err.code === 404 || err.code === 409)) || isStorageError(err, 'NotFound')) return;
  throw err;
}
