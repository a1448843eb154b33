using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using TorchSharp;
using Xai4Mri.ML;
using Xai4Mri.ML.Explanations;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Transfer;
using static TorchSharp.torch;

namespace Xai4Mri.Bench;

/// <summary>
/// Faithfulness of every relevance method on synthetic ground truth (docs/explanations.md): (a) brain age from the
/// quickstart's pretrained MRInet, where age acts on the ventricles, the cortex and the CSF around it; (b) a lesion
/// detector fine-tuned from it, where a planted lesion is the only evidence. Per method: the share of |relevance| inside
/// the true region against the region's share of the brain, region perturbation (AOPC, most relevant cubes first
/// against random orders) and the seconds per map.
/// </summary>
internal static class FaithfulnessBenchmark
{
    private static readonly RelevanceMethod[] AllMethods = Enum.GetValues<RelevanceMethod>();

    public static int Run(string[] args)
    {
        var o = new FaithfulnessOptions();
        for (int i = 0; i < args.Length; i++)
        {
            int Int() => int.Parse(args[++i], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--work": o.Work = args[++i]; break;
                case "--pretrained": o.Pretrained = args[++i]; break;
                case "--age-subjects": o.AgeSubjects = Int(); break;
                case "--lesion-train": o.LesionTrain = Int(); break;
                case "--lesion-test": o.LesionTest = Int(); break;
                case "--lesion-radius": o.LesionRadius = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--epochs": o.Epochs = Int(); break;
                case "--learning-rate": o.LearningRate = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--steps": o.Steps = Int(); break;
                case "--cube-mm": o.CubeMm = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--occlusion-mm": o.OcclusionMm = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--lesion-model": o.LesionFromScratch = args[++i] switch
                {
                    "fresh" => true,
                    "fine-tuned" => false,
                    var m => throw new ArgumentException($"unknown lesion model {m}: fresh or fine-tuned"),
                };
                    break;
                case "--lesion-batch-norm": o.LesionBatchNorm = bool.Parse(args[++i]); break;
                case "--patience": o.Patience = Int(); break;
                case "--lesion-voxel": o.LesionVoxel = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--lesion-site": o.LesionSite = args[++i]; break;
                case "--seeds": o.Seeds = Int(); break;
                case "--threads": o.Threads = Int(); break;
                case "--figures": o.Figures = args[++i]; break;
                case "--method": o.Methods.Add(Enum.Parse<RelevanceMethod>(args[++i])); break;
                case "--scenarios": o.Scenarios = [.. args[++i].Split(',')]; break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        if (o.Methods.Count == 0)
        {
            o.Methods.AddRange(AllMethods);
        }
        torch.set_num_threads(o.Threads);
        Directory.CreateDirectory(o.Work);
        var clock = Stopwatch.StartNew();
        var ml = new MLContext(seed: 1);
        using var pretrained = MriNetModel.Load(o.Pretrained);
        Console.WriteLine($"# Faithfulness on synthetic ground truth ({DateTime.UtcNow:yyyy-MM-dd})");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Machine: {Environment.ProcessorCount} logical cores ({CpuName()}), torch threads {o.Threads}, CPU. Arguments: {string.Join(' ', args)}"));

        foreach (string key in o.Scenarios)
        {
            using var scenario = key switch
            {
                "age" => FaithfulnessScenario.Age(ml, pretrained, o, Log),
                "lesion" => FaithfulnessScenario.Lesion(ml, pretrained, o, Log),
                _ => throw new ArgumentException($"unknown scenario {key}: age or lesion"),
            };
            // One map of each kind of pass first, so that no method's time holds the one-time start-up (JIT, allocator).
            int voxels = scenario.Images.Length / scenario.Count;
            foreach (var warm in new[] { RelevanceMethod.LrpPresetA, RelevanceMethod.Gradient })
            {
                _ = RelevanceMaps.Compute(scenario.Model, scenario.Images[..voxels], 1, new RelevanceOptions { Method = warm, Target = scenario.Target });
            }
            var results = o.Methods.Select(m => Measure(scenario, m, o, Log)).ToList();
            var random = RandomCurves(scenario, o);
            Report(scenario, results, random, o);
            if (o.Figures is { } folder)
            {
                Directory.CreateDirectory(folder);
                FaithfulnessFigures.Curves(Path.Combine(folder, $"faithfulness-aopc-{scenario.Key}.png"), scenario, results, random, o);
                FaithfulnessFigures.Slices(Path.Combine(folder, $"faithfulness-maps-{scenario.Key}.png"), scenario, results);
                Log($"figures of {scenario.Key} in {folder}");
            }
        }
        Log($"done in {clock.Elapsed.TotalMinutes:F1} min");
        return 0;

        void Log(string line) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed:mm\\:ss}] {line}"));
    }

    /// <summary>The maps of one method for every subject of a scenario, and what they score.</summary>
    internal sealed record MethodResult(RelevanceMethod Method, IReadOnlyList<RelevanceMap> Maps, double SecondsPerMap,
        Dictionary<string, double[]> Concentration, double[][] Curves);

