namespace Academy.Video.Domain;

/// <summary>The one error type the domain throws: a rule was broken, named by <see cref="Code"/>.</summary>
public class DomainException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
