// The test oracle for the PostgreSQL store: every aggregate table recomputed from the events table
// with plain GROUP BYs, compared exactly (numeric sums included) with what the store maintained
// incrementally. Returns the differing rows, so a failure shows what drifted.
import pg from "pg";
import { APPROVED, DECISION_EVENT, ROLLOUT_EVENT, SUCCESS } from "../src/store/postgres/codes.js";

const TRUTH: Record<string, { readonly columns: string; readonly truth: string }> = {
  group_sums: {
    columns: `source_rule, altitude, total_events, decision_count, approved_count, confidence_sum,
              confidence_count, rollout_count, success_count, observation_hours_sum,
              observation_hours_count, deployment_count`,
    truth: `SELECT source_rule, altitude, count(*), count(*) FILTER (WHERE event_type = ${DECISION_EVENT}),
              count(*) FILTER (WHERE decision = ${APPROVED}), coalesce(sum(confidence), 0), count(confidence),
              count(*) FILTER (WHERE event_type = ${ROLLOUT_EVENT}),
              count(*) FILTER (WHERE rollout_outcome = ${SUCCESS}), coalesce(sum(observation_hours), 0),
              count(observation_hours), count(DISTINCT deployment_id)
            FROM events WHERE source_rule IS NOT NULL GROUP BY 1, 2`,
  },
  group_deployments: {
    columns: "source_rule, altitude, deployment_id, events",
    truth:
      "SELECT source_rule, altitude, deployment_id, count(*) FROM events WHERE source_rule IS NOT NULL GROUP BY 1, 2, 3",
  },
  group_tags: {
    columns: "source_rule, altitude, industry_tag, events, deployment_count",
    truth: `SELECT source_rule, altitude, industry_tag, count(*), count(DISTINCT deployment_id) FROM events
            WHERE source_rule IS NOT NULL AND industry_tag IS NOT NULL GROUP BY 1, 2, 3`,
  },
  group_tag_deployments: {
    columns: "source_rule, altitude, industry_tag, deployment_id, events",
    truth: `SELECT source_rule, altitude, industry_tag, deployment_id, count(*) FROM events
            WHERE source_rule IS NOT NULL AND industry_tag IS NOT NULL GROUP BY 1, 2, 3, 4`,
  },
  deployments: {
    columns: "deployment_id, events",
    truth: "SELECT deployment_id, count(*) FROM events GROUP BY 1",
  },
};

export interface Drift {
  readonly table: string;
  readonly side: "stored only" | "truth only";
  readonly row: Record<string, unknown>;
}

/** Rows where a maintained table differs from its recomputation; [] when everything is exact. */
export async function aggregateDrift(url: string): Promise<Drift[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const drift: Drift[] = [];
    for (const [table, { columns, truth }] of Object.entries(TRUTH)) {
      const stored = `SELECT ${columns} FROM ${table}`;
      for (const [side, sql] of [
        ["stored only", `${stored} EXCEPT ALL (${truth})`],
        ["truth only", `(${truth}) EXCEPT ALL ${stored}`],
      ] as const) {
        const { rows } = await client.query<Record<string, unknown>>(sql);
        drift.push(...rows.map((row) => ({ table, side, row })));
      }
    }
    const { rows } = await client.query<{ counted: string; actual: string }>(
      `SELECT (SELECT sum(ingested) - sum(evicted) FROM store_counters)::text AS counted,
              (SELECT count(*) FROM events)::text AS actual`,
    );
    const sizes = rows[0];
    if (sizes !== undefined && sizes.counted !== sizes.actual) {
      drift.push({ table: "store_counters", side: "stored only", row: sizes });
    }
    return drift;
  } finally {
    await client.end();
  }
}

/** Runs one SQL statement against `url` (for tests that age rows or inspect tables). */
export async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
