// Every resource the apiserver serves. Routes, discovery, OpenAPI and the namespace finalizer read this list; a new
// kind is one declaration added here.
import type { Resource } from './resource.ts';
import { events } from './event-strategy.ts';
import { leases } from './lease-strategy.ts';
import { namespaces } from './namespace-strategy.ts';
import { nodes } from './node-strategy.ts';
import { pods } from './pod-strategy.ts';
import { endpointSlices, endpoints } from './endpoints-strategy.ts';
import { services } from './service-strategy.ts';
import { WORKLOADS } from './workloads.ts';

export const RESOURCES: Resource[] = [pods, nodes, namespaces, events, leases, ...WORKLOADS, services, endpoints, endpointSlices];

const byPath = new Map(RESOURCES.map((r) => [`${r.apiVersion}/${r.resource}`, r]));
const byKind = new Map(RESOURCES.map((r) => [`${r.apiVersion}/${r.kind}`, r]));

/** The resource served at /api/v1/<plural> (apiVersion "v1") or /apis/<group>/<version>/<plural>. */
export function resourceAt(apiVersion: string, plural: string): Resource | undefined {
  return byPath.get(`${apiVersion}/${plural}`);
}

export function resourceForKind(apiVersion: string, kind: string): Resource | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/** Served group versions in declaration order, core ("v1") first. */
export function groupVersions(): string[] {
  return [...new Set(RESOURCES.map((r) => r.apiVersion))].sort((a, b) => (a === 'v1' ? -1 : b === 'v1' ? 1 : 0));
}

export function resourcesOf(apiVersion: string): Resource[] {
  return RESOURCES.filter((r) => r.apiVersion === apiVersion);
}
