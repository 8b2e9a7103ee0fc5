-- Issue 22. The slides-or-camera decision (docs/encoding.md, Slides profile), recorded with the attempt's plan and reused
-- by a later attempt of the job: what was decided and the figures it was decided on.

ALTER TABLE video_transcode_jobs
    ADD COLUMN profile_kind              text,
    ADD COLUMN profile_still_share       double precision,
    ADD COLUMN profile_motion            double precision,
    ADD COLUMN profile_analyzed_seconds  double precision,
    ADD CONSTRAINT jobs_profile_kind_known CHECK (profile_kind IS NULL OR profile_kind IN ('slides', 'camera', 'disabled')),
    ADD CONSTRAINT jobs_profile_still_share_range CHECK (profile_still_share IS NULL OR profile_still_share BETWEEN 0 AND 1),
    -- Slides are only ever decided from figures.
    ADD CONSTRAINT jobs_profile_slides_whole CHECK (profile_kind IS DISTINCT FROM 'slides' OR (
        profile_still_share IS NOT NULL AND profile_motion IS NOT NULL AND profile_analyzed_seconds IS NOT NULL));
