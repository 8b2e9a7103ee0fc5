using Academy.Video.Application.Common;

namespace Academy.Video.Infrastructure.Settings;

/// <summary>What became of a setting key that is no longer the one to set.</summary>
public enum KeyChangeKind
{
    /// <summary>Renamed: the old key still works (the new one wins when both are set) and is not warned about.</summary>
    Renamed,

    /// <summary>Replaced: the old key still works (the new one wins) but check-settings names it as obsolete.</summary>
    Deprecated,

    /// <summary>No longer read: setting it has no effect; check-settings names the key to set instead.</summary>
    Obsolete,
}

public sealed record KeyChange(string OldKey, string NewKey, KeyChangeKind Kind)
{
    public bool Honoured => Kind is not KeyChangeKind.Obsolete;
}

/// <summary>The one table of setting keys that changed name; <see cref="SettingsServiceCollectionExtensions.AddSettings{TOptions}"/> honours the old keys, check-settings names them.</summary>
public static class KeyChanges
{
    public static IReadOnlyList<KeyChange> All { get; } =
    [
        new(UploadOptions.LegacyMaxBytesKey, $"{UploadOptions.Section}:{nameof(UploadOptions.MaxBytes)}", KeyChangeKind.Renamed),
        new("Uploads:UploadUrlValidFor", $"{UploadOptions.Section}:{nameof(UploadOptions.Expiry)}", KeyChangeKind.Obsolete),
        // One bound on a runner call, the Batch client's included (docs/decisions/0013-named-resilience-pipelines.md).
        new("Runner:Batch:CallTimeout", $"{RecoveryOptions.Section}:{nameof(RecoveryOptions.RunnerCallTimeout)}", KeyChangeKind.Deprecated),
    ];

    /// <summary>The change of <paramref name="key"/> (compared without case), if it is an old key.</summary>
    public static KeyChange? Of(string key) => All.FirstOrDefault(c => c.OldKey.Equals(key, StringComparison.OrdinalIgnoreCase));
}
