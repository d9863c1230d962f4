using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Rlx.Server.Hosting;

/// <summary>The dashboard: one page with its script and styles (embedded, no build step), and the login page when a token is set.</summary>
internal static class DashboardEndpoints
{
    private static readonly Lazy<byte[]> Html = new(() => Resource("dashboard.html"));
    private static readonly Lazy<byte[]> Script = new(() => Resource("dashboard.js"));
    private static readonly Lazy<byte[]> Styles = new(() => Resource("dashboard.css"));

    public static void Map(IEndpointRouteBuilder app, TokenGate gate)
    {
        app.MapGet("/", () => Results.Bytes(Html.Value, "text/html; charset=utf-8"));
        app.MapGet("/dashboard.js", () => Results.Bytes(Script.Value, "text/javascript; charset=utf-8"));
        app.MapGet("/dashboard.css", () => Results.Bytes(Styles.Value, "text/css; charset=utf-8"));
        app.MapGet("/login", () => Results.Content(LoginPage(null), "text/html; charset=utf-8"));
        app.MapPost("/login", async (HttpContext context) =>
        {
            IFormCollection form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            if (!gate.Enabled)
            {
                return Results.Redirect("/");
            }

            if (!gate.IsTokenValid(form["token"].ToString()))
            {
                return Results.Content(LoginPage("That token is not the head's access token."), "text/html; charset=utf-8", statusCode: 401);
            }

            context.Response.Cookies.Append(TokenGate.CookieName, gate.SessionCookieValue, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                Path = "/",
            });
            return Results.Redirect("/");
        });
        app.MapPost("/logout", (HttpContext context) =>
        {
            context.Response.Cookies.Delete(TokenGate.CookieName);
            return Results.Redirect("/login");
        });
    }

    private static string LoginPage(string? error) => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Rlx head: sign in</title>
        <style>body{font:15px system-ui,sans-serif;margin:4rem auto;max-width:26rem;color:#1d2430}input,button{font:inherit;padding:.4rem;margin:.3rem 0;width:100%}.error{color:#b00020}</style></head>
        <body><h1>Rlx head</h1><p>This head requires its access token (<code>rlx start --head</code> printed where to find it).</p>
        {{(error is null ? "" : $"<p class=\"error\">{WebUtility.HtmlEncode(error)}</p>")}}
        <form method="post" action="/login"><label>Access token <input type="password" name="token" autocomplete="current-password" autofocus></label><button type="submit">Sign in</button></form>
        </body></html>
        """;

    private static byte[] Resource(string name)
    {
        using Stream stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("Rlx.Server." + name)
            ?? throw new InvalidOperationException($"The dashboard resource {name} is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
