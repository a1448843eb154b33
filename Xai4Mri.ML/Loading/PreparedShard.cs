namespace Xai4Mri.ML.Loading;

/// <summary>What one shard of a sharded preparation did (<see cref="PreparedCache.PrepareShard"/>).</summary>
/// <param name="Shard">The shard, 0-based.</param>
/// <param name="ShardCount">How many shards the cohort is divided into.</param>
/// <param name="Subjects">Subjects assigned to this shard.</param>
/// <param name="Files">Their image files.</param>
/// <param name="Decoded">Files decoded now (their entries were missing or damaged).</param>
/// <param name="FromCache">Files whose intact entries were already in the cache (finished before, e.g. by a killed run).</param>
/// <param name="Failures">Files that could not be read, each "subject: path: problem".</param>
/// <param name="SummaryPath">The shard's summary, from which the loader's fit is merged.</param>
public sealed record PreparedShard(int Shard, int ShardCount, int Subjects, int Files, long Decoded, long FromCache, IReadOnlyList<string> Failures, string SummaryPath);
