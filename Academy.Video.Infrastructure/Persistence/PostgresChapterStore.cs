using Academy.Video.Application.Chapters;
using Academy.Video.Domain.Videos;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

public sealed class PostgresChapterStore(NpgsqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines) : IChapterStore
{
    // One statement, fenced on the video still READY at the tree and the chapters revision the replacement was made from.
    private static readonly string ReplaceSql = $"""
        UPDATE videos SET
            chapters = @Chapters::jsonb,
            chapters_key = @ChaptersKey,
            chapters_revision = chapters_revision + 1,
            updated_at = @At
        WHERE id = @VideoId AND status = 'READY' AND hls_path = @HlsPath AND chapters_revision = @ExpectedRevision
        RETURNING {VideoRow.Columns}
        """;

    private readonly PostgresConnections connections = new(dataSource, pipelines);

    public Task<LectureVideo?> TryReplaceAsync(ChaptersReplacement replacement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        return connections.RunAsync(async (connection, token) =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<VideoRow>(new CommandDefinition(ReplaceSql, new
            {
                replacement.VideoId,
                replacement.HlsPath,
                replacement.ExpectedRevision,
                Chapters = ChapterJson.Write(replacement.Chapters),
                replacement.ChaptersKey,
                At = DbTime.ToDb(replacement.At),
            }, cancellationToken: token));
            return row?.ToDomain();
        }, cancellationToken);
    }
}
