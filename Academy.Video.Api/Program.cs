using Academy.Video.Api;

// "Academy.Video.Api <verb> [options]" runs one operator command and exits (migrate, scan-stuck-jobs,
// check-settings, validate-system, diagnose-infra); with no verb it serves HTTP. Settings come from
// appsettings, environment variables and --Key=value.
var command = ApiCommands.Find(args);
if (command is not null)
{
    return await ApiCommands.RunAsync(command, args[1..], Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddVideoApi();
var app = builder.Build();
app.MapVideoApi();
await app.MigrateDatabaseAsync();
await app.RunAsync();
return 0;

/// <summary>Visible to WebApplicationFactory in the API tests.</summary>
public partial class Program;
