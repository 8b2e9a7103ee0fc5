namespace Academy.Video.Infrastructure.Settings;

/// <summary>One options type and the configuration section it is bound from.</summary>
public sealed record SettingsSection(Type OptionsType, string Section, bool ValidatedOnStart);

/// <summary>
/// Every options type a host binds, with its section: filled by <see cref="SettingsServiceCollectionExtensions.AddSettings{TOptions}"/>
/// while services are registered, read by the operator's settings check and the configuration reference (docs/configuration.md).
/// </summary>
public sealed class SettingsCatalog
{
    private readonly List<SettingsSection> sections = [];

    public IReadOnlyList<SettingsSection> Sections => sections;

    public bool Contains(Type optionsType) => sections.Exists(s => s.OptionsType == optionsType);

    internal void Add(SettingsSection section)
    {
        var existing = sections.FindIndex(s => s.OptionsType == section.OptionsType && s.Section == section.Section);
        if (existing < 0)
        {
            sections.Add(section);
        }
        else if (section.ValidatedOnStart && !sections[existing].ValidatedOnStart)
        {
            sections[existing] = section;
        }
    }
}
