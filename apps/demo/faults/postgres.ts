// A fresh database per test file on the shared test server (SYNTHORG_TEST_DATABASE_URL, which .ci/run
// starts), and the read-backs the fault tests compare against what was sent.
import { randomBytes } from "node:crypto";
import pg from "pg";

export const TEST_DATABASE_URL = process.env.SYNTHORG_TEST_DATABASE_URL || undefined;
export const POSTGRES_SKIP_LINE =
  "*** PostgreSQL fault tests SKIPPED: SYNTHORG_TEST_DATABASE_URL is not set. Run `bash .ci/run`, or start " +
  "a throwaway server (../shared/TOOLCHAIN.md) and set SYNTHORG_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:55432/synthorg_test ***";

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function connected<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase {
  readonly url: string;
  query<R extends pg.QueryResultRow>(sql: string): Promise<R[]>;
  drop(): Promise<void>;
}

/** An empty database with a random name, dropped (connections and all) by drop(). */
export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `synthorg_faults_${randomBytes(6).toString("hex")}`;
  const admin = withDatabase(serverUrl, "postgres");
  await connected(admin, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(serverUrl, name);
  return {
    url,
    query: <R extends pg.QueryResultRow>(sql: string) =>
      connected(url, async (client) => (await client.query<R>(sql)).rows),
    drop: async () => {
      await connected(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
