// Printers for resources with little to show: Namespace and Lease as printers.go renders them.
import type { KubeObject, Namespace } from '@podling/api';
import { timestampSince } from './human-duration.ts';
import { ageColumn, column, nameColumn, type TablePrinter } from './table-types.ts';

export const namespacePrinter: TablePrinter = {
  columns: [nameColumn(), column('Status', 'The status of the namespace'), ageColumn()],
  row(obj: KubeObject, now: number) {
    const ns = obj as Namespace;
    return { cells: [ns.metadata.name ?? '', ns.status?.phase ?? '', timestampSince(ns.metadata.creationTimestamp, now)] };
  },
};

export const leasePrinter: TablePrinter = {
  columns: [nameColumn(), column('Holder', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn()],
  row(obj: KubeObject, now: number) {
    const holder = (obj.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? '';
    return { cells: [obj.metadata.name ?? '', holder, timestampSince(obj.metadata.creationTimestamp, now)] };
  },
};
