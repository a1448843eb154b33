using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Loading;

/// <summary>
/// A cohort prepared into a shared volume cache ahead of training or analysis, one shard at a time — the tasks of a
/// cluster array job, each on its own node, all writing into one cache folder on a shared file system — then checked,
/// with the loader's fit merged from the shards' summaries so that no process reads the images again.
/// </summary>
/// <remarks>
/// <para>Subjects go to shards by the hash of their id (<see cref="SubjectShard"/>), so a shard's subjects do not
/// change when the table's rows are reordered. Cache entries are written to a temporary name, flushed to disk and
/// renamed (<see cref="VolumeCache"/>), so concurrent writers never need a lock and a killed process leaves no partial
/// entry; a rerun of a killed shard finds its finished entries intact and decodes only the rest.</para>
/// <para>Each shard writes a summary of its images (box, grid, per-image clip bounds) under
/// <c>CACHE/prepared/STUDY/</c>, where STUDY is a hash of the study's rows and the loader's settings. With all shards'
/// summaries there, <see cref="FittedSettings"/> gives exactly the settings a single <c>Fit</c> over the whole study
/// would learn.</para>
/// </remarks>
public static class PreparedCache
{
    private const string Folder = "prepared";
    private const string FittedFile = "loader-settings.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private sealed record ShardSummary(int Shard, int ShardCount, string StudyKey, int Subjects, IReadOnlyList<ImageFitSummary> Images, IReadOnlyList<string> Failures);

    /// <summary>
    /// Prepares shard <paramref name="shard"/> of <paramref name="shardCount"/>: decodes its subjects' files into the
    /// cache of <paramref name="options"/> (entries already there and intact are kept) and writes the shard's summary.
    /// </summary>
    /// <param name="ml">The context (warnings go to its log).</param>
    /// <param name="study">The study's rows, with the image paths and a subject column (<c>sid</c>, else <c>participant_id</c>).</param>
    /// <param name="options">The loader options training and analysis will use (e.g. <see cref="NiftiLoaderOptions.For"/>); their cache folder is the shared one.</param>
    /// <param name="shard">This shard, 0 to <paramref name="shardCount"/> − 1 (a SLURM array task id).</param>
    /// <param name="shardCount">How many shards.</param>
    /// <param name="inputColumnName">The column of image paths.</param>
    /// <param name="progress">Files of this shard done so far, of how many.</param>
    /// <param name="cancel">Stops before the next file.</param>
    /// <exception cref="ArgumentException">An option is invalid, the shard is out of range, or caching is off.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The path or subject column is missing.</exception>
    public static PreparedShard PrepareShard(MLContext ml, IDataView study, NiftiLoaderOptions options, int shard, int shardCount, string inputColumnName = "Path",
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(ml);
        if (shardCount < 1 || shard < 0 || shard >= shardCount)
        {
            throw new ArgumentException($"shard {shard} of {shardCount}: the shard must be 0 to {shardCount - 1}, the count at least 1", nameof(shard));
        }
        var (settings, pipeline, rows, key) = Study(study, options, inputColumnName);
        var mine = rows.Where(r => SubjectShard.Of(r.Subject, shardCount) == shard).ToList();
        var cache = pipeline.Cache!;
        var before = cache.Statistics;
        var (images, failures) = LoaderFit.Summarize(mine, pipeline, options.MaxDegreeOfParallelism, progress is null ? null : new Counted(progress, mine.Count), cancel);
        var after = cache.Statistics;
        var failed = failures.Select(f => $"{mine[f.Row].Subject}: {f.Error.Message}").ToList();
        string summaryPath = Path.Combine(FolderOf(cache, key), $"shard-{shard}-of-{shardCount}.json");
        var summary = new ShardSummary(shard, shardCount, key, mine.Select(r => r.Subject).Distinct(StringComparer.Ordinal).Count(), images, failed);
        WriteAtomically(summaryPath, JsonSerializer.Serialize(summary, Json));
        foreach (string f in failed)
        {
            MLNetLog.Warning(ml, "PreparedCache", f);
        }
        return new PreparedShard(shard, shardCount, summary.Subjects, mine.Count, after.Decodes - before.Decodes, after.Hits - before.Hits, failed, summaryPath);
    }

