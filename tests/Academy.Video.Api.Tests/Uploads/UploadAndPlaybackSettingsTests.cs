using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace Academy.Video.Api.Tests.Uploads;

/// <summary>The <c>Upload</c> and <c>Playback</c> settings: the earlier name still read, and bad values refused at start.</summary>
public sealed class UploadAndPlaybackSettingsTests
{
    [Theory]
    [InlineData(null, 1001, HttpStatusCode.BadRequest)]
    [InlineData(null, 1000, HttpStatusCode.Created)]
    [InlineData("5000", 1001, HttpStatusCode.Created)]
    public async Task The_earlier_Uploads_MaxSourceBytes_still_limits_sources_unless_Upload_MaxBytes_is_set(string? maxBytes, long size, HttpStatusCode expected)
    {
        await using var api = new SettingsApiFactory(new() { ["Uploads:MaxSourceBytes"] = "1000", ["Upload:MaxBytes"] = maxBytes });
        await api.InitializeAsync();

        var response = await api.ClientWithKey().PostJsonAsync("/api/v1/videos", new { title = "t", fileName = "a.mp4", contentType = "video/mp4", sizeBytes = size });

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("Upload:Expiry", "8.00:00:00", "Upload:Expiry must be more than zero and at most 7 days")]
    [InlineData("Upload:MaxBytes", "0", "Upload:MaxBytes must be between 1 and")]
    [InlineData("Playback:UrlValidFor", "00:00:00", "Playback:UrlValidFor must be more than zero")]
    public async Task The_API_refuses_to_start_with_an_upload_or_playback_setting_out_of_range(string key, string value, string message)
    {
        await using var api = new SettingsApiFactory(new() { [key] = value });
        await api.InitializeAsync();

        var error = Record.Exception(() => api.CreateClient());

        Assert.Contains(message, Messages(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signed_playback_on_S3_needs_its_own_signing_key_and_the_API_base_url()
    {
        await using var api = new SettingsApiFactory(new() { ["Playback:Mode"] = "Signed" }, onS3: true);
        await api.InitializeAsync();

        var messages = Messages(Record.Exception(() => api.CreateClient()));

        Assert.Contains("Playback:SigningKey must be a secret of at least 32 characters", messages, StringComparison.Ordinal);
        Assert.Contains("Playback:ApiBaseUrl must be the API's absolute http(s) base URL", messages, StringComparison.Ordinal);
    }

    private static string Messages(Exception? error)
    {
        Assert.NotNull(error);
        var all = new List<string>();
        for (var queue = new Queue<Exception>([error]); queue.Count > 0;)
        {
            var next = queue.Dequeue();
            all.Add(next.Message);
            foreach (var inner in next is AggregateException aggregate ? aggregate.InnerExceptions : next.InnerException is { } one ? [one] : [])
            {
                queue.Enqueue(inner);
            }
        }

        return string.Join(" | ", all);
    }

    private sealed class SettingsApiFactory(Dictionary<string, string?> settings, bool onS3 = false) : VideoApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Recovery:RunInApi", "false");
            if (onS3)
            {
                S3rverStorage.UseFor(builder);
            }

            foreach (var (key, value) in settings.Where(setting => setting.Value is not null))
            {
                builder.UseSetting(key, value);
            }
        }
    }
}
