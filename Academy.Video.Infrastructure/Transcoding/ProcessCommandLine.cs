using System.Text;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// Joins an argument list into the one string a process runner takes (Xabe.FFmpeg accepts only a string).
/// Hand-written because .NET's own joiner (PasteArguments) is internal; the quoting rules are the ones
/// <see cref="System.Diagnostics.ProcessStartInfo.Arguments"/> parses back on every platform.
/// </summary>
public static class ProcessCommandLine
{
    public static string Join(IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var line = new StringBuilder();
        foreach (var argument in arguments)
        {
            if (line.Length > 0)
            {
                line.Append(' ');
            }

            AppendQuoted(line, argument);
        }

        return line.ToString();
    }

    private static void AppendQuoted(StringBuilder line, string argument)
    {
        if (argument.Length > 0 && !argument.Any(c => char.IsWhiteSpace(c) || c == '"'))
        {
            line.Append(argument);
            return;
        }

        line.Append('"');
        var index = 0;
        while (index < argument.Length)
        {
            var backslashes = 0;
            while (index < argument.Length && argument[index] == '\\')
            {
                backslashes++;
                index++;
            }

            if (index == argument.Length)
            {
                // Doubled so the closing quote stays a quote.
                line.Append('\\', backslashes * 2);
            }
            else if (argument[index] == '"')
            {
                line.Append('\\', (backslashes * 2) + 1).Append('"');
                index++;
            }
            else
            {
                line.Append('\\', backslashes).Append(argument[index]);
                index++;
            }
        }

        line.Append('"');
    }
}
