-- Generated captions: one generation per video, a unit of work like a transcode job (docs/decisions/0017-caption-generation-unit-of-work.md).
-- Every state change is one conditional statement fenced on status and attempt; nothing is held across the transcription.
CREATE TABLE caption_generations (
    id                 uuid        PRIMARY KEY,
    video_id           uuid        NOT NULL UNIQUE REFERENCES videos (id) ON DELETE CASCADE,
    status             text        NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'READY', 'FAILED', 'SKIPPED')),
    requested_language text        NOT NULL,
    language           text        NULL,
    attempts           integer     NOT NULL DEFAULT 0,
    max_attempts       integer     NOT NULL,
    submissions        integer     NOT NULL DEFAULT 0,
    submitted_at       timestamptz NULL,
    heartbeat_at       timestamptz NULL,
    error_code         text        NULL,
    error_message      text        NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);

CREATE INDEX caption_generations_open ON caption_generations (status, submitted_at) WHERE status IN ('QUEUED', 'RUNNING');
