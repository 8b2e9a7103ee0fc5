using Academy.Video.Application.Common;

namespace Academy.Video.UnitTests.Application;

public sealed class UrlRedactionTests
{
    [Theory]
    // An S3/R2 presigned PUT: the credential, the session token and the signature go; the rest stays readable.
    [InlineData(
        "https://acct.r2.cloudflarestorage.com/bucket/videos/a/source/original.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA123%2F20260101%2Fauto%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600&X-Amz-Security-Token=FwoG123&X-Amz-SignedHeaders=content-length%3Bhost&X-Amz-Signature=abc123",
        "https://acct.r2.cloudflarestorage.com/bucket/videos/a/source/original.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600&X-Amz-Security-Token=REDACTED&X-Amz-SignedHeaders=content-length%3Bhost&X-Amz-Signature=REDACTED")]
    // The product's own signed upload part, media and playback URLs.
    [InlineData(
        "http://127.0.0.1:5080/storage/videos/a/source/original.mp4?uploadId=u1&partNumber=3&expires=1700000000&size=16&signature=deadbeef",
        "http://127.0.0.1:5080/storage/videos/a/source/original.mp4?uploadId=u1&partNumber=3&expires=1700000000&size=16&signature=REDACTED")]
    [InlineData("/playback/v/master.m3u8?expires=1&signature=beef#t=1", "/playback/v/master.m3u8?expires=1&signature=REDACTED#t=1")]
    // CloudFront-style signed URLs and keys in a query, any casing.
    [InlineData("https://cdn.test/a.ts?Expires=1&Signature=s~1&Key-Pair-Id=K1&Policy=p", "https://cdn.test/a.ts?Expires=1&Signature=REDACTED&Key-Pair-Id=REDACTED&Policy=REDACTED")]
    [InlineData("/api/v1/videos?x-API-key=k1&limit=5&X-Internal-Api-Key=k2", "/api/v1/videos?x-API-key=REDACTED&limit=5&X-Internal-Api-Key=REDACTED")]
    [InlineData("https://hooks.test/in?token=t1&access_token=t2&sig=s&api_key=k", "https://hooks.test/in?token=REDACTED&access_token=REDACTED&sig=REDACTED&api_key=REDACTED")]
    // An encoded name is still recognised; a user:password part goes too.
    [InlineData("https://u:p@hooks.test/in?%73ignature=x", "https://REDACTED@hooks.test/in?%73ignature=REDACTED")]
    // Nothing to hide: the URL is unchanged.
    [InlineData("https://hooks.test/in?limit=5&flag", "https://hooks.test/in?limit=5&flag")]
    [InlineData("/media/videos/a/hls/master.m3u8", "/media/videos/a/hls/master.m3u8")]
    public void Grants_and_keys_are_masked_and_everything_else_stays(string url, string redacted) =>
        Assert.Equal(redacted, UrlRedaction.Redact(url));

    [Fact]
    public void A_query_string_alone_is_redacted_with_its_question_mark() =>
        Assert.Equal("?expires=1&signature=REDACTED", UrlRedaction.RedactQuery("?expires=1&signature=abc"));
}
