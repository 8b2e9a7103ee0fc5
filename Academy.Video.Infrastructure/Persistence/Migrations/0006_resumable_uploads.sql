-- Resumable uploads (issue 12): the multipart upload of a source, and the expiry of unfinished uploads.

-- One row per video whose source goes up in parts (sources at or above Upload:MultipartThreshold).
-- The part size is kept with the upload, so a change of settings never changes an upload in flight.
CREATE TABLE video_multipart_uploads (
    video_id        uuid        PRIMARY KEY REFERENCES videos (id),
    upload_id       text        NOT NULL,
    part_size_bytes bigint      NOT NULL,
    created_at      timestamptz NOT NULL,
    CONSTRAINT multipart_upload_id_not_empty CHECK (upload_id <> ''),
    -- S3 and R2: every part but the last at least 5 MiB, at most 5 GiB.
    CONSTRAINT multipart_part_size_in_s3_limits CHECK (part_size_bytes BETWEEN 5242880 AND 5368709120)
);

-- EXPIRED: the upload was not completed within Upload:Expiry. Terminal, and never with a job: there is
-- no source to transcode or retry (a FAILED video is one whose job failed, and FAILED can be retried).
ALTER TABLE videos DROP CONSTRAINT videos_status_known;
ALTER TABLE videos ADD CONSTRAINT videos_status_known CHECK (status IN
    ('PENDING_UPLOAD', 'UPLOADED', 'PROCESSING', 'READY', 'FAILED', 'DELETING', 'DELETED', 'EXPIRED'));
ALTER TABLE videos ADD CONSTRAINT videos_expired_has_no_job CHECK (status <> 'EXPIRED' OR current_job_id IS NULL);

-- The expiry sweep reads unfinished uploads only, oldest first.
CREATE INDEX videos_pending_upload_idx ON videos (created_at) WHERE status = 'PENDING_UPLOAD';
