using Academy.Video.Testing;

namespace Academy.Video.Api.Tests.Console;

/// <summary>One API (real database, real worker processes) and one browser for all the console's tests.</summary>
public class ConsoleFixture : IAsyncLifetime
{
    public ConsoleFixture()
        : this(new ConsoleApiFactory())
    {
    }

    /// <summary>An API with settings of its own (a slower encode) behind the same browser harness.</summary>
    protected ConsoleFixture(ConsoleApiFactory api) => Api = api;

    /// <summary>Set to a folder (relative to the repository) to write the screenshots there, e.g. docs/console.</summary>
    public const string ScreenshotsVariable = "ACADEMY_CONSOLE_SCREENSHOTS";

    public ConsoleApiFactory Api { get; }

    public Browser Browser { get; private set; } = null!;

    /// <summary>Where the screenshots go: <see cref="ScreenshotsVariable"/>, or a folder under the temp directory.</summary>
    public string ScreenshotDirectory { get; } = Environment.GetEnvironmentVariable(ScreenshotsVariable) is { Length: > 0 } folder
        ? Path.GetFullPath(folder, RepositoryLayout.Root)
        : Path.Combine(Path.GetTempPath(), "academy-video-console-screenshots");

    public async Task InitializeAsync()
    {
        await Api.InitializeAsync();
        Api.StartServer();
        Browser = new Browser(Api.BaseUrl);
    }

    public async Task DisposeAsync()
    {
        Browser?.Dispose();
        await Api.DisposeAsync();
    }
}
