-- Uploaded caption tracks of a video, one per language and kind (docs/api.md, Captions). The objects they name are
-- under the video's prefix, so the video's deletion removes them with the rest.
CREATE TABLE video_caption_tracks (
    video_id     uuid        NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
    language     text        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('subtitles', 'captions')),
    label        text        NOT NULL,
    vtt_key      text        NOT NULL,
    playlist_key text        NOT NULL,
    size_bytes   bigint      NOT NULL,
    cue_count    integer     NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (video_id, language, kind)
);
