// Server-side printing for `kubectl get`: content negotiation of `as=Table`, the includeObject option, and
// toTable, which renders objects of any served resource through the printer its declaration names. The apiserver
// always prints wide; kubectl hides priority-1 columns unless `-o wide`.
import { errors, field, fieldErrorText, type KubeObject } from '@podling/api';
import type { Table, TablePrinter, TableRow } from './table-types.ts';

export type { Table, TableColumnDefinition, TableRow, TablePrinter } from './table-types.ts';
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface ToTableOptions {
  now: number;
  includeObject: IncludeObject;
  /** The list's resourceVersion (the current global RV), or the object's for a single GET / watch event. */
  resourceVersion: string;
  continue?: string;
  /** Send `columnDefinitions: null` (watch events after the first). */
  omitColumnDefinitions?: boolean;
}

/** What toTable needs of a resource: its printer, and kind/apiVersion for includeObject=Object rows. */
export interface TableTarget { printer: TablePrinter; kind: string; apiVersion: string }

/** Renders `items` as a meta.k8s.io/v1 Table, one row per item, in the given order. */
export function toTable(target: TableTarget, items: KubeObject[], opts: ToTableOptions): Table {
  const { printer } = target;
  const rows = items.map((item): TableRow => {
    const row: TableRow = printer.row(item, opts.now);
    if (opts.includeObject === 'Metadata') {
      row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: item.metadata };
    } else if (opts.includeObject === 'Object') {
      const { kind, apiVersion, ...rest } = item;
      row.object = { kind: kind ?? target.kind, apiVersion: apiVersion ?? target.apiVersion, ...rest };
    }
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: opts.resourceVersion, ...(opts.continue ? { continue: opts.continue } : {}) },
    columnDefinitions: opts.omitColumnDefinitions ? null : printer.columns,
    rows,
  };
}

/**
 * True when the Accept header offers a meta.k8s.io Table (`application/json;as=Table;v=v1;g=meta.k8s.io`, which
 * kubectl sends for every `get` not using -o yaml/json/name). v1beta1 is answered with v1, which kubectl also reads.
 */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const [type, ...paramParts] = range.split(';').map((s) => s.trim());
    const params = new Map(paramParts.map((p) => {
      const i = p.indexOf('=');
      return i < 0 ? [p.toLowerCase(), ''] : [p.slice(0, i).trim().toLowerCase(), p.slice(i + 1).trim().replace(/^"|"$/g, '')];
    }));
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') return false;
    if (params.get('as') !== 'Table') return false;
    const g = params.get('g');
    const v = params.get('v');
    return (g === undefined || g === 'meta.k8s.io') && (v === undefined || v === 'v1' || v === 'v1beta1');
  });
}

/**
 * The `includeObject` query parameter of a Table request: `Metadata` when absent, 400 BadRequest when unknown
 * (apimachinery ValidateTableOptions). Accepts the parsed query object or the raw value.
 */
export function parseIncludeObject(q: unknown): IncludeObject {
  let v = q !== null && typeof q === 'object' && !Array.isArray(q) ? (q as Record<string, unknown>).includeObject : q;
  if (Array.isArray(v)) v = v[0];
  if (v === undefined || v === null || v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw errors.badRequest(fieldErrorText(field.notSupported('includeObject', String(v), ['Metadata', 'None', 'Object'])));
}
