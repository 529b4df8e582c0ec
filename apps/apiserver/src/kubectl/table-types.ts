// meta.k8s.io/v1 Table wire types and the shape of one resource's printer.
import type { KubeObject } from '@podling/api';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRowCondition { type: string; status: string; reason?: string; message?: string }

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object?: KubeObject;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  /** null when the caller asked to omit them (watch events after the first; kubectl keeps the last header). */
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

/** A resource's printer: its columns and, per object, the cells (all columns; the server always prints wide). */
export interface TablePrinter {
  columns: TableColumnDefinition[];
  row(obj: KubeObject, now: number): { cells: unknown[]; conditions?: TableRowCondition[] };
}

export function column(name: string, description: string, extra: Partial<TableColumnDefinition> = {}): TableColumnDefinition {
  return { name, type: 'string', format: '', description, priority: 0, ...extra };
}

// metav1.ObjectMeta swagger docs, shortened; kubectl never shows descriptions.
export const NAME_DOC = 'Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const AGE_DOC = 'CreationTimestamp is a timestamp representing the server time when this object was created. Populated by the system. Read-only.';
export const nameColumn = (extra: Partial<TableColumnDefinition> = {}) => column('Name', NAME_DOC, { format: 'name', ...extra });
export const ageColumn = () => column('Age', AGE_DOC);
