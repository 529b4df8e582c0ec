import type { KubeObject } from '@podling/api';
import type { Strategy } from './strategy.ts';
import { podStrategy } from './pod-strategy.ts';
import { nodeStrategy } from './node-strategy.ts';
import { namespaceStrategy } from './namespace-strategy.ts';
import { eventStrategy } from './event-strategy.ts';
import { leaseStrategy } from './lease-strategy.ts';

type AnyStrategy = Strategy<KubeObject>;

/** Every resource the core/v1 group serves, by URL plural. */
export const STRATEGIES: Record<string, AnyStrategy> = {
  pods: podStrategy as unknown as AnyStrategy,
  nodes: nodeStrategy as unknown as AnyStrategy,
  namespaces: namespaceStrategy as unknown as AnyStrategy,
  events: eventStrategy as unknown as AnyStrategy,
};

/** Named API groups: URL prefix → resources. */
export const GROUPS: Record<string, Record<string, AnyStrategy>> = {
  'coordination.k8s.io/v1': { leases: leaseStrategy },
};
