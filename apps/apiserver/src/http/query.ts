// Query parameters of list, watch, write and delete requests, validated into typed options (400 on bad input).
import {
  decodeObject, errors, queryBool, parseFieldSelector, parseLabelSelector, fieldsMatch, labelsMatch, selectableFieldValue, type DeleteOptions, type KubeObject, type Pod,
} from '@podling/api';
import type { WatchTrigger } from '@podling/store';

export type Query = Record<string, string | string[] | undefined>;

function one(q: Query, k: string): string | undefined {
  const v = q[k];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function int(q: Query, k: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = one(q, k);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw errors.badRequest(`invalid value for query parameter ${k}: ${JSON.stringify(v)} (must be an integer from ${min} to ${max})`);
  }
  return Number(v);
}

function bool(q: Query, k: string): boolean {
  return queryBool(one(q, k));
}

export function isWatch(q: Query): boolean { return bool(q, 'watch'); }

/** A resourceVersion as a revision number; undefined for unset or "0" (any / current state). */
export function parseResourceVersion(q: Query): number | undefined {
  const v = one(q, 'resourceVersion');
  if (v === undefined || v === '' || v === '0') return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw errors.badRequest(`invalid resource version: ${JSON.stringify(v)}`);
  return Number(v);
}

/** `matches` reads only labels and the resource's selectable fields, so it may be given StoredObject.attrs. */
export interface Filter {
  matches: (o: KubeObject) => boolean; everything: boolean; fieldSelector: string; labelSelector: string;
  /** The field value the selector requires (its first `field=value`): watches are indexed by it. */
  trigger?: WatchTrigger;
}

export function parseFilter(q: Query, resource: string): Filter {
  const labelSelector = one(q, 'labelSelector') ?? '';
  const fieldSelector = one(q, 'fieldSelector') ?? '';
  const labels = parseLabelSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector, resource);
  const everything = labelSelector.trim() === '' && fieldSelector.trim() === '';
  // An agent's watch of its own pods (only spec.nodeName=<node>) is a property compare; its trigger lets the store
  // hand it only its node's pod changes (a thousand agents' watches would otherwise each check every change).
  const node = labelSelector.trim() === '' && resource === 'pods' && fields.requirements.length === 1
    && fields.requirements[0].field === 'spec.nodeName' && fields.requirements[0].operator === '=' ? fields.requirements[0].value : undefined;
  const required = fields.requirements.find((r) => r.operator === '=');
  return {
    everything, fieldSelector, labelSelector,
    trigger: required && {
      index: required.field, value: required.value, valueOf: (attrs) => selectableFieldValue(resource, attrs, required.field),
    },
    matches: everything ? () => true
      : node !== undefined ? (o) => ((o as Pod).spec?.nodeName ?? '') === node
      : (o) => labelsMatch(labels, o.metadata.labels) && fieldsMatch(fields, o),
  };
}

export interface ListParams { limit?: number; continue?: string; resourceVersion?: number }

export function parseListParams(q: Query): ListParams {
  const cont = one(q, 'continue') || undefined;
  const match = one(q, 'resourceVersionMatch');
  if (match && !['NotOlderThan', 'Exact'].includes(match)) throw errors.badRequest(`resourceVersionMatch: Unsupported value: ${JSON.stringify(match)}`);
  if (match && one(q, 'resourceVersion') === undefined) throw errors.badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
  const resourceVersion = parseResourceVersion(q);
  if (cont && resourceVersion !== undefined) throw errors.badRequest('specifying resource version is not allowed when using continue');
  return { limit: int(q, 'limit', 0) || undefined, continue: cont, resourceVersion };
}

export interface WatchParams { timeoutSeconds?: number; allowWatchBookmarks: boolean; sendInitialEvents: boolean }

export function parseWatchParams(q: Query): WatchParams {
  return {
    timeoutSeconds: int(q, 'timeoutSeconds', 0, 365 * 24 * 3600),
    allowWatchBookmarks: bool(q, 'allowWatchBookmarks'),
    sendInitialEvents: bool(q, 'sendInitialEvents'),
  };
}

export function parseWriteParams(q: Query): { dryRun: boolean; fieldValidation?: 'Strict' | 'Warn' | 'Ignore'; fieldManager?: string; force: boolean } {
  const dry = one(q, 'dryRun');
  if (dry && dry !== 'All') throw errors.badRequest(`dryRun: Unsupported value: ${JSON.stringify(dry)}: supported values: "All"`);
  const fv = one(q, 'fieldValidation');
  if (fv && !['Strict', 'Warn', 'Ignore'].includes(fv)) {
    throw errors.badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(fv)}: supported values: "Ignore", "Strict", "Warn"`);
  }
  const fieldManager = one(q, 'fieldManager');
  if (fieldManager && fieldManager.length > 128) throw errors.badRequest('fieldManager: Too long: may not be more than 128 bytes');
  return { dryRun: dry === 'All', fieldValidation: fv as 'Strict' | 'Warn' | 'Ignore' | undefined, fieldManager, force: bool(q, 'force') };
}

/** DeleteOptions from the query, overlaid by the body (kubectl sends a body; client-node sends the query). */
export function parseDeleteOptions(q: Query, body: unknown): DeleteOptions {
  const opts: DeleteOptions = {};
  const g = int(q, 'gracePeriodSeconds', -1_000_000, 1_000_000_000);
  if (g !== undefined) opts.gracePeriodSeconds = g;
  const pp = one(q, 'propagationPolicy');
  if (pp) opts.propagationPolicy = pp as DeleteOptions['propagationPolicy'];
  if (one(q, 'dryRun')) opts.dryRun = [one(q, 'dryRun')!];
  if (body !== undefined && body !== null) {
    // Typed like any other body (a numeric propagationPolicy or uid is a 400); unknown fields are ignored.
    const b = decodeObject<DeleteOptions>('DeleteOptions', body, { fieldValidation: 'Ignore' }).object;
    if (b.gracePeriodSeconds !== undefined) {
      if (!Number.isInteger(b.gracePeriodSeconds)) throw errors.badRequest('gracePeriodSeconds must be an integer');
      opts.gracePeriodSeconds = b.gracePeriodSeconds;
    }
    if (b.preconditions !== undefined) {
      if (typeof b.preconditions !== 'object' || b.preconditions === null) throw errors.badRequest('preconditions must be an object');
      opts.preconditions = b.preconditions;
    }
    if (b.propagationPolicy) opts.propagationPolicy = b.propagationPolicy;
    if (b.dryRun) opts.dryRun = b.dryRun;
    if (b.orphanDependents !== undefined) opts.orphanDependents = b.orphanDependents;
  }
  if (opts.gracePeriodSeconds !== undefined && Math.abs(opts.gracePeriodSeconds) > 1_000_000_000) {
    throw errors.badRequest('gracePeriodSeconds is out of range');
  }
  return opts;
}
