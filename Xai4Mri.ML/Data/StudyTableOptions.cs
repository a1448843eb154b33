namespace Xai4Mri.ML.Data;

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
}
