namespace Xai4Mri.ML.Volumes;

/// <summary>What the volume cache holds for one file under one set of preparation steps.</summary>
internal enum CacheEntryState
{
    /// <summary>An intact entry (its checksum matches).</summary>
    Present,

    /// <summary>No entry.</summary>
    Missing,

    /// <summary>An entry that fails its checksum or layout check (it would be rebuilt on use).</summary>
    Corrupt,
}
