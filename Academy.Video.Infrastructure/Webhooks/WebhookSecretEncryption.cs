using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Academy.Video.Application.Common;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Webhooks;

/// <summary>
/// The keys webhook signing secrets are stored under (section <c>Webhooks</c>, decision 0014): the current key
/// encrypts, it and the earlier ones decrypt. Each is 32 random bytes in base64.
/// </summary>
public sealed class WebhookSecretEncryptionOptions
{
    public const string KeySetting = "Webhooks:SecretEncryptionKey";
    public const string OldKeysSetting = "Webhooks:SecretEncryptionKeys";
    public const int KeyBytes = 32;

    /// <summary>The current key: new and re-encrypted secrets are stored under it.</summary>
    [Secret]
    public string? SecretEncryptionKey { get; set; }

    /// <summary>Earlier keys, kept after a rotation so rows still under them can be read until they are re-encrypted.</summary>
    [Secret]
    public List<string> SecretEncryptionKeys { get; set; } = [];

    /// <summary>Set by the API in local mode: with no key configured, the embedded development key is used.</summary>
    public bool DevelopmentKeyAllowed { get; private set; }

    public void AllowDevelopmentKey() => DevelopmentKeyAllowed = true;

    /// <summary>
    /// A fixed key for local mode only, derived from a name in this source: it protects nothing from anyone who
    /// reads the source, and is refused outside local mode.
    /// </summary>
    public static byte[] DevelopmentKey() =>
        SHA256.HashData(Encoding.UTF8.GetBytes("academy-video-local-development-webhook-secret-encryption-key"));

