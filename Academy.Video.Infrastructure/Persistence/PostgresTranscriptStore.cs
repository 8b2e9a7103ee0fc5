using Academy.Video.Application.Transcripts;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// Transcripts and search over the cues <see cref="PostgresCaptionTrackStore"/> writes: a video's transcript with
/// <c>ILIKE '%text%'</c> over its own cues (decision 0016); search ranks videos by the search units of migration 0023
/// (decision 0025) and, for words that are no unit, the word index of migration 0018 (decision 0019). Only cues, word
/// counts and units of a track's current revision count.
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

    // The query's distinct words (split as the save splits cues) and whether each is a search unit whose count is
    // exact (decision 0025): 2 to 4 Hangul syllables, or 3 to 12 characters without Hangul that every lexicon word
    // containing it starts with (a word without Hangul, so its prefixes are units). Any other word is looked up in
    // the lexicon of decision 0019.
    private const string QueryWordsSql = """
        SELECT q.word AS Word,
               (q.word ~ '^[가-힣]{2,4}$'
                OR (q.word !~ '[가-힣]' AND length(q.word) BETWEEN 3 AND 12
                    AND NOT EXISTS (SELECT 1 FROM caption_words AS l
                                    WHERE l.word LIKE '%' || q.word || '%' AND (l.word NOT LIKE q.word || '%' OR l.word ~ '[가-힣]')))) AS IsUnit
        FROM (SELECT DISTINCT w.word FROM regexp_split_to_table(lower(@Query), '[^[:alnum:]]+') AS w (word) WHERE w.word <> '') AS q
        """;

    private const string AfterCursor = "(p.matches < @AfterMatches OR (p.matches = @AfterMatches AND p.video_id > @AfterId))";

    // What both rankings check per row, in ranking order (decision 0025): the row's track at its current revision
    // (migration 0014) and its video not deleted, by key lookups in LATERAL ... LIMIT 1 (a lateral the planner cannot
    // flatten, so it follows the ranking order and stops at the page; a plain join let it hash every posting and sort
    // them, docs/performance.md) ...
    private static string CurrentTrackAndLiveVideo(string row) => $"""
        CROSS JOIN LATERAL (
            SELECT 1 FROM video_caption_tracks AS t
            WHERE t.video_id = {row}.video_id AND t.language = {row}.language AND t.kind = {row}.kind AND t.cues_revision = {row}.revision
            LIMIT 1
        ) AS t
        CROSS JOIN LATERAL (
            SELECT v.title FROM videos AS v WHERE v.id = {row}.video_id AND v.status NOT IN ('DELETING', 'DELETED') LIMIT 1
        ) AS v
        """;

    // ... and that no other current track of the video ranks first (more matches, or as many and first by language and
    // kind), its count read from `others` (a video ranks once, by its best track).
    private static string NoOtherTrackRanksFirst(string row, string count, string others, string othersCount, string othersFilter) => $"""
        NOT EXISTS (
              SELECT 1
              FROM video_caption_tracks AS t2
              JOIN {others} AS o
                ON o.video_id = t2.video_id AND o.language = t2.language AND o.kind = t2.kind AND o.revision = t2.cues_revision {othersFilter}
              WHERE t2.video_id = {row}.video_id AND (t2.language, t2.kind) <> ({row}.language, {row}.kind)
                AND (o.{othersCount} > {count} OR (o.{othersCount} = {count} AND (t2.language, t2.kind) < ({row}.language, {row}.kind))))
        """;

    // One unit (decision 0025): its tracks in ranking order straight from the index, each row checked as above, the
    // first page's worth read and no more.
    private static string UnitRankingSql(bool afterCursor) => $"""
        SELECT m.video_id, m.cue_count AS matches, v.title
        FROM video_caption_units AS m
        {CurrentTrackAndLiveVideo("m")}
        WHERE m.unit = @Unit
          {(afterCursor ? "AND m.cue_count <= @AfterMatches AND (m.cue_count < @AfterMatches OR m.video_id > @AfterId)" : "")}
          AND {NoOtherTrackRanksFirst("m", "m.cue_count", "video_caption_units", "cue_count", "AND o.unit = @Unit")}
        ORDER BY m.cue_count DESC, m.video_id
        LIMIT @Fetch
        """;

    // Several words, or a word that is no unit: per track revision, each word's count (a unit's, or the lexicon words'
    // containing it, summed as in decision 0019), summed over the words for a track holding every word, in one
    // aggregation (a unit has one posting per track, so only the lexicon words are summed per word first). The tracks
    // are then read in ranking order and each row checked as above, until the page is full (docs/performance.md,
    // "Several words, read in ranking order").
    private static string GeneralRankingSql(bool afterCursor) => $"""
        WITH per_track AS (
            SELECT p.video_id, p.language, p.kind, p.revision, sum(p.cue_count)::integer AS matches
            FROM (
                SELECT p.video_id, p.language, p.kind, p.revision, p.cue_count
                FROM unnest(@UnitWords::text[]) AS q (word)
                -- OFFSET 0: one index lookup per word; the planner would otherwise join every posting first.
                CROSS JOIN LATERAL (
                    SELECT p.video_id, p.language, p.kind, p.revision, p.cue_count FROM video_caption_units AS p WHERE p.unit = q.word OFFSET 0
                ) AS p
                UNION ALL
                SELECT p.video_id, p.language, p.kind, p.revision, sum(p.cue_count)
                FROM unnest(@LexiconWords::text[]) AS q (word)
                JOIN caption_words AS l ON l.word LIKE '%' || q.word || '%'
                CROSS JOIN LATERAL (
                    SELECT p.video_id, p.language, p.kind, p.revision, p.cue_count FROM video_caption_word_counts AS p WHERE p.word = l.word OFFSET 0
                ) AS p
                GROUP BY q.word, p.video_id, p.language, p.kind, p.revision
            ) AS p
            GROUP BY p.video_id, p.language, p.kind, p.revision
            HAVING count(*) = @WordCount
        )
        SELECT p.video_id, p.matches, v.title
        -- OFFSET 0: sorted once, then read in that order and checked row by row until LIMIT stops it.
        FROM (SELECT * FROM per_track ORDER BY matches DESC, video_id, language, kind OFFSET 0) AS p
        {CurrentTrackAndLiveVideo("p")}
        WHERE {NoOtherTrackRanksFirst("p", "p.matches", "per_track", "matches", "")}
          {(afterCursor ? "AND " + AfterCursor : "")}
        ORDER BY p.matches DESC, p.video_id
        LIMIT @Fetch
        """;

    // The page's videos, each with its first cues holding the whole query by time, then (for a video whose words sit
    // in different cues, or a query with more than its word) its first cues holding any of the words: one pass over
    // the video's cues, since a cue holding the whole query holds each of its words. The words are lower case (as
    // QueryWordsSql splits them), so LIKE on the lowered text is ILIKE's match (which lowers both) for a fraction of its cost.
    // Only the first @WithMoments videos read theirs (the page's; the row after it only says another page follows): for
    // the others the lateral's condition on the row number is false before any cue is read.
    private static string SearchSqlFor(string ranking) => $"""
        WITH page AS MATERIALIZED (
        {ranking}
        ),
        numbered AS (
            SELECT p.*, row_number() OVER (ORDER BY p.matches DESC, p.video_id) AS n FROM page AS p
        )
        SELECT p.video_id AS VideoId, p.title AS Title, p.matches AS Matches, mo.text IS NOT NULL AS HasMoment,
               mo.language AS Language, mo.kind AS Kind, mo.start_ms AS StartMs, mo.end_ms AS EndMs, mo.text AS Text
        FROM numbered AS p
        LEFT JOIN LATERAL (
            SELECT c.language, c.kind, c.start_ms, c.end_ms, c.text, c.cue_index, c.text ILIKE @Pattern AS whole
            FROM {CurrentCues}
            -- IS TRUE keeps the trigram index out: its lookup over every cue costs more than this video's 900.
            WHERE p.n <= @WithMoments AND c.video_id = p.video_id
              AND (CASE WHEN @AnyWord THEN lower(c.text) LIKE ANY (@WordPatterns) ELSE c.text ILIKE @Pattern END) IS TRUE
            ORDER BY whole DESC, c.start_ms, c.language, c.kind, c.cue_index
            LIMIT @Moments
        ) AS mo ON true
        ORDER BY p.matches DESC, p.video_id, mo.whole DESC, mo.start_ms, mo.language, mo.kind, mo.cue_index
        """;

    private static readonly string[] UnitSearchSqls = [SearchSqlFor(UnitRankingSql(false)), SearchSqlFor(UnitRankingSql(true))];

    private static readonly string[] GeneralSearchSqls = [SearchSqlFor(GeneralRankingSql(false)), SearchSqlFor(GeneralRankingSql(true))];

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
        var after = search.After is null ? 0 : 1;
        return connections.RunAsync<IReadOnlyList<VideoCueMatches>>(async (connection, token) =>
        {
            // JIT is off for every session (PostgresDataSource.SessionOptions): the word lookups' estimates would start it.
            var words = (await connection.QueryAsync<QueryWord>(new CommandDefinition(QueryWordsSql, new { Query = search.Contains }, cancellationToken: token))).ToList();
            if (words.Count == 0)
            {
                return [];
            }

            var one = words.Count == 1 && words[0].IsUnit;
            var values = new
            {
                Unit = words[0].Word,
                UnitWords = words.Where(w => w.IsUnit).Select(w => w.Word).ToArray(),
                LexiconWords = words.Where(w => !w.IsUnit).Select(w => w.Word).ToArray(),
                WordCount = words.Count,
                WordPatterns = words.Select(w => ContainsPattern(w.Word)).ToArray(),
                // Cues holding a word but not the whole query exist only when the query is more than its one word.
                AnyWord = words.Count > 1 || !string.Equals(words[0].Word, search.Contains.Trim(), StringComparison.OrdinalIgnoreCase),
                Pattern = ContainsPattern(search.Contains),
                AfterMatches = search.After?.Matches ?? 0,
                AfterId = search.After?.VideoId ?? Guid.Empty,
                search.Fetch,
                search.WithMoments,
                Moments = search.MomentsPerVideo,
            };
            var sql = one ? UnitSearchSqls[after] : GeneralSearchSqls[after];
            var rows = await connection.QueryAsync<MatchRow>(new CommandDefinition(sql, values, cancellationToken: token));
            return (IReadOnlyList<VideoCueMatches>)rows.GroupBy(r => r.VideoId)
                .Select(g => new VideoCueMatches(g.Key, g.First().Title, g.First().Matches, g.Where(r => r.HasMoment).Select(r => r.ToCue()).ToList()))
                .ToList();
        }, cancellationToken);
    }

    private sealed record QueryWord
    {
        public string Word { get; init; } = "";
        public bool IsUnit { get; init; }
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

        public bool HasMoment { get; init; }
    }
}
