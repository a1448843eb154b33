using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using Xai4Mri.ML;
using Xai4Mri.ML.Explanations;
using Xai4Mri.ML.Models;

namespace Xai4Mri.Bench;

/// <summary>
/// Relevance maps of a cohort streamed through ExplainMriNet: the images come from a lazily generated source (nothing
/// held), a cursor reads every row's map and keeps only its sum, and the process's peak resident memory (VmHWM) and
/// the largest managed heap seen are reported, to be compared across cohort sizes (each size in its own process).
/// </summary>
internal static class ExplainStreamBenchmark
{
    private sealed class Row
    {
        public float[] Image { get; set; } = [];
    }

    public static int Run(string[] args)
    {
        int subjects = 50, threads = Environment.ProcessorCount;
        // "Image" reads the source alone (the baseline without any map), "Relevance" the maps, "direct" times
        // RelevanceMaps.Compute on the same images without the data view.
        string column = "Relevance";
        int[] shape = [32, 32, 32];
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--subjects": subjects = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--column": column = args[++i]; break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--shape": shape = args[++i].Split('x').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        torch.set_num_threads(threads);
        int voxels = shape[0] * shape[1] * shape[2];
        using var model = MriNetModel.CreateMriNet(shape, ModelTask.Regression(50), seed: 1);
        var ml = new MLContext(seed: 1);
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, shape);
        var data = ml.Data.LoadFromEnumerable(Images(subjects, voxels), definition);
        var explained = ml.Transforms.ExplainMriNet("Relevance", "Image", model).Fit(data).Transform(data);
        if (column == "direct")
        {
            // RelevanceMaps.Compute on each image without the data view: the cost of the maps alone.
            var watch = Stopwatch.StartNew();
            int n = 0;
            foreach (var row in Images(subjects, voxels))
            {
                _ = RelevanceMaps.Compute(model, row.Image, 1);
                n++;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RelevanceMaps.Compute {n} subjects {string.Join('x', shape)} threads {threads}: {watch.Elapsed.TotalSeconds / n:F3} s per map"));
            return 0;
        }

        long maxHeap = 0;
        var rss = new List<double>();
        var retained = new List<double>();
        double total = 0;
        int rows = 0;
        var clock = Stopwatch.StartNew();
        using (var cursor = explained.GetRowCursor([explained.Schema[column]]))
        {
            var get = cursor.GetGetter<VBuffer<float>>(explained.Schema[column]);
            VBuffer<float> map = default;
            while (cursor.MoveNext())
            {
                get(ref map);
                total += map.DenseValues().Sum(v => (double)v);
                rows++;
                maxHeap = Math.Max(maxHeap, GC.GetTotalMemory(false));
                if (rows % 25 == 0)
                {
                    rss.Add(Status("VmRSS:"));
                    // What the process still holds: a full collection first (garbage maps on the large-object heap
                    // otherwise wait for one and look like growth).
                    retained.Add(GC.GetTotalMemory(forceFullCollection: true) / 1048576.0);
                }
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ExplainMriNet {rows} subjects, column {column}, {string.Join('x', shape)} threads {threads}: {seconds / rows:F3} s per row, peak RSS {Status("VmHWM:"):F0} MiB (RSS every 25 rows: {string.Join(' ', rss.Select(r => r.ToString("F0", CultureInfo.InvariantCulture)))}), peak managed heap {maxHeap / 1048576.0:F0} MiB, managed after a full GC every 25 rows: {string.Join(' ', retained.Select(r => r.ToString("F1", CultureInfo.InvariantCulture)))} MiB (all maps together would be {(double)rows * voxels * 4 / 1048576:F0} MiB); sum of sums {total:G4}"));
        return 0;
    }

    /// <summary>Lazily made brain-like images (non-negative, zero background): only the row being read exists.</summary>
    private static IEnumerable<Row> Images(int count, int voxels)
    {
        for (int s = 0; s < count; s++)
        {
            var rng = new Random(s);
            var image = new float[voxels];
            for (int i = 0; i < voxels; i++)
            {
                image[i] = (float)Math.Max(0, (1.3 * rng.NextDouble()) - 0.3);
            }
            yield return new Row { Image = image };
        }
    }

    /// <summary>A memory line of /proc/self/status (VmHWM: the peak resident set, VmRSS: the current one), in MiB; NaN where there is none.</summary>
    private static double Status(string key)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return double.NaN;
        }
        string? line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
