-- The cues of each caption track, for transcripts and search (docs/api.md, Transcripts and search;
-- decision 0016). They are written by the statement that saves the track and go with it: a track's
-- deletion cascades to its cues, and a video's to its tracks.
--
-- cues_revision names the cue set of the track's current upload. A replacement writes its cues under a new
-- revision and deletes the other revisions' cues in the same statement; reads join on the track's revision,
-- so two replacements racing each other can leave only invisible rows, which the next save or the deletion
-- removes. Tracks uploaded before this migration have no revision and no cues until they are uploaded again.
ALTER TABLE video_caption_tracks ADD COLUMN cues_revision uuid;

CREATE TABLE video_caption_cues (
    video_id  uuid    NOT NULL,
    language  text    NOT NULL,
    kind      text    NOT NULL,
    revision  uuid    NOT NULL,
    cue_index integer NOT NULL,
    start_ms  integer NOT NULL CHECK (start_ms >= 0),
    end_ms    integer NOT NULL CHECK (end_ms > start_ms),
    text      text    NOT NULL,
    FOREIGN KEY (video_id, language, kind) REFERENCES video_caption_tracks (video_id, language, kind) ON DELETE CASCADE
);

-- A transcript reads one video's cues in time order.
CREATE INDEX video_caption_cues_video_idx ON video_caption_cues (video_id, start_ms);
-- Search: text anywhere in a cue, ignoring case, Korean included (decision 0016).
CREATE INDEX video_caption_cues_text_trgm_idx ON video_caption_cues USING gin (text gin_trgm_ops);

-- Caption events (docs/webhooks.md) name the track they are about.
ALTER TABLE video_events ADD COLUMN caption_language text, ADD COLUMN caption_kind text;
ALTER TABLE video_events DROP CONSTRAINT video_events_type_known;
ALTER TABLE video_events ADD CONSTRAINT video_events_type_known CHECK (type IN
    ('video.processing', 'video.ready', 'video.failed', 'video.deleted', 'video.upload_expired', 'job.dead',
     'caption.ready', 'caption.deleted'));
ALTER TABLE video_events ADD CONSTRAINT video_events_caption_named CHECK
    ((type LIKE 'caption.%') = (caption_language IS NOT NULL AND caption_kind IS NOT NULL));
