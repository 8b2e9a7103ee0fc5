-- Chunked encoding (docs/decisions/0023-chunked-encoding.md): a long source is encoded as ranges of segments, each by
-- chunk attempts of its own under the one job. The job attempt that planned them (job_attempt) owns the tree; every write
-- of a chunk attempt is fenced on its attempt_count and on the job RUNNING at job_attempt.

CREATE TABLE video_job_chunks (
    job_id                    uuid        NOT NULL REFERENCES video_transcode_jobs (id) ON DELETE CASCADE,
    chunk                     integer     NOT NULL,
    job_attempt               integer     NOT NULL,
    first_segment             integer     NOT NULL,
    end_segment               integer     NOT NULL,
    start_seconds             double precision NOT NULL,
    end_seconds               double precision NOT NULL,
    plan                      text        NOT NULL,
    state                     text        NOT NULL,
    attempt_count             integer     NOT NULL DEFAULT 0,
    runner_job_id             text,
    submitted_at              timestamptz,
    submission_claimed_until  timestamptz,
    last_heartbeat_at         timestamptz,
    error_code                text,
    error_message             text,
    output                    jsonb,
    created_at                timestamptz NOT NULL,
    updated_at                timestamptz NOT NULL,
    PRIMARY KEY (job_id, chunk),
    CONSTRAINT chunks_index_range CHECK (chunk >= 0 AND job_attempt >= 1 AND attempt_count >= 0),
    CONSTRAINT chunks_segments_range CHECK (first_segment >= 0 AND end_segment > first_segment AND end_seconds > start_seconds),
    CONSTRAINT chunks_state_known CHECK (state IN ('PENDING', 'SUBMITTED', 'RUNNING', 'DONE')),
    CONSTRAINT chunks_done_iff_output CHECK ((state = 'DONE') = (output IS NOT NULL)),
    CONSTRAINT chunks_submitted_has_runner CHECK (state <> 'SUBMITTED' OR runner_job_id IS NOT NULL)
);

-- The dispatcher's and the recovery's work: the few chunks not done yet, never the finished history.
CREATE INDEX video_job_chunks_open_idx ON video_job_chunks (state, updated_at) WHERE state <> 'DONE';

-- The last chunk to finish is elected by one compare-and-set on the job: who assembles the playlists.
ALTER TABLE video_transcode_jobs ADD COLUMN chunk_assembler text;
