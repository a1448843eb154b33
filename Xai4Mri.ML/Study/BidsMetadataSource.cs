namespace Xai4Mri.ML.Study;

/// <summary>Where a BIDS metadata column comes from, from the least to the most specific level.</summary>
public enum BidsMetadataSource
{
    /// <summary><c>participants.tsv</c>: one row per subject.</summary>
    Participants,

    /// <summary><c>sub-&lt;label&gt;_sessions.tsv</c>: one row per session of a subject.</summary>
    Sessions,

    /// <summary><c>*_scans.tsv</c>: one row per file of a session (or of a subject without sessions).</summary>
    Scans,

    /// <summary>The image's <c>.json</c> sidecars, merged by the inheritance principle.</summary>
    Sidecar,
}
