-- The collector's PostgreSQL schema, version 1.
--
-- events holds every retained event; everything else is derived from it incrementally, in the same
-- transaction as the events they count, so queries never scan events:
--   group_sums             one row per (source_rule, altitude): the sums behind a pattern
--   group_deployments      (group, deployment) → retained events: refcount behind deployment_count
--   group_tags             (group, industry_tag): events and distinct deployments per tag
--   group_tag_deployments  (group, tag, deployment) → retained events: refcount behind the tag's deployments
--   deployments            deployment → retained events: refcount behind stats().deployments
-- A refcount row is deleted when it reaches 0, so distinct counts stay exact when old events are deleted.
-- Enums are stored as their index in the wire vocabularies (@synthorg/schema enums.ts), as smallint.

CREATE TABLE events (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The UTC day the collector stored the event (retention_days counts from it). A day, not an
  -- instant: an exact arrival time would re-create the timing detail the wire format coarsens away.
  received_day       date NOT NULL DEFAULT ((now() AT TIME ZONE 'UTC')::date),
  schema_version     text NOT NULL,
  deployment_id      text NOT NULL,
  event_type         smallint NOT NULL,
  event_day          date NOT NULL,
  altitude           smallint NOT NULL,
  source_rule        text,
  decision           smallint,
  -- numeric, not float8: the group sums are numeric, and adding then subtracting the same decimal
  -- is exact, so averages do not drift as events come and go.
  confidence         numeric,
  rollout_outcome    smallint,
  regression_verdict smallint,
  observation_hours  numeric,
  -- Bit i set = ALTITUDES[i] enabled (the wire list is a set of distinct altitudes).
  enabled_altitudes  smallint NOT NULL,
  industry_tag       text,
  sdk_version        text NOT NULL
);

CREATE TABLE group_sums (
  source_rule             text NOT NULL,
  altitude                smallint NOT NULL,
  total_events            bigint NOT NULL,
  decision_count          bigint NOT NULL,
  approved_count          bigint NOT NULL,
  confidence_sum          numeric NOT NULL,
  confidence_count        bigint NOT NULL,
  rollout_count           bigint NOT NULL,
  success_count           bigint NOT NULL,
  observation_hours_sum   numeric NOT NULL,
  observation_hours_count bigint NOT NULL,
  deployment_count        bigint NOT NULL,
  PRIMARY KEY (source_rule, altitude)
);

CREATE TABLE group_deployments (
  source_rule   text NOT NULL,
  altitude      smallint NOT NULL,
  deployment_id text NOT NULL,
  events        bigint NOT NULL,
  PRIMARY KEY (source_rule, altitude, deployment_id)
);

CREATE TABLE group_tags (
  source_rule      text NOT NULL,
  altitude         smallint NOT NULL,
  industry_tag     text NOT NULL,
  events           bigint NOT NULL,
  deployment_count bigint NOT NULL,
  PRIMARY KEY (source_rule, altitude, industry_tag)
);

CREATE TABLE group_tag_deployments (
  source_rule   text NOT NULL,
  altitude      smallint NOT NULL,
  industry_tag  text NOT NULL,
  deployment_id text NOT NULL,
  events        bigint NOT NULL,
  PRIMARY KEY (source_rule, altitude, industry_tag, deployment_id)
);

CREATE TABLE deployments (
  deployment_id text PRIMARY KEY,
  events        bigint NOT NULL
);

-- The deployment ids each write key has claimed (max_deployments_per_key). Claims are permanent:
-- a key that may rotate through ids as old data expires could fake the k-deployment threshold over time.
CREATE TABLE deployment_claims (
  writer_id     text NOT NULL,
  deployment_id text NOT NULL,
  claimed_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (writer_id, deployment_id)
);

-- One row per stored batch key: inserted first in the batch's transaction, so a concurrent retry of
-- the same batch waits for it and then answers duplicate with the first answer.
CREATE TABLE idempotency_keys (
  writer_id  text NOT NULL,
  batch_key  text NOT NULL,
  ingested   integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (writer_id, batch_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- Totals since the database began, spread over slots (a writer updates the slot of its backend) so
-- concurrent batches do not queue on one row lock. Read as the sum over all slots.
CREATE TABLE store_counters (
  slot     smallint PRIMARY KEY,
  ingested bigint NOT NULL DEFAULT 0,
  evicted  bigint NOT NULL DEFAULT 0
);
INSERT INTO store_counters (slot) SELECT generate_series(0, 15);

-- Refcount rows are updated many times and deleted often: vacuum them long before the default 20%.
ALTER TABLE group_sums SET (autovacuum_vacuum_scale_factor = 0.01, fillfactor = 70);
ALTER TABLE group_tags SET (autovacuum_vacuum_scale_factor = 0.01, fillfactor = 70);
ALTER TABLE group_deployments SET (autovacuum_vacuum_scale_factor = 0.02, fillfactor = 80);
ALTER TABLE group_tag_deployments SET (autovacuum_vacuum_scale_factor = 0.02, fillfactor = 80);
ALTER TABLE deployments SET (autovacuum_vacuum_scale_factor = 0.02, fillfactor = 80);
ALTER TABLE store_counters SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, fillfactor = 50);
-- events is a FIFO: retention deletes from the old end, which leaves dead index entries that the
-- next retention pass would walk over until vacuum removes them.
ALTER TABLE events SET (autovacuum_vacuum_scale_factor = 0.02);
