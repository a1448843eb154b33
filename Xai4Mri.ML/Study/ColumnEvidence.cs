namespace Xai4Mri.ML.Study;

/// <summary>What the values of a column seen so far say about its type: whether any is a number, and the first that is not.</summary>
internal sealed class ColumnEvidence
{
    public bool AnyNumber { get; private set; }

    /// <summary>The first non-missing value that does not parse as a number, or null.</summary>
    public string? FirstText { get; private set; }

    /// <summary>Where <see cref="FirstText"/> was written (file and line).</summary>
    public string? FirstTextWhere { get; private set; }

    public void Observe(string value, string where)
    {
        if (ColumnTyping.IsMissing(value))
        {
            return;
        }
        if (ColumnTyping.TryParseNumber(value, out _))
        {
            AnyNumber = true;
        }
        else if (FirstText is null)
        {
            FirstText = value;
            FirstTextWhere = where;
        }
    }
}
