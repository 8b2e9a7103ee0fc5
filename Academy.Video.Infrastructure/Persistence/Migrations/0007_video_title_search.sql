-- Title search for the console's video list (GET /api/v1/videos?q=...): ILIKE '%text%' over a trigram
-- index, so a search stays an index scan however many videos there are. pg_trgm ships with PostgreSQL
-- (contrib) and is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX videos_title_trgm_idx ON videos USING gin (title gin_trgm_ops);
