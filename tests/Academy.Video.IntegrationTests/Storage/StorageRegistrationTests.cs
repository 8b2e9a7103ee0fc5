using Academy.Video.Application.Storage;
using Academy.Video.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Storage;

public sealed class StorageRegistrationTests
{
    [Fact]
    public void Without_a_provider_the_local_store_is_registered_under_both_types()
    {
        using var provider = Build(new() { ["Storage:Local:RootPath"] = "relative/objects" });

        var storage = provider.GetRequiredService<IObjectStorage>();

        var local = Assert.IsType<LocalFileObjectStorage>(storage);
        Assert.Same(local, provider.GetRequiredService<LocalFileObjectStorage>());
        Assert.Equal(Path.GetFullPath("relative/objects"), local.RootPath);
        Assert.Equal(new Uri("http://127.0.0.1:5080/media/a/b.ts"), local.GetPlaybackUrl("a/b.ts"));
    }

    [Fact]
    public void The_s3_provider_registers_the_s3_store_with_its_settings()
    {
        using var provider = Build(new()
        {
            ["Storage:Provider"] = "s3",
            ["Storage:S3:ServiceUrl"] = "http://127.0.0.1:54569",
            ["Storage:S3:Bucket"] = "academy-video",
            ["Storage:S3:AccessKey"] = "S3RVER",
            ["Storage:S3:SecretKey"] = "S3RVER",
            ["Storage:S3:PublicBaseUrl"] = "https://cdn.academy.example",
        });

        var storage = provider.GetRequiredService<IObjectStorage>();

        Assert.Same(provider.GetRequiredService<S3ObjectStorage>(), Assert.IsType<S3ObjectStorage>(storage));
        Assert.Equal(new Uri("https://cdn.academy.example/a/b.ts"), storage.GetPlaybackUrl("a/b.ts"));
        Assert.Equal("auto", provider.GetRequiredService<IOptions<S3StorageOptions>>().Value.Region);
    }

    [Fact]
    public void The_s3_provider_without_settings_fails_naming_each_missing_one()
    {
        using var provider = Build(new() { ["Storage:Provider"] = "S3", ["Storage:S3:AccessKey"] = "key" });

        var exception = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IObjectStorage>());

        Assert.Contains("Storage:S3:ServiceUrl", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:S3:Bucket", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:S3:SecretKey", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Storage:S3:AccessKey", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_provider_is_refused_at_registration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:Provider"] = "Azure" }).Build();

        var exception = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddObjectStorage(configuration));

        Assert.Contains("'Azure'", exception.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddObjectStorage(configuration).BuildServiceProvider();
    }
}
