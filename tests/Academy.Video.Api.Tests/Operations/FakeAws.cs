using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;
using Academy.Video.IntegrationTests.Http;
using Academy.Video.IntegrationTests.Runners;

namespace Academy.Video.Api.Tests.Operations;

/// <summary>
/// A fake AWS account behind one real HTTP listener on 127.0.0.1. Every request must carry a valid
/// SigV4 signature (checked independently of the SDK by <see cref="SigV4Verifier"/>, answered 403 like
/// AWS otherwise); the signing scope's service picks the API: Batch (REST-JSON paths), IAM and STS
/// (query protocol, XML answers; IAM signed for us-east-1) and CloudWatch Logs (JSON 1.1, X-Amz-Target).
/// Answers follow the documented shapes and come from <see cref="Account"/>, which each scenario edits.
/// </summary>
internal sealed class FakeAws : LoopbackHttpServer
{
    public const string AccessKey = "AKIDOPERATIONSTEST";
    public const string SecretKey = "ops/K7MDENG+bPxRfiCYOPERATIONSKEY";
    public const string Region = "ap-northeast-2";
    public const string IamRegion = "us-east-1";

    private readonly ConcurrentQueue<(string Service, string Operation, bool Signed)> requests = new();

    public FakeAwsAccount Account { get; } = FakeAwsAccount.Healthy();

    /// <summary>(service, operation, signature valid) of every request, in order.</summary>
    public IReadOnlyList<(string Service, string Operation, bool Signed)> Requests => requests.ToArray();

