using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Academy.Video.Api.Tests.Hardening;

/// <summary>Keys are checked before any body is read; readiness detail is for operators only; part numbers stay in S3's range.</summary>
public sealed class AccessTests(HardeningApiFactory api) : IClassFixture<HardeningApiFactory>
{
    [Theory]
    [InlineData("/api/v1/videos", null)]
    [InlineData("/api/v1/videos", "wrong-key-0123456789")]
    [InlineData("/api/v1/videos/6c1f8a1e-0000-4000-8000-000000000001/upload-complete", null)]
    [InlineData("/api/v1/internal/webhooks/endpoints", null)]
    [InlineData("/api/v1/internal/webhooks/endpoints", VideoApiFactory.ClientKey)]
    public async Task A_caller_without_a_valid_key_gets_401_whatever_its_body_holds(string path, string? key)
    {
        var client = api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = BrokenJson() };
        if (key is not null)
        {
            request.Headers.Add(path.Contains("/internal/", StringComparison.Ordinal) ? "X-Internal-Api-Key" : "X-Api-Key", key);
        }

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("UNAUTHORIZED", (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task With_a_valid_key_the_same_broken_body_is_400_INVALID_JSON()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/videos") { Content = BrokenJson() };

        var response = await api.ClientWithKey().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_JSON", (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("X-Api-Key", VideoApiFactory.ClientKey, false)]
    [InlineData("X-Internal-Api-Key", "wrong-key-0123456789", false)]
    [InlineData("X-Api-Key", VideoApiFactory.InternalKey, false)]
    [InlineData("X-Internal-Api-Key", VideoApiFactory.InternalKey, true)]
    public async Task Readiness_gives_each_check_s_detail_only_to_a_caller_holding_the_internal_key(string? header, string? key, bool detailed)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/readyz");
        if (header is not null)
        {
            request.Headers.Add(header, key);
        }

        var ready = await (await api.CreateClient().SendAsync(request)).ReadJsonAsync();

        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        var checks = ready.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value);
        Assert.Equal(["database", "storage"], checks.Keys.Order().ToArray());
        Assert.All(checks.Values, check => Assert.Equal("Healthy", check.GetProperty("status").GetString()));
        Assert.All(checks.Values, check => Assert.Equal(detailed, check.TryGetProperty("detail", out _)));
        if (detailed)
        {
            Assert.EndsWith(" jobs", checks["database"].GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("10001")]
    [InlineData("2147483647")]
    public async Task A_part_number_outside_1_to_10000_is_400_PART_NUMBER_OUT_OF_RANGE_and_nothing_is_stored(string partNumber)
    {
        var client = api.ClientWithKey();
        var created = await client.PostJsonAsync("/api/v1/videos", new { title = "Parts", fileName = "a.mp4", contentType = "video/mp4", sizeBytes = 100L * 1024 * 1024 });
        var video = await created.ReadJsonAsync();
        var partUrl = new Uri(video.GetProperty("upload").GetProperty("multipart").GetProperty("parts")[0].GetProperty("url").GetString()!);
        var outOfRange = partUrl.PathAndQuery.Replace("partNumber=1&", $"partNumber={partNumber}&", StringComparison.Ordinal);
        Assert.NotEqual(partUrl.PathAndQuery, outOfRange);

        var response = await client.PutAsync(outOfRange, new ByteArrayContent(new byte[1]));
        var held = await (await client.GetAsync($"/api/v1/videos/{video.GetProperty("videoId").GetString()}/upload")).ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("PART_NUMBER_OUT_OF_RANGE", (await response.ReadJsonAsync()).GetProperty("code").GetString());
        Assert.Empty(held.GetProperty("parts").EnumerateArray());
    }

    [Fact]
    public async Task The_last_part_number_in_range_is_checked_like_any_other_part()
    {
        var client = api.ClientWithKey();
        var video = await (await client.PostJsonAsync("/api/v1/videos", new { title = "Parts", fileName = "a.mp4", contentType = "video/mp4", sizeBytes = 100L * 1024 * 1024 })).ReadJsonAsync();
        var partUrl = new Uri(video.GetProperty("upload").GetProperty("multipart").GetProperty("parts")[0].GetProperty("url").GetString()!);

        var response = await client.PutAsync(partUrl.PathAndQuery.Replace("partNumber=1&", "partNumber=10000&", StringComparison.Ordinal), new ByteArrayContent(new byte[1]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("UPLOAD_URL_INVALID", (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    private static StringContent BrokenJson() => new("{\"title\": \"unterminated", Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