    private static MethodResult Measure(FaithfulnessScenario s, RelevanceMethod method, FaithfulnessOptions o, Action<string> log)
    {
        var options = new RelevanceOptions
        {
            Method = method,
            Target = s.Target,
            // The default 8-voxel cubes are 48 mm at 6 mm and would blur a 16 mm lesion away: 24 mm cubes (4 voxels at
            // 6 mm, 6 at 4 mm), side by side (about 500 passes per map; half the stride would cost eight times as many).
            PatchSize = s.OcclusionEdge,
            Stride = s.OcclusionEdge,
            BatchSize = 16,
        };
        var sw = Stopwatch.StartNew();
        var maps = RelevanceMaps.Compute(s.Model, s.Images, s.Count, options);
        double seconds = sw.Elapsed.TotalSeconds / s.Count;
        var concentration = s.Regions.ToDictionary(r => r.Key, r => Enumerable.Range(0, s.Count).Select(i => Concentration(maps[i].Values, r.Value[i], s.Brain[i])).ToArray());
        var curves = Enumerable.Range(0, s.Count).Select(i => s.Curve(i, MostRelevantFirst(s, i, maps[i].Values), o.Steps)).ToArray();
        log(string.Create(CultureInfo.InvariantCulture, $"{s.Key} {method}: {seconds:F3} s/map, AOPC {curves.Average(Aopc):F3}"));
        return new MethodResult(method, maps, seconds, concentration, curves);
    }

    /// <summary>
    /// The share of |relevance| (over the whole input box) that lies inside the region, divided by the region's share
    /// of the brain's voxels: 1 is what relevance spread evenly over the brain gives, above 1 is concentrated.
    /// </summary>
    internal static double Concentration(float[] relevance, bool[] region, bool[] brain)
    {
        double inside = 0, total = 0;
        int regionVoxels = 0, brainVoxels = 0;
        for (int v = 0; v < relevance.Length; v++)
        {
            double a = Math.Abs(relevance[v]);
            total += a;
            if (region[v])
            {
                inside += a;
                regionVoxels++;
            }
            brainVoxels += brain[v] ? 1 : 0;
        }
        return total == 0 || regionVoxels == 0 ? double.NaN : inside / total / ((double)regionVoxels / brainVoxels);
    }

    /// <summary>The cubes of one subject ordered by the sum of their signed relevance, largest first (ties: cube order).</summary>
    private static int[] MostRelevantFirst(FaithfulnessScenario s, int subject, float[] relevance)
    {
        var cubes = s.Cubes[subject];
        var scores = cubes.Select(c => c.All.Sum(v => (double)relevance[v])).ToArray();
        return [.. Enumerable.Range(0, cubes.Count).OrderByDescending(c => scores[c]).ThenBy(c => c)];
    }

    /// <summary>Random orders of the cubes, <see cref="FaithfulnessOptions.Seeds"/> per subject (seeded by seed and subject).</summary>
    private static double[][] RandomCurves(FaithfulnessScenario s, FaithfulnessOptions o) =>
    [
        .. Enumerable.Range(0, s.Count).SelectMany(i => Enumerable.Range(0, o.Seeds).Select(seed =>
        {
            var rng = new Random((seed * 100_003) + i);
            int[] order = [.. Enumerable.Range(0, s.Cubes[i].Count)];
            rng.Shuffle(order);
            return s.Curve(i, order, o.Steps);
        })),
    ];

    /// <summary>Samek et al. (2017): the mean output drop over k = 0…K cubes removed, f(x) − f(x with the first k removed).</summary>
    internal static double Aopc(double[] outputs) => outputs.Average(y => outputs[0] - y);

    private static void Report(FaithfulnessScenario s, List<MethodResult> results, double[][] random, FaithfulnessOptions o)
    {
        var c = CultureInfo.InvariantCulture;
        double randomAopc = random.Average(Aopc);
        double randomSem = Sem(random.Select(Aopc).ToArray());
        Console.WriteLine();
        Console.WriteLine($"## {s.Title}");
        Console.WriteLine();
        Console.WriteLine(s.Description);
        Console.WriteLine();
        string regionHeads = string.Join(" | ", s.Regions.Keys.Select(k => $"{k}: share / volume share"));
        Console.WriteLine($"| method | {regionHeads} | AOPC ({s.OutputUnit}) | AOPC − random | seconds per map |");
        Console.WriteLine($"|---|{string.Concat(s.Regions.Keys.Select(_ => "---|"))}---|---|---|");
        foreach (var r in results)
        {
            var aopc = r.Curves.Select(Aopc).ToArray();
            string regions = string.Join(" | ", s.Regions.Keys.Select(k => string.Create(c, $"{Mean(r.Concentration[k]):F2} ± {Sem(r.Concentration[k]):F2}")));
            Console.WriteLine(string.Create(c, $"| {r.Method} | {regions} | {aopc.Average():F3} ± {Sem(aopc):F3} | {aopc.Average() - randomAopc:+0.000;-0.000} | {r.SecondsPerMap:F3} |"));
        }
        Console.WriteLine(string.Create(c, $"| random order ({o.Seeds} seeds per subject) | {string.Join(" | ", s.Regions.Keys.Select(_ => "—"))} | {randomAopc:F3} ± {randomSem:F3} | 0 | |"));
        Console.WriteLine();
        Console.WriteLine(string.Create(c, $"Mean ± standard error over {s.Count} subjects. AOPC over k = 0…{o.Steps} cubes of {s.CubeEdge}³ voxels ({s.CubeEdge * s.VoxelMm:0.#} mm) removed (set to the brain's mean intensity), most relevant (largest signed sum) first."));
    }

    private static double Mean(double[] v) => v.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();

    private static double Sem(double[] v)
    {
        var f = v.Where(double.IsFinite).ToArray();
        if (f.Length < 2)
        {
            return double.NaN;
        }
        double m = f.Average();
        return Math.Sqrt(f.Sum(x => (x - m) * (x - m)) / (f.Length - 1) / f.Length);
    }

    private static string CpuName()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
