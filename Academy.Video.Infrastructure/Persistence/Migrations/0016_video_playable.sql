-- Playable before READY (decision 0018): the running attempt's master playlist once it has published the first
-- segments of its tree, set by one statement fenced on the attempt with its video.playable event; cleared by the
-- statement that ends that attempt without publishing or starts another; the published master at READY.
ALTER TABLE videos
    ADD COLUMN playable_path text,
    ADD COLUMN playable_at   timestamptz;

ALTER TABLE video_events DROP CONSTRAINT video_events_type_known;
ALTER TABLE video_events ADD CONSTRAINT video_events_type_known CHECK (type IN
    ('video.processing', 'video.playable', 'video.ready', 'video.failed', 'video.deleted', 'video.upload_expired', 'job.dead',
     'caption.ready', 'caption.deleted'));
