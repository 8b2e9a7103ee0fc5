using System.Buffers.Binary;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Academy.Video.Api.Tests.Console;

/// <summary>
/// Debian's chromium, headless, driven by Debian's chromium-driver (build/install-deps.sh installs both).
/// A fresh profile per run; as root Chromium needs --no-sandbox, and the background services are off so
/// it makes no connection but to the API under test.
/// </summary>
public sealed class Browser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";

    /// <summary>The two sizes the console is made for: a laptop and a phone.</summary>
    public static readonly (int Width, int Height, string Name)[] Sizes = [(1280, 800, "1280x800"), (390, 844, "390x844")];

    private readonly string profile = Path.Combine(Path.GetTempPath(), "academy-video-chromium", Guid.NewGuid().ToString("N"));
    private readonly ChromeDriver driver;

    public Browser(string baseUrl)
    {
        foreach (var path in new[] { ChromiumPath, DriverPath })
        {
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"{path} is missing: install Debian's chromium and chromium-driver (build/install-deps.sh does).");
            }
        }

        BaseUrl = baseUrl;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required",
            "--window-size=1280,800", "--lang=en-US", $"--user-data-dir={profile}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        driver = new ChromeDriver(service, options, TimeSpan.FromMinutes(2));
        driver.Manage().Timeouts().AsynchronousJavaScript = TimeSpan.FromSeconds(30);
        Viewport(1280, 800);
    }

    public string BaseUrl { get; }

    public IWebDriver Driver => driver;

    public string CurrentPath => new Uri(driver.Url).PathAndQuery;

    public void Open(string path) => driver.Navigate().GoToUrl(BaseUrl + path);

    public IWebElement Find(string css) => driver.FindElement(By.CssSelector(css));

    public IReadOnlyCollection<IWebElement> FindAll(string css) => driver.FindElements(By.CssSelector(css));

    /// <summary>Waits for an element matching <paramref name="css"/> that satisfies <paramref name="condition"/> (default: shown).</summary>
    public IWebElement WaitFor(string css, Func<IWebElement, bool>? condition = null, TimeSpan? timeout = null)
    {
        var wait = new WebDriverWait(driver, timeout ?? TimeSpan.FromSeconds(30)) { PollingInterval = TimeSpan.FromMilliseconds(200) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        try
        {
            return wait.Until(d => d.FindElements(By.CssSelector(css)).FirstOrDefault(e => condition?.Invoke(e) ?? e.Displayed));
        }
        catch (WebDriverTimeoutException)
        {
            throw new TimeoutException($"No '{css}' as expected on {driver.Url} within {wait.Timeout}. The page says:\n{Text("main")}");
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling the page.</summary>
    public void Until(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var wait = new WebDriverWait(driver, timeout ?? TimeSpan.FromSeconds(30)) { PollingInterval = TimeSpan.FromMilliseconds(250) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        try
        {
            wait.Until(_ => condition());
        }
        catch (WebDriverTimeoutException)
        {
            throw new TimeoutException($"{what}: not within {wait.Timeout} on {driver.Url}. The page says:\n{Text("main")}");
        }
    }

    /// <summary>The element's text, or empty when there is none; read again when the page re-renders it between the find and the read.</summary>
    public string Text(string css)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return driver.FindElement(By.CssSelector(css)).Text;
            }
            catch (NoSuchElementException)
            {
                return "";
            }
            catch (StaleElementReferenceException) when (attempt < 5)
            {
                // The console's live refresh replaced the element (seen once in CI on the video page's status chip).
            }
        }
    }

    public object? Script(string script, params object[] args) => driver.ExecuteScript(script, args);

    public void SignIn(string key)
    {
        Script("sessionStorage.clear()");
        Open("/admin/signin");
        var input = WaitFor("#api-key");
        input.SendKeys(key);
        input.SendKeys(Keys.Enter);
        WaitFor(".who");
    }

    /// <summary>The page's layout viewport, exactly (headless window sizes include no browser chrome, but this does not depend on it).</summary>
    public void Viewport(int width, int height) =>
        driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = width,
            ["height"] = height,
            ["deviceScaleFactor"] = 1,
            ["mobile"] = width < 600,
        });

    /// <summary>
    /// Screenshots of the page as it is, at each of <see cref="Sizes"/>, into <paramref name="directory"/> as
    /// <c>name-WxH.png</c>; checks each is a PNG of the viewport's size. The viewport is 1280×800 again afterwards.
    /// </summary>
    public IReadOnlyList<string> Screenshots(string directory, string name, Action? settle = null)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        foreach (var (width, height, label) in Sizes)
        {
            Viewport(width, height);
            Script("document.activeElement?.blur(); window.scrollTo(0, 0);");
            settle?.Invoke();
            Thread.Sleep(400);
            var file = Path.Combine(directory, $"{name}-{label}.png");
            var png = driver.GetScreenshot().AsByteArray;
            File.WriteAllBytes(file, png);
            Assert.Equal((width, height), PngSize(png));
            files.Add(file);
        }

        Viewport(1280, 800);
        return files;
    }

    public static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.True(png.Length > 24 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "not a PNG");
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
    }

    public void Dispose()
    {
        driver.Quit();
        driver.Dispose();
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be closing files of its profile; the temp folder is left then.
        }
    }
}
