// Versioned plain-SQL migrations (apps/collector/migrations/NNNN_name.sql), applied at startup in
// one transaction under an advisory lock, so collectors starting together apply each file once and
// the others wait, then find nothing to do. schema_migrations records each file and its checksum.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type pg from "pg";
import type { Logger } from "pino";
import { inTransaction } from "./db.js";
import { ADVISORY_LOCK_CLASS, MIGRATION_LOCK } from "./locks.js";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../migrations/", import.meta.url));
const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = MIGRATION_FILE.exec(file);
    if (match === null) throw new Error(`migration file ${file} is not named NNNN_name.sql`);
    const sql = await readFile(`${dir}/${file}`, "utf8");
    const version = Number(match[1]);
    if (migrations.some((migration) => migration.version === version)) {
      throw new Error(`two migrations have version ${version}`);
    }
    migrations.push({
      version,
      name: match[2] ?? file,
      sql,
      checksum: createHash("sha256").update(sql).digest("hex"),
    });
  }
  return migrations;
}

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** Apply the migrations this database lacks; returns the versions applied now. */
export async function migrate(
  pool: pg.Pool,
  migrations: readonly Migration[],
  log?: Logger,
): Promise<number[]> {
  return inTransaction(pool, async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1, $2)", [ADVISORY_LOCK_CLASS, MIGRATION_LOCK]);
    await tx.query(CREATE_LEDGER);
    const { rows } = await tx.query<{ version: number; name: string; checksum: string }>(
      "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
    );
    const known = new Map(migrations.map((migration) => [migration.version, migration]));
    for (const row of rows) {
      const migration = known.get(row.version);
      if (migration === undefined) {
        throw new Error(
          `the database has migration ${row.version}_${row.name}, which this collector does not know: ` +
            "it was migrated by a newer collector; run that version",
        );
      }
      if (migration.checksum !== row.checksum) {
        throw new Error(
          `migration ${row.version}_${row.name} was changed after it was applied; ` +
            "add a new migration instead of editing an applied one",
        );
      }
    }
    const applied = new Set(rows.map((row) => row.version));
    const pending = migrations.filter((migration) => !applied.has(migration.version));
    for (const migration of pending) {
      await tx.query(migration.sql);
      await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      log?.info({ event: "store.postgres.migrated", version: migration.version, name: migration.name });
    }
    return { value: pending.map((migration) => migration.version), commit: true };
  });
}
