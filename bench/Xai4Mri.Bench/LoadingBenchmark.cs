using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Study;

namespace Xai4Mri.Bench;

/// <summary>
/// LoadNifti throughput on a study: a cold pass (empty cache: every file decoded, prepared, cached and conformed) and
/// warm passes (served from the cache), with the process's peak resident memory, so that runs over growing cohorts
/// show whether memory stays flat. The nibabel + NumPy anchor is bench/nibabel_loading.py.
/// </summary>
internal static class LoadingBenchmark
{
    public static int Run(string[] args)
    {
        string? cohort = null, cache = null;
        int threads = Environment.ProcessorCount, warmPasses = 2;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--cohort": cohort = args[++i]; break;
                case "--cache": cache = args[++i]; break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warm-passes": warmPasses = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        if (cohort is null || cache is null)
        {
            Console.Error.WriteLine("usage: Xai4Mri.Bench loading --cohort DIR --cache EMPTY_DIR [--threads N] [--warm-passes N]");
            return 2;
        }
        var ml = new MLContext(seed: 1);
        var table = StudyTable.Load(ml, Path.Combine(cohort, "participants.tsv"), pathTemplate: "{participant_id}/anat/{participant_id}_T1w.nii.gz");
        int n = (int)(table.GetRowCount() ?? table.GetColumn<string>("Path").Count());
        // A fixed box keeps the cold pass a pure decode-and-conform pass (no separate fitting pass over the data).
        var options = new NiftiLoaderOptions { CacheDirectory = cache, TargetShape = [86, 74, 106], Normalization = IntensityNormalization.PerImage, MaxDegreeOfParallelism = threads };
        var loader = ml.Transforms.LoadNifti("Image", "Path", options).Fit(ml.Data.TakeRows(table, 1));
        var inv = CultureInfo.InvariantCulture;
        double cold = Pass(loader, table, n);
        var warm = Enumerable.Range(0, warmPasses).Select(_ => Pass(loader, table, n)).ToList();
        var stats = loader.CacheStatistics!;
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        Console.WriteLine(string.Create(inv,
            $"subjects {n}, threads {threads}, output {string.Join('x', loader.Settings.TargetShape)}: cold {n / cold:F1} volumes/s ({cold:F1} s), warm {n / warm.Min():F1} volumes/s (best of {warmPasses}), decodes {stats.Decodes}, hits {stats.Hits}, peak RSS {peak / (1024.0 * 1024):F0} MiB"));
        return 0;
    }

    /// <summary>One full pass reading every image vector; seconds.</summary>
    private static double Pass(ITransformer loader, IDataView table, int n)
    {
        var sw = Stopwatch.StartNew();
        var output = loader.Transform(table);
        using var cursor = output.GetRowCursor([output.Schema["Image"]]);
        var getter = cursor.GetGetter<VBuffer<float>>(output.Schema["Image"]);
        VBuffer<float> value = default;
        double checksum = 0;
        int rows = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            checksum += value.GetValues()[value.Length / 2];
            rows++;
        }
        if (rows != n || double.IsNaN(checksum))
        {
            throw new InvalidOperationException($"read {rows} rows, expected {n}");
        }
        return sw.Elapsed.TotalSeconds;
    }
}
