namespace Xai4Mri.ML.Study;

/// <summary>A subject a dataset loader left out under <see cref="MissingFilePolicy.Skip"/>, and why.</summary>
public sealed class SkippedSubject
{
    /// <summary>Creates the record.</summary>
    public SkippedSubject(string subjectId, string path, int? line, string reason)
    {
        SubjectId = subjectId;
        Path = path;
        Line = line;
        Reason = reason;
    }

    /// <summary>The subject id as written in the table.</summary>
    public string SubjectId { get; }

    /// <summary>The image path that was looked for (absolute), or the subject folder searched for BIDS.</summary>
    public string Path { get; }

    /// <summary>1-based line of the subject in its table, when it came from one.</summary>
    public int? Line { get; }

    /// <summary>Why the subject was left out.</summary>
    public string Reason { get; }

    /// <inheritdoc/>
    public override string ToString()
    {
        string where = Line is int n ? $" (line {n})" : "";
        string path = Path.Length > 0 ? $": {Path}" : "";
        return $"{SubjectId}{where}: {Reason}{path}";
    }
}
