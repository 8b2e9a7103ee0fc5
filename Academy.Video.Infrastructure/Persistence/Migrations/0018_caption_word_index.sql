-- A word index over the cues of migration 0014, so search ranks videos without reading every matching cue
-- (decision 0019). A word is a maximal run of letters and digits, lower-cased, as
-- regexp_split_to_table(lower(text), '[^[:alnum:]]+') splits it (Hangul counts as letters).
--
-- caption_words is the lexicon: every distinct word ever saved, small next to the cues, searched with LIKE '%w%'
-- so a query word still matches inside longer words (decision 0016). Words are never removed: a word no current
-- track uses only costs a lexicon row.
CREATE TABLE caption_words (
    word text PRIMARY KEY
);
CREATE INDEX caption_words_word_trgm_idx ON caption_words USING gin (word gin_trgm_ops);

-- The postings: per track revision, how many cues hold each word. Written and replaced with the cues by the
-- statement that saves the track, under the same revision (migration 0014), and gone with the track. They name the
-- word by its text, not an id, so the save never has to read back lexicon rows another save inserted concurrently.
CREATE TABLE video_caption_word_counts (
    word      text    NOT NULL,
    video_id  uuid    NOT NULL,
    language  text    NOT NULL,
    kind      text    NOT NULL,
    revision  uuid    NOT NULL,
    cue_count integer NOT NULL CHECK (cue_count > 0),
    PRIMARY KEY (word, video_id, language, kind, revision),
    FOREIGN KEY (video_id, language, kind) REFERENCES video_caption_tracks (video_id, language, kind) ON DELETE CASCADE
);
-- A track's replacement and deletion find its postings.
CREATE INDEX video_caption_word_counts_track_idx ON video_caption_word_counts (video_id, language, kind);

-- Backfill from the cues already saved.
INSERT INTO video_caption_word_counts (word, video_id, language, kind, revision, cue_count)
SELECT w.word, c.video_id, c.language, c.kind, c.revision, count(DISTINCT c.cue_index)::integer
FROM video_caption_cues AS c, regexp_split_to_table(lower(c.text), '[^[:alnum:]]+') AS w (word)
WHERE w.word <> ''
GROUP BY w.word, c.video_id, c.language, c.kind, c.revision;

INSERT INTO caption_words (word) SELECT DISTINCT word FROM video_caption_word_counts;
