-- Search units with their cue counts, so a one-word search reads its top page from one index range in ranking
-- order instead of summing every posting of every lexicon word containing it (decision 0025, which revises 0019).
--
-- The units of a word (as migration 0018 splits cue text into lower-cased words):
-- - every substring of 2 to 4 syllables of each run of Hangul syllables in it (미적분을: 미적, 적분, 분을, 미적분,
--   적분을, 미적분을), so a Korean query of 2 to 4 syllables is one unit whose count is exactly the cues containing it
--   (decision 0016's substring meaning, particles and compounds included);
-- - for a word without Hangul, its prefixes of 3 to 12 characters (functions: fun, func, …, functions), so an
--   English query is one unit when every word containing it starts with it (the search checks the lexicon).
-- The function is the one definition the save and this backfill share.
CREATE FUNCTION caption_search_units(word text) RETURNS SETOF text
-- Not STRICT: PostgreSQL inlines only a non-strict SQL set-returning function into the calling query.
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT substr(m.run[1], s.i, s.n)
    FROM regexp_matches(word, '[가-힣]+', 'g') AS m (run)
    CROSS JOIN LATERAL (
        SELECT i, n FROM generate_series(1, length(m.run[1]) - 1) AS i, generate_series(2, least(4, length(m.run[1]) - i + 1)) AS n
    ) AS s
    UNION ALL
    SELECT left(word, p.n) FROM generate_series(3, least(12, length(word))) AS p (n) WHERE word !~ '[가-힣]'
$$;

-- Per track revision, how many cues hold each unit: written and replaced with the cues by the statement that saves
-- the track (as the word counts of migration 0018), gone with the track.
CREATE TABLE video_caption_units (
    unit      text    NOT NULL,
    video_id  uuid    NOT NULL,
    language  text    NOT NULL,
    kind      text    NOT NULL,
    revision  uuid    NOT NULL,
    cue_count integer NOT NULL CHECK (cue_count > 0),
    FOREIGN KEY (video_id, language, kind) REFERENCES video_caption_tracks (video_id, language, kind) ON DELETE CASCADE
);

-- Backfill from the current cues of every track, one track at a time (a small hash aggregate each). The units of a
-- word come from a mapping of the lexicon, which holds every word saved since migration 0018: a hash lookup per
-- word of a cue, about four times faster here than calling the function per word.
SET LOCAL jit = off;
SET LOCAL enable_sort = off;
CREATE TEMPORARY TABLE backfill_word_units ON COMMIT DROP AS
SELECT l.word, s.unit FROM caption_words AS l, caption_search_units(l.word) AS s (unit);
CREATE INDEX ON backfill_word_units (word);
ANALYZE backfill_word_units;

INSERT INTO video_caption_units (unit, video_id, language, kind, revision, cue_count)
SELECT u.unit, t.video_id, t.language, t.kind, t.cues_revision, u.cue_count
FROM video_caption_tracks AS t
CROSS JOIN LATERAL (
    SELECT d.unit, count(*)::integer AS cue_count
    FROM (
        SELECT DISTINCT c.cue_index, wu.unit
        FROM video_caption_cues AS c,
             regexp_split_to_table(lower(c.text), '[^[:alnum:]]+') AS w (word)
             JOIN backfill_word_units AS wu ON wu.word = w.word
        WHERE c.video_id = t.video_id AND c.language = t.language AND c.kind = t.kind AND c.revision = t.cues_revision
    ) AS d
    GROUP BY d.unit
) AS u
WHERE t.cues_revision IS NOT NULL;

-- A track's replacement and deletion find its units; the search finds a video's other tracks' count of a unit.
ALTER TABLE video_caption_units ADD PRIMARY KEY (video_id, language, kind, revision, unit);
-- The ranking: one unit's tracks by count, most first, then video, covering what the search reads.
SET LOCAL maintenance_work_mem = '256MB';
CREATE INDEX video_caption_units_rank_idx ON video_caption_units (unit, cue_count DESC, video_id) INCLUDE (language, kind, revision);
