using System.Globalization;

namespace Xai4Mri.ML.Study;

/// <summary>
/// The typing rule shared by study tables and participants.tsv: a column whose non-missing values all parse as
/// numbers (invariant culture) is a number column; missing values (empty, <c>n/a</c>, <c>NA</c>) become NaN there.
/// </summary>
internal static class ColumnTyping
{
    /// <summary>Whether <paramref name="value"/> marks a missing value: empty, <c>n/a</c> (BIDS) or <c>NA</c> (R, pandas).</summary>
    public static bool IsMissing(string value)
    {
        ReadOnlySpan<char> trimmed = value.AsSpan().Trim();
        return trimmed.IsEmpty || trimmed.SequenceEqual("n/a") || trimmed.SequenceEqual("NA");
    }

    public static bool TryParseNumber(string value, out float number) =>
        float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number);

    /// <summary>
    /// Whether the column is numeric: at least one value is present and every present value parses. A column with
    /// no value at all stays text, since nothing says it holds numbers.
    /// </summary>
    public static bool IsNumeric(IEnumerable<string> values)
    {
        bool any = false;
        foreach (string value in values)
        {
            if (IsMissing(value))
            {
                continue;
            }
            if (!TryParseNumber(value, out _))
            {
                return false;
            }
            any = true;
        }
        return any;
    }

    /// <summary>A column over <paramref name="rowValues"/>, numeric when <paramref name="numeric"/> (missing → NaN).</summary>
    public static DatasetColumn Build(string name, string[] rowValues, bool numeric)
    {
        if (!numeric)
        {
            return new DatasetColumn(name, rowValues, null);
        }
        var numbers = new float[rowValues.Length];
        for (int i = 0; i < rowValues.Length; i++)
        {
            // Missing markers never parse, so they become NaN here too.
            numbers[i] = TryParseNumber(rowValues[i], out float n) ? n : float.NaN;
        }
        return new DatasetColumn(name, rowValues, numbers);
    }

    /// <summary>A text column (subject ids, paths, BIDS entities), never typed as numbers.</summary>
    public static DatasetColumn Text(string name, string[] rowValues) => new(name, rowValues, null);
}
