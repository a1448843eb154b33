namespace Xai4Mri.ML.Study;

/// <summary>Names of the columns the dataset loaders look for or add.</summary>
public static class DatasetColumnNames
{
    /// <summary>Absolute path of the image file; the column the NIfTI-loading transform reads.</summary>
    public const string Path = "Path";

    /// <summary>Subject id in xai4mri study tables.</summary>
    public const string Sid = "sid";

    /// <summary>Subject id in BIDS (<c>participants.tsv</c>), values such as <c>sub-01</c>.</summary>
    public const string ParticipantId = "participant_id";

    /// <summary>BIDS session entity of the image (<c>ses-01</c>), empty when the dataset has no sessions.</summary>
    public const string Session = "session";

    /// <summary>BIDS run entity of the image (<c>run-1</c>), empty when the file name has none.</summary>
    public const string Run = "run";
}
