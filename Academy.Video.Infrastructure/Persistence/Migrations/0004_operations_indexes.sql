-- The operator checks (validate-system) read the latest jobs and the recently finished ones; without
-- these they would sort the whole job history. Both columns are written once, so updates stay cheap.

CREATE INDEX jobs_created_idx ON video_transcode_jobs (created_at DESC);

CREATE INDEX jobs_finished_idx ON video_transcode_jobs (finished_at DESC)
    WHERE finished_at IS NOT NULL;
