using System.Globalization;
using FluentValidation;

namespace Academy.Video.Application.Webhooks;

/// <summary>The cursors of the event and delivery lists: the position of the last item of the previous page.</summary>
public static class PositionCursor
{
    public static string? Format(long? position) => position?.ToString(CultureInfo.InvariantCulture);

    public static long? Parse(string? cursor) =>
        cursor is not null && long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var position) && position > 0 ? position : null;

    public static IRuleBuilderOptions<T, string?> IsPositionCursor<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(cursor => cursor is null || Parse(cursor) is not null).WithMessage("The cursor is not one this API issued.");
}
