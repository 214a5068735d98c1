// Throwaway PostgreSQL for the tests: a fresh database on the shared test server
// (SYNTHORG_TEST_DATABASE_URL, which .ci/run starts), or a private cluster of our own (initdb +
// pg_ctl from SYNTHORG_TEST_PGBIN) that a test may stop and start, to cut the database away.
import { execFile } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export const TEST_DATABASE_URL = process.env.SYNTHORG_TEST_DATABASE_URL;
export const TEST_PGBIN = process.env.SYNTHORG_TEST_PGBIN;
export const HAVE_POSTGRES = TEST_DATABASE_URL !== undefined && TEST_DATABASE_URL !== "";
export const HAVE_PGBIN = TEST_PGBIN !== undefined && TEST_PGBIN !== "";

const HOW_TO_RUN =
  "`bash .ci/run` starts a throwaway server, or start one (../shared/TOOLCHAIN.md) and set " +
  "SYNTHORG_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:55432/synthorg_test " +
  "SYNTHORG_TEST_PGBIN=/usr/lib/postgresql/15/bin";

/** Printed by one test file only (postgres-store.test.ts), so a run without PostgreSQL says it once. */
export function warnIfNoPostgres(): void {
  if (!HAVE_POSTGRES) {
    console.warn(
      `*** PostgreSQL tests SKIPPED: SYNTHORG_TEST_DATABASE_URL is not set. To run them: ${HOW_TO_RUN} ***`,
    );
  } else if (!HAVE_PGBIN) {
    console.warn(
      `*** PostgreSQL outage test SKIPPED: SYNTHORG_TEST_PGBIN is not set. To run it: ${HOW_TO_RUN} ***`,
    );
  }
}

/** `url` with its database replaced. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** A new empty database with a random name on the server of `serverUrl`. */
export async function createTestDatabase(
  serverUrl: string = TEST_DATABASE_URL ?? "",
  prefix = "synthorg_t",
): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await admin(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () =>
      admin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(),
  };
}

// ---- Private clusters ------------------------------------------------------------------------------

/** Private clusters listen on a random port in this range (the shared test server is on 55432). */
const PRIVATE_PORT_FIRST = 55433;
const PRIVATE_PORT_COUNT = 1000;
const START_ATTEMPTS = 4;
// Fast and crash-unsafe like the CI server, synchronous_commit=off included: the store must (and
// does) turn it back on for its own transactions, and the outage test crashes the server to check.
const SERVER_SETTINGS = [
  "-c listen_addresses=127.0.0.1",
  "-c fsync=off",
  "-c synchronous_commit=off",
  "-c full_page_writes=off",
];

const isRoot = (): boolean => process.getuid?.() === 0;

/** Runs a server binary, as the postgres user when we are root (initdb and postgres refuse root). */
async function pgExec(binary: string, args: string[]): Promise<void> {
  const path = join(TEST_PGBIN ?? "", binary);
  if (isRoot()) await run("runuser", ["-u", "postgres", "--", path, ...args]);
  else await run(path, args);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

export interface PgCluster {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  readonly url: string;
  start(): Promise<void>;
  /** mode "fast" ends sessions cleanly, "immediate" is a crash. */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** Stops the server if running and deletes its files. */
  destroy(): Promise<void>;
}

/** A fresh cluster in a temporary directory, started. Needs SYNTHORG_TEST_PGBIN. */
export async function startPrivateCluster(): Promise<PgCluster> {
  const dir = await mkdtemp(join(tmpdir(), "synthorg-pg-"));
  const data = join(dir, "data");
  if (isRoot()) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: group } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout.trim()), Number(group.trim()));
  }
  await pgExec("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);

  let port = 0;
  let running = false;
  const start = async (): Promise<void> => {
    await pgExec("pg_ctl", [
      "-D",
      data,
      "-l",
      join(dir, "log"),
      "-w",
      "-o",
      [`-p ${port}`, `-k ${dir}`, ...SERVER_SETTINGS].join(" "),
      "start",
    ]);
    running = true;
  };
  const stop = async (mode: "fast" | "immediate" = "fast"): Promise<void> => {
    await pgExec("pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]);
    running = false;
  };

  for (let attempt = 1; !running; attempt++) {
    port = PRIVATE_PORT_FIRST + randomInt(PRIVATE_PORT_COUNT);
    try {
      if (await portIsFree(port)) await start();
    } catch (error) {
      if (attempt >= START_ATTEMPTS) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
    if (!running && attempt >= START_ATTEMPTS) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`no free port for a private PostgreSQL cluster after ${attempt} tries`);
    }
  }

  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async destroy() {
      if (running) await stop("immediate").catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
