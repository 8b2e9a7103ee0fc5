using Academy.Video.Application.Captions;
using Academy.Video.Application.Transcripts;
using Academy.Video.Domain.Captions;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Testing;
using Dapper;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Persistence;

/// <summary>
/// Caption cues written with their track in one statement (migration 0014) and read back by the transcript store
/// (decision 0016), against real PostgreSQL.
/// </summary>
public sealed class PostgresCaptionCueStoreTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private PostgresDatabase database = null!;
    private PersistenceScenario db = null!;
    private PostgresCaptionTrackStore tracks = null!;
    private PostgresTranscriptStore transcripts = null!;

    public async Task InitializeAsync()
    {
        database = await PostgresDatabase.CreateAsync();
        db = new PersistenceScenario(database.DataSource);
        tracks = new PostgresCaptionTrackStore(database.DataSource, NamedPipelines.Postgres);
        transcripts = new PostgresTranscriptStore(database.DataSource, NamedPipelines.Postgres);
    }

    public Task DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task Cues_and_the_caption_ready_event_are_written_with_the_track_replaced_whole_and_removed_with_it()
    {
        var video = await ReadyVideoAsync();
        Assert.True((await tracks.SaveIfReadyAsync(Track(video, "ko"), [new(1000, 2500, "미분을 배웁니다"), new(2_470_000, 2_474_000, "적분을 정리합니다")], None)).Saved);
        Assert.True((await tracks.SaveIfReadyAsync(Track(video, "en"), [new(500, 900, "100% of the_integral")], None)).Saved);

        Assert.Equal(
            ["500 en 100% of the_integral", "1000 ko 미분을 배웁니다", "2470000 ko 적분을 정리합니다"],
            (await transcripts.ListAsync(video, null, null, None)).Select(Line));
        Assert.Equal(["2470000 ko 적분을 정리합니다"], (await transcripts.ListAsync(video, "ko", "적분", None)).Select(Line));
        // LIKE's wildcards are literal: "0%" and "e_i" match only those characters.
        Assert.Equal(["500 en 100% of the_integral"], (await transcripts.ListAsync(video, null, "0% OF THE_I", None)).Select(Line));
        Assert.Empty(await transcripts.ListAsync(video, null, "e_i%x", None));
        Assert.Empty(await transcripts.ListAsync(video, "en", "적분", None));

        // A replacement writes its cues and drops the old ones in the same statement.
        Assert.True((await tracks.SaveIfReadyAsync(Track(video, "ko"), [new(3000, 4000, "다시 씁니다")], None)).Saved);
        Assert.Equal(["3000 ko 다시 씁니다"], (await transcripts.ListAsync(video, "ko", null, None)).Select(Line));
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM video_caption_cues WHERE video_id = @Video", video));
        Assert.Equal(
            ["caption.ready ko/captions", "caption.ready en/captions", "caption.ready ko/captions"],
            await EventsAsync(video));

        var removed = await tracks.RemoveAsync(video, "ko", CaptionKind.Captions, T0.AddHours(1), None);
        Assert.NotNull(removed);
        Assert.Equal(["500 en 100% of the_integral"], (await transcripts.ListAsync(video, null, null, None)).Select(Line));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM video_caption_cues WHERE video_id = @Video", video));
        Assert.Equal("caption.deleted ko/captions", (await EventsAsync(video))[^1]);
        Assert.Null(await tracks.RemoveAsync(video, "ko", CaptionKind.Captions, T0.AddHours(1), None));
        Assert.Single(await EventsAsync(video), e => e.StartsWith("caption.deleted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_video_that_is_not_READY_gets_no_track_no_cue_and_no_event()
    {
        var (video, _) = await db.RunningAsync(T0);
        Assert.False((await tracks.SaveIfReadyAsync(Track(video.Id, "ko"), [new(0, 1000, "없음")], None)).Saved);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM video_caption_cues WHERE video_id = @Video", video.Id));
        Assert.Empty(await EventsAsync(video.Id));
    }

    [Fact]
    public async Task Search_ranks_by_matching_cues_pages_stably_and_skips_deleted_videos_and_stale_revisions()
    {
        var one = await ReadyVideoAsync();
        var two = await ReadyVideoAsync();
        var three = await ReadyVideoAsync();
        await tracks.SaveIfReadyAsync(Track(one, "en"), [new(0, 1000, "gradient"), new(5000, 6000, "the gradient again")], None);
        await tracks.SaveIfReadyAsync(Track(two, "en"), [new(0, 1000, "Gradient"), new(7000, 8000, "GRADIENTS"), new(9000, 9500, "gradient descent")], None);
        await tracks.SaveIfReadyAsync(Track(three, "en"), [new(0, 1000, "a gradient")], None);
        // A cue set that lost a race between two replacements: not the track's revision, so never read.
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO video_caption_cues (video_id, language, kind, revision, cue_index, start_ms, end_ms, text) SELECT @Video, 'en', 'captions', gen_random_uuid(), g, g * 1000, g * 1000 + 500, 'gradient (stale)' FROM generate_series(0, 9) AS g",
                new { Video = three });
        }

        var first = await transcripts.SearchAsync(new TranscriptSearch("gradient", null, 2, 2), None);
        Assert.Equal([(two, 3), (one, 2)], first.Select(v => (v.VideoId, v.Matches)));
        Assert.Equal([0, 7000], first[0].Moments.Select(m => m.StartMs));
        // The row after a page only says another follows: it comes without moments, which are not read for it.
        var lookahead = await transcripts.SearchAsync(new TranscriptSearch("gradient", null, 2, 2) { WithMoments = 1 }, None);
        Assert.Equal([(two, 3, 2), (one, 2, 0)], lookahead.Select(v => (v.VideoId, v.Matches, v.Moments.Count)));
        var rest = await transcripts.SearchAsync(new TranscriptSearch("gradient", new TranscriptCursor(2, one), 2, 2), None);
        Assert.Equal([(three, 1)], rest.Select(v => (v.VideoId, v.Matches)));
        Assert.Equal(["a gradient"], rest[0].Moments.Select(m => m.Text));

        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE videos SET status = 'DELETING' WHERE id = @Id", new { Id = two });
        }

        Assert.Equal([one, three], (await transcripts.SearchAsync(new TranscriptSearch("gradient", null, 10, 2), None)).Select(v => v.VideoId));

        // The next save of the track removes every other revision's cues.
        await tracks.SaveIfReadyAsync(Track(three, "en"), [new(0, 1000, "a gradient")], None);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM video_caption_cues WHERE video_id = @Video", three));
    }

    [Fact]
    public async Task Search_finds_a_Korean_word_inside_longer_words_and_ranks_videos_by_the_cues_holding_it()
    {
        var one = await ReadyVideoAsync();
        var two = await ReadyVideoAsync();
        await tracks.SaveIfReadyAsync(Track(one, "ko"), [new(0, 1000, "미적분의 기본 정리"), new(5000, 6000, "적분을 계산합니다"), new(9000, 9500, "오늘은 쉬는 날")], None);
        await tracks.SaveIfReadyAsync(Track(two, "ko"), [new(0, 1000, "적분, 적분")], None);

        var found = await transcripts.SearchAsync(new TranscriptSearch("적분", null, 10, 5), None);
        Assert.Equal([(one, 2), (two, 1)], found.Select(v => (v.VideoId, v.Matches)));
        Assert.Equal(["미적분의 기본 정리", "적분을 계산합니다"], found[0].Moments.Select(m => m.Text));
        Assert.Equal([(one, 1)], (await transcripts.SearchAsync(new TranscriptSearch("미적분", null, 10, 5), None)).Select(v => (v.VideoId, v.Matches)));
        // No letter or digit, no word to look up.
        Assert.Empty(await transcripts.SearchAsync(new TranscriptSearch(", ", null, 10, 5), None));
    }

    [Fact]
    public async Task A_replaced_or_removed_track_takes_its_words_out_of_the_ranking()
    {
        var one = await ReadyVideoAsync();
        var two = await ReadyVideoAsync();
        await tracks.SaveIfReadyAsync(Track(one, "ko"), [new(0, 1000, "적분을 배웁니다"), new(2000, 3000, "적분 기호")], None);
        await tracks.SaveIfReadyAsync(Track(two, "ko"), [new(0, 1000, "적분")], None);
        Assert.Equal([(one, 2), (two, 1)], (await transcripts.SearchAsync(new TranscriptSearch("적분", null, 10, 5), None)).Select(v => (v.VideoId, v.Matches)));

        await tracks.SaveIfReadyAsync(Track(one, "ko"), [new(0, 1000, "다시 씁니다")], None);
        Assert.Equal([(two, 1)], (await transcripts.SearchAsync(new TranscriptSearch("적분", null, 10, 5), None)).Select(v => (v.VideoId, v.Matches)));
        Assert.Equal([(one, 1)], (await transcripts.SearchAsync(new TranscriptSearch("씁니다", null, 10, 5), None)).Select(v => (v.VideoId, v.Matches)));
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM video_caption_word_counts WHERE video_id = @Video", one));

        Assert.NotNull(await tracks.RemoveAsync(two, "ko", CaptionKind.Captions, T0.AddHours(1), None));
        Assert.Empty(await transcripts.SearchAsync(new TranscriptSearch("적분", null, 10, 5), None));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM video_caption_word_counts WHERE video_id = @Video", two));
    }

    [Fact]
    public async Task Several_words_need_every_word_in_the_video_and_cues_holding_the_whole_query_come_first()
    {
        var one = await ReadyVideoAsync();
        var two = await ReadyVideoAsync();
        await tracks.SaveIfReadyAsync(Track(one, "en"), [new(0, 1000, "the zygote theorem"), new(2000, 3000, "Zygote and zebra meet")], None);
        await tracks.SaveIfReadyAsync(Track(two, "en"), [new(0, 1000, "zebra alone"), new(3000, 4000, "zygote alone")], None);

        // Each video holds both words, in different cues for two: ranked by the cues per word, summed.
        var both = await transcripts.SearchAsync(new TranscriptSearch("zygote zebra", null, 10, 5), None);
        Assert.Equal([(one, 3), (two, 2)], both.Select(v => (v.VideoId, v.Matches)));
        Assert.Equal(["zebra alone", "zygote alone"], both[1].Moments.Select(m => m.Text));

        // Two has no "and": only one, whose cue holding the whole query comes before an earlier cue holding one word.
        var phrase = await transcripts.SearchAsync(new TranscriptSearch("ZYGOTE AND", null, 10, 5), None);
        Assert.Equal([(one, 3)], phrase.Select(v => (v.VideoId, v.Matches)));
        Assert.Equal(["Zygote and zebra meet", "the zygote theorem"], phrase[0].Moments.Select(m => m.Text));
    }

    [Fact]
    public async Task Several_words_skip_deleted_videos_and_counts_of_a_revision_that_is_not_the_tracks()
    {
        var one = await ReadyVideoAsync();
        var two = await ReadyVideoAsync();
        var three = await ReadyVideoAsync();
        await tracks.SaveIfReadyAsync(Track(one, "en"), [new(0, 1000, "zygote zebra")], None);
        await tracks.SaveIfReadyAsync(Track(two, "en"), [new(0, 1000, "zygote"), new(1000, 2000, "zebra")], None);
        await tracks.SaveIfReadyAsync(Track(three, "en"), [new(0, 1000, "zygote zebra"), new(1000, 2000, "zygote zebra"), new(2000, 3000, "zygote zebra")], None);
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            // Units and word counts left by a replacement that lost a race (migration 0014): never counted.
            await connection.ExecuteAsync(
                """
                INSERT INTO video_caption_units (unit, video_id, language, kind, revision, cue_count)
                SELECT u, @Video, 'en', 'captions', @Stale, 50 FROM unnest(ARRAY['zygote', 'zebra']) AS u;
                INSERT INTO video_caption_word_counts (word, video_id, language, kind, revision, cue_count)
                VALUES ('zygote', @Video, 'en', 'captions', @Stale, 50);
                UPDATE videos SET status = 'DELETING' WHERE id = @Deleted;
                """,
                new { Video = one, Deleted = three, Stale = Guid.NewGuid() });
        }

        var ranked = await RankAsync("zygote zebra");
        Assert.Equal([(one, 2), (two, 2)], ranked.OrderBy(v => v.Item1 == one ? 0 : 1));
        // "ygote" is inside a word, not at its start: counted through the lexicon's word counts.
        Assert.Equal(ranked, await RankAsync("ygote zebra"));
        var rest = await transcripts.SearchAsync(new TranscriptSearch("zebra zygote", new TranscriptCursor(2, ranked[0].Item1), 10, 5), None);
        Assert.Equal([ranked[1]], rest.Select(v => (v.VideoId, v.Matches)));
    }

    [Fact]
    public async Task The_video_page_read_brings_the_tracks_the_track_store_lists_with_the_video_its_job_and_attempts()
    {
        var video = await ReadyVideoAsync();
        var other = await ReadyVideoAsync();
        Assert.Empty((await db.Videos.FindWithCurrentJobAsync(video, None))!.CaptionTracks);
        await tracks.SaveIfReadyAsync(Track(video, "ko"), [new(0, 1000, "하나")], None);
        await tracks.SaveIfReadyAsync(Track(video, "en"), [new(0, 1000, "one")], None);
        await tracks.SaveIfReadyAsync(Track(other, "de"), [new(0, 1000, "eins")], None);

        var found = (await db.Videos.FindWithCurrentJobAsync(video, None))!;
        Assert.Equal(video, found.Video.Id);
        Assert.NotNull(found.Job);
        Assert.Equal(found.Video.CurrentJobId, found.Job.Id);
        Assert.Equal([1], found.Attempts.Select(a => a.Attempt));
        Assert.Equal(["en", "ko"], found.CaptionTracks.Select(t => t.Language));
        Assert.Equal(await tracks.ListAsync(video, None), found.CaptionTracks);
        Assert.Null(await db.Videos.FindWithCurrentJobAsync(Guid.NewGuid(), None));
    }

    [Fact]
    public async Task The_search_units_of_a_word_are_its_Hangul_substrings_of_two_to_four_syllables_or_its_prefixes()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(
            ["미적", "미적분", "미적분을", "분을", "적분", "적분을"],
            (await connection.QueryAsync<string>("SELECT caption_search_units('미적분을') ORDER BY 1")).ToList());
        Assert.Equal(
            ["fun", "func", "funct", "functi", "functio", "function", "functions"],
            (await connection.QueryAsync<string>("SELECT caption_search_units('functions') ORDER BY 1")).ToList());
        // Hangul runs inside a mixed word are units; the word itself has no prefixes; one syllable or two letters none.
        Assert.Equal(["적분"], (await connection.QueryAsync<string>("SELECT caption_search_units('x적분2') ORDER BY 1")).ToList());
        Assert.Empty(await connection.QueryAsync<string>("SELECT caption_search_units('값') UNION ALL SELECT caption_search_units('is')"));
        Assert.Equal(10, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM caption_search_units('internationalization')"));
    }

    [Fact]
    public async Task A_Korean_query_counts_the_cues_containing_it_once_each_inside_compounds_and_particles()
    {
        var one = await ReadyVideoAsync();
        var two = await ReadyVideoAsync();
        var three = await ReadyVideoAsync();
        await tracks.SaveIfReadyAsync(Track(one, "ko"), [new(0, 1000, "미적분을 배웁니다"), new(2000, 3000, "적분 그리고 미적분"), new(4000, 5000, "방정식에서 시작")], None);
        await tracks.SaveIfReadyAsync(Track(two, "ko"), [new(0, 1000, "적분을"), new(1000, 2000, "적분이"), new(2000, 3000, "적분은"), new(3000, 4000, "방정식에서")], None);
        await tracks.SaveIfReadyAsync(Track(three, "ko"), [new(0, 1000, "분석")], None);

        // Two syllables: one unit, the cues containing it anywhere in a word, a cue holding it twice counted once.
        Assert.Equal([(two, 3), (one, 2)], await RankAsync("적분"));
        // Three and four syllables: units too.
        Assert.Equal([(one, 2)], await RankAsync("미적분"));
        Assert.Equal([(one, 1)], await RankAsync("미적분을"));
        // Five syllables is no unit: the lexicon's words containing it.
        Assert.Equal([(one, 1), (two, 1)], (await RankAsync("방정식에서")).OrderBy(v => v.Item1 == one ? 0 : 1).ToList());
        // Several words: the cue holding the whole query first, then the cues holding any of its words.
        Assert.Equal(
            ["적분 그리고 미적분", "미적분을 배웁니다"],
            (await transcripts.SearchAsync(new TranscriptSearch("적분 그리고", null, 10, 5), None)).Single(v => v.VideoId == one).Moments.Select(m => m.Text));
        Assert.Equal([(one, 3)], await RankAsync("적분 그리고"));
        Assert.Empty(await RankAsync("분석적"));
    }

    [Fact]
    public async Task An_English_query_finds_words_starting_with_it_by_its_unit_and_words_holding_it_by_the_lexicon()
    {
        var one = await ReadyVideoAsync();
        var two = await ReadyVideoAsync();
        await tracks.SaveIfReadyAsync(Track(one, "en"), [new(0, 1000, "Derivatives of a function"), new(2000, 3000, "the derivative"), new(4000, 5000, "a malfunction")], None);
        await tracks.SaveIfReadyAsync(Track(two, "en"), [new(0, 1000, "derivation"), new(2000, 3000, "functional analysis"), new(4000, 5000, "functions")], None);

        // "deriv": every word holding it starts with it, so its unit counts the cues.
        Assert.Equal([(one, 2), (two, 1)], await RankAsync("DERIV"));
        // "ivativ": inside words only, through the lexicon.
        Assert.Equal([(one, 2)], await RankAsync("ivativ"));
        // "function" is also inside "malfunction": the lexicon path still finds that cue.
        Assert.Equal([(one, 2), (two, 2)], (await RankAsync("function")).OrderBy(v => v.Item1 == one ? 0 : 1).ToList());
        Assert.Equal(["Derivatives of a function", "a malfunction"], (await transcripts.SearchAsync(new TranscriptSearch("function", null, 10, 5), None)).First(v => v.VideoId == one).Moments.Select(m => m.Text));
        // Several words, a unit and a lexicon word: a video holding both, ranked by the sum.
        Assert.Equal([(one, 3)], await RankAsync("deriv malfunc"));
        // "functio" is inside "malfunction": lexicon words, each counted (decision 0019).
        Assert.Equal([(one, 4), (two, 3)], await RankAsync("deriv functio"));
    }

    [Fact]
    public async Task A_video_ranks_once_by_its_best_track_and_a_replaced_track_leaves_no_units()
    {
        var one = await ReadyVideoAsync();
        var two = await ReadyVideoAsync();
        await tracks.SaveIfReadyAsync(Track(one, "ko"), [new(0, 1000, "적분"), new(1000, 2000, "적분")], None);
        await tracks.SaveIfReadyAsync(Track(one, "en"), [new(0, 1000, "적분 integral"), new(1000, 2000, "적분"), new(2000, 3000, "적분 the integral")], None);
        await tracks.SaveIfReadyAsync(Track(two, "ko"), [new(0, 1000, "적분 integral")], None);

        Assert.Equal([(one, 3), (two, 1)], await RankAsync("적분"));
        Assert.Equal([(one, 5), (two, 2)], await RankAsync("integral 적분"));

        var before = await CountAsync("SELECT count(*) FROM video_caption_units WHERE video_id = @Video AND language = 'en'", one);
        Assert.True(before > 0);
        await tracks.SaveIfReadyAsync(Track(one, "en"), [new(0, 1000, "nothing here")], None);
        Assert.Equal([(one, 2), (two, 1)], await RankAsync("적분"));
        Assert.Equal(
            ["her", "here", "not", "noth", "nothi", "nothin", "nothing"],
            await QueryAsync("SELECT unit FROM video_caption_units WHERE video_id = @Video AND language = 'en' ORDER BY unit COLLATE \"C\"", one));
        Assert.Equal([(two, 1)], await RankAsync("integral"));

        Assert.NotNull(await tracks.RemoveAsync(one, "ko", CaptionKind.Captions, T0.AddHours(1), None));
        Assert.Equal([(two, 1)], await RankAsync("적분"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM video_caption_units WHERE video_id = @Video AND language = 'ko'", one));
    }

    [Theory]
    [InlineData("적분")]
    [InlineData("적분 the")]
    public async Task Pages_walk_the_whole_ranking_without_duplicates_or_gaps(string query)
    {
        // Twelve videos, counts 1 to 4 (three videos each: ties broken by id), a second weaker track on some.
        var expected = new List<(Guid, int)>();
        for (var i = 0; i < 12; i++)
        {
            var video = await ReadyVideoAsync();
            var count = 1 + (i % 4);
            await tracks.SaveIfReadyAsync(Track(video, "ko"), Enumerable.Range(0, count).Select(c => new TranscriptCue(c * 1000, c * 1000 + 500, $"the 적분을 {c}")).ToList(), None);
            if (i % 3 == 0)
            {
                await tracks.SaveIfReadyAsync(Track(video, "en"), [new(0, 500, "the 미적분")], None);
            }

            expected.Add((video, query == "적분" ? count : 2 * count));
        }

        expected = expected.OrderByDescending(v => v.Item2).ThenBy(v => v.Item1).ToList();
        var seen = new List<(Guid, int)>();
        TranscriptCursor? after = null;
        for (var page = 0; page < 10; page++)
        {
            var found = await transcripts.SearchAsync(new TranscriptSearch(query, after, 5, 1), None);
            seen.AddRange(found.Select(v => (v.VideoId, v.Matches)));
            if (found.Count < 5)
            {
                break;
            }

            after = new TranscriptCursor(found[^1].Matches, found[^1].VideoId);
        }

        Assert.Equal(expected, seen);
    }

    private async Task<List<(Guid, int)>> RankAsync(string query) =>
        (await transcripts.SearchAsync(new TranscriptSearch(query, null, 10, 5), None)).Select(v => (v.VideoId, v.Matches)).ToList();

    private async Task<List<string>> QueryAsync(string sql, Guid video)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<string>(sql, new { Video = video })).ToList();
    }

    private static string Line(StoredCue cue) => $"{cue.StartMs} {cue.Language} {cue.Text}";

    private static CaptionTrack Track(Guid video, string language) =>
        new(video, language, CaptionKind.Captions, language, $"videos/{video}/captions/{language}.vtt", $"videos/{video}/captions/{language}.m3u8", 10, 1, T0, T0);

    private async Task<Guid> ReadyVideoAsync()
    {
        var (video, job) = await db.RunningAsync(T0);
        await db.ApplyAsync(job, job.Complete($"videos/{video.Id}/hls/a/master.m3u8", T0.AddMinutes(1))!);
        return video.Id;
    }

    private async Task<int> CountAsync(string sql, Guid video)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<int>(sql, new { Video = video });
    }

    private async Task<List<string>> EventsAsync(Guid video)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<string>(
            "SELECT type || ' ' || caption_language || '/' || caption_kind FROM video_events WHERE video_id = @Video AND type LIKE 'caption.%' ORDER BY position",
            new { Video = video })).ToList();
    }
}
