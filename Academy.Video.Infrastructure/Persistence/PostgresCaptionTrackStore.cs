using Academy.Video.Application.Captions;
using Academy.Video.Domain.Captions;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

public sealed class PostgresCaptionTrackStore(NpgsqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines) : ICaptionTrackStore
{
    internal const string Columns = """
        video_id AS VideoId, language AS Language, kind AS Kind, label AS Label, vtt_key AS VttKey, playlist_key AS PlaylistKey,
        size_bytes AS SizeBytes, cue_count AS CueCount, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    // One statement, fenced on the video being READY: the track (a replacement keeps its creation time), its cues and
    // its word counts and search units under a new revision, the other revisions' cues, word counts and units gone, its
    // words in the lexicon, and the caption.ready event (decision 0010; migration 0014 on why cues carry the revision;
    // decisions 0019 and 0023 on the word index and the search units). {0} fences the replacement: nothing for an upload, which replaces any track; the
    // generated track's own object name for a generated one, so an uploaded track is never replaced by it (docs/api.md,
    // Captions: generated tracks).
    private const string SaveSqlFormat = """
        WITH previous AS (
            SELECT vtt_key, playlist_key FROM video_caption_tracks WHERE video_id = @VideoId AND language = @Language AND kind = @Kind
        ),
        saved AS (
            INSERT INTO video_caption_tracks (video_id, language, kind, label, vtt_key, playlist_key, size_bytes, cue_count, created_at, updated_at, cues_revision)
            SELECT v.id, @Language, @Kind, @Label, @VttKey, @PlaylistKey, @SizeBytes, @CueCount, @CreatedAt, @UpdatedAt, @Revision
            FROM videos AS v WHERE v.id = @VideoId AND v.status = 'READY'
            ON CONFLICT (video_id, language, kind) DO UPDATE SET
                label = EXCLUDED.label, vtt_key = EXCLUDED.vtt_key, playlist_key = EXCLUDED.playlist_key,
                size_bytes = EXCLUDED.size_bytes, cue_count = EXCLUDED.cue_count, updated_at = EXCLUDED.updated_at,
                cues_revision = EXCLUDED.cues_revision
            {0}
            RETURNING video_id, language, kind
        ),
        stale_cues AS (
            DELETE FROM video_caption_cues AS c USING saved
            WHERE c.video_id = saved.video_id AND c.language = saved.language AND c.kind = saved.kind AND c.revision <> @Revision
        ),
        new_cues AS (
            INSERT INTO video_caption_cues (video_id, language, kind, revision, cue_index, start_ms, end_ms, text)
            SELECT saved.video_id, saved.language, saved.kind, @Revision, (u.n - 1)::integer, u.start_ms, u.end_ms, u.text
            FROM saved, unnest(@Starts::integer[], @Ends::integer[], @Texts::text[]) WITH ORDINALITY AS u (start_ms, end_ms, text, n)
        ),
        stale_words AS (
            DELETE FROM video_caption_word_counts AS w USING saved
            WHERE w.video_id = saved.video_id AND w.language = saved.language AND w.kind = saved.kind AND w.revision <> @Revision
        ),
        cue_words AS MATERIALIZED (
            SELECT DISTINCT u.n, w.word
            FROM unnest(@Texts::text[]) WITH ORDINALITY AS u (text, n), regexp_split_to_table(lower(u.text), '[^[:alnum:]]+') AS w (word)
            WHERE w.word <> ''
        ),
        word_counts AS (
            SELECT word, count(*)::integer AS cue_count FROM cue_words GROUP BY word
        ),
        -- The units of each distinct word once (a few hundred words a track, not one call per word of every cue).
        word_units AS (
            SELECT word_counts.word, s.unit FROM word_counts, caption_search_units(word_counts.word) AS s (unit)
        ),
        new_lexicon AS (
            INSERT INTO caption_words (word)
            SELECT word_counts.word FROM word_counts, saved ORDER BY word_counts.word
            ON CONFLICT (word) DO NOTHING
        ),
        new_words AS (
            INSERT INTO video_caption_word_counts (word, video_id, language, kind, revision, cue_count)
            SELECT word_counts.word, saved.video_id, saved.language, saved.kind, @Revision, word_counts.cue_count
            FROM saved, word_counts
        ),
        stale_units AS (
            DELETE FROM video_caption_units AS s USING saved
            WHERE s.video_id = saved.video_id AND s.language = saved.language AND s.kind = saved.kind AND s.revision <> @Revision
        ),
        new_units AS (
            INSERT INTO video_caption_units (unit, video_id, language, kind, revision, cue_count)
            SELECT d.unit, saved.video_id, saved.language, saved.kind, @Revision, count(*)::integer
            FROM saved, (SELECT DISTINCT cue_words.n, word_units.unit FROM cue_words JOIN word_units ON word_units.word = cue_words.word) AS d
            GROUP BY d.unit, saved.video_id, saved.language, saved.kind
        ),
        ready_event AS (
            INSERT INTO video_events (id, type, video_id, job_id, occurred_at, caption_language, caption_kind)
            SELECT gen_random_uuid(), 'caption.ready', saved.video_id, NULL, @UpdatedAt, saved.language, saved.kind
            FROM saved
        )
        SELECT (SELECT count(*)::integer FROM saved) AS Saved, previous.vtt_key AS PreviousVttKey, previous.playlist_key AS PreviousPlaylistKey
        FROM (SELECT 1) AS one LEFT JOIN previous ON true
        """;

    private static readonly string SaveUploadedSql = string.Format(System.Globalization.CultureInfo.InvariantCulture, SaveSqlFormat, "");

    private static readonly string SaveGeneratedSql = string.Format(System.Globalization.CultureInfo.InvariantCulture, SaveSqlFormat, "WHERE video_caption_tracks.vtt_key = EXCLUDED.vtt_key");

    private const string ListSql = $"SELECT {Columns} FROM video_caption_tracks WHERE video_id = @VideoId ORDER BY language, kind";

    // The cues go by cascade; the caption.deleted event with the deletion.
    private const string RemoveSql = $"""
        WITH removed AS (
            DELETE FROM video_caption_tracks WHERE video_id = @VideoId AND language = @Language AND kind = @Kind RETURNING {Columns}
        ),
        deleted_event AS (
            INSERT INTO video_events (id, type, video_id, job_id, occurred_at, caption_language, caption_kind)
            SELECT gen_random_uuid(), 'caption.deleted', removed.videoid, NULL, @At, removed.language, removed.kind
            FROM removed
        )
        SELECT * FROM removed
        """;

    private readonly PostgresConnections connections = new(dataSource, pipelines);

    public Task<CaptionSaveOutcome> SaveIfReadyAsync(CaptionTrack track, IReadOnlyList<TranscriptCue> cues, CancellationToken cancellationToken) =>
        SaveAsync(SaveUploadedSql, track, cues, cancellationToken);

    public async Task<bool> SaveGeneratedIfReadyAsync(CaptionTrack track, IReadOnlyList<TranscriptCue> cues, CancellationToken cancellationToken) =>
        (await SaveAsync(SaveGeneratedSql, track, cues, cancellationToken)).Saved;

    private Task<CaptionSaveOutcome> SaveAsync(string sql, CaptionTrack track, IReadOnlyList<TranscriptCue> cues, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(track);
        ArgumentNullException.ThrowIfNull(cues);
        var values = new
        {
            track.VideoId, track.Language, Kind = track.Kind.ToWire(), track.Label, track.VttKey, track.PlaylistKey,
            track.SizeBytes, track.CueCount, CreatedAt = track.CreatedAt.UtcDateTime, UpdatedAt = track.UpdatedAt.UtcDateTime,
            Revision = Guid.NewGuid(),
            Starts = cues.Select(c => c.StartMs).ToArray(),
            Ends = cues.Select(c => c.EndMs).ToArray(),
            Texts = cues.Select(c => c.Text).ToArray(),
        };
        return connections.RunAsync(async (connection, token) =>
        {
            var row = await connection.QuerySingleAsync<SaveRow>(new CommandDefinition(sql, values, cancellationToken: token));
            var saved = row.Saved == 1;
            var orphaned = saved
                ? new[] { row.PreviousVttKey, row.PreviousPlaylistKey }.OfType<string>().Where(k => k != track.VttKey && k != track.PlaylistKey).ToList()
                : [];
            return new CaptionSaveOutcome(saved, orphaned);
        }, cancellationToken);
    }

    private sealed record SaveRow
    {
        public int Saved { get; init; }
        public string? PreviousVttKey { get; init; }
        public string? PreviousPlaylistKey { get; init; }
    }

    public Task<IReadOnlyList<CaptionTrack>> ListAsync(Guid videoId, CancellationToken cancellationToken) =>
        connections.RunAsync<IReadOnlyList<CaptionTrack>>(async (connection, token) =>
            (await connection.QueryAsync<CaptionRow>(new CommandDefinition(ListSql, new { VideoId = videoId }, cancellationToken: token)))
            .Select(r => r.ToDomain()).ToList(), cancellationToken);

    public Task<CaptionTrack?> RemoveAsync(Guid videoId, string language, CaptionKind kind, DateTimeOffset at, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) =>
            (await connection.QuerySingleOrDefaultAsync<CaptionRow>(new CommandDefinition(
                RemoveSql, new { VideoId = videoId, Language = language, Kind = kind.ToWire(), At = at.UtcDateTime }, cancellationToken: token)))?.ToDomain(),
            cancellationToken);

    internal sealed record CaptionRow
    {
        public Guid VideoId { get; init; }
        public string Language { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Label { get; init; } = "";
        public string VttKey { get; init; } = "";
        public string PlaylistKey { get; init; } = "";
        public long SizeBytes { get; init; }
        public int CueCount { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }

        public CaptionTrack ToDomain() => new(
            VideoId, Language, CaptionKinds.TryParse(Kind, out var kind) ? kind : throw new InvalidDataException($"Unknown caption kind '{Kind}'."),
            Label, VttKey, PlaylistKey, SizeBytes, CueCount,
            new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)), new DateTimeOffset(DateTime.SpecifyKind(UpdatedAt, DateTimeKind.Utc)));
    }
}
