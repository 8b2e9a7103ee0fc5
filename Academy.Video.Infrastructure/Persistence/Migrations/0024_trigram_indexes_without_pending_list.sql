-- The trigram indexes that every title search and every transcript search read (videos' titles, the caption word
-- lexicon) take each new row straight into the index instead of GIN's pending list (docs/performance.md, "A GIN
-- pending list"). With the list (fastupdate, PostgreSQL's default) each search also reads every entry still pending,
-- up to gin_pending_list_limit (4 MB, about 7,000 titles), and the insert that overflows it merges them all.
-- Turning fastupdate off does not flush what is already pending: gin_clean_pending_list does.
ALTER INDEX videos_title_trgm_idx SET (fastupdate = off);
ALTER INDEX caption_words_word_trgm_idx SET (fastupdate = off);
SELECT gin_clean_pending_list('videos_title_trgm_idx'::regclass);
SELECT gin_clean_pending_list('caption_words_word_trgm_idx'::regclass);
