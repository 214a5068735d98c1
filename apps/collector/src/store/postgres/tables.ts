// The aggregate tables as data, and the two statements each one needs: add a batch of signed
// deltas (one upsert per table per batch), and delete the rows a deletion brought to zero.
// Every table is written in the order of COUNTED_TABLES, each batch's rows sorted by key, by ingest
// and retention alike: locks are always taken in one global order, so writers cannot deadlock.

type Column = readonly [name: string, type: string];

export interface CountedTable {
  readonly name: string;
  readonly keys: readonly Column[];
  /** Columns a delta adds to (negative deltas subtract). */
  readonly counts: readonly Column[];
  /** The count whose 0 means the row counts nothing any more: it is deleted. */
  readonly size: string;
}

const TEXT = "text";
const INT2 = "int2";
const INT8 = "int8";
const NUMERIC = "numeric";

const GROUP_KEY: readonly Column[] = [
  ["source_rule", TEXT],
  ["altitude", INT2],
];

export const DEPLOYMENTS: CountedTable = {
  name: "deployments",
  keys: [["deployment_id", TEXT]],
  counts: [["events", INT8]],
  size: "events",
};

export const GROUP_DEPLOYMENTS: CountedTable = {
  name: "group_deployments",
  keys: [...GROUP_KEY, ["deployment_id", TEXT]],
  counts: [["events", INT8]],
  size: "events",
};

export const GROUP_TAG_DEPLOYMENTS: CountedTable = {
  name: "group_tag_deployments",
  keys: [...GROUP_KEY, ["industry_tag", TEXT], ["deployment_id", TEXT]],
  counts: [["events", INT8]],
  size: "events",
};

export const GROUP_TAGS: CountedTable = {
  name: "group_tags",
  keys: [...GROUP_KEY, ["industry_tag", TEXT]],
  counts: [
    ["events", INT8],
    ["deployment_count", INT8],
  ],
  size: "events",
};

export const GROUP_SUMS: CountedTable = {
  name: "group_sums",
  keys: GROUP_KEY,
  counts: [
    ["total_events", INT8],
    ["decision_count", INT8],
    ["approved_count", INT8],
    ["confidence_sum", NUMERIC],
    ["confidence_count", INT8],
    ["rollout_count", INT8],
    ["success_count", INT8],
    ["observation_hours_sum", NUMERIC],
    ["observation_hours_count", INT8],
    ["deployment_count", INT8],
  ],
  size: "total_events",
};

/** The one order every transaction writes these tables in. */
export const COUNTED_TABLES = [DEPLOYMENTS, GROUP_DEPLOYMENTS, GROUP_TAG_DEPLOYMENTS, GROUP_TAGS, GROUP_SUMS];

const names = (columns: readonly Column[]): string => columns.map(([name]) => name).join(", ");
const arrayParams = (columns: readonly Column[], from = 1): string =>
  columns.map(([, type], index) => `$${index + from}::${type}[]`).join(", ");

/**
 * Parameters: one array per key column, then one per count column, all in the same (sorted) row
 * order, which WITH ORDINALITY … ORDER BY keeps. Returns each row's key and new size.
 */
export function upsertSql(table: CountedTable): string {
  const columns = [...table.keys, ...table.counts];
  return [
    `INSERT INTO ${table.name} AS t (${names(columns)})`,
    `SELECT ${names(columns)} FROM unnest(${arrayParams(columns)}) WITH ORDINALITY AS u(${names(columns)}, ord)`,
    "ORDER BY ord",
    `ON CONFLICT (${names(table.keys)}) DO UPDATE SET`,
    table.counts.map(([name]) => `${name} = t.${name} + excluded.${name}`).join(", "),
    `RETURNING ${names(table.keys)}, ${table.size}::float8 AS size`,
  ].join("\n");
}

/** Parameters: one array per key column. Deletes those rows whose size is 0. */
export function deleteEmptySql(table: CountedTable): string {
  return [
    `DELETE FROM ${table.name}`,
    `WHERE (${names(table.keys)}) IN (SELECT * FROM unnest(${arrayParams(table.keys)}))`,
    `AND ${table.size} = 0`,
  ].join("\n");
}
