-- Webhooks (issue 12): the events the state changes write, the endpoints added through the API, and every
-- delivery of an event to an endpoint with each of its attempts (decision 0010).

-- One row per event, inserted by the very statement of the change that causes it (a job transition, a
-- deletion, an upload expiry): no event without its change, no change without its event. The body is
-- rendered once by the dispatcher, from the video's GET view, and every delivery sends those bytes.
CREATE TABLE video_events (
    id            uuid        PRIMARY KEY,
    position      bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    type          text        NOT NULL,
    video_id      uuid        NOT NULL REFERENCES videos (id),
    job_id        uuid        REFERENCES video_transcode_jobs (id),
    occurred_at   timestamptz NOT NULL,
    body          text,
    dispatched_at timestamptz,
    CONSTRAINT video_events_type_known CHECK (type IN
        ('video.processing', 'video.ready', 'video.failed', 'video.deleted', 'video.upload_expired', 'job.dead')),
    CONSTRAINT video_events_dispatched_with_body CHECK ((body IS NULL) = (dispatched_at IS NULL))
);

-- The dispatcher reads the events not yet rendered, oldest first; the internal API lists a video's events.
CREATE INDEX video_events_undispatched_idx ON video_events (position) WHERE dispatched_at IS NULL;
CREATE INDEX video_events_video_idx ON video_events (video_id, position DESC);

-- Endpoints added through the internal API. Those declared in settings are not rows: their ids are
-- derived from their URLs. The secret is kept as is: an HMAC needs it to sign.
CREATE TABLE webhook_endpoints (
    id         uuid        PRIMARY KEY,
    url        text        NOT NULL,
    secret     text        NOT NULL,
    events     text[]      NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT webhook_endpoints_url_not_empty CHECK (url <> ''),
    CONSTRAINT webhook_endpoints_secret_long_enough CHECK (length(secret) >= 16)
);

-- One event on its way to one endpoint. endpoint_id has no foreign key: settings endpoints are not rows,
-- and a removed endpoint's deliveries stay as history. A replay is a new row pointing at the one it replays.
CREATE TABLE webhook_deliveries (
    id              uuid        PRIMARY KEY,
    position        bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    event_id        uuid        NOT NULL REFERENCES video_events (id),
    endpoint_id     uuid        NOT NULL,
    url             text        NOT NULL,
    state           text        NOT NULL,
    attempt_count   integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    replay_of       uuid        REFERENCES webhook_deliveries (id),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT webhook_deliveries_state_known CHECK (state IN ('PENDING', 'SENDING', 'DELIVERED', 'FAILED')),
    CONSTRAINT webhook_deliveries_attempts_not_negative CHECK (attempt_count >= 0),
    -- PENDING: when the next attempt is due; SENDING: when the attempt in flight's lease ends.
    CONSTRAINT webhook_deliveries_due_iff_unfinished CHECK ((state IN ('PENDING', 'SENDING')) = (next_attempt_at IS NOT NULL)),
    CONSTRAINT webhook_deliveries_sending_an_attempt CHECK (state <> 'SENDING' OR attempt_count >= 1),
    CONSTRAINT webhook_deliveries_delivered_after_an_attempt CHECK (state <> 'DELIVERED' OR attempt_count >= 1)
);

CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state IN ('PENDING', 'SENDING');
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, position DESC);
CREATE INDEX webhook_deliveries_state_idx ON webhook_deliveries (state, position DESC);

-- Every attempt, kept: opened when a sender claims it, closed with what it found.
CREATE TABLE webhook_delivery_attempts (
    delivery_id      uuid        NOT NULL REFERENCES webhook_deliveries (id),
    attempt          integer     NOT NULL,
    started_at       timestamptz NOT NULL,
    ended_at         timestamptz,
    outcome          text,
    status_code      integer,
    duration_ms      bigint,
    response_excerpt text,
    error            text,
    PRIMARY KEY (delivery_id, attempt),
    CONSTRAINT webhook_attempts_number_positive CHECK (attempt >= 1),
    CONSTRAINT webhook_attempts_outcome_known CHECK (outcome IS NULL OR outcome IN
        ('DELIVERED', 'HTTP_ERROR', 'NETWORK_ERROR', 'ENDPOINT_REMOVED', 'ABANDONED')),
    CONSTRAINT webhook_attempts_ended_iff_outcome CHECK ((ended_at IS NULL) = (outcome IS NULL)),
    CONSTRAINT webhook_attempts_status_is_http CHECK (status_code IS NULL OR status_code BETWEEN 100 AND 999)
);
