using System.Net;
using System.Text.Json;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.IntegrationTests.Webhooks;

namespace Academy.Video.Api.Tests.Webhooks;

/// <summary>
/// Events from real flows (the API, the real worker, real FFmpeg) to a real receiver that checks each
/// signature itself; retries, every attempt on record, and replays through the internal API.
/// </summary>
public sealed class WebhookTests(WebhookApiFactory api) : IClassFixture<WebhookApiFactory>
{
    private readonly VideoFlow flow = new(api.ClientWithKey());

    private WebhookReceiver Receiver => api.Receiver;

    [Fact]
    public async Task A_video_that_becomes_READY_is_told_signed_with_the_video_as_GET_returns_it_and_its_deletion_too()
    {
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 240, 2));
        await flow.CompleteUploadAsync(videoId);
        await flow.WaitForStatusAsync(videoId, "READY");

        var ready = Assert.Single(await Receiver.WaitForAsync(Is("/settings-hook", "video.ready", videoId), 1));
        await Receiver.WaitForAsync(Is("/settings-hook", "video.processing", videoId), 1);

        Assert.True(ready.SignatureIsValid(WebhookApiFactory.SettingsSecret));
        Assert.False(ready.SignatureIsValid("whsec_some_other_secret_0123456"));
        var body = ready.Json;
        Assert.Equal((ready.EventId, "video.ready", videoId.ToString()), (body.GetProperty("id").GetString(), body.GetProperty("type").GetString(), body.GetProperty("videoId").GetString()));
        var get = await api.ClientWithKey().GetStringAsync($"/api/v1/videos/{videoId}");
        Assert.Equal(get, body.GetProperty("video").GetRawText());
        Assert.Equal(body.GetProperty("jobId").GetString(), JsonDocument.Parse(get).RootElement.GetProperty("job").GetProperty("jobId").GetString());

        var stored = await (await api.InternalClient().GetAsync($"/api/v1/internal/webhooks/events/{ready.EventId}")).ReadJsonAsync();
        Assert.Equal(ready.BodyText, stored.GetProperty("body").GetString());
        var listed = await (await api.InternalClient().GetAsync($"/api/v1/internal/webhooks/events?videoId={videoId}")).ReadJsonAsync();
        Assert.Equal(["video.ready", "video.processing"], listed.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("type").GetString()));

        Assert.Equal(HttpStatusCode.Accepted, (await api.ClientWithKey().DeleteAsync($"/api/v1/videos/{videoId}")).StatusCode);
        var deleted = Assert.Single(await Receiver.WaitForAsync(Is("/settings-hook", "video.deleted", videoId), 1));
        Assert.True(deleted.SignatureIsValid(WebhookApiFactory.SettingsSecret));
        Assert.Contains(deleted.Json.GetProperty("video").GetProperty("status").GetString(), new[] { "DELETING", "DELETED" });
    }

    [Fact]
    public async Task A_source_that_is_not_a_video_is_told_as_video_failed_signed_and_not_as_a_dead_job()
    {
        var videoId = await flow.CreateAndUploadAsync(TestClips.RandomBytes());
        await flow.CompleteUploadAsync(videoId);
        await flow.WaitForStatusAsync(videoId, "FAILED");

        var failed = Assert.Single(await Receiver.WaitForAsync(Is("/settings-hook", "video.failed", videoId), 1));

        Assert.True(failed.SignatureIsValid(WebhookApiFactory.SettingsSecret));
        var video = failed.Json.GetProperty("video");
        Assert.Equal(("FAILED", "FAILED"), (video.GetProperty("status").GetString(), video.GetProperty("job").GetProperty("state").GetString()));
        var events = await (await api.InternalClient().GetAsync($"/api/v1/internal/webhooks/events?videoId={videoId}")).ReadJsonAsync();
        Assert.DoesNotContain(events.GetProperty("items").EnumerateArray(), e => e.GetProperty("type").GetString() == "job.dead");
    }

    [Fact]
    public async Task A_job_that_uses_up_its_attempts_is_told_as_video_failed_and_job_dead()
    {
        // Earlier jobs of this fixture left the runner's work folder where the blocker goes; none is running now.
        if (Directory.Exists(api.WorkBlocker))
        {
            Directory.Delete(api.WorkBlocker, recursive: true);
        }

        await File.WriteAllTextAsync(api.WorkBlocker, "every attempt fails to create its work directory");
        try
        {
            var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 240, 1));
            var jobId = (await flow.CompleteUploadAsync(videoId)).GetProperty("jobId").GetString();
            await flow.WaitForStatusAsync(videoId, "FAILED");

            var dead = Assert.Single(await Receiver.WaitForAsync(Is("/settings-hook", "job.dead", videoId), 1));
            var failed = Assert.Single(await Receiver.WaitForAsync(Is("/settings-hook", "video.failed", videoId), 1));

            Assert.True(dead.SignatureIsValid(WebhookApiFactory.SettingsSecret) && failed.SignatureIsValid(WebhookApiFactory.SettingsSecret));
            Assert.Equal((jobId, "DEAD", 2), (dead.Json.GetProperty("jobId").GetString(),
                dead.Json.GetProperty("video").GetProperty("job").GetProperty("state").GetString(),
                dead.Json.GetProperty("video").GetProperty("job").GetProperty("attemptCount").GetInt32()));
        }
        finally
        {
            File.Delete(api.WorkBlocker);
        }
    }

    [Fact]
    public async Task A_receiver_that_answers_500_three_times_gets_the_event_on_the_fourth_try_and_a_replay_sends_it_again()
    {
        var added = await api.InternalClient().PostJsonAsync("/api/v1/internal/webhooks/endpoints", new { url = Receiver.Url("/flaky").ToString(), events = new[] { "video.ready" } });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var endpoint = await added.ReadJsonAsync();
        var secret = endpoint.GetProperty("secret").GetString()!;
        var endpointId = endpoint.GetProperty("endpointId").GetString();
        // At rest the row holds the secret encrypted (decision 0014), and yet every delivery below is signed with it.
        await using (var connection = new Npgsql.NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var read = new Npgsql.NpgsqlCommand("SELECT secret FROM webhook_endpoints WHERE id = @id", connection);
            read.Parameters.AddWithValue("id", Guid.Parse(endpointId!));
            var stored = (string)(await read.ExecuteScalarAsync())!;
            Assert.StartsWith("enc1:", stored, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        }

        Receiver.Answer = r => r.Path == "/flaky" && Receiver.Received.Count(o => o.Path == "/flaky" && o.EventId == r.EventId) <= 3
            ? new ReceiverAnswer(500, "boom")
            : new ReceiverAnswer(200, "thanks");
        try
        {
            var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 240, 1));
            await flow.CompleteUploadAsync(videoId);
            await flow.WaitForStatusAsync(videoId, "READY");

            var tries = await Receiver.WaitForAsync(Is("/flaky", "video.ready", videoId), 4);
            var eventId = tries[0].EventId;
            Assert.All(tries, t => Assert.Equal((eventId, tries[0].BodyText), (t.EventId, t.BodyText)));
            Assert.All(tries, t => Assert.True(t.SignatureIsValid(secret)));
            Assert.Equal(["1", "2", "3", "4"], tries.Select(t => t.Header("Academy-Delivery-Attempt")));
            Assert.DoesNotContain(Receiver.Received, r => r.Path == "/flaky" && r.Header("Academy-Event-Type") != "video.ready");

            var delivery = await WaitForDeliveryAsync(eventId, endpointId!, "DELIVERED");
            var deliveryId = delivery.GetProperty("deliveryId").GetString();
            var details = await (await api.InternalClient().GetAsync($"/api/v1/internal/webhooks/deliveries/{deliveryId}")).ReadJsonAsync();
            var attempts = details.GetProperty("attempts").EnumerateArray().ToList();
            Assert.Equal(["HTTP_ERROR", "HTTP_ERROR", "HTTP_ERROR", "DELIVERED"], attempts.Select(a => a.GetProperty("outcome").GetString()));
            Assert.Equal([500, 500, 500, 200], attempts.Select(a => a.GetProperty("statusCode").GetInt32()));
            Assert.Equal(["boom", "boom", "boom", "thanks"], attempts.Select(a => a.GetProperty("responseExcerpt").GetString()));
            Assert.All(attempts, a => Assert.True(a.GetProperty("durationMs").GetInt64() >= 0));
            Assert.Equal(4, details.GetProperty("delivery").GetProperty("attemptCount").GetInt32());

            var replay = await api.InternalClient().PostAsync($"/api/v1/internal/webhooks/deliveries/{deliveryId}/replay", null);
            Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
            var replayed = await replay.ReadJsonAsync();
            Assert.Equal((deliveryId, eventId), (replayed.GetProperty("replayOf").GetString(), replayed.GetProperty("eventId").GetString()));

            var fifth = (await Receiver.WaitForAsync(Is("/flaky", "video.ready", videoId), 5))[4];
            Assert.Equal((eventId, tries[0].BodyText), (fifth.EventId, fifth.BodyText));
            Assert.True(fifth.SignatureIsValid(secret));
            Assert.Equal(replayed.GetProperty("deliveryId").GetString(), fifth.Header("Academy-Delivery-Id"));
        }
        finally
        {
            Receiver.Answer = _ => new ReceiverAnswer(200);
            await api.InternalClient().DeleteAsync($"/api/v1/internal/webhooks/endpoints/{endpointId}");
        }
    }

    [Fact]
    public async Task Endpoints_are_listed_without_secrets_removed_through_the_API_and_a_removed_one_cannot_be_replayed_to()
    {
        var internalApi = api.InternalClient();
        var endpointId = (await (await internalApi.PostJsonAsync("/api/v1/internal/webhooks/endpoints",
            new { url = Receiver.Url("/short-lived").ToString(), secret = "whsec_a_secret_of_my_own_01" })).ReadJsonAsync()).GetProperty("endpointId").GetString();
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(160, 120, 1));
        Assert.Equal(HttpStatusCode.Accepted, (await api.ClientWithKey().DeleteAsync($"/api/v1/videos/{videoId}")).StatusCode);
        var told = Assert.Single(await Receiver.WaitForAsync(Is("/short-lived", "video.deleted", videoId), 1));
        Assert.True(told.SignatureIsValid("whsec_a_secret_of_my_own_01"));
        var delivery = await WaitForDeliveryAsync(told.EventId, endpointId!, "DELIVERED");

        var listed = await (await internalApi.GetAsync("/api/v1/internal/webhooks/endpoints")).ReadJsonAsync();
        var items = listed.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(("settings", api.SettingsEndpoint.ToString()), (items[0].GetProperty("source").GetString(), items[0].GetProperty("url").GetString()));
        Assert.Contains(items, e => e.GetProperty("endpointId").GetString() == endpointId && e.GetProperty("source").GetString() == "api");
        Assert.DoesNotContain("secret", listed.GetRawText(), StringComparison.OrdinalIgnoreCase);

        var fromSettings = await internalApi.DeleteAsync($"/api/v1/internal/webhooks/endpoints/{items[0].GetProperty("endpointId").GetString()}");
        Assert.Equal((HttpStatusCode.Conflict, "WEBHOOK_ENDPOINT_FROM_SETTINGS"), (fromSettings.StatusCode, (await fromSettings.ReadJsonAsync()).GetProperty("code").GetString()));
        Assert.Equal(HttpStatusCode.NoContent, (await internalApi.DeleteAsync($"/api/v1/internal/webhooks/endpoints/{endpointId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await internalApi.DeleteAsync($"/api/v1/internal/webhooks/endpoints/{endpointId}")).StatusCode);
        var replay = await internalApi.PostAsync($"/api/v1/internal/webhooks/deliveries/{delivery.GetProperty("deliveryId").GetString()}/replay", null);
        Assert.Equal((HttpStatusCode.Conflict, "WEBHOOK_ENDPOINT_REMOVED"), (replay.StatusCode, (await replay.ReadJsonAsync()).GetProperty("code").GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.ClientWithKey().GetAsync("/api/v1/internal/webhooks/endpoints")).StatusCode);
    }

    [Fact]
    public async Task The_internal_webhook_API_is_in_the_OpenAPI_document_and_refuses_bad_input_with_its_code()
    {
        var openApi = await api.CreateClient().GetStringAsync("/openapi/v1.json");
        foreach (var path in new[] { "/api/v1/internal/webhooks/endpoints", "/api/v1/internal/webhooks/events/{id}", "/api/v1/internal/webhooks/deliveries", "/api/v1/internal/webhooks/deliveries/{id}/replay" })
        {
            Assert.Contains($"\"{path}\"", openApi, StringComparison.Ordinal);
        }

        var internalApi = api.InternalClient();
        var unknownEvent = await internalApi.PostJsonAsync("/api/v1/internal/webhooks/endpoints", new { url = "https://hooks.example.com/x", events = new[] { "video.exploded" } });
        var notHttp = await internalApi.PostJsonAsync("/api/v1/internal/webhooks/endpoints", new { url = "ftp://hooks.example.com/x" });
        var badState = await internalApi.GetAsync("/api/v1/internal/webhooks/deliveries?state=LOST");
        var badId = await internalApi.GetAsync("/api/v1/internal/webhooks/deliveries/not-a-uuid");
        var missing = await internalApi.GetAsync($"/api/v1/internal/webhooks/deliveries/{Guid.NewGuid()}");

        Assert.Contains("'video.exploded' is not an event type", (await unknownEvent.ReadJsonAsync()).GetRawText(), StringComparison.Ordinal);
        Assert.Contains("not an absolute http or https URL", (await notHttp.ReadJsonAsync()).GetRawText(), StringComparison.Ordinal);
        Assert.All(new[] { unknownEvent, notHttp, badState, badId }, r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        Assert.Equal((HttpStatusCode.NotFound, "DELIVERY_NOT_FOUND"), (missing.StatusCode, (await missing.ReadJsonAsync()).GetProperty("code").GetString()));
    }

    private static Func<ReceivedWebhook, bool> Is(string path, string type, Guid videoId) =>
        r => r.Path == path && r.Header("Academy-Event-Type") == type && r.Json.GetProperty("videoId").GetGuid() == videoId;

    private async Task<JsonElement> WaitForDeliveryAsync(string eventId, string endpointId, string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var page = await (await api.InternalClient().GetAsync($"/api/v1/internal/webhooks/deliveries?eventId={eventId}&endpointId={endpointId}")).ReadJsonAsync();
            if (page.GetProperty("items").EnumerateArray().FirstOrDefault(d => d.GetProperty("state").GetString() == state) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No {state} delivery of event {eventId} to {endpointId}: {page}");
            }

            await Task.Delay(200);
        }
    }
}
