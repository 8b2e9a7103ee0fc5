-- Webhook history retention (Webhooks:Retention): the hourly pass finds events older than the retention
-- oldest first, a bounded batch at a time, without reading the whole table. Their deliveries are found
-- through webhook_deliveries_event_idx and the attempts through their primary key.
CREATE INDEX video_events_occurred_idx ON video_events (occurred_at);
