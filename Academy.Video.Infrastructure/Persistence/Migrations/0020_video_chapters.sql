-- Issue 22. Chapters from slide changes (docs/encoding.md, Chapters; decision 0020): a READY video's chapters, set with its
-- published tree by the completing attempt and replaced whole by PUT .../chapters. Each is
-- {"start", "end", "title", "thumbnailKey", "named"}; chapters_key is the published WebVTT chapters track.
-- chapters_revision counts the replacements, so a PUT writes only over the list it read.

ALTER TABLE videos
    ADD COLUMN chapters           jsonb NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN chapters_key       text,
    ADD COLUMN chapters_revision  integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT videos_chapters_array CHECK (jsonb_typeof(chapters) = 'array'),
    ADD CONSTRAINT videos_chapters_with_track CHECK ((jsonb_array_length(chapters) = 0) = (chapters_key IS NULL)),
    ADD CONSTRAINT videos_chapters_with_hls_path CHECK (chapters_key IS NULL OR hls_path IS NOT NULL);
