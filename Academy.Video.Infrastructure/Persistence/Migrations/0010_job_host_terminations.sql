-- Attempts AWS Batch ended because their host was terminated (a Spot reclaim): they stay in attempt_count
-- (attempt numbers never repeat) but do not count toward Jobs:MaxAttempts; Jobs:MaxHostTerminations bounds them.
ALTER TABLE video_transcode_jobs
    ADD COLUMN host_termination_count integer NOT NULL DEFAULT 0
        CONSTRAINT video_transcode_jobs_host_termination_count_check CHECK (host_termination_count >= 0);
