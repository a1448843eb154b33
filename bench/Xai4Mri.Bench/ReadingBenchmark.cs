using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.Bench;

/// <summary>
/// NIfTI reading speed against its anchors, in one run: plain GZipStream inflate of the same file into a pre-sized
/// array (the floor), our reader (<c>MriImage.Load(path).GetFloatData()</c>), and nibabel's timings passed in as
/// JSON from bench/nibabel_read.py. Also the managed bytes one read allocates and how parallel reads scale.
/// </summary>
internal static class ReadingBenchmark
{
    public static int Run(string[] args)
    {
        int reps = 21;
        string? nibabelJson = null;
        var files = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--reps": reps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--nibabel-json": nibabelJson = args[++i]; break;
                default: files.Add(args[i]); break;
            }
        }
        Dictionary<string, double> nibabel = ReadNibabel(nibabelJson);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"cores: {Environment.ProcessorCount}, .NET {Environment.Version}, repetitions: {reps} (medians)");
        Console.WriteLine();
        Console.WriteLine("| file | voxels | raw inflate (ms) | ours (ms) | ours, reused array (ms) | nibabel (ms) | ours / inflate | reused / inflate | nibabel / ours | allocated / output array |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (string file in files)
        {
            var image = MriImage.Load(file);
            long decompressed = MeasureDecompressedLength(file);
            var buffer = new byte[decompressed];
            var inflate = new List<double>();
            var ours = new List<double>();
            var oursReused = new List<double>();
            var target = new float[image.Data.VoxelCount];
            // Blocks of repetitions per method, the blocks alternating: each method runs in its own steady state
            // (the first large-array allocations grow the GC heap and are slow), while drift on a shared machine
            // still hits all methods alike.
            int block = Math.Max(1, reps / 3);
            for (int round = 0; round < 3; round++)
            {
                Measure(inflate, block, () => Inflate(file, buffer));
                Measure(ours, block, () => MriImage.Load(file).GetFloatData());
                Measure(oursReused, block, () => MriImage.Load(file).Data.ReadFloat32(target));
            }
            GC.Collect();
            long before = GC.GetAllocatedBytesForCurrentThread();
            float[] data = MriImage.Load(file).GetFloatData();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            double outputBytes = (double)data.Length * sizeof(float);

            double mInflate = Median(inflate), mOurs = Median(ours), mReused = Median(oursReused);
            string nib = nibabel.TryGetValue(Path.GetFullPath(file), out double n) ? n.ToString("F1", inv) : "–";
            string nibRatio = nibabel.ContainsKey(Path.GetFullPath(file)) ? (n / mOurs).ToString("F2", inv) + "×" : "–";
            Console.WriteLine(string.Create(inv,
                $"| {Path.GetFileName(file)} ({image.DataType.NumpyName()}) | {image.Data.VoxelCount} | {mInflate:F1} | {mOurs:F1} | {mReused:F1} | {nib} | {mOurs / mInflate:F3}× | {mReused / mInflate:F3}× | {nibRatio} | {allocated / outputBytes:F3} |"));
        }
        Console.WriteLine();
        ParallelScaling(files, inv);
        return 0;
    }

    /// <summary>
    /// Reads 16 files (the inputs, repeated) with 1 thread and with all cores, each worker decoding into its own
    /// reused buffer (as a data loader does) and, separately, into a new array per file; reports files per second.
    /// </summary>
    private static void ParallelScaling(List<string> files, CultureInfo inv)
    {
        var work = Enumerable.Range(0, 16).Select(i => files[i % files.Count]).ToArray();
        long voxels = files.Max(f => MriImage.Load(f).Data.VoxelCount);
        using var buffers = new ThreadLocal<float[]>(() => new float[voxels]);
        double Rate(int threads, bool reuse)
        {
            var sw = Stopwatch.StartNew();
            Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = threads }, f =>
            {
                var image = MriImage.Load(f);
                if (reuse)
                {
                    image.Data.ReadFloat32(buffers.Value.AsSpan(0, (int)image.Data.VoxelCount));
                }
                else
                {
                    image.GetFloatData();
                }
            });
            return work.Length / sw.Elapsed.TotalSeconds;
        }
        foreach (bool reuse in new[] { true, false })
        {
            Rate(Environment.ProcessorCount, reuse);
            Rate(1, reuse);
            var one = new List<double>();
            var all = new List<double>();
            for (int round = 0; round < 5; round++)
            {
                one.Add(Rate(1, reuse));
                all.Add(Rate(Environment.ProcessorCount, reuse));
            }
            double r1 = Median(one), rn = Median(all);
            Console.WriteLine(string.Create(inv,
                $"parallel ({(reuse ? "reused buffer per worker" : "new array per file")}): {work.Length} reads, 1 thread {r1:F1} files/s, {Environment.ProcessorCount} threads {rn:F1} files/s, speed-up {rn / r1:F2}× on {Environment.ProcessorCount} cores"));
        }
    }

    private static void Inflate(string file, byte[] buffer)
    {
        using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var gz = new GZipStream(fs, CompressionMode.Decompress);
        gz.ReadExactly(buffer);
    }

    private static long MeasureDecompressedLength(string file)
    {
        using var gz = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
        long n = 0;
        var b = new byte[1 << 16];
        int k;
        while ((k = gz.Read(b)) > 0)
        {
            n += k;
        }
        return n;
    }

    private static void Measure(List<double> times, int count, Action a)
    {
        for (int warm = 0; warm < 10; warm++)
        {
            a();
        }
        for (int i = 0; i < count; i++)
        {
            times.Add(Time(a));
        }
    }

    private static double Time(Action a)
    {
        var sw = Stopwatch.StartNew();
        a();
        return sw.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
    }

    private static Dictionary<string, double> ReadNibabel(string? path)
    {
        var result = new Dictionary<string, double>();
        if (path is null)
        {
            return result;
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var f in doc.RootElement.GetProperty("files").EnumerateObject())
        {
            result[Path.GetFullPath(f.Name)] = f.Value.GetProperty("median_ms").GetDouble();
        }
        return result;
    }
}
