using System.Text;
using Academy.Video.Application.Common;
using Academy.Video.Application.Playback;
using Academy.Video.Application.Playback.GetPlayback;
using Academy.Video.Application.Playback.GetSignedPlaylist;
using Academy.Video.Application.Videos.GetVideo;
using Academy.Video.Domain.Videos;
using Academy.Video.UnitTests.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.UnitTests.Application;

public sealed class SignedPlaybackTests : IAsyncLifetime
{
    private const string MasterPlaylist = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n360p/index.m3u8\n";
    private const string VariantPlaylist = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\nseg_000.ts\n#EXTINF:2.0,\nseg_001.ts\n#EXT-X-ENDLIST\n";

    private readonly ApplicationHarness app = new(configure: services => services.Configure<PlaybackOptions>(o =>
    {
        o.Mode = PlaybackMode.Signed;
        o.SigningKey = "a-test-signing-key-of-more-than-32-characters";
        o.ApiBaseUrl = "https://api.test/";
        o.UrlValidFor = TimeSpan.FromHours(1);
    }));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_READY_video_gets_an_expiring_url_of_the_playlist_route_and_no_public_url()
    {
        var video = Ready();

        var playback = await app.Query(new GetPlaybackQuery(video.Id));
        var details = await app.Query(new GetVideoQuery(video.Id));

        Assert.Equal(app.Time.GetUtcNow().AddHours(1), playback.ExpiresAt);
        Assert.StartsWith($"https://api.test/playback/{video.Id}/master.m3u8?expires=", playback.Url.AbsoluteUri, StringComparison.Ordinal);
        Assert.Null(details.PlaybackUrl);
    }

    [Fact]
    public async Task The_master_points_at_variants_with_the_same_grant_and_variants_at_signed_segments()
    {
        var video = Ready();
        var (expires, signature) = Grant(await app.Query(new GetPlaybackQuery(video.Id)));

        var master = await app.Query(new GetSignedPlaylistQuery(video.Id, "master.m3u8", expires, signature));
        var variant = await app.Query(new GetSignedPlaylistQuery(video.Id, "360p/index.m3u8", expires, signature));

        Assert.Equal(MasterPlaylist.Replace("360p/index.m3u8", $"360p/index.m3u8?expires={expires}&signature={signature}", StringComparison.Ordinal), master);
        var tree = video.HlsPath![..video.HlsPath!.LastIndexOf('/')];
        Assert.Equal(VariantPlaylist
            .Replace("seg_000.ts", $"https://storage.test/{tree}/360p/seg_000.ts?expires={expires}", StringComparison.Ordinal)
            .Replace("seg_001.ts", $"https://storage.test/{tree}/360p/seg_001.ts?expires={expires}", StringComparison.Ordinal), variant);
    }

    [Fact]
    public async Task A_missing_changed_foreign_or_expired_grant_is_forbidden_with_its_code()
    {
        var video = Ready();
        var other = Ready();
        var (expires, signature) = Grant(await app.Query(new GetPlaybackQuery(video.Id)));

        Task<string> Playlist(Guid id, long? e, string? s) => app.Query(new GetSignedPlaylistQuery(id, "master.m3u8", e, s));
        async Task<string> Code(Func<Task<string>> call) => (await Assert.ThrowsAsync<ForbiddenException>(call)).Code;

        Assert.Equal("PLAYBACK_TOKEN_MISSING", await Code(() => Playlist(video.Id, null, null)));
        Assert.Equal("PLAYBACK_TOKEN_INVALID", await Code(() => Playlist(video.Id, expires, Flip(signature))));
        Assert.Equal("PLAYBACK_TOKEN_INVALID", await Code(() => Playlist(video.Id, expires + 3600, signature)));
        Assert.Equal("PLAYBACK_TOKEN_INVALID", await Code(() => Playlist(other.Id, expires, signature)));
        app.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.Equal("PLAYBACK_TOKEN_EXPIRED", await Code(() => Playlist(video.Id, expires, signature)));
    }

