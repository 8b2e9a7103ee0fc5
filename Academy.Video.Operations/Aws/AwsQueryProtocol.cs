using System.Net;
using System.Xml.Linq;
using Academy.Video.Infrastructure.Aws;
using Microsoft.Extensions.Logging;
using Polly;

namespace Academy.Video.Operations.Aws;

/// <summary>
/// The AWS query protocol of IAM and STS: a form-encoded POST to <c>/</c> with <c>Action</c> and
/// <c>Version</c>, answered with XML (<c>&lt;ActionResponse&gt;&lt;ActionResult&gt;…</c>, or
/// <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;</c>). Hand-written with the Batch client
/// because the AWSSDK service packages are not available here.
/// </summary>
internal sealed class AwsQueryProtocol(HttpClient httpClient, ResiliencePipeline retry, ILogger logger, string apiVersion)
{
    private readonly AwsCaller caller = new("AWS", logger);

    /// <summary>Sends the operation and returns its <c>…Result</c> element.</summary>
    public async Task<XElement> SendAsync(AwsOperation operation, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", operation.Name), new("Version", apiVersion) };
        form.AddRange(parameters);
        return await retry.ExecuteAsync(caller, async token =>
        {
            // A new message per attempt: each one is signed afresh.
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri("/", UriKind.Relative));
            message.Content = new FormUrlEncodedContent(form);
            using var response = await httpClient.SendAsync(message, token);
            var body = await response.Content.ReadAsStringAsync(token);
            if (!response.IsSuccessStatusCode)
            {
                throw Error(operation, response.StatusCode, body);
            }

            var root = Parse(operation, response.StatusCode, body);
            return root.Elements().FirstOrDefault(e => e.Name.LocalName == operation.Name + "Result")
                ?? throw new AwsServiceException(operation, response.StatusCode, "InvalidResponse", $"no {operation.Name}Result element in the answer");
        }, cancellationToken);
    }

    /// <summary>The text of the first descendant with this local name (namespaces vary by service).</summary>
    public static string? Text(XElement element, string name) =>
        element.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    public static XElement? Child(XElement element, string name) =>
        element.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    /// <summary>The <c>&lt;member&gt;</c> items of a list element.</summary>
    public static IEnumerable<XElement> Members(XElement element, string listName) =>
        Child(element, listName)?.Elements().Where(e => e.Name.LocalName == "member") ?? [];

    private static XElement Parse(AwsOperation operation, HttpStatusCode status, string body)
    {
        try
        {
            return XDocument.Parse(body).Root ?? throw new AwsServiceException(operation, status, "InvalidResponse", "empty XML document");
        }
        catch (System.Xml.XmlException ex)
        {
            throw new AwsServiceException(operation, status, "InvalidResponse", $"the answer is not XML: {ex.Message}");
        }
    }

    private static AwsServiceException Error(AwsOperation operation, HttpStatusCode status, string body)
    {
        try
        {
            var root = XDocument.Parse(body).Root;
            if (root is not null)
            {
                return new AwsServiceException(operation, status, Text(root, "Code") ?? status.ToString(), Text(root, "Message") ?? string.Empty);
            }
        }
        catch (System.Xml.XmlException)
        {
            // A proxy in front of AWS may answer with HTML or plain text: its body is the message.
        }

        return new AwsServiceException(operation, status, status.ToString(), body.Length > 300 ? body[..300] : body);
    }
}