    /// <summary>
    /// Checks every subject's entries in the cache (present, readable, checksum intact) without decoding any image,
    /// and, when every shard's summary is there and none failed, merges the loader's fit and writes it beside them.
    /// </summary>
    /// <param name="ml">The context.</param>
    /// <param name="study">The study's rows, as given to <see cref="PrepareShard"/>.</param>
    /// <param name="options">The same loader options.</param>
    /// <param name="inputColumnName">The column of image paths.</param>
    /// <param name="progress">Files checked so far, of how many.</param>
    /// <param name="cancel">Stops before the next file.</param>
    /// <exception cref="ArgumentException">An option is invalid, or caching is off.</exception>
    public static PreparedCacheCheck Verify(MLContext ml, IDataView study, NiftiLoaderOptions options, string inputColumnName = "Path",
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(ml);
        var (settings, pipeline, rows, key) = Study(study, options, inputColumnName);
        var cache = pipeline.Cache!;
        var states = new CacheEntryState?[rows.Count];
        var unreadable = new string?[rows.Count];
        int done = 0;
        Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism), CancellationToken = cancel }, i =>
        {
            try
            {
                states[i] = cache.Check(rows[i].Path, pipeline.Steps);
            }
            catch (ImageFormatException e)
            {
                unreadable[i] = $"{rows[i].Subject}: {e.Message}";
            }
            progress?.Report((Interlocked.Increment(ref done), rows.Count));
        });
        var subjects = rows.Select(r => r.Subject).Distinct(StringComparer.Ordinal).ToList();
        List<string> With(CacheEntryState state) =>
            [.. rows.Select((r, i) => (r.Subject, State: states[i])).Where(x => x.State == state).Select(x => x.Subject).Distinct(StringComparer.Ordinal)];
        var missing = With(CacheEntryState.Missing);
        var corrupt = With(CacheEntryState.Corrupt);
        var bad = rows.Select((r, i) => (r.Subject, Problem: unreadable[i])).Where(x => x.Problem is not null).ToList();
        var incomplete = missing.Concat(corrupt).Concat(bad.Select(b => b.Subject)).ToHashSet(StringComparer.Ordinal);
        var (merged, shards) = Merge(cache, key, settings, options, rows);
        string? fittedPath = null;
        if (merged is not null && incomplete.Count == 0)
        {
            fittedPath = Path.Combine(FolderOf(cache, key), FittedFile);
            WriteAtomically(fittedPath, merged.ToJson());
        }
        return new PreparedCacheCheck(subjects.Count, subjects.Count(s => !incomplete.Contains(s)), missing, corrupt, [.. bad.Select(b => b.Problem!)],
            fittedPath is null ? 0 : shards, fittedPath);
    }

    /// <summary>
    /// The loader settings a <c>Fit</c> over the whole study would learn, merged from the shards' summaries, or null
    /// when the study was not prepared with these options or a shard is missing or had failures. With them,
    /// <c>ml.Transforms.LoadNifti(output, input, settings)</c> reads no image to fit.
    /// </summary>
    /// <param name="study">The study's rows, as given to <see cref="PrepareShard"/>.</param>
    /// <param name="options">The same loader options.</param>
    /// <param name="inputColumnName">The column of image paths.</param>
    public static NiftiLoaderSettings? FittedSettings(IDataView study, NiftiLoaderOptions options, string inputColumnName = "Path")
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.UseCache || SubjectColumns.Find(study.Schema, options.SubjectColumnName) is null)
        {
            return null;
        }
        var (settings, pipeline, rows, key) = Study(study, options, inputColumnName);
        return Merge(pipeline.Cache!, key, settings, options, rows).Settings;
    }

    /// <summary>The study's settings, pipeline, rows and key (a hash of the rows and of what the fit depends on).</summary>
    private static (NiftiLoaderSettings Settings, LoaderPipeline Pipeline, List<(string Subject, string Path)> Rows, string Key) Study(IDataView study, NiftiLoaderOptions options, string inputColumnName)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(options);
        var settings = NiftiLoaderSettings.From(options);
        if (!settings.UseCache)
        {
            throw new ArgumentException("a prepared cache needs NiftiLoaderOptions.UseCache", nameof(options));
        }
        NiftiLoaderEstimator.CheckPathColumn(study.Schema, inputColumnName);
        string subjectColumn = SubjectColumns.Find(study.Schema, options.SubjectColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(study), $"a prepared cache assigns subjects to shards: the study needs a subject column ({SubjectColumns.Described}) or NiftiLoaderOptions.SubjectColumnName");
        var rows = NiftiLoaderEstimator.ReadRows(study, inputColumnName, subjectColumn);
        var pipeline = new LoaderPipeline(settings);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(settings.ToJson() + "\n" + pipeline.Steps.CacheKey + "\n"));
        foreach (var (subject, path) in rows.OrderBy(r => r.Path, StringComparer.Ordinal).ThenBy(r => r.Subject, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes($"{subject}\t{path}\n"));
        }
        return (settings, pipeline, rows, Convert.ToHexStringLower(sha.GetHashAndReset())[..32]);
    }

    /// <summary>The fit merged from all shards' summaries, with the shard count; null when any is missing, failed, or does not cover the rows.</summary>
    private static (NiftiLoaderSettings? Settings, int Shards) Merge(VolumeCache cache, string key, NiftiLoaderSettings settings, NiftiLoaderOptions options, List<(string Subject, string Path)> rows)
    {
        string folder = FolderOf(cache, key);
        if (!Directory.Exists(folder))
        {
            return (null, 0);
        }
        var summaries = new List<ShardSummary>();
        foreach (string file in Directory.EnumerateFiles(folder, "shard-*-of-*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize<ShardSummary>(File.ReadAllText(file)) is { } s && s.StudyKey == key)
                {
                    summaries.Add(s);
                }
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                // A summary that cannot be read counts as missing: that shard must run again.
            }
        }
        // A study may be prepared again with another shard count: any complete division gives the same fit.
        var counts = summaries.GroupBy(s => s.ShardCount).Where(g => g.Select(s => s.Shard).Distinct().Count() == g.Key && g.All(s => s.Failures.Count == 0)).ToList();
        if (counts.Count == 0)
        {
            return (null, 0);
        }
        var complete = counts.OrderByDescending(g => g.Key).First().GroupBy(s => s.Shard).Select(g => g.First()).ToList();
        var images = complete.SelectMany(s => s.Images).ToList();
        bool coversTheRows = images.Select(i => i.Path).Order(StringComparer.Ordinal).SequenceEqual(rows.Select(r => r.Path).Order(StringComparer.Ordinal));
        if (!coversTheRows)
        {
            return (null, 0);
        }
        return (LoaderFit.From(images, settings, options.TargetShape).Settings, complete.Count);
    }

    /// <summary>Counts as the total goes with them.</summary>
    private sealed class Counted(IProgress<(int Done, int Total)> progress, int total) : IProgress<int>
    {
        public void Report(int value) => progress.Report((value, total));
    }

    private static string FolderOf(VolumeCache cache, string key) => Path.Combine(cache.Directory, Folder, key);

    private static void WriteAtomically(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            fs.Write(Encoding.UTF8.GetBytes(text));
            fs.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}
