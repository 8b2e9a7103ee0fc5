-- A chunked video plays before READY (docs/decisions/0026-chunked-videos-play-early.md): each chunk run other than chunk 0's
-- records here, every few seconds, the segments it has uploaded so far (the same shape as `output`), fenced on its attempt.
-- Chunk 0's run reads them to extend its EVENT playlists past its own range. Any change of the chunk clears it: a new
-- attempt names its segments apart, and a DONE chunk's `output` says it all.
ALTER TABLE video_job_chunks ADD COLUMN uploaded jsonb;