    [Theory]
    [InlineData("../master.m3u8")]
    [InlineData("360p/../../x.m3u8")]
    [InlineData("360p/seg_000.ts")]
    [InlineData("missing.m3u8")]
    [InlineData(".multipart/x.m3u8")]
    public async Task Only_playlists_of_the_tree_are_served(string path)
    {
        var video = Ready();
        var (expires, signature) = Grant(await app.Query(new GetPlaybackQuery(video.Id)));

        await Assert.ThrowsAsync<NotFoundException>(() => app.Query(new GetSignedPlaylistQuery(video.Id, path, expires, signature)));
    }

    [Fact]
    public async Task A_playable_PROCESSING_video_plays_its_growing_tree_signed_and_is_shown_playable_without_a_public_url()
    {
        var id = Guid.NewGuid();
        var prefix = StorageKeys.HlsPrefix(id, Guid.NewGuid(), 1);
        var growing = VariantPlaylist.Replace("#EXT-X-ENDLIST\n", "", StringComparison.Ordinal);
        var video = LectureVideo.Create(id, "t", "a.mp4", "video/mp4", app.Time.GetUtcNow()) with { Status = VideoStatus.Processing, PlayablePath = prefix + "master.m3u8" };
        app.Database.Seed(video);
        app.Storage.Put(prefix + "master.m3u8", Encoding.UTF8.GetBytes(MasterPlaylist));
        app.Storage.Put(prefix + "360p/index.m3u8", Encoding.UTF8.GetBytes(growing));

        var playback = await app.Query(new GetPlaybackQuery(video.Id));
        var (expires, signature) = Grant(playback);
        var variant = await app.Query(new GetSignedPlaylistQuery(video.Id, "360p/index.m3u8", expires, signature));
        var details = await app.Query(new GetVideoQuery(video.Id));

        Assert.StartsWith($"https://api.test/playback/{video.Id}/master.m3u8?expires=", playback.Url.AbsoluteUri, StringComparison.Ordinal);
        Assert.Contains($"https://storage.test/{prefix}360p/seg_001.ts?expires={expires}", variant, StringComparison.Ordinal);
        Assert.Equal((true, (Uri?)null, "PROCESSING"), (details.Playable, details.PlaybackUrl, details.Status));
    }

    [Fact]
    public async Task A_video_that_is_not_READY_has_no_playback()
    {
        var video = LectureVideo.Create(Guid.NewGuid(), "t", "a.mp4", "video/mp4", app.Time.GetUtcNow());
        app.Database.Seed(video);

        var error = await Assert.ThrowsAsync<ConflictException>(() => app.Query(new GetPlaybackQuery(video.Id)));
        var processing = video with { Id = Guid.NewGuid(), Status = VideoStatus.Processing };
        app.Database.Seed(processing);

        Assert.Equal("VIDEO_NOT_READY", error.Code);
        Assert.Equal("VIDEO_NOT_READY", (await Assert.ThrowsAsync<ConflictException>(() => app.Query(new GetPlaybackQuery(processing.Id)))).Code);
        Assert.False((await app.Query(new GetVideoQuery(processing.Id))).Playable);
    }

    private LectureVideo Ready()
    {
        var id = Guid.NewGuid();
        var prefix = StorageKeys.HlsPrefix(id, Guid.NewGuid(), 1);
        var video = LectureVideo.Create(id, "t", "a.mp4", "video/mp4", app.Time.GetUtcNow()) with { Status = VideoStatus.Ready, HlsPath = prefix + "master.m3u8" };
        app.Database.Seed(video);
        app.Storage.Put(prefix + "master.m3u8", Encoding.UTF8.GetBytes(MasterPlaylist));
        app.Storage.Put(prefix + "360p/index.m3u8", Encoding.UTF8.GetBytes(VariantPlaylist));
        return video;
    }

    private static (long Expires, string Signature) Grant(PlaybackView playback)
    {
        var query = System.Web.HttpUtility.ParseQueryString(playback.Url.Query);
        return (long.Parse(query["expires"]!, System.Globalization.CultureInfo.InvariantCulture), query["signature"]!);
    }

    private static string Flip(string hex) => hex[..^1] + (hex[^1] == '0' ? '1' : '0');
}
