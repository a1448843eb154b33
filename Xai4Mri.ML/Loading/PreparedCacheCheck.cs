namespace Xai4Mri.ML.Loading;

/// <summary>What <see cref="PreparedCache.Verify"/> found: every subject's entries checked against their checksums.</summary>
/// <param name="Subjects">Subjects in the study.</param>
/// <param name="Cached">Subjects all of whose files have intact entries.</param>
/// <param name="Missing">Subjects with a file that has no entry (ids, in table order).</param>
/// <param name="Corrupt">Subjects with a damaged entry (failing its checksum or layout).</param>
/// <param name="Unreadable">Files that could not be read to find their entry, each "subject: path: problem".</param>
/// <param name="ShardsMerged">How many shard summaries the loader's fit was merged from; 0 when the shards are not all there.</param>
/// <param name="FittedSettingsPath">The merged fit (<see cref="NiftiLoaderSettings"/> JSON), or null.</param>
public sealed record PreparedCacheCheck(int Subjects, int Cached, IReadOnlyList<string> Missing, IReadOnlyList<string> Corrupt, IReadOnlyList<string> Unreadable,
    int ShardsMerged, string? FittedSettingsPath)
{
    /// <summary>True when every subject is cached and nothing is missing, damaged or unreadable.</summary>
    public bool IsComplete => Cached == Subjects && Missing.Count == 0 && Corrupt.Count == 0 && Unreadable.Count == 0;
}
