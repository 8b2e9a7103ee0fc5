-- Issue 22. The first pass of the two-pass loudness normalisation, recorded with the attempt's plan: what was done
-- (normalized, no_audio, silent, disabled) and the figures loudnorm measured, reused by a later attempt of the job.

ALTER TABLE video_transcode_jobs
    ADD COLUMN loudness_status         text,
    ADD COLUMN loudness_input_i        double precision,
    ADD COLUMN loudness_input_tp       double precision,
    ADD COLUMN loudness_input_lra      double precision,
    ADD COLUMN loudness_input_thresh   double precision,
    ADD COLUMN loudness_target_offset  double precision,
    ADD CONSTRAINT jobs_loudness_status_known CHECK (loudness_status IS NULL OR loudness_status IN ('normalized', 'no_audio', 'silent', 'disabled')),
    -- A normalised job has every figure its second pass used.
    ADD CONSTRAINT jobs_loudness_normalized_whole CHECK (loudness_status IS DISTINCT FROM 'normalized' OR (
        loudness_input_i IS NOT NULL AND loudness_input_tp IS NOT NULL AND loudness_input_lra IS NOT NULL
        AND loudness_input_thresh IS NOT NULL AND loudness_target_offset IS NOT NULL));
