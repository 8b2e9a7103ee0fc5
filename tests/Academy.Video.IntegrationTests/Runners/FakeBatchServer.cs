using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Academy.Video.IntegrationTests.Http;

namespace Academy.Video.IntegrationTests.Runners;

/// <summary>
/// A real HTTP listener on 127.0.0.1 speaking the AWS Batch wire protocol: it records each request, checks its
/// SigV4 signature like AWS would (answering 403 InvalidSignatureException when it is wrong) and answers with
/// the scripted responses in order.
/// </summary>
internal sealed class FakeBatchServer : LoopbackHttpServer
{
    public const string AccessKey = "AKIDRUNNERSTEST";
    public const string SecretKey = "runners/K7MDENG+bPxRfiCYTESTSECRETKEY";
    public const string Region = "ap-northeast-2";

    private readonly ConcurrentQueue<(int Status, string Body)> responses = new();
    private readonly ConcurrentQueue<RecordedRequest> requests = new();

    public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

    public void Enqueue(int status, string body) => responses.Enqueue((status, body));

    /// <summary>Answers the requests no scripted response is left for (a whole Batch service); unset, they get a 500.</summary>
    public Func<RecordedRequest, (int Status, string Body)>? Responder { get; set; }

    protected override async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.InputStream.CopyToAsync(body);
        var headers = request.Headers.AllKeys
            .Where(key => key is not null)
            .ToDictionary(key => key!.ToLowerInvariant(), key => request.Headers[key]!, StringComparer.Ordinal);
        var signature = SigV4Verifier.Verify(
            request.HttpMethod, request.Url!.AbsolutePath, request.Url.Query, headers, body.ToArray(), SecretKey);
        var recorded = new RecordedRequest(
            request.HttpMethod, request.Url.AbsolutePath, request.ContentType, headers, Encoding.UTF8.GetString(body.ToArray()), signature);
        requests.Enqueue(recorded);

        var (status, responseBody) = !signature.IsValid
            ? (403, """{"__type":"InvalidSignatureException","message":"The request signature we calculated does not match the signature you provided."}""")
            : responses.TryDequeue(out var scripted)
                ? scripted
                : Responder?.Invoke(recorded) ?? (500, """{"__type":"ServerException","message":"FakeBatchServer: no scripted response left"}""");

        var bytes = Encoding.UTF8.GetBytes(responseBody);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }
}

internal sealed record RecordedRequest(
    string Method,
    string Path,
    string? ContentType,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    SigV4Verifier.Result Signature);
