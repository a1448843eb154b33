using System.Collections.Concurrent;
using System.Globalization;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.ML.Loading;

/// <summary>
/// What a loader learns from its training images, in two stages: a summary of each image (read through the cache,
/// in parallel), then the box, clip bounds and report from the summaries. <c>Fit</c> runs both; a sharded
/// preparation runs the first per shard and the second on all shards' summaries, with the same result.
/// </summary>
internal static class LoaderFit
{
    /// <summary>The summaries of <paramref name="rows"/>, and the rows that could not be read (with their row index).</summary>
    public static (List<ImageFitSummary> Images, List<(int Row, ImageFormatException Error)> Failures) Summarize(
        IReadOnlyList<(string Subject, string Path)> rows, LoaderPipeline pipeline, int parallelism, IProgress<int>? done = null, CancellationToken cancel = default)
    {
        var seen = new ConcurrentBag<ImageFitSummary>();
        var failures = new ConcurrentBag<(int Row, ImageFormatException Error)>();
        int finished = 0;
        Parallel.ForEach(rows.Select((row, index) => (row, index)), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancel }, item =>
        {
            var (row, index) = item;
            try
            {
                seen.Add(ImageFitSummary.Of(row.Subject, row.Path, pipeline.Prepare(row.Path), pipeline.Settings));
            }
            catch (ImageFormatException e)
            {
                failures.Add((index, new ImageFormatException(e.FilePath, $"subject {row.Subject}: {e.Problem}", e)));
            }
            done?.Report(Interlocked.Increment(ref finished));
        });
        return ([.. seen], [.. failures.OrderBy(f => f.Row)]);
    }

    /// <summary>
    /// The fitted settings and the fit report from the images' summaries (in any order: they are taken in path order,
    /// so that the result does not depend on how they were gathered).
    /// </summary>
    /// <param name="summaries">One per training image.</param>
    /// <param name="settings">The loader's settings before fitting.</param>
    /// <param name="requestedShape">The box the options fix, or null to learn it.</param>
    /// <exception cref="InvalidOperationException">There are no images.</exception>
    public static (NiftiLoaderSettings Settings, NiftiLoaderFitReport Report) From(IEnumerable<ImageFitSummary> summaries, NiftiLoaderSettings settings, int[]? requestedShape)
    {
        var images = summaries.OrderBy(s => s.Path, StringComparer.Ordinal).ToList();
        if (images.Count == 0)
        {
            throw new InvalidOperationException("LoadNifti: no images to fit on");
        }
        var extent = new int[3];
        foreach (var img in images)
        {
            for (int a = 0; a < 3; a++)
            {
                extent[a] = Math.Max(extent[a], settings.Prune == PruneMode.None ? img.GridShape[a] : img.BoxShape[a]);
            }
        }
        int[] target = requestedShape ?? (settings.Prune == PruneMode.Cube ? [extent.Max(), extent.Max(), extent.Max()] : extent);
        var warnings = new List<string>();
        var cut = images.Where(i => settings.Prune != PruneMode.None && Enumerable.Range(0, 3).Any(a => i.BoxShape[a] > target[a])).Select(i => i.Subject).ToList();
        if (cut.Count > 0)
        {
            warnings.Add($"{cut.Count} of {images.Count} brains are larger than the output box {string.Join('x', target)} and will be cut (largest brain {string.Join('x', extent)}): {string.Join(", ", cut.Take(10))}{(cut.Count > 10 ? ", …" : "")}");
        }
        var nonFinite = images.Where(i => i.NonFiniteCount > 0).Select(i => $"{i.Subject} ({i.NonFiniteCount} voxels)").ToList();
        if (nonFinite.Count > 0)
        {
            warnings.Add($"NaN/Inf voxels set to background in {nonFinite.Count} images: {string.Join(", ", nonFinite.Take(10))}");
        }
        var problems = images.Where(i => i.Problem is not null).Select(i => $"{i.Subject}: {i.Problem}").ToList();
        if (problems.Count > 0)
        {
            warnings.Add($"{problems.Count} of {images.Count} images hold nothing to learn from and load as background: {string.Join("; ", problems.Take(10))}{(problems.Count > 10 ? "; …" : "")}");
        }
        // The head check's verdict on the file as stored; an image the loader stripped is no longer a head.
        var notExtracted = images.Where(i => i.HeadVerdict == HeadCheckVerdict.NotBrainExtracted && !i.StrippedByLoader).Select(i => i.Subject).ToList();
        if (notExtracted.Count > 0)
        {
            warnings.Add($"{notExtracted.Count} images are not brain-extracted (the head check finds scalp, skull or more tissue than a brain; xai4mri's models expect extracted brains): {string.Join(", ", notExtracted.Take(10))}{(notExtracted.Count > 10 ? ", …" : "")}"
                + (settings.BrainExtraction == BrainExtraction.None ? "; set NiftiLoaderOptions.BrainExtraction to BrainExtraction.Auto to strip them" : ""));
        }
        var noHead = images.Where(i => i.HeadVerdict == HeadCheckVerdict.NoHead && i.Problem is null).Select(i => $"{i.Subject} ({i.HeadEvidence})").ToList();
        if (noHead.Count > 0)
        {
            warnings.Add($"{noHead.Count} images show no head or brain to the head check: {string.Join("; ", noHead.Take(10))}{(noHead.Count > 10 ? "; …" : "")}");
        }
        var orientations = Histogram(images.Select(i => i.NativeAxisCodes));
        var voxelSizes = Histogram(images.Select(i => i.NativeVoxelSize));
        if (orientations.Count > 1)
        {
            warnings.Add($"mixed orientations ({string.Join(", ", orientations.Select(kv => $"{kv.Key}: {kv.Value}"))}); all are reoriented to {settings.Orientation}");
        }
        if (voxelSizes.Count > 1)
        {
            warnings.Add($"mixed voxel sizes ({string.Join(", ", voxelSizes.Select(kv => $"{kv.Key} mm: {kv.Value}"))}){(settings.VoxelSize is null ? "; set VoxelSize to resample them to one size" : $"; all are resampled to {string.Join('×', settings.VoxelSize)} mm")}");
        }
        float clipMin = 0, clipMax = 0;
        var clips = images.Where(i => i.ClipMin is not null && i.ClipMax is not null).Select(i => (Min: i.ClipMin!.Value, Max: i.ClipMax!.Value)).ToList();
        if (clips.Count > 0)
        {
            // xai4mri clips every image at the mean of the per-image bounds.
            clipMin = (float)clips.Average(c => c.Min);
            clipMax = (float)clips.Average(c => c.Max);
        }
        var report = new NiftiLoaderFitReport(images.Count, orientations, voxelSizes, extent, cut,
            images.Where(i => i.NonFiniteCount > 0).Select(i => i.Subject).ToList(), notExtracted, warnings,
            images.Select(i => new ImageHeadCheck(i.Subject, i.Path, i.HeadVerdict, i.HeadEvidence, i.StrippedByLoader, i.Problem)).ToList(), problems);
        return (settings.Fitted(target, clipMin, clipMax), report);
    }

    /// <summary>One exception for the unreadable rows: the first in table order, naming how many others there are.</summary>
    public static ImageFormatException Failure(IReadOnlyList<(int Row, ImageFormatException Error)> failures)
    {
        var first = failures[0].Error;
        return failures.Count == 1 ? first
            : new ImageFormatException(first.FilePath, $"{first.Problem} (and {failures.Count - 1} more unreadable files: {string.Join(", ", failures.Skip(1).Take(5).Select(f => f.Error.FilePath))})", first);
    }

    /// <summary>Voxel sizes as reported and grouped: rounded to 0.01 mm, "x×y×z".</summary>
    public static string VoxelSizeKey(IEnumerable<double> voxelSize) =>
        string.Join('×', voxelSize.Select(v => v.ToString("0.##", CultureInfo.InvariantCulture)));

    private static Dictionary<string, int> Histogram(IEnumerable<string> values) =>
        values.GroupBy(v => v).OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count());
}
