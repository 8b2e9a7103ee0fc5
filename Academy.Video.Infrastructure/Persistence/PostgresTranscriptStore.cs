using Academy.Video.Application.Transcripts;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// Transcripts and search over the cues <see cref="PostgresCaptionTrackStore"/> writes: a video's transcript with
/// <c>ILIKE '%text%'</c> over its own cues (decision 0016); search ranks videos by the word index of migration 0018
/// (decision 0019). Only cues and word counts of a track's current revision count.
/// </summary>
public sealed class PostgresTranscriptStore(NpgsqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines) : ITranscriptStore
{
    private const string CurrentCues = """
        video_caption_cues AS c
        JOIN video_caption_tracks AS t
          ON t.video_id = c.video_id AND t.language = c.language AND t.kind = c.kind AND t.cues_revision = c.revision
        """;

    private const string CueColumns = "c.language AS Language, c.kind AS Kind, c.start_ms AS StartMs, c.end_ms AS EndMs, c.text AS Text";

    // One statement per filter set, as for the video list (docs/performance.md, API at scale): the planner picks the
    // video's index or the trigram index per statement.
    private static readonly string[] ListSqls = Enumerable.Range(0, 4).Select(ListSqlFor).ToArray();

    private static readonly string[] SearchSqls = [SearchSqlFor(afterCursor: false), SearchSqlFor(afterCursor: true)];

    private readonly PostgresConnections connections = new(dataSource, pipelines);

    private static string ListSqlFor(int filters)
    {
        bool byLanguage = (filters & 1) != 0, byText = (filters & 2) != 0;
        return $"""
            SELECT {CueColumns} FROM {CurrentCues}
            WHERE c.video_id = @VideoId{(byLanguage ? " AND c.language = @Language" : "")}{(byText ? " AND c.text ILIKE @Pattern" : "")}
            ORDER BY c.start_ms, c.language, c.kind, c.cue_index
            """;
    }

    // Decision 0019: the query's words (split as the save splits cues) find lexicon words containing them; a video
    // ranks by the cues counted under those words, summed, and only if it holds every word of the query; then id (a
    // stable order for the cursor); deleted videos never count. Each video of the page then brings its first cues
    // holding the whole query by time, or, when no cue holds it (its words are in different cues), its first cues
    // holding any of the words.
    private static string SearchSqlFor(bool afterCursor) => $"""
        WITH query_words AS (
            SELECT DISTINCT w.word FROM regexp_split_to_table(lower(@Query), '[^[:alnum:]]+') AS w (word) WHERE w.word <> ''
        ),
        lexicon AS MATERIALIZED (
            SELECT q.word AS query_word, l.word
            FROM query_words AS q JOIN caption_words AS l ON l.word LIKE '%' || q.word || '%'
        ),
        matched AS MATERIALIZED (
            SELECT p.video_id, sum(p.cue_count)::integer AS matches
            FROM lexicon AS l
            -- MATERIALIZED and OFFSET 0: one index lookup per lexicon word found; the planner cannot tell how few
            -- words the LIKE finds and would otherwise join every posting first (docs/performance.md).
            CROSS JOIN LATERAL (
                SELECT p.video_id, p.language, p.kind, p.revision, p.cue_count
                FROM video_caption_word_counts AS p WHERE p.word = l.word OFFSET 0
            ) AS p
            JOIN video_caption_tracks AS t
              ON t.video_id = p.video_id AND t.language = p.language AND t.kind = p.kind AND t.cues_revision = p.revision
            GROUP BY p.video_id
            HAVING count(DISTINCT l.query_word) = (SELECT count(*) FROM query_words)
        ),
        page AS (
            SELECT m.video_id, m.matches, v.title
            FROM matched AS m JOIN videos AS v ON v.id = m.video_id
            WHERE v.status NOT IN ('DELETING', 'DELETED')
            {(afterCursor ? "AND (m.matches < @AfterMatches OR (m.matches = @AfterMatches AND m.video_id > @AfterId))" : "")}
            ORDER BY m.matches DESC, m.video_id
            LIMIT @Fetch
        )
        SELECT p.video_id AS VideoId, p.title AS Title, p.matches AS Matches,
               mo.language AS Language, mo.kind AS Kind, mo.start_ms AS StartMs, mo.end_ms AS EndMs, mo.text AS Text
        FROM page AS p
        CROSS JOIN LATERAL (
            SELECT c.language, c.kind, c.start_ms, c.end_ms, c.text, c.cue_index, c.text ILIKE @Pattern AS whole
            FROM {CurrentCues}
            WHERE c.video_id = p.video_id
              AND (c.text ILIKE @Pattern OR EXISTS (SELECT 1 FROM query_words AS q WHERE c.text ILIKE '%' || q.word || '%'))
            ORDER BY whole DESC, c.start_ms, c.language, c.kind, c.cue_index
            LIMIT @Moments
        ) AS mo
        ORDER BY p.matches DESC, p.video_id, mo.whole DESC, mo.start_ms, mo.language, mo.kind, mo.cue_index
        """;

    public Task<IReadOnlyList<StoredCue>> ListAsync(Guid videoId, string? language, string? contains, CancellationToken cancellationToken)
    {
        var sql = ListSqls[(language is null ? 0 : 1) | (contains is null ? 0 : 2)];
        var values = new { VideoId = videoId, Language = language, Pattern = contains is null ? null : ContainsPattern(contains) };
        return connections.RunAsync<IReadOnlyList<StoredCue>>(async (connection, token) =>
            (await connection.QueryAsync<CueRow>(new CommandDefinition(sql, values, cancellationToken: token)))
            .Select(r => r.ToCue()).ToList(), cancellationToken);
    }

    public Task<IReadOnlyList<VideoCueMatches>> SearchAsync(TranscriptSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        var values = new
        {
            Query = search.Contains,
            Pattern = ContainsPattern(search.Contains),
            AfterMatches = search.After?.Matches ?? 0,
            AfterId = search.After?.VideoId ?? Guid.Empty,
            search.Fetch,
            Moments = search.MomentsPerVideo,
        };
        return connections.RunAsync<IReadOnlyList<VideoCueMatches>>(async (connection, token) =>
        {
            // JIT is off for every session (PostgresDataSource.SessionOptions): the word lookups' estimates would start it.
            var rows = await connection.QueryAsync<MatchRow>(new CommandDefinition(SearchSqls[search.After is null ? 0 : 1], values, cancellationToken: token));
            return (IReadOnlyList<VideoCueMatches>)rows.GroupBy(r => r.VideoId)
                .Select(g => new VideoCueMatches(g.Key, g.First().Title, g.First().Matches, g.Select(r => r.ToCue()).ToList()))
                .ToList();
        }, cancellationToken);
    }

    /// <summary>The text anywhere, with LIKE's own wildcards and escape taken literally.</summary>
    internal static string ContainsPattern(string text) =>
        "%" + text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%";

    private record CueRow
    {
        public string Language { get; init; } = "";
        public string Kind { get; init; } = "";
        public int StartMs { get; init; }
        public int EndMs { get; init; }
        public string Text { get; init; } = "";

        public StoredCue ToCue() => new(Language, Kind, StartMs, EndMs, Text);
    }

    private sealed record MatchRow : CueRow
    {
        public Guid VideoId { get; init; }
        public string Title { get; init; } = "";
        public int Matches { get; init; }
    }
}
