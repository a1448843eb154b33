namespace Xai4Mri.ML.Study;

/// <summary>Options for <see cref="BidsDataset.Load(Microsoft.ML.MLContext, string, string, BidsDatasetOptions?)"/> and <see cref="BidsDataset.Read"/>.</summary>
public sealed class BidsDatasetOptions
{
    /// <summary>
    /// What to do with subjects listed in <c>participants.tsv</c> that have no image of the suffix, and with images
    /// that are broken symbolic links (unfetched DataLad content). Default <see cref="MissingFilePolicy.Error"/>.
    /// </summary>
    public MissingFilePolicy MissingFiles { get; set; } = MissingFilePolicy.Error;

    /// <summary>
    /// Whether each subject's <c>sub-&lt;label&gt;/sub-&lt;label&gt;_sessions.tsv</c> is joined on the image's session
    /// (its <c>session_id</c> column). Default true, as pybids does.
    /// </summary>
    public bool JoinSessions { get; set; } = true;

    /// <summary>
    /// Whether the <c>*_scans.tsv</c> files (<c>sub-&lt;label&gt;/[ses-&lt;label&gt;/]sub-&lt;label&gt;[_ses-&lt;label&gt;]_scans.tsv</c>)
    /// are joined on the image file (their <c>filename</c> column). Default true, as pybids does.
    /// </summary>
    public bool JoinScans { get; set; } = true;

    /// <summary>
    /// Fields of the images' <c>.json</c> sidecars to add as columns, e.g. <c>["MagneticFieldStrength", "RepetitionTime"]</c>;
    /// sidecars are found by the BIDS inheritance principle (dataset, subject, session and datatype level; the nearest
    /// wins). Only scalar values (numbers, text, true/false) are taken. Default: none, and no sidecar is read.
    /// </summary>
    public IReadOnlyList<string> SidecarFields { get; set; } = [];
}
