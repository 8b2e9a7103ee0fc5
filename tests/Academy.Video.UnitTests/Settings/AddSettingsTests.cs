using Academy.Video.Application.Common;
using Academy.Video.Infrastructure.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Academy.Video.UnitTests.Settings;

public sealed class AddSettingsTests
{
    [Theory]
    [InlineData(null, "00:00:07", "00:00:07")]
    [InlineData("00:00:09", "00:00:07", "00:00:09")]
    [InlineData(null, null, "00:01:00")]
    public void An_old_key_in_KeyChanges_is_honoured_and_the_new_one_wins(string? current, string? old, string expected)
    {
        var values = new Dictionary<string, string?>();
        if (current is not null)
        {
            values["Recovery:RunnerCallTimeout"] = current;
        }

        if (old is not null)
        {
            values["Runner:Batch:CallTimeout"] = old;
        }

        using var provider = Provider(values);

        Assert.Equal(TimeSpan.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), provider.GetRequiredService<IOptions<RecoveryOptions>>().Value.RunnerCallTimeout);
    }

    [Fact]
    public void The_options_validator_is_attached_and_the_section_recorded_once()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Recovery:BatchSize"] = "0" }).Build();
        services.AddSettings<RecoveryOptions>(configuration, RecoveryOptions.Section);
        services.AddSettings<RecoveryOptions>(configuration, RecoveryOptions.Section);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RecoveryOptions>>().Value);
        Assert.Equal("RecoveryOptions.BatchSize: 'Batch Size' must be between 1 and 10000. You entered 0.", Assert.Single(error.Failures));
        Assert.Equal(new SettingsSection(typeof(RecoveryOptions), "Recovery", true), Assert.Single(provider.GetRequiredService<SettingsCatalog>().Sections));
    }

    private static ServiceProvider Provider(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        services.AddSettings<RecoveryOptions>(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), RecoveryOptions.Section);
        return services.BuildServiceProvider();
    }
}
