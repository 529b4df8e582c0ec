// A served resource, declared once: identity (group, version, kind, scope, names), the strategy that holds its policy,
// its table printer and its subresources. Routes, discovery, OpenAPI, tables and the generic store all read this
// declaration (kube-apiserver's generic registry Store plus its APIResource entry), so adding a kind is a declaration
// plus a strategy and nothing else.
import type { DecodableKind, KubeObject } from '@podling/api';
import type { TablePrinter } from '../kubectl/table-types.ts';
import type { Strategy, UpdateStrategy } from './strategy.ts';

/** The autoscaling/v1 Scale view of a kind with spec.replicas (deployments, replicasets, statefulsets, RCs). */
export interface ScaleAccess<T extends KubeObject = KubeObject> {
  /** status.selector of the Scale: the label selector in string form. */
  selector(obj: T): string;
}

/** A subresource served by a handler outside the generic store (pods/log, pods/binding, pods/exec …). */
export interface ConnectSubresource { kind: string; verbs: string[] }

export interface ResourceDecl<T extends KubeObject = KubeObject> {
  /** '' for the core group. */
  group: string;
  version: string;
  kind: DecodableKind;
  /** URL plural, e.g. "deployments". */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Verbs of the main resource (all eight unless narrowed, e.g. namespaces have no deletecollection). */
  verbs?: string[];
  strategy: Strategy<T>;
  /** Subresources that are the same store with another update strategy (status, finalize). */
  updateSubresources?: Record<string, UpdateStrategy<T> & { verbs?: string[] }>;
  scale?: ScaleAccess<T>;
  connect?: Record<string, ConnectSubresource>;
  printer: TablePrinter;
}

export interface Resource<T extends KubeObject = KubeObject> extends ResourceDecl<T> {
  /** "v1" for the core group, "<group>/<version>" otherwise. */
  apiVersion: string;
  listKind: string;
  verbs: string[];
  shortNames: string[];
  categories: string[];
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function defineResource<T extends KubeObject>(d: ResourceDecl<T>): Resource<KubeObject> {
  const r: Resource<T> = {
    ...d,
    apiVersion: d.group ? `${d.group}/${d.version}` : d.version,
    listKind: `${d.kind}List`,
    verbs: d.verbs ?? ALL_VERBS,
    shortNames: d.shortNames ?? [],
    categories: d.categories ?? [],
  };
  // Strategies are typed per kind; the store handles them as KubeObject.
  return r as unknown as Resource<KubeObject>;
}

/** The update strategy of a subresource by name (own keys only: `__proto__` is no subresource). */
export function updateSubresource(r: Resource, sub: string): (UpdateStrategy & { verbs?: string[] }) | undefined {
  const subs = r.updateSubresources;
  return subs && Object.hasOwn(subs, sub) ? subs[sub] : undefined;
}

/** Whether the resource declares `sub`: an update subresource, its scale, or a connect subresource (discovery's list). */
export function servesSubresource(r: Resource, sub: string): boolean {
  return updateSubresource(r, sub) !== undefined || (sub === 'scale' && r.scale !== undefined)
    || (r.connect !== undefined && Object.hasOwn(r.connect, sub));
}

/** "deployments.apps" (the core group's resources stay bare): how kube-apiserver names a resource in messages. */
export function qualifiedResource(r: Resource): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}
