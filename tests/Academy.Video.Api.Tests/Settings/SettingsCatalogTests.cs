using Academy.Video.Api;
using Academy.Video.Api.Security;
using Academy.Video.Infrastructure.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Tests.Settings;

/// <summary>Every settings type the API binds goes through AddSettings, so the catalog (check-settings, docs/configuration.md) knows it.</summary>
public sealed class SettingsCatalogTests
{
    public static TheoryData<string, string> Compositions() => new()
    {
        { "Local", "Local" },
        { "Batch", "S3" },
    };

    [Theory]
    [MemberData(nameof(Compositions))]
    public void Every_options_type_the_api_configures_is_in_the_settings_catalog(string runner, string storage)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Runner:Kind"] = runner,
            ["Storage:Provider"] = storage,
        });
        builder.AddVideoApi();

        var catalog = builder.Services.Catalog();
        var configured = builder.Services
            .Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IConfigureOptions<>))
            .Select(t => t.GetGenericArguments()[0])
            .Where(t => t.Assembly.GetName().Name!.StartsWith("Academy.Video", StringComparison.Ordinal))
            // Not a section: the one LocalMode key, read by the local-mode guards.
            .Where(t => t != typeof(LocalModeOptions))
            .Distinct()
            .ToList();

        Assert.NotEmpty(configured);
        Assert.All(configured, t => Assert.True(catalog.Contains(t), $"{t.Name} is configured without AddSettings"));
        Assert.All(catalog.Sections, s => Assert.Contains(s.OptionsType, configured));
    }
}