    /// <summary>The settings that point the product's AWS clients here.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Runner:Kind", "Batch"),
        new("Runner:Batch:Region", Region),
        new("Runner:Batch:ServiceUrl", BaseAddress.ToString()),
        new("Runner:Batch:MaxRetryAttempts", "1"),
        new("Runner:Batch:RetryBaseDelay", "00:00:00.010"),
        new("Operations:Aws:IamServiceUrl", BaseAddress.ToString()),
        new("Operations:Aws:StsServiceUrl", BaseAddress.ToString()),
        new("Operations:Aws:LogsServiceUrl", BaseAddress.ToString()),
        new("Operations:Aws:MaxRetryAttempts", "0"),
    ];

    protected override async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.InputStream.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var headers = request.Headers.AllKeys.Where(k => k is not null)
            .ToDictionary(k => k!.ToLowerInvariant(), k => request.Headers[k]!, StringComparer.Ordinal);
        var signature = SigV4Verifier.Verify(request.HttpMethod, request.Url!.AbsolutePath, request.Url.Query, headers, body, SecretKey);
        var service = signature.Service ?? "unknown";
        var text = Encoding.UTF8.GetString(body);

        Answer answer;
        var expectedRegion = service == "iam" ? IamRegion : Region;
        if (!signature.IsValid || signature.AccessKey != AccessKey || signature.Region != expectedRegion)
        {
            requests.Enqueue((service, request.Url.AbsolutePath, false));
            var message = signature.IsValid ? $"Credential should be scoped to a valid region ({expectedRegion}), not {signature.Region}." : "The request signature we calculated does not match the signature you provided.";
            answer = service is "iam" or "sts" ? Answer.XmlError(403, "SignatureDoesNotMatch", message) : Answer.JsonError(403, "InvalidSignatureException", message);
        }
        else
        {
            answer = service switch
            {
                "batch" => Batch(request.Url.AbsolutePath, request.ContentType, text),
                "iam" => Query("iam", request, text, "2010-05-08", Iam),
                "sts" => Query("sts", request, text, "2011-06-15", Sts),
                "logs" => Logs(headers.GetValueOrDefault("x-amz-target"), request.ContentType, text),
                _ => Answer.JsonError(400, "UnknownService", $"No service {service}"),
            };
        }

        var bytes = Encoding.UTF8.GetBytes(answer.Body);
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    // ---- AWS Batch (REST-JSON) ----

    private Answer Batch(string path, string? contentType, string body)
    {
        requests.Enqueue(("batch", path, true));
        if (contentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            return Answer.JsonError(400, "ClientException", "Content-Type must be application/json");
        }

        var request = JsonNode.Parse(body)!.AsObject();
        var account = Account;
        lock (account)
        {
            switch (path)
            {
                case "/v1/describejobs":
                    var ids = request["jobs"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
                    return Answer.Json(new JsonObject { ["jobs"] = new JsonArray(ids.Where(account.Jobs.ContainsKey).Select(id => (JsonNode)account.Jobs[id].ToJson(id)).ToArray()) });

                case "/v1/describejobqueues":
                    var names = request["jobQueues"]?.AsArray().Select(n => n!.GetValue<string>()).ToList();
                    var queues = account.Queues.Values.Where(q => names is null || names.Contains(q.Name) || names.Contains(q.Arn));
                    return Answer.Json(new JsonObject { ["jobQueues"] = new JsonArray(queues.Select(q => (JsonNode)q.ToJson()).ToArray()) });

                case "/v1/describecomputeenvironments":
                    var wanted = request["computeEnvironments"]?.AsArray().Select(n => n!.GetValue<string>()).ToList();
                    var environments = account.ComputeEnvironments.Values.Where(c => wanted is null || wanted.Contains(c.Name) || wanted.Contains(c.Arn));
                    return Answer.Json(new JsonObject { ["computeEnvironments"] = new JsonArray(environments.Select(c => (JsonNode)c.ToJson()).ToArray()) });

                case "/v1/describejobdefinitions":
                    var byName = request["jobDefinitionName"]?.GetValue<string>();
                    var status = request["status"]?.GetValue<string>();
                    var pinned = request["jobDefinitions"]?.AsArray().Select(n => n!.GetValue<string>()).ToList();
                    var definitions = account.JobDefinitions.Where(d =>
                        (byName is null || d.Name == byName) && (status is null || d.Status == status) &&
                        (pinned is null || pinned.Contains(d.Arn) || pinned.Contains($"{d.Name}:{d.Revision}")));
                    return Answer.Json(new JsonObject { ["jobDefinitions"] = new JsonArray(definitions.Select(d => (JsonNode)d.ToJson()).ToArray()) });

                default:
                    return Answer.JsonError(404, "UnknownOperationException", $"No Batch operation at {path}");
            }
        }
    }

    // ---- IAM and STS (query protocol, XML) ----

    private Answer Query(string service, HttpListenerRequest request, string body, string version, Func<System.Collections.Specialized.NameValueCollection, Answer> handle)
    {
        if (request.Url!.AbsolutePath != "/" || request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) != true)
        {
            return Answer.XmlError(400, "InvalidRequest", "Query requests are form-encoded POSTs to /.");
        }

        var form = HttpUtility.ParseQueryString(body);
        requests.Enqueue((service, form["Action"] ?? "", true));
        return form["Version"] != version
            ? Answer.XmlError(400, "InvalidParameterValue", $"Version must be {version}, not {form["Version"]}.")
            : handle(form);
    }

    private Answer Sts(System.Collections.Specialized.NameValueCollection form) =>
        form["Action"] == "GetCallerIdentity"
            ? Answer.Xml($"""
                <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <GetCallerIdentityResult>
                    <Arn>arn:aws:iam::{FakeAwsAccount.AccountId}:user/academy-ops</Arn>
                    <UserId>AIDAOPERATIONSTEST</UserId>
                    <Account>{FakeAwsAccount.AccountId}</Account>
                  </GetCallerIdentityResult>
                  <ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata>
                </GetCallerIdentityResponse>
                """)
            : Answer.XmlError(400, "InvalidAction", $"Could not find operation {form["Action"]} for version 2011-06-15");

    private Answer Iam(System.Collections.Specialized.NameValueCollection form)
    {
        var account = Account;
        lock (account)
        {
            var action = form["Action"];
            var roleName = form["RoleName"];
            var role = roleName is null ? null : account.Roles.GetValueOrDefault(roleName);
            if (action is "GetRole" or "ListAttachedRolePolicies" or "ListRolePolicies" or "GetRolePolicy" && role is null)
            {
                return Answer.XmlError(404, "NoSuchEntity", $"The role with name {roleName} cannot be found.");
            }

            switch (action)
            {
                case "GetRole":
                    return IamResult(action, $"""
                        <Role>
                          <Path>/</Path>
                          <AssumeRolePolicyDocument>{Uri.EscapeDataString(role!.TrustPolicy)}</AssumeRolePolicyDocument>
                          <MaxSessionDuration>3600</MaxSessionDuration>
                          <RoleId>AROA{roleName!.GetHashCode(StringComparison.Ordinal):X8}</RoleId>
                          <RoleName>{roleName}</RoleName>
                          <Arn>{FakeAwsAccount.RoleArn(roleName)}</Arn>
                          <CreateDate>2026-01-01T00:00:00Z</CreateDate>
                        </Role>
                        """);

                case "ListAttachedRolePolicies":
                    // One policy per page, to exercise the Marker pagination.
                    var start = int.Parse(form["Marker"] ?? "0", CultureInfo.InvariantCulture);
                    var page = role!.AttachedPolicyArns.Skip(start).Take(1).ToList();
                    var more = start + 1 < role.AttachedPolicyArns.Count;
                    return IamResult(action, $"""
                        <AttachedPolicies>{string.Concat(page.Select(arn => $"<member><PolicyName>{arn[(arn.LastIndexOf('/') + 1)..]}</PolicyName><PolicyArn>{arn}</PolicyArn></member>"))}</AttachedPolicies>
                        <IsTruncated>{(more ? "true" : "false")}</IsTruncated>{(more ? $"<Marker>{start + 1}</Marker>" : "")}
                        """);

                case "ListRolePolicies":
                    return IamResult(action, $"""
                        <PolicyNames>{string.Concat(role!.InlinePolicies.Keys.Select(n => $"<member>{n}</member>"))}</PolicyNames>
                        <IsTruncated>false</IsTruncated>
                        """);

                case "GetRolePolicy":
                    var policyName = form["PolicyName"]!;
                    return role!.InlinePolicies.TryGetValue(policyName, out var inline)
                        ? IamResult(action, $"<RoleName>{roleName}</RoleName><PolicyName>{policyName}</PolicyName><PolicyDocument>{Uri.EscapeDataString(inline)}</PolicyDocument>")
                        : Answer.XmlError(404, "NoSuchEntity", $"The role policy with name {policyName} cannot be found.");

                case "GetPolicy":
                    var arn = form["PolicyArn"]!;
                    return account.ManagedPolicies.ContainsKey(arn)
                        ? IamResult(action, $"<Policy><PolicyName>{arn[(arn.LastIndexOf('/') + 1)..]}</PolicyName><DefaultVersionId>v7</DefaultVersionId><Arn>{arn}</Arn><AttachmentCount>1</AttachmentCount></Policy>")
                        : Answer.XmlError(404, "NoSuchEntity", $"Policy {arn} was not found.");

                case "GetPolicyVersion":
                    return form["VersionId"] == "v7" && account.ManagedPolicies.TryGetValue(form["PolicyArn"]!, out var document)
                        ? IamResult(action, $"<PolicyVersion><Document>{Uri.EscapeDataString(document)}</Document><VersionId>v7</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>")
                        : Answer.XmlError(404, "NoSuchEntity", "Policy version not found.");

                default:
                    return Answer.XmlError(400, "InvalidAction", $"Could not find operation {action} for version 2010-05-08");
            }
        }
    }

    private static Answer IamResult(string action, string result) => Answer.Xml($"""
        <{action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
          <{action}Result>{result}</{action}Result>
          <ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata>
        </{action}Response>
        """);

    // ---- CloudWatch Logs (JSON 1.1) ----

    private Answer Logs(string? target, string? contentType, string body)
    {
        requests.Enqueue(("logs", target ?? "", true));
        if (contentType != "application/x-amz-json-1.1" || target?.StartsWith("Logs_20140328.", StringComparison.Ordinal) != true)
        {
            return Answer.JsonError(400, "SerializationException", "Expected application/x-amz-json-1.1 with X-Amz-Target Logs_20140328.<Operation>");
        }

        var request = JsonNode.Parse(body)!.AsObject();
        var account = Account;
        lock (account)
        {
            switch (target["Logs_20140328.".Length..])
            {
                case "DescribeLogGroups":
                    var prefix = request["logGroupNamePrefix"]?.GetValue<string>() ?? "";
                    var groups = account.LogGroups.Where(g => g.Key.StartsWith(prefix, StringComparison.Ordinal));
                    return Answer.Json(new JsonObject
                    {
                        ["logGroups"] = new JsonArray(groups.Select(g => (JsonNode)new JsonObject
                        {
                            ["logGroupName"] = g.Key,
                            ["arn"] = $"arn:aws:logs:{Region}:{FakeAwsAccount.AccountId}:log-group:{g.Key}:*",
                            ["creationTime"] = 1767225600000,
                            ["retentionInDays"] = g.Value,
                            ["storedBytes"] = 0,
                        }).ToArray()),
                    }, "application/x-amz-json-1.1");

                case "FilterLogEvents":
                    var group = request["logGroupName"]!.GetValue<string>();
                    if (!account.LogGroups.ContainsKey(group))
                    {
                        return Answer.JsonError(400, "ResourceNotFoundException", "The specified log group does not exist.");
                    }

                    var streams = request["logStreamNames"]?.AsArray().Select(n => n!.GetValue<string>()).ToList();
                    var events = account.LogEvents.Where(e => e.Key.Group == group && (streams is null || streams.Contains(e.Key.Stream)))
                        .SelectMany(e => e.Value.Select((message, i) => (JsonNode)new JsonObject
                        {
                            ["logStreamName"] = e.Key.Stream,
                            ["timestamp"] = 1767225600000 + i,
                            ["message"] = message,
                            ["ingestionTime"] = 1767225600500 + i,
                            ["eventId"] = $"{i}",
                        }));
                    return Answer.Json(new JsonObject { ["events"] = new JsonArray(events.ToArray()), ["searchedLogStreams"] = new JsonArray() }, "application/x-amz-json-1.1");

                default:
                    return Answer.JsonError(400, "UnknownOperationException", $"No operation {target}");
            }
        }
    }

    private sealed record Answer(int Status, string ContentType, string Body)
    {
        public static Answer Json(JsonNode body, string contentType = "application/json") => new(200, contentType, body.ToJsonString());

        public static Answer JsonError(int status, string type, string message) =>
            new(status, "application/json", JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = type, ["message"] = message }));

        public static Answer Xml(string body) => new(200, "text/xml", body);

        public static Answer XmlError(int status, string code, string message) => new(status, "text/xml", $"""
            <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
              <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>
              <RequestId>{Guid.NewGuid()}</RequestId>
            </ErrorResponse>
            """);
    }
}
