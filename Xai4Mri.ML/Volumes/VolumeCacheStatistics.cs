namespace Xai4Mri.ML.Volumes;

/// <summary>Counters of a <see cref="VolumeCache"/>: how often a file was decoded, served from disk, or rebuilt.</summary>
/// <param name="Decodes">Files decoded (cache misses, including rebuilds).</param>
/// <param name="Hits">Requests served from a valid cache entry.</param>
/// <param name="Rebuilt">Entries found corrupt (bad checksum or truncated) and rebuilt.</param>
public sealed record VolumeCacheStatistics(long Decodes, long Hits, long Rebuilt);
