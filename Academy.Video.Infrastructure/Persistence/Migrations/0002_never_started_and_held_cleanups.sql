-- Issue 8. Submissions that never start an attempt are counted on the job (DEAD at the bound, with
-- the runner's last word), and an attempt's orphaned prefix is queued under its job: held while the
-- job is unfinished, one pending row per prefix.

ALTER TABLE video_transcode_jobs
    ADD COLUMN never_started_count integer NOT NULL DEFAULT 0,
    ADD COLUMN never_started_reason text,
    ADD CONSTRAINT jobs_never_started_count_not_negative CHECK (never_started_count >= 0);

ALTER TABLE storage_cleanups
    ADD COLUMN job_id uuid REFERENCES video_transcode_jobs (id),
    ADD CONSTRAINT cleanups_video_or_job CHECK (video_id IS NULL OR job_id IS NULL);

-- Earlier code could queue one prefix twice; keep one row per prefix, a whole-video row first.
DELETE FROM storage_cleanups
WHERE id IN (
    SELECT id FROM (
        SELECT id, row_number() OVER (PARTITION BY prefix ORDER BY (video_id IS NULL), created_at, id) AS n
        FROM storage_cleanups) AS ranked
    WHERE ranked.n > 1);

CREATE UNIQUE INDEX storage_cleanups_prefix_idx ON storage_cleanups (prefix);
