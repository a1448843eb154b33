namespace Xai4Mri.ML.Study;

/// <summary>Options for <see cref="StudyTable.Load"/> and <see cref="StudyTable.Read"/>.</summary>
public sealed class StudyTableOptions
{
    /// <summary>
    /// The subject-id column. Default null: <c>sid</c> (xai4mri's convention) when the table has it, else
    /// <c>participant_id</c> (BIDS).
    /// </summary>
    public string? SubjectColumn { get; set; }

    /// <summary>What to do with rows whose image file does not exist. Default <see cref="MissingFilePolicy.Error"/>.</summary>
    public MissingFilePolicy MissingFiles { get; set; } = MissingFilePolicy.Error;

    /// <summary>
    /// Columns that must hold a number in every row, such as a regression label (e.g. <c>["age"]</c>): a missing or
    /// non-numeric value is an error naming the file, line, subject and value, instead of silently turning the
    /// column into text or NaN. Default: none.
    /// </summary>
    public IReadOnlyList<string> NumericColumns { get; set; } = [];
}
