using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace Academy.Video.IntegrationTests.Deployment;

/// <summary>
/// The AWS stacks give the API and the worker a connection string without its password and the password
/// from the RDS-managed secret as PGPASSWORD (build/aws/*.yaml), so a rotated password reaches the next
/// container. That works only because Npgsql itself falls back to PGPASSWORD: proven here against a
/// server that asks for the password and records what the real Npgsql client sends.
/// </summary>
public sealed class NpgsqlPasswordFromEnvironmentTests
{
    [Fact]
    public async Task A_connection_string_without_a_password_sends_PGPASSWORD()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = CapturePasswordAsync(listener);
        var previous = Environment.GetEnvironmentVariable("PGPASSWORD");
        Environment.SetEnvironmentVariable("PGPASSWORD", "from-the-secret-0123");
        try
        {
            await using var connection = new NpgsqlConnection(
                $"Host=127.0.0.1;Port={port};Database=academy_video;Username=academy;SSL Mode=Disable;Pooling=false;Timeout=5");
            await Assert.ThrowsAnyAsync<Exception>(() => connection.OpenAsync());
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", previous);
        }

        Assert.Equal("from-the-secret-0123", await server.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>The server side of the PostgreSQL protocol up to the password: startup, cleartext request, password message.</summary>
    private static async Task<string> CapturePasswordAsync(TcpListener listener)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var length = BinaryPrimitives.ReadInt32BigEndian(await ReadAsync(stream, 4));
        await ReadAsync(stream, length - 4);
        // AuthenticationCleartextPassword: 'R', length 8, code 3.
        await stream.WriteAsync(new byte[] { (byte)'R', 0, 0, 0, 8, 0, 0, 0, 3 });
        var type = (await ReadAsync(stream, 1))[0];
        Assert.Equal((byte)'p', type);
        var body = await ReadAsync(stream, BinaryPrimitives.ReadInt32BigEndian(await ReadAsync(stream, 4)) - 4);
        var message = Encoding.UTF8.GetBytes("SFATAL\0C28P01\0Mtest server ends here\0\0");
        var error = new byte[5 + message.Length];
        error[0] = (byte)'E';
        BinaryPrimitives.WriteInt32BigEndian(error.AsSpan(1), 4 + message.Length);
        message.CopyTo(error, 5);
        await stream.WriteAsync(error);
        return Encoding.UTF8.GetString(body, 0, body.Length - 1);
    }

    private static async Task<byte[]> ReadAsync(NetworkStream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer);
        return buffer;
    }
}
