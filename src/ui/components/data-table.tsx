import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface Column<T> {
  id: string;
  header: string;
  cell: (row: T) => ComponentChildren;
  /** Right-aligned (numbers). */
  numeric?: boolean;
  /** Sortable by this column when the table has `onSort`. */
  sortable?: boolean;
  width?: string;
}

export interface DataTableProps<T> {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  sort?: { id: string; descending: boolean };
  onSort?: (id: string) => void;
  /** Text shown in place of rows when there are none. */
  empty: string;
  /** CSS max-height of the scrolling area. */
  maxHeight?: string;
  rowClass?: (row: T) => string | undefined;
}

/** Row height in CSS pixels; rows are one line so windowing can place them without measuring. */
const ROW_HEIGHT = 34;
const OVERSCAN = 12;
/** Below this many rows every row is rendered (simpler for assistive technology and search in page). */
const WINDOWING_FROM = 150;

function useViewport(ref: { current: HTMLElement | null }) {
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    let frame = 0;
    const onScroll = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => setScrollTop(element.scrollTop));
    };
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    element.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      element.removeEventListener('scroll', onScroll);
    };
  }, [ref]);
  return { scrollTop, height };
}

/** Holds the height of rows not rendered; not content, so hidden from assistive technology. */
function Spacer({ height }: { height: number }) {
  // biome-ignore lint/a11y/noAriaHiddenOnFocusable: a spacer row has nothing focusable; biome counts every tr.
  return <tr aria-hidden="true" class="spacer" style={{ height: `${height}px` }} />;
}

function HeaderCell<T>({ column, props }: { column: Column<T>; props: DataTableProps<T> }) {
  const sorted = props.sort?.id === column.id;
  const ariaSort = sorted ? (props.sort?.descending ? 'descending' : 'ascending') : undefined;
  const className = column.numeric ? 'numeric' : undefined;
  if (!column.sortable || !props.onSort) {
    return (
      <th scope="col" class={className} style={column.width ? { width: column.width } : undefined}>
        {column.header}
      </th>
    );
  }
  return (
    <th
      scope="col"
      class={className}
      aria-sort={ariaSort}
      style={column.width ? { width: column.width } : undefined}
    >
      <button type="button" class="sort" onClick={() => props.onSort?.(column.id)}>
        {column.header}
        <span aria-hidden="true" class="sort-mark">
          {sorted ? (props.sort?.descending ? ' ▼' : ' ▲') : ''}
        </span>
      </button>
    </th>
  );
}

/**
 * An accessible table that renders only the rows in view (plus a margin) once it has many, so a thousand
 * rows scroll as smoothly as ten. The header stays in view while scrolling.
 */
export function DataTable<T>(props: DataTableProps<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const { scrollTop, height } = useViewport(scroller);
  const { rows, columns } = props;
  const windowed = rows.length >= WINDOWING_FROM;
  const first = windowed ? Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN) : 0;
  const last = windowed
    ? Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN)
    : rows.length;
  const shown = rows.slice(first, last);
  return (
    <div class="table-scroll" ref={scroller} style={{ maxHeight: props.maxHeight ?? '60vh' }}>
      <table aria-rowcount={rows.length + 1}>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr aria-rowindex={1}>
            {columns.map((column) => (
              <HeaderCell key={column.id} column={column} props={props} />
            ))}
          </tr>
        </thead>
        <tbody>
          {first > 0 && <Spacer height={first * ROW_HEIGHT} />}
          {shown.map((row, index) => (
            <tr key={props.rowKey(row)} aria-rowindex={first + index + 2} class={props.rowClass?.(row)}>
              {columns.map((column) => (
                <td key={column.id} class={column.numeric ? 'numeric' : undefined}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
          {last < rows.length && <Spacer height={(rows.length - last) * ROW_HEIGHT} />}
          {rows.length === 0 && (
            <tr>
              <td colSpan={columns.length} class="empty">
                {props.empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