    /// <summary>The key bytes of a setting, or null when it is not 32 bytes of base64.</summary>
    public static byte[]? Decode(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
        {
            return null;
        }

        try
        {
            var key = Convert.FromBase64String(setting.Trim());
            return key.Length == KeyBytes ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>The start-up rules of <see cref="WebhookSecretEncryptionOptions"/>: outside local mode a key of our own is required.</summary>
public sealed class WebhookSecretEncryptionValidation : IValidateOptions<WebhookSecretEncryptionOptions>
{
    private const string Generate = "32 random bytes in base64, e.g. the output of `openssl rand -base64 32`";

    public ValidateOptionsResult Validate(string? name, WebhookSecretEncryptionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.SecretEncryptionKey))
        {
            if (!options.DevelopmentKeyAllowed)
            {
                failures.Add($"{WebhookSecretEncryptionOptions.KeySetting} is not set: outside local mode webhook secrets are stored encrypted " +
                    $"under a key of your own. Set {WebhookSecretEncryptionOptions.KeySetting} (environment variable Webhooks__SecretEncryptionKey) " +
                    $"to {Generate}; keep earlier keys in {WebhookSecretEncryptionOptions.OldKeysSetting} after a rotation.");
            }
        }
        else if (WebhookSecretEncryptionOptions.Decode(options.SecretEncryptionKey) is not { } key)
        {
            failures.Add($"{WebhookSecretEncryptionOptions.KeySetting} must be {Generate}.");
        }
        else if (!options.DevelopmentKeyAllowed && CryptographicOperations.FixedTimeEquals(key, WebhookSecretEncryptionOptions.DevelopmentKey()))
        {
            failures.Add($"{WebhookSecretEncryptionOptions.KeySetting} is the development key, which is public in the source code: set {Generate}.");
        }

        for (var i = 0; i < options.SecretEncryptionKeys.Count; i++)
        {
            if (WebhookSecretEncryptionOptions.Decode(options.SecretEncryptionKeys[i]) is null)
            {
                failures.Add($"{WebhookSecretEncryptionOptions.OldKeysSetting}:{i} must be {Generate}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Encrypts a webhook signing secret for its row and decrypts it back (decision 0014). The stored form is
/// <c>enc1:{key id}:{base64(nonce | tag | ciphertext)}</c>: AES-256-GCM with a fresh 96-bit nonce, the endpoint's
/// id as associated data (a ciphertext copied onto another row does not decrypt), and as key id the first 8 hex
/// digits of the key's SHA-256, so a rotation needs no naming of keys. A value without the prefix is a row written
/// before encryption, read as it is until it is re-encrypted.
/// </summary>
public sealed class WebhookSecretProtector
{
    public const string Prefix = "enc1:";

    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly (string Id, byte[] Key) current;
    private readonly Dictionary<string, byte[]> keys = new(StringComparer.Ordinal);

    public WebhookSecretProtector(IOptions<WebhookSecretEncryptionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        var developmentKey = WebhookSecretEncryptionOptions.DevelopmentKey();
        var currentKey = WebhookSecretEncryptionOptions.Decode(value.SecretEncryptionKey)
            ?? (value.DevelopmentKeyAllowed && string.IsNullOrWhiteSpace(value.SecretEncryptionKey)
                ? developmentKey
                : throw new InvalidOperationException($"{WebhookSecretEncryptionOptions.KeySetting} must be set to 32 bytes of base64 outside local mode."));
        current = (KeyId(currentKey), currentKey);
        // The development key stays readable everywhere, so rows written in local mode move to the real key.
        foreach (var key in value.SecretEncryptionKeys.Select(WebhookSecretEncryptionOptions.Decode).OfType<byte[]>().Prepend(developmentKey).Prepend(currentKey))
        {
            keys.TryAdd(KeyId(key), key);
        }
    }

    public string CurrentKeyId => current.Id;

    /// <summary>The first 8 hex digits of the key's SHA-256: names the key in a stored value without revealing it.</summary>
    public static string KeyId(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key))[..8];

    public string Protect(Guid endpointId, string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var plaintext = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceBytes + TagBytes + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(current.Key, TagBytes);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceBytes + TagBytes), sealedBytes.AsSpan(NonceBytes, TagBytes), AssociatedData(endpointId));
        return $"{Prefix}{current.Id}:{Convert.ToBase64String(sealedBytes)}";
    }

    /// <summary>The secret of a stored value, and whether the value is already under the current key.</summary>
    /// <exception cref="WebhookSecretUnreadableException">Its key is not configured, or it does not decrypt.</exception>
    public (string Secret, bool UnderCurrentKey) Unprotect(Guid endpointId, string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return (stored, false);
        }

        var parts = stored[Prefix.Length..].Split(':', 2);
        if (parts.Length != 2 || !keys.TryGetValue(parts[0], out var key))
        {
            throw new WebhookSecretUnreadableException(
                $"The secret of webhook endpoint {endpointId} is encrypted under key {(parts.Length == 2 ? parts[0] : "(unreadable)")}, which neither " +
                $"{WebhookSecretEncryptionOptions.KeySetting} nor {WebhookSecretEncryptionOptions.OldKeysSetting} holds: put the key it was written under back in {WebhookSecretEncryptionOptions.OldKeysSetting}.");
        }

        try
        {
            var sealedBytes = Convert.FromBase64String(parts[1]);
            var plaintext = new byte[sealedBytes.Length - NonceBytes - TagBytes];
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes + TagBytes), sealedBytes.AsSpan(NonceBytes, TagBytes), plaintext, AssociatedData(endpointId));
            return (Encoding.UTF8.GetString(plaintext), parts[0] == current.Id);
        }
        catch (Exception error) when (error is CryptographicException or FormatException or OverflowException)
        {
            throw new WebhookSecretUnreadableException($"The secret of webhook endpoint {endpointId} does not decrypt under key {parts[0]}: the row was altered or copied from another endpoint.", error);
        }
    }

    private static byte[] AssociatedData(Guid endpointId) => Encoding.UTF8.GetBytes("academy-video:webhook-secret:" + endpointId.ToString("D", CultureInfo.InvariantCulture));
}

/// <summary>A stored webhook secret that cannot be decrypted with the configured keys.</summary>
public sealed class WebhookSecretUnreadableException(string message, Exception? inner = null) : Exception(message, inner);
