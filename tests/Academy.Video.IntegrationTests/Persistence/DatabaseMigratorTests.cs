using Academy.Video.Infrastructure.Persistence;
using Dapper;

namespace Academy.Video.IntegrationTests.Persistence;

public sealed class DatabaseMigratorTests
{
    [Fact]
    public async Task Migrates_an_empty_database_and_records_each_version_with_its_checksum()
    {
        await using var database = await EmptyDatabaseAsync();

        var applied = await new DatabaseMigrator(database.DataSource).MigrateAsync();

        Assert.Equal(DatabaseMigrator.Migrations.Select(m => m.Version), applied);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var history = (await connection.QueryAsync<(int Version, string Checksum)>(
            "SELECT version, checksum FROM schema_history ORDER BY version")).ToList();
        Assert.Equal(DatabaseMigrator.Migrations.Select(m => (m.Version, m.Checksum)), history);
        var tables = (await connection.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")).ToList();
        Assert.Equal(["caption_generations", "caption_words", "duty_leases", "schema_history", "storage_cleanups", "video_caption_cues", "video_caption_tracks", "video_caption_units", "video_caption_word_counts", "video_events", "video_job_attempts", "video_job_chunks", "video_multipart_uploads", "video_transcode_jobs", "videos", "webhook_deliveries", "webhook_delivery_attempts", "webhook_endpoints"], tables);
    }

    [Fact]
    public async Task Running_again_applies_nothing()
    {
        await using var database = await EmptyDatabaseAsync();
        var migrator = new DatabaseMigrator(database.DataSource);
        await migrator.MigrateAsync();

        var second = await migrator.MigrateAsync();

        Assert.Empty(second);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(DatabaseMigrator.Migrations.Count, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_history"));
    }

    [Fact]
    public async Task Two_migrators_at_once_apply_each_migration_exactly_once()
    {
        await using var database = await EmptyDatabaseAsync();
        await using var first = database.CreateDataSource();
        await using var second = database.CreateDataSource();

        var results = await Task.WhenAll(
            Task.Run(() => new DatabaseMigrator(first).MigrateAsync()),
            Task.Run(() => new DatabaseMigrator(second).MigrateAsync()));

        Assert.Equal(
            DatabaseMigrator.Migrations.Select(m => m.Version),
            results.SelectMany(r => r).Order());
        await using var connection = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(DatabaseMigrator.Migrations.Count, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_history"));
    }

    [Fact]
    public async Task A_changed_applied_migration_is_refused()
    {
        await using var database = await EmptyDatabaseAsync();
        var migrator = new DatabaseMigrator(database.DataSource);
        await migrator.MigrateAsync();
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE schema_history SET checksum = 'edited' WHERE version = 1");
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.MigrateAsync());
        Assert.Contains("was changed after it was applied", error.Message, StringComparison.Ordinal);
    }

    private static Task<PostgresDatabase> EmptyDatabaseAsync() => PostgresDatabase.CreateAsync(migrate: false);
}
