-- Up Migration

-- The write path drains its transactional outbox with graphile-worker (schema graphile_worker,
-- installed by ingest at startup). graphile-worker releases the jobs of a worker that died only
-- after 4 hours; ingest instead records which queue workers each process runs and renews that
-- lease while alive. A restarted process (same instance name) or any process seeing an expired
-- lease unlocks the dead workers' jobs at once (graphile_worker.force_unlock_workers), so a
-- fan-out killed mid-batch resumes within seconds.
CREATE TABLE ingest_worker_leases (
  worker_id    text PRIMARY KEY,
  -- INGEST_WORKER_INSTANCE of the process (pod name by default); unique among live processes.
  instance     text NOT NULL,
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ingest_worker_leases_instance_idx ON ingest_worker_leases (instance);

-- Down Migration

DROP TABLE ingest_worker_leases;
