// A table that renders only the rows in view (plus a margin), so 5,000 rows cost as much as 40. Rows have one fixed
// height, which makes the window arithmetic exact; cells are flex items, so a column marked `wide` simply disappears
// on a phone (app.css) without recomputing a grid.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export const ROW_HEIGHT = 34;
const OVERSCAN = 10;

export interface Column<T> {
  title: string;
  /** Flex basis in px; the cell grows from there. */
  width: number;
  /** Hidden on narrow screens. */
  wide?: boolean;
  /** data-col of the cell, for tests and styles. */
  key: string;
  cell(row: T): ComponentChildren;
}

interface Props<T> {
  rows: T[];
  columns: Column<T>[];
  rowKey(row: T): string;
  rowClass?(row: T): string;
  onRowClick?(row: T): void;
  empty?: ComponentChildren;
}

export function VirtualTable<T>({ rows, columns, rowKey, rowClass, onRowClick, empty }: Props<T>) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(800);
  useEffect(() => {
    const el = box.current!;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  const cellStyle = (c: Column<T>) => ({ flex: `1 0 ${c.width}px` });
  return (
    <div class="vtable" role="table">
      <div class="vrow vhead" role="row">
        {columns.map((c) => <div role="columnheader" class={c.wide ? 'cell wide' : 'cell'} style={cellStyle(c)} key={c.key}>{c.title}</div>)}
      </div>
      <div class="vbody" ref={box} onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}>
        {rows.length === 0 ? <div class="empty">{empty ?? 'Nothing here yet.'}</div> : (
          <div style={{ height: `${rows.length * ROW_HEIGHT}px`, position: 'relative' }}>
            {rows.slice(first, last).map((row, i) => (
              <div role="row" key={rowKey(row)} data-key={rowKey(row)}
                class={`vrow ${onRowClick ? 'clickable ' : ''}${rowClass?.(row) ?? ''}`}
                style={{ top: `${(first + i) * ROW_HEIGHT}px` }}
                onClick={onRowClick ? () => onRowClick(row) : undefined}>
                {columns.map((c) => <div role="cell" data-col={c.key} class={c.wide ? 'cell wide' : 'cell'} style={cellStyle(c)} key={c.key}>{c.cell(row)}</div>)}
              </div>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
