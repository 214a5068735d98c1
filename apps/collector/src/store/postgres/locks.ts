// Advisory locks, all in the two-int4 key space under this application's class ids, so they do not
// collide with the single-bigint locks another application on the same database might take.
// (pg_advisory_xact_lock(class, id): held until the transaction ends.)

/** "SyOr" as a 32-bit int: this application's advisory lock class. */
export const ADVISORY_LOCK_CLASS = 0x53794f72;
/** Applying migrations. */
export const MIGRATION_LOCK = 1;
/** Deleting old events (retention): one collector at a time. */
export const RETENTION_LOCK = 2;
/** Claiming new deployment ids for a writer is locked per writer: (WRITER_LOCK_CLASS, hashtext(writer)). */
export const WRITER_LOCK_CLASS = 0x53794f73;
