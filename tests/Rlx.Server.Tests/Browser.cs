using Microsoft.Playwright;

namespace Rlx.Server.Tests;

/// <summary>Debian's Chromium driven by Playwright (no browser download): a fresh profile per test, screenshots kept under the test output's screenshots/.</summary>
internal sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private readonly IPlaywright _playwright;
    private readonly string _profile;

    private Browser(IPlaywright playwright, IBrowserContext context, IPage page, string profile)
    {
        _playwright = playwright;
        Context = context;
        Page = page;
        _profile = profile;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>Skips the calling test, saying why, when Chromium is not installed.</summary>
    public static void SkipIfUnavailable() =>
        Skip.IfNot(File.Exists(ChromiumPath), $"{ChromiumPath} is not installed (scripts/deps/install.sh installs it with apt-get; it could not here), so the dashboard browser tests are skipped.");

    public static async Task<Browser> LaunchAsync()
    {
        SkipIfUnavailable();
        IPlaywright playwright = await Playwright.CreateAsync();
        string profile = Directory.CreateTempSubdirectory("rlx-chromium-").FullName;
        IBrowserContext context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        IPage page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        return new Browser(playwright, context, page, profile);
    }

    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        _playwright.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
