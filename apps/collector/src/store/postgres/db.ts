// The pg Pool, how its errors are told apart (database unreachable → StoreUnavailableError, the
// caller answers 503 + Retry-After; anything else is a bug), and one transaction helper.
import pg from "pg";
import type { Logger } from "pino";
import { StoreUnavailableError } from "../types.js";

export const DEFAULT_POOL_MAX = 10;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Server-side cap on one statement; a batch is ~10 short statements. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;
/** Client-side cap: a query on a connection whose host vanished gets no answer at all. */
const QUERY_TIMEOUT_MARGIN_MS = 5_000;
/** A collector that dies inside a transaction must not hold its row locks for long. */
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;
export const DEFAULT_RETRY_AFTER_SECONDS = 5;
export const APPLICATION_NAME = "synthorg-collector";

export interface PoolOptions {
  /** Connections per collector process (pg Pool `max`). */
  readonly max?: number;
  readonly connectionTimeoutMillis?: number;
  readonly idleTimeoutMillis?: number;
  readonly statementTimeoutMillis?: number;
  readonly idleInTransactionTimeoutMillis?: number;
  readonly applicationName?: string;
}

export function createPool(url: string, options: PoolOptions, log: Logger | undefined): pg.Pool {
  const statementTimeout = options.statementTimeoutMillis ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? DEFAULT_POOL_MAX,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    idleTimeoutMillis: options.idleTimeoutMillis ?? DEFAULT_IDLE_TIMEOUT_MS,
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout + QUERY_TIMEOUT_MARGIN_MS,
    idle_in_transaction_session_timeout:
      options.idleInTransactionTimeoutMillis ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    application_name: options.applicationName ?? APPLICATION_NAME,
    keepAlive: true,
  });
  // An idle connection that breaks (database restarted, network cut) is emitted here; without a
  // listener that would crash the process. The pool has already dropped it and reconnects on demand.
  pool.on("error", (error) => {
    log?.warn(
      { event: "store.postgres.idle_connection_error", ...describeError(error) },
      "idle connection lost",
    );
  });
  return pool;
}

// SQLSTATE classes that mean "the database cannot serve this now, try again later":
// 08 connection exception, 53 insufficient resources (too many connections, disk full),
// 57 operator intervention (shutdown, statement timeout), 40 rollback (deadlock, serialization).
const UNAVAILABLE_SQLSTATE_CLASSES = new Set(["08", "40", "53", "57"]);
// pg's own messages for a connection that failed or died (they carry no SQLSTATE).
const CONNECTION_MESSAGE =
  /connection terminated|connection timeout|timeout exceeded when trying to connect|query read timeout|not queryable|connect(ion)? (refused|reset)/i;

function isDatabaseError(error: unknown): error is pg.DatabaseError {
  return error instanceof pg.DatabaseError;
}

/** True when the error means the database is unreachable or cannot serve now (not a bug). */
export function isUnavailableError(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (isDatabaseError(error)) return UNAVAILABLE_SQLSTATE_CLASSES.has((error.code ?? "").slice(0, 2));
  if (error instanceof AggregateError) return error.errors.some(isUnavailableError);
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  // Node system errors: ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, ENOTFOUND, EHOSTUNREACH, …
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return true;
  return (
    CONNECTION_MESSAGE.test(error.message) || (error.cause !== undefined && isUnavailableError(error.cause))
  );
}

/** Loggable facts about a database error: codes and identifiers, never a value from a row. */
export function describeError(error: unknown): { code?: string; message: string } {
  if (isDatabaseError(error)) {
    const where = [
      error.table && `table ${error.table}`,
      error.constraint && `constraint ${error.constraint}`,
    ]
      .filter(Boolean)
      .join(", ");
    // PostgreSQL quotes offending values in its messages ("invalid input syntax …: \"…\"").
    const message = error.message.replace(/"[^"]*"/g, '"…"');
    return { code: error.code, message: where === "" ? message : `${message} (${where})` };
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ...(typeof code === "string" ? { code } : {}), message: error.message };
  }
  return { message: String(error) };
}

/** A database error as thrown to callers: unavailable → StoreUnavailableError, else a plain Error
 * without the driver's detail fields (they can quote a row). */
export function storeError(error: unknown, retryAfterSeconds: number): Error {
  if (error instanceof StoreUnavailableError) return error;
  const { code, message } = describeError(error);
  const text = `PostgreSQL ${code === undefined ? "error" : `error ${code}`}: ${message}`;
  if (isUnavailableError(error)) return new StoreUnavailableError(text, retryAfterSeconds);
  return new Error(text);
}

export type Tx = pg.PoolClient;

/** What a transaction's work decides: commit, or roll back (nothing it wrote stays); either way `value` is returned. */
export interface TxResult<T> {
  readonly value: T;
  readonly commit: boolean;
}

// READ COMMITTED whatever the server's default: the idempotency-key and deployment-claim steps rely
// on each statement seeing what committed before it (after waiting on a row or advisory lock).
// synchronous_commit on whatever the server's default: a batch is acknowledged (and the emitter
// forgets it) only once its commit is in the WAL, so a database crash cannot lose it.
const BEGIN = "BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit TO on";

/**
 * A pooled connection that the server or the network already closed: the pool notices only when
 * the 'error' event arrives, so a request can be handed one just before. Nothing ran on it yet.
 */
function isDeadConnection(error: unknown): boolean {
  if (isDatabaseError(error)) {
    const code = error.code ?? "";
    return code.startsWith("08") || code === "57P01" || code === "57P02";
  }
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ECONNRESET" || code === "EPIPE" || DEAD_CONNECTION_MESSAGE.test(error.message);
}
const DEAD_CONNECTION_MESSAGE = /connection terminated unexpectedly|not queryable/i;

async function checkout(
  pool: pg.Pool,
): Promise<{ client: pg.PoolClient; broken: () => Error | undefined; done: (error?: Error) => void }> {
  const client = await pool.connect();
  // While checked out, a client has no error listener of the pool's: a connection that breaks
  // between two statements would otherwise be an unhandled 'error' event.
  let broken: Error | undefined;
  const onError = (error: Error): void => {
    broken = error;
  };
  client.on("error", onError);
  return {
    client,
    broken: () => broken,
    done(error) {
      client.off("error", onError);
      // A failed connection is destroyed rather than returned to the pool.
      client.release(error ?? broken);
    },
  };
}

/**
 * Run `work` in one transaction on one pooled connection. Errors roll back. If the connection
 * turns out dead at BEGIN (nothing has run), the transaction starts again once on a new one.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (tx: Tx) => Promise<TxResult<T>>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const { client, broken, done } = await checkout(pool);
    try {
      await client.query(BEGIN);
    } catch (error) {
      done(error as Error);
      if (attempt === 1 && isDeadConnection(error)) continue;
      throw error;
    }
    let failure: Error | undefined;
    try {
      const { value, commit } = await work(client);
      await client.query(commit ? "COMMIT" : "ROLLBACK");
      return value;
    } catch (error) {
      if (isUnavailableError(error)) failure = error as Error;
      else if (broken() === undefined)
        await client.query("ROLLBACK").catch((rollbackError: Error) => (failure = rollbackError));
      throw error;
    } finally {
      done(failure);
    }
  }
}

/** A statement outside a transaction that is safe to repeat (a read, a purge), tried again once
 * on a new connection if the first was dead. */
export async function idempotentQuery<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  query: pg.QueryConfig,
): Promise<pg.QueryResult<R>> {
  try {
    return await pool.query<R>(query);
  } catch (error) {
    if (!isDeadConnection(error)) throw error;
    return pool.query<R>(query);
  }
}
