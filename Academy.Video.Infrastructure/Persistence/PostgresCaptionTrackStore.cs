using Academy.Video.Application.Captions;
using Academy.Video.Domain.Captions;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

public sealed class PostgresCaptionTrackStore(NpgsqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines) : ICaptionTrackStore
{
    private const string Columns = """
        video_id AS VideoId, language AS Language, kind AS Kind, label AS Label, vtt_key AS VttKey, playlist_key AS PlaylistKey,
        size_bytes AS SizeBytes, cue_count AS CueCount, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    // One statement, fenced on the video being READY; a replacement keeps the track's creation time.
    private const string SaveSql = """
        INSERT INTO video_caption_tracks (video_id, language, kind, label, vtt_key, playlist_key, size_bytes, cue_count, created_at, updated_at)
        SELECT v.id, @Language, @Kind, @Label, @VttKey, @PlaylistKey, @SizeBytes, @CueCount, @CreatedAt, @UpdatedAt
        FROM videos AS v WHERE v.id = @VideoId AND v.status = 'READY'
        ON CONFLICT (video_id, language, kind) DO UPDATE SET
            label = EXCLUDED.label, vtt_key = EXCLUDED.vtt_key, playlist_key = EXCLUDED.playlist_key,
            size_bytes = EXCLUDED.size_bytes, cue_count = EXCLUDED.cue_count, updated_at = EXCLUDED.updated_at
        """;

    // An uploaded track has other object names (docs/api.md, Captions: generated tracks): the update applies only over
    // the generated track itself, so an upload is never replaced; the same statement fences on the video being READY.
    private const string SaveGeneratedSql = """
        INSERT INTO video_caption_tracks (video_id, language, kind, label, vtt_key, playlist_key, size_bytes, cue_count, created_at, updated_at)
        SELECT v.id, @Language, @Kind, @Label, @VttKey, @PlaylistKey, @SizeBytes, @CueCount, @CreatedAt, @UpdatedAt
        FROM videos AS v WHERE v.id = @VideoId AND v.status = 'READY'
        ON CONFLICT (video_id, language, kind) DO UPDATE SET
            label = EXCLUDED.label, size_bytes = EXCLUDED.size_bytes, cue_count = EXCLUDED.cue_count, updated_at = EXCLUDED.updated_at
        WHERE video_caption_tracks.vtt_key = EXCLUDED.vtt_key
        """;

    private const string ListSql = $"SELECT {Columns} FROM video_caption_tracks WHERE video_id = @VideoId ORDER BY language, kind";

    private const string RemoveSql = $"DELETE FROM video_caption_tracks WHERE video_id = @VideoId AND language = @Language AND kind = @Kind RETURNING {Columns}";

    private readonly PostgresConnections connections = new(dataSource, pipelines);

    public Task<bool> SaveIfReadyAsync(CaptionTrack track, CancellationToken cancellationToken) => SaveAsync(SaveSql, track, cancellationToken);

    public Task<bool> SaveGeneratedIfReadyAsync(CaptionTrack track, CancellationToken cancellationToken) => SaveAsync(SaveGeneratedSql, track, cancellationToken);

    private Task<bool> SaveAsync(string sql, CaptionTrack track, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(track);
        return connections.RunAsync(async (connection, token) => await connection.ExecuteAsync(new CommandDefinition(sql, new
        {
            track.VideoId, track.Language, Kind = track.Kind.ToWire(), track.Label, track.VttKey, track.PlaylistKey,
            track.SizeBytes, track.CueCount, CreatedAt = track.CreatedAt.UtcDateTime, UpdatedAt = track.UpdatedAt.UtcDateTime,
        }, cancellationToken: token)) == 1, cancellationToken);
    }

    public Task<IReadOnlyList<CaptionTrack>> ListAsync(Guid videoId, CancellationToken cancellationToken) =>
        connections.RunAsync<IReadOnlyList<CaptionTrack>>(async (connection, token) =>
            (await connection.QueryAsync<CaptionRow>(new CommandDefinition(ListSql, new { VideoId = videoId }, cancellationToken: token)))
            .Select(r => r.ToDomain()).ToList(), cancellationToken);

    public Task<CaptionTrack?> RemoveAsync(Guid videoId, string language, CaptionKind kind, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) =>
            (await connection.QuerySingleOrDefaultAsync<CaptionRow>(new CommandDefinition(
                RemoveSql, new { VideoId = videoId, Language = language, Kind = kind.ToWire() }, cancellationToken: token)))?.ToDomain(),
            cancellationToken);

    private sealed record CaptionRow
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
