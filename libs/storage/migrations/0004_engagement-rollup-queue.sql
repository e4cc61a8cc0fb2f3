-- Up Migration

-- Engagement events stored but not yet rolled up into item_stats and the affinity tables
-- (ingest's ENGAGEMENT_ROLLUP=async): the request's statement inserts each new event here beside
-- engagement_events, and a rollup runner claims them in sequence order, aggregates them per key
-- and updates the counters, deleting what it claimed in the same statement. One transaction per
-- rollup, so a crash mid-rollup neither loses nor double-counts an event.
CREATE TABLE engagement_rollup_queue (
  seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id   text NOT NULL,
  item_id   uuid NOT NULL,
  type      smallint NOT NULL,
  queued_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE engagement_rollup_queue;
