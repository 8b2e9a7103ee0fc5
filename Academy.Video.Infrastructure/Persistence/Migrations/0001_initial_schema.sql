-- Videos, their transcode jobs, the attempt timeline and the storage deletion outbox.
-- Every CHECK below makes an illegal state unrepresentable, so a bug in code fails loudly here.

CREATE TABLE videos (
    id                  uuid        PRIMARY KEY,
    title               text        NOT NULL,
    status              text        NOT NULL,
    source_key          text        NOT NULL,
    source_content_type text        NOT NULL,
    source_size_bytes   bigint,
    hls_path            text,
    current_job_id      uuid,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CONSTRAINT videos_status_known CHECK (status IN
        ('PENDING_UPLOAD', 'UPLOADED', 'PROCESSING', 'READY', 'FAILED', 'DELETING', 'DELETED')),
    CONSTRAINT videos_ready_has_hls_path CHECK (status <> 'READY' OR hls_path IS NOT NULL),
    CONSTRAINT videos_source_size_not_negative CHECK (source_size_bytes IS NULL OR source_size_bytes >= 0)
);

-- List paging: newest first, id as the tie-breaker; with and without a status filter.
CREATE INDEX videos_list_idx ON videos (created_at DESC, id DESC);
CREATE INDEX videos_status_list_idx ON videos (status, created_at DESC, id DESC);

CREATE TABLE video_transcode_jobs (
    id                uuid        PRIMARY KEY,
    video_id          uuid        NOT NULL REFERENCES videos (id),
    state             text        NOT NULL,
    attempt_count     integer     NOT NULL DEFAULT 0,
    aws_batch_job_id  text,
    submitted_at      timestamptz,
    last_heartbeat_at timestamptz,
    progress_percent  integer     NOT NULL DEFAULT 0,
    error_code        text,
    error_message     text,
    next_attempt_at   timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    finished_at       timestamptz,
    CONSTRAINT jobs_state_known CHECK (state IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'RETRY_WAIT', 'FAILED', 'DEAD')),
    CONSTRAINT jobs_attempt_count_not_negative CHECK (attempt_count >= 0),
    CONSTRAINT jobs_progress_is_percent CHECK (progress_percent BETWEEN 0 AND 100),
    -- Nothing re-enters QUEUED: a queued job has never started an attempt.
    CONSTRAINT jobs_queued_never_started CHECK (state <> 'QUEUED' OR attempt_count = 0),
    CONSTRAINT jobs_running_has_attempt_and_heartbeat CHECK (state <> 'RUNNING' OR (attempt_count >= 1 AND last_heartbeat_at IS NOT NULL)),
    CONSTRAINT jobs_retry_wait_after_attempt CHECK (state <> 'RETRY_WAIT' OR (attempt_count >= 1 AND next_attempt_at IS NOT NULL)),
    CONSTRAINT jobs_next_attempt_only_in_retry_wait CHECK (state = 'RETRY_WAIT' OR next_attempt_at IS NULL),
    CONSTRAINT jobs_batch_id_with_submit_time CHECK ((aws_batch_job_id IS NULL) = (submitted_at IS NULL)),
    CONSTRAINT jobs_finished_iff_terminal CHECK ((state IN ('SUCCEEDED', 'FAILED', 'DEAD')) = (finished_at IS NOT NULL)),
    CONSTRAINT jobs_succeeded_is_clean CHECK (state <> 'SUCCEEDED' OR (progress_percent = 100 AND error_code IS NULL)),
    CONSTRAINT jobs_failure_has_error CHECK (state NOT IN ('FAILED', 'DEAD') OR error_code IS NOT NULL)
);

ALTER TABLE videos
    ADD CONSTRAINT videos_current_job_fk FOREIGN KEY (current_job_id) REFERENCES video_transcode_jobs (id);

CREATE INDEX jobs_video_idx ON video_transcode_jobs (video_id);

-- A video has at most one unfinished job.
CREATE UNIQUE INDEX jobs_one_active_per_video_idx ON video_transcode_jobs (video_id)
    WHERE state IN ('QUEUED', 'RUNNING', 'RETRY_WAIT');

-- The recovery scan's four candidate kinds, each on a partial index holding candidates only.
CREATE INDEX jobs_running_heartbeat_idx ON video_transcode_jobs (last_heartbeat_at)
    WHERE state = 'RUNNING';
CREATE INDEX jobs_retry_due_idx ON video_transcode_jobs (next_attempt_at)
    WHERE state = 'RETRY_WAIT' AND aws_batch_job_id IS NULL;
CREATE INDEX jobs_queued_unsubmitted_idx ON video_transcode_jobs (created_at)
    WHERE state = 'QUEUED' AND aws_batch_job_id IS NULL;
CREATE INDEX jobs_submitted_waiting_idx ON video_transcode_jobs (submitted_at)
    WHERE state IN ('QUEUED', 'RETRY_WAIT') AND aws_batch_job_id IS NOT NULL;

-- The backlog summary reads unfinished jobs only, from the index alone (small, so never a parallel
-- plan). Keyed on state only, so the scan's candidate queries keep to their own ordered indexes.
CREATE INDEX jobs_backlog_idx ON video_transcode_jobs (state) INCLUDE (created_at, id, attempt_count, updated_at)
    WHERE state IN ('QUEUED', 'RUNNING', 'RETRY_WAIT');

CREATE TABLE video_job_attempts (
    job_id        uuid        NOT NULL REFERENCES video_transcode_jobs (id) ON DELETE CASCADE,
    attempt       integer     NOT NULL,
    started_at    timestamptz NOT NULL,
    ended_at      timestamptz,
    outcome       text,
    error_code    text,
    error_message text,
    batch_job_id  text,
    PRIMARY KEY (job_id, attempt),
    CONSTRAINT attempts_number_positive CHECK (attempt >= 1),
    CONSTRAINT attempts_outcome_known CHECK (outcome IS NULL OR outcome IN ('SUCCEEDED', 'RETRY_WAIT', 'FAILED', 'DEAD')),
    CONSTRAINT attempts_ended_iff_outcome CHECK ((ended_at IS NULL) = (outcome IS NULL))
);

-- The deletion outbox: a row per storage prefix to empty, retried until done.
CREATE TABLE storage_cleanups (
    id              uuid        PRIMARY KEY,
    prefix          text        NOT NULL,
    video_id        uuid        REFERENCES videos (id),
    reason          text        NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    created_at      timestamptz NOT NULL,
    CONSTRAINT cleanups_prefix_not_empty CHECK (prefix <> ''),
    CONSTRAINT cleanups_attempts_not_negative CHECK (attempts >= 0)
);

CREATE INDEX storage_cleanups_due_idx ON storage_cleanups (next_attempt_at);
CREATE INDEX storage_cleanups_video_idx ON storage_cleanups (video_id) WHERE video_id IS NOT NULL;
