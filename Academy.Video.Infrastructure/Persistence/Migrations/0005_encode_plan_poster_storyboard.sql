-- Issues 11 and 12. The top rung decision of a job's latest attempt (the fast path or why not), the source as the worker's
-- probe found it, where the client asked the poster to be taken, and the poster and storyboard a READY video published.

ALTER TABLE video_transcode_jobs
    ADD COLUMN top_rung_code   text,
    ADD COLUMN top_rung_reason text,
    ADD CONSTRAINT jobs_top_rung_reason_with_code CHECK (top_rung_code IS NOT NULL OR top_rung_reason IS NULL);

ALTER TABLE videos
    ADD COLUMN poster_at_seconds        double precision,
    ADD COLUMN source_duration_seconds  double precision,
    ADD COLUMN source_width             integer,
    ADD COLUMN source_height            integer,
    ADD COLUMN source_rotation_degrees  integer,
    ADD COLUMN source_video_codec       text,
    ADD COLUMN source_audio_codec       text,
    ADD COLUMN source_frames_per_second double precision,
    ADD COLUMN source_bitrate_kbps      integer,
    ADD COLUMN poster_key               text,
    ADD COLUMN storyboard_key           text,
    ADD CONSTRAINT videos_poster_at_not_negative CHECK (poster_at_seconds IS NULL OR poster_at_seconds >= 0),
    -- The probe is written whole or not at all.
    ADD CONSTRAINT videos_source_probe_whole CHECK (
        (source_duration_seconds IS NULL) = (source_width IS NULL)
        AND (source_width IS NULL) = (source_height IS NULL)
        AND (source_height IS NULL) = (source_rotation_degrees IS NULL)
        AND (source_rotation_degrees IS NULL) = (source_video_codec IS NULL)
        AND (source_video_codec IS NULL) = (source_frames_per_second IS NULL)),
    ADD CONSTRAINT videos_source_size_positive CHECK (source_width IS NULL OR (source_width > 0 AND source_height > 0)),
    -- A poster or storyboard belongs to a published tree.
    ADD CONSTRAINT videos_poster_with_hls_path CHECK ((poster_key IS NULL AND storyboard_key IS NULL) OR hls_path IS NOT NULL);
