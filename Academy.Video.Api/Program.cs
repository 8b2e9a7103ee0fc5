using Academy.Video.Api;

// "Academy.Video.Api migrate" and "Academy.Video.Api scan-stuck-jobs [--dry-run]" run one command and exit;
// with no command it serves HTTP. Settings come from appsettings, environment variables and --Key=value.
var command = ApiCommands.Find(args);
var builder = WebApplication.CreateBuilder(command is null ? args : args[1..].Where(a => a.Contains('=')).ToArray());
builder.AddVideoApi();
var app = builder.Build();
if (command is not null)
{
    return await app.RunCommandAsync(command, args[1..]);
}

app.MapVideoApi();
await app.MigrateDatabaseAsync();
await app.RunAsync();
return 0;

/// <summary>Visible to WebApplicationFactory in the API tests.</summary>
public partial class Program;
