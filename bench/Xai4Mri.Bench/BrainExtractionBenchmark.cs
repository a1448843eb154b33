using System.Diagnostics;
using System.Globalization;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.Bench;

/// <summary>
/// Brain extraction against the synthetic generator's true intracranial mask (Dice per site, contrast and voxel
/// size, with the head check's verdicts on both images), and its speed on a 1 mm 182×218×182 head against one trilinear resampling of the same volume (a whole-grid
/// pass measured in the same run).
/// </summary>
internal static class BrainExtractionBenchmark
{
    /// <summary>
    /// Generates every predefined site with skull and, with the same seed, without it; the skull-stripped image is
    /// strictly positive exactly inside the true mask (the generator's contract), so its non-zero voxels are the truth.
    /// </summary>
    public static int Dice(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        string work = TransferStudy.Arg(args, "--work") ?? throw new ArgumentException("--work DIR is required");
        int perSite = int.Parse(TransferStudy.Arg(args, "--subjects") ?? "3", inv);
        double[] sizes = (TransferStudy.Arg(args, "--voxel-sizes") ?? "1,2,3").Split(',').Select(s => double.Parse(s, inv)).ToArray();
        int seed = int.Parse(TransferStudy.Arg(args, "--seed") ?? "7", inv);
        var extraction = new BrainExtractorOptions();
        if (TransferStudy.Arg(args, "-f") is { } f)
        {
            extraction.FractionalThreshold = double.Parse(f, inv);
        }
        var sites = SiteProfile.Predefined;
        Console.WriteLine(string.Create(inv, $"cores: {Environment.ProcessorCount}; {perSite} subjects per site and voxel size; seed {seed}; fractional threshold {extraction.FractionalThreshold}"));
        Console.WriteLine();
        Console.WriteLine("| site | contrast | stored as | voxel (mm) | n | Dice mean | Dice min | volume error mean (%) | retried | seconds per scan | HeadCheck right (head / stripped) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        var all = new List<double>();
        foreach (double size in sizes)
        {
            string head = Path.Combine(work, FormattableString.Invariant($"head-{size}mm"));
            string brain = Path.Combine(work, FormattableString.Invariant($"brain-{size}mm"));
            var options = new SyntheticCohortOptions { OutputFolder = head, Subjects = perSite * sites.Count, Seed = seed, Sites = [.. sites], VoxelSize = size, WithSkull = true, Overwrite = true };
            var withSkull = SyntheticCohort.Generate(options);
            options.OutputFolder = brain;
            options.WithSkull = false;
            var stripped = SyntheticCohort.Generate(options);
            foreach (var site in sites)
            {
                var dice = new List<double>();
                var error = new List<double>();
                int retried = 0, headRight = 0, strippedRight = 0;
                var watch = new Stopwatch();
                for (int s = 0; s < withSkull.Subjects.Count; s++)
                {
                    if (withSkull.Subjects[s].Site.Name != site.Name)
                    {
                        continue;
                    }
                    var image = Volume.FromImage(MriImage.Load(withSkull.Subjects[s].Path));
                    var truth = Volume.FromImage(MriImage.Load(stripped.Subjects[s].Path));
                    watch.Start();
                    var result = BrainExtractor.Extract(image, extraction);
                    watch.Stop();
                    var (d, truthCount, maskCount) = DiceOf(result.Mask.Data, truth.Data);
                    dice.Add(d);
                    error.Add(100.0 * (maskCount - truthCount) / truthCount);
                    retried += result.Retried ? 1 : 0;
                    headRight += HeadCheck.Check(image).Verdict == HeadCheckVerdict.NotBrainExtracted ? 1 : 0;
                    strippedRight += HeadCheck.Check(truth).Verdict == HeadCheckVerdict.BrainExtracted ? 1 : 0;
                }
                all.AddRange(dice);
                Console.WriteLine(string.Create(inv,
                    $"| {site.Name} | {site.Contrast} | {site.DataType.NumpyName()} {site.Orientation} | {size} | {dice.Count} | {dice.Average():F4} | {dice.Min():F4} | {error.Average():+0.0;-0.0} | {retried} | {watch.Elapsed.TotalSeconds / dice.Count:F2} | {headRight}/{dice.Count} / {strippedRight}/{dice.Count} |"));
            }
        }
        Console.WriteLine();
        Console.WriteLine(string.Create(inv, $"all {all.Count} scans: Dice mean {all.Average():F4}, min {all.Min():F4}"));
        return 0;
    }

    /// <summary>Times <see cref="BrainExtractor.Extract"/> on a synthetic 1 mm head on a 182×218×182 grid (the MNI 1 mm box).</summary>
    public static int Speed(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        string work = TransferStudy.Arg(args, "--work") ?? throw new ArgumentException("--work DIR is required");
        int reps = int.Parse(TransferStudy.Arg(args, "--reps") ?? "5", inv);
        var site = SiteProfile.SiteE with { FieldOfView = (182, 218, 182) };
        var cohort = SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = work, Subjects = 1, Seed = 3, Sites = [site], WithSkull = true, Overwrite = true });
        var volume = Volume.FromImage(MriImage.Load(cohort.Subjects[0].Path));
        Console.WriteLine($"cores: {Environment.ProcessorCount}, .NET {Environment.Version}; grid {string.Join('x', volume.Shape)} at {volume.VoxelSize[0]:F1} mm; {reps} repetitions (medians)");
        // The anchor resamples onto the same grid shifted by half a voxel along every axis: every output voxel is a
        // full trilinear interpolation (an unshifted grid would be copied).
        var shifted = volume.Affine.Multiply(Affine.FromLinearAndTranslation([1, 0, 0, 0, 1, 0, 0, 0, 1], [0.5, 0.5, 0.5]));
        // Warm-up: JIT and the first large allocations.
        BrainExtractor.Extract(volume);
        Resampling.OntoGrid(volume, volume.Shape, shifted);
        var extract = new List<double>();
        var anchor = new List<double>();
        var extractCpu = new List<double>();
        var anchorCpu = new List<double>();
        BrainExtractorResult? last = null;
        var process = Process.GetCurrentProcess();
        for (int r = 0; r < reps; r++)
        {
            // Wall time and the process's processor time: on a shared machine the second tells the work done.
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            last = BrainExtractor.Extract(volume);
            extract.Add(watch.Elapsed.TotalSeconds);
            process.Refresh();
            extractCpu.Add((process.TotalProcessorTime - cpu).TotalSeconds);
            cpu = process.TotalProcessorTime;
            watch.Restart();
            Resampling.OntoGrid(volume, volume.Shape, shifted);
            anchor.Add(watch.Elapsed.TotalSeconds);
            process.Refresh();
            anchorCpu.Add((process.TotalProcessorTime - cpu).TotalSeconds);
        }
        double e = Median(extract), a = Median(anchor);
        Console.WriteLine();
        Console.WriteLine("| step | wall seconds (median) | processor seconds (median) | wall ratio to anchor |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine(string.Create(inv, $"| anchor: one trilinear resampling of the volume (Resampling.OntoGrid, grid shifted by half a voxel) | {a:F3} | {Median(anchorCpu):F3} | 1× |"));
        Console.WriteLine(string.Create(inv, $"| BrainExtractor.Extract ({last!.Iterations} iterations, retried: {last.Retried}) | {e:F3} | {Median(extractCpu):F3} | {e / a:F1}× |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(inv, $"brain volume {last.BrainVolumeMl:F0} mL; target: at most 5 s on 2 cores"));
        return 0;
    }

    internal static (double Dice, long Truth, long Mask) DiceOf(float[] mask, float[] truthImage)
    {
        long both = 0, truth = 0, found = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            bool t = truthImage[i] != 0, m = mask[i] != 0;
            truth += t ? 1 : 0;
            found += m ? 1 : 0;
            both += t && m ? 1 : 0;
        }
        return (2.0 * both / (truth + found), truth, found);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted[sorted.Length / 2];
    }
}
