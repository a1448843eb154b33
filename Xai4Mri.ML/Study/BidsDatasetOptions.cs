namespace Xai4Mri.ML.Study;

/// <summary>Options for <see cref="BidsDataset.Load"/> and <see cref="BidsDataset.Read"/>.</summary>
public sealed class BidsDatasetOptions
{
    /// <summary>
    /// What to do with subjects listed in <c>participants.tsv</c> that have no image of the suffix, and with images
    /// that are broken symbolic links (unfetched DataLad content). Default <see cref="MissingFilePolicy.Error"/>.
    /// </summary>
    public MissingFilePolicy MissingFiles { get; set; } = MissingFilePolicy.Error;
}
