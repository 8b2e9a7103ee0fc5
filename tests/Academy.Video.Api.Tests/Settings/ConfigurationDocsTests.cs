using Academy.Video.Api;
using Academy.Video.Infrastructure.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Academy.Video.Api.Tests.Settings;

/// <summary>docs/configuration.md's reference table is the settings catalog's: a new or changed setting fails here until the page is regenerated.</summary>
public sealed class ConfigurationDocsTests
{
    [Fact]
    public void The_configuration_reference_in_the_docs_matches_the_settings_catalog()
    {
        var sections = new[] { ("Local", "Local"), ("Batch", "S3") }.SelectMany(c => Catalog(c.Item1, c.Item2).Sections).ToList();
        var table = SettingsReference.Table(sections);
        var path = Path.Combine(RepositoryRoot(), "docs", "configuration.md");
        var page = File.ReadAllText(path).ReplaceLineEndings("\n");
        var expected = SettingsReference.Replace(page, table);

        if (Environment.GetEnvironmentVariable("UPDATE_CONFIG_DOCS") == "1")
        {
            File.WriteAllText(path, expected);
            return;
        }

        Assert.True(expected == page, "docs/configuration.md's reference table is stale: run this test with UPDATE_CONFIG_DOCS=1 to regenerate it.");
        Assert.Contains("| `Recovery:RunnerCallTimeout` | `00:01:00` |", page, StringComparison.Ordinal);
    }

    private static SettingsCatalog Catalog(string runner, string storage)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Runner:Kind"] = runner, ["Storage:Provider"] = storage });
        builder.AddVideoApi();
        return builder.Services.Catalog();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Academy.Video.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Academy.Video.sln not found above the test's directory.");
    }
}
