// Aligned plain-text tables for the terminal: text columns left-aligned, numbers right-aligned so
// their digits line up. Widths count code points, so "→" and "±" take one column.

export type Align = "left" | "right";

export interface Column<Row> {
  readonly header: string;
  readonly align?: Align;
  readonly value: (row: Row) => string;
}

const COLUMN_GAP = "  ";

const width = (text: string) => [...text].length;

function pad(text: string, size: number, align: Align): string {
  const fill = " ".repeat(Math.max(0, size - width(text)));
  return align === "right" ? fill + text : text + fill;
}

export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) =>
    Math.max(width(column.header), ...cells.map((line) => width(line[index] ?? ""))),
  );
  const render = (line: readonly string[]) =>
    line
      .map((cell, index) => pad(cell, widths[index] ?? 0, columns[index]?.align ?? "left"))
      .join(COLUMN_GAP)
      .trimEnd();
  const header = render(columns.map((column) => column.header));
  const rule = widths.map((size) => "─".repeat(size)).join(COLUMN_GAP);
  return [header, rule, ...cells.map(render)].join("\n");
}

/** 0.8312 → "83%": rates read best as whole percentages in a table. */
export const percent = (rate: number) => `${Math.round(rate * 100)}%`;

/** Up to `digits` decimals without trailing zeros: 35 → "35", 0.36 → "0.36", 15.4 → "15.4". */
export function decimal(value: number, digits = 4): string {
  return Number(value.toFixed(digits)).toString();
}
