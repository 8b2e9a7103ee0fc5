-- A scan that is about to submit a job claims the submission first, with one conditional statement, until this
-- time: another scanner (a second replica, or the operator's scan by hand) skips it meanwhile (docs/operations.md).
ALTER TABLE video_transcode_jobs ADD COLUMN submission_claimed_until timestamptz;
