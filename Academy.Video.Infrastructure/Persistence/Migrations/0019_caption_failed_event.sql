-- caption.failed (docs/webhooks.md): a caption generation that ended FAILED, written by the statement that ends it.
ALTER TABLE video_events DROP CONSTRAINT video_events_type_known;
ALTER TABLE video_events ADD CONSTRAINT video_events_type_known CHECK (type IN
    ('video.processing', 'video.playable', 'video.ready', 'video.failed', 'video.deleted', 'video.upload_expired', 'job.dead',
     'caption.ready', 'caption.deleted', 'caption.failed'));
