namespace Academy.Video.Application.Common;

/// <summary>
/// A setting that is a secret (a key, a password, a signing or encryption key): check-settings shows it masked,
/// <see cref="Identifiable"/> ones with their first four characters so two keys can be told apart.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute
{
    public bool Identifiable { get; init; }
}
