using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Volumes;

namespace Xai4Mri.Bench;

/// <summary>
/// The validation of docs/analysis-validation.md: target scenarios with known truth, each fine-tuned for real with
/// every strategy (<c>analysis-outcomes</c>), so that the analysis's ranking and recommendation can be checked
/// against what training actually reaches.
/// </summary>
internal static class AnalysisValidation
{
    /// <summary>One target scenario: where its table is, which label, and how many subjects.</summary>
    internal sealed record Scenario(string Key, string Description, string Table, string Label, bool Regression, int N);

    private const string OutcomesFile = "analysis-outcomes.tsv";

    /// <summary>
    /// The scenarios, generated on first use under <paramref name="work"/> (which holds the transfer study: its
    /// site-A source and the site-D target): (a) site A age, (b) site D age, (c) site D patient vs control,
    /// (d) site D with shuffled ages, (e) site D with a lesion placed at random in half the subjects, (f) site D age at N = 120.
    /// </summary>
    internal static IReadOnlyList<Scenario> Scenarios(string work)
    {
        string siteA = Path.Combine(work, "val-site-a");
        if (!File.Exists(Path.Combine(siteA, "participants.tsv")))
        {
            SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = siteA, Subjects = 60, Seed = 31, Sites = [SiteProfile.SiteA], VoxelSize = 4 });
        }
        string group = Path.Combine(work, "val-group");
        if (!File.Exists(Path.Combine(group, "participants.tsv")))
        {
            SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = group, Subjects = 60, Seed = 37, Sites = [SiteProfile.FindPredefined("site-d")!], VoxelSize = 3, PatientFraction = 0.5 });
        }
        string target = Path.Combine(work, "target");
        if (!File.Exists(Path.Combine(target, "participants.tsv")))
        {
            throw new InvalidOperationException($"{target} is missing: run transfer-compare first (bench/run-transfer.sh)");
        }
        var subjects = File.ReadAllLines(Path.Combine(target, "participants.tsv")).Skip(1).Take(60)
            .Select(l => l.Split('\t')).Select(f => (Id: f[0], Age: f[1], Path: Path.GetFullPath(Path.Combine(target, f[0], "anat", $"{f[0]}_T1w.nii.gz")))).ToList();
        string random = Path.Combine(work, "val-random", "participants.tsv");
        if (!File.Exists(random))
        {
            // The same 60 images with their ages shuffled: no image feature can predict the label.
            var ages = subjects.Select(s => s.Age).ToArray();
            new Random(5).Shuffle(ages);
            Directory.CreateDirectory(Path.GetDirectoryName(random)!);
            File.WriteAllLines(random, ["participant_id\tage\tpath", .. subjects.Select((s, i) => $"{s.Id}\t{ages[i]}\t{s.Path}")]);
        }
        string lesion = Path.Combine(work, "val-lesion", "participants.tsv");
        if (!File.Exists(lesion))
        {
            WriteLesionCohort(subjects.Select(s => (s.Id, s.Path)).ToList(), Path.GetDirectoryName(lesion)!);
        }
        string targetTable = Path.Combine(target, "participants.tsv");
        return
        [
            new("a", "site A (the source's site), age", Path.Combine(siteA, "participants.tsv"), "age", true, 60),
            new("b", "site D (FLAIR, 3 mm, PSR), age", targetTable, "age", true, 60),
            new("c", "site D, patient vs control (half patients)", Path.Combine(group, "participants.tsv"), "group", false, 60),
            new("d", "site D, shuffled ages (no signal)", random, "age", true, 60),
            new("e", "site D, a bright lesion placed at random in half the subjects", lesion, "lesion", false, 60),
            new("f", "site D, age, N = 120", targetTable, "age", true, 120),
        ];
    }

    /// <summary>
    /// Copies each image with, in a random half of them, a bright sphere (radius 8 mm, 1.6 × the 99th percentile)
    /// at a random position inside the brain: a label that nothing in an age-trained network looks for.
    /// </summary>
    private static void WriteLesionCohort(IReadOnlyList<(string Id, string Path)> subjects, string folder)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(7);
        var withLesion = Enumerable.Range(0, subjects.Count).Select(i => i % 2 == 0).ToArray();
        random.Shuffle(withLesion);
        var rows = new List<string> { "participant_id\tlesion\tpath" };
        for (int i = 0; i < subjects.Count; i++)
        {
            var image = MriImage.Load(subjects[i].Path);
            float[] data = image.GetFloatData();
            long[] shape = image.Shape;
            if (withLesion[i])
            {
                AddLesion(data, shape, image.Zooms, random);
            }
            string path = Path.GetFullPath(Path.Combine(folder, $"{subjects[i].Id}_lesion.nii.gz"));
            NiftiWriter.Write<float>(path, data, shape, image.Affine);
            rows.Add($"{subjects[i].Id}\t{(withLesion[i] ? "yes" : "no")}\t{path}");
        }
        File.WriteAllLines(Path.Combine(folder, "participants.tsv"), rows);
    }

    private static void AddLesion(float[] data, long[] shape, double[] zooms, Random random)
    {
        var sorted = data.Where(v => v > 0).Order().ToArray();
        float p99 = sorted[(int)(sorted.Length * 0.99)];
        float brain = 0.2f * p99;
        int nx = (int)shape[0], ny = (int)shape[1], nz = (int)shape[2];
        const double radius = 8;
        int[] reach = [.. zooms.Take(3).Select(z => (int)Math.Ceiling(radius / z))];
        while (true)
        {
            int x = random.Next(reach[0], nx - reach[0]), y = random.Next(reach[1], ny - reach[1]), z = random.Next(reach[2], nz - reach[2]);
            // The centre and the six points at the radius must be brain, so the sphere sits inside it.
            bool inside = data[Index(x, y, z)] > brain
                && data[Index(x - reach[0], y, z)] > brain && data[Index(x + reach[0], y, z)] > brain
                && data[Index(x, y - reach[1], z)] > brain && data[Index(x, y + reach[1], z)] > brain
                && data[Index(x, y, z - reach[2])] > brain && data[Index(x, y, z + reach[2])] > brain;
            if (!inside)
            {
                continue;
            }
            for (int k = -reach[2]; k <= reach[2]; k++)
            {
                for (int j = -reach[1]; j <= reach[1]; j++)
                {
                    for (int i = -reach[0]; i <= reach[0]; i++)
                    {
                        double d2 = Math.Pow(i * zooms[0], 2) + Math.Pow(j * zooms[1], 2) + Math.Pow(k * zooms[2], 2);
                        if (d2 <= radius * radius)
                        {
                            data[Index(x + i, y + j, z + k)] = 1.6f * p99;
                        }
                    }
                }
            }
            return;
        }

        int Index(int x, int y, int z) => x + (nx * (y + (ny * z)));
    }

    /// <summary>The scenario's rows with a Boolean <c>Label</c> for the classification scenarios.</summary>
    internal static IDataView Load(MLContext ml, Scenario scenario)
    {
        bool ownPaths = File.ReadLines(scenario.Table).First().Split('\t').Contains("path");
        var all = ownPaths
            ? StudyTable.Load(ml, scenario.Table, pathColumn: "path", options: new StudyTableOptions { NumericColumns = scenario.Regression ? [scenario.Label] : [] })
            : StudyTable.Load(ml, scenario.Table, "{participant_id}/anat/{participant_id}_T1w.nii.gz", options: new StudyTableOptions { NumericColumns = scenario.Regression ? [scenario.Label] : [] });
        var data = ml.Data.TakeRows(all, scenario.N);
        if (!scenario.Regression)
        {
            var positive = new Dictionary<string, bool> { ["control"] = false, ["patient"] = true, ["no"] = false, ["yes"] = true };
            data = ml.Transforms.Conversion.MapValue("Label", positive, scenario.Label).Fit(data).Transform(data);
        }
        return data;
    }

    /// <summary>
    /// <c>analysis-outcomes</c>: 5-fold cross-validated fine-tuning of every strategy on every scenario, appended to
    /// WORK/analysis-outcomes.tsv as it goes (a rerun skips what is there).
    /// </summary>
    public static int Outcomes(string[] args)
    {
        string work = TransferStudy.Arg(args, "--work") ?? throw new ArgumentException("--work DIR is required");
        string[] keys = (TransferStudy.Arg(args, "--scenarios") ?? "a,b,c,d,e,f").Split(',');
        string[] strategies = (TransferStudy.Arg(args, "--strategies") ?? "scratch,features,probe,mono,dual").Split(',');
        string pretrainedName = TransferStudy.Arg(args, "--pretrained") ?? "pretrained-mrinet-bn";
        var clock = Stopwatch.StartNew();
        var scenarios = Scenarios(work);
        string file = Path.Combine(work, OutcomesFile);
        if (!File.Exists(file))
        {
            File.WriteAllLines(file, ["scenario\tstrategy\tn\tmetric\tmean\tsd\tsecond\tchance\tminutes"]);
        }
        var done = File.ReadAllLines(file).Skip(1).Select(l => l.Split('\t')).Select(f => (f[0], f[1])).ToHashSet();
        using var pretrained = MriNetModel.Load(Path.Combine(work, $"{pretrainedName}.x4m"));
        foreach (var scenario in scenarios.Where(s => keys.Contains(s.Key)))
        {
            var ml = new MLContext(seed: 1);
            var data = Load(ml, scenario);
            string label = scenario.Regression ? scenario.Label : "Label";
            double chance = scenario.Regression ? MeanAbsoluteDeviation(data.GetColumn<float>(label).ToArray()) : 0.5;
            var loader = ml.Transforms.LoadNifti("Image", "Path", TransferStudy.Loader(Path.Combine(work, "cache")));
            foreach (string strategy in strategies.Where(s => !done.Contains((scenario.Key, s))))
            {
                var started = clock.Elapsed;
                var pipeline = loader.Append(TransferStudy.Strategy(ml, strategy, label, scenario.Regression, pretrained, 12, 8));
                var (mean, sd, second) = TransferStudy.CrossValidate(ml, data, pipeline, label, scenario.Regression, 5);
                string line = string.Join('\t', scenario.Key, strategy, scenario.N.ToString(CultureInfo.InvariantCulture), scenario.Regression ? "MAE" : "balanced accuracy",
                    F(mean), F(sd), F(second), F(chance), F((clock.Elapsed - started).TotalMinutes));
                File.AppendAllLines(file, [line]);
                Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] {line}");
            }
        }
        Console.WriteLine($"done in {clock.Elapsed.TotalMinutes:F1} min");
        return 0;
    }

    /// <summary>
    /// <c>analysis-validate</c>: the analysis on every scenario, compared with the outcomes of <c>analysis-outcomes</c>:
    /// Spearman's rank correlation of expected vs actual skill, the no-signal flag, and how the recommended strategy
    /// scored against the best one. Writes WORK/analysis-validation.md and a report folder per scenario.
    /// </summary>
    public static int Validate(string[] args)
    {
        string work = TransferStudy.Arg(args, "--work") ?? throw new ArgumentException("--work DIR is required");
        string pretrainedName = TransferStudy.Arg(args, "--pretrained") ?? "pretrained-mrinet-bn";
        var outcomes = File.ReadAllLines(Path.Combine(work, OutcomesFile)).Skip(1).Select(l => l.Split('\t'))
            .GroupBy(f => f[0]).ToDictionary(g => g.Key, g => g.ToDictionary(f => f[1], f => double.Parse(f[4], CultureInfo.InvariantCulture)));
        var chances = File.ReadAllLines(Path.Combine(work, OutcomesFile)).Skip(1).Select(l => l.Split('\t'))
            .GroupBy(f => f[0]).ToDictionary(g => g.Key, g => double.Parse(g.First()[7], CultureInfo.InvariantCulture));
        string modelPath = Path.Combine(work, $"{pretrainedName}.x4m");
        using var pretrained = MriNetModel.Load(modelPath);
        if (pretrained.SourceStatistics is null)
        {
            // Models pretrained before the trainer recorded source statistics: record them from the source cohort
            // it was fitted on, as the trainer now does, so the analysis can measure domain shift.
            var ml = new MLContext(seed: 1);
            var source = StudyTable.Load(ml, Path.Combine(work, "source", "participants.tsv"), "{participant_id}/anat/{participant_id}_T1w.nii.gz");
            var images = ml.Transforms.LoadNifti("Image", "Path", TransferStudy.Loader(Path.Combine(work, "cache"))).Fit(source).Transform(source);
            pretrained.RecordSourceStatistics(images, description: "site-A source cohort it was pretrained on");
            pretrained.Save(modelPath);
            Console.WriteLine($"recorded source statistics in {modelPath}: {pretrained.SourceStatistics!.Description}");
        }
        var rows = new List<(Scenario S, TransferReport R, double Actual, string Best, double BestScore, double RecommendedScore, bool Within)>();
        foreach (var scenario in Scenarios(work).Where(s => outcomes.ContainsKey(s.Key)))
        {
            var ml = new MLContext(seed: 1);
            var data = Load(ml, scenario);
            string label = scenario.Regression ? scenario.Label : "Label";
            var clock = Stopwatch.StartNew();
            var fitted = ml.Transforms.LoadNifti("Image", "Path", TransferStudy.Loader(Path.Combine(work, "cache")))
                .Append(ml.Transforms.AnalyzeTransfer(label, "Image", pretrained)).Fit(data);
            var report = fitted.LastTransformer.Report;
            report.Save(Path.Combine(work, $"report-{scenario.Key}"));
            var scores = outcomes[scenario.Key];
            double chance = chances[scenario.Key];
            // Higher is better for balanced accuracy, lower for MAE.
            var best = scenario.Regression ? scores.MinBy(p => p.Value) : scores.MaxBy(p => p.Value);
            double actual = Recommender.Skill(best.Value, chance, scenario.Regression);
            string key = report.Recommendation.Approach switch
            {
                TransferApproach.FrozenFeatures => "features",
                TransferApproach.LinearProbeThenFineTune => "probe",
                TransferApproach.DualPhase => "dual",
                TransferApproach.MonoPhase => "mono",
                TransferApproach.TrainFromScratch => "scratch",
                _ => "none",
            };
            // "Too little signal" scores what not training gives: the chance level.
            // A partial outcomes file (a run still going) may lack the recommended strategy: NaN, reported as such.
            double recommended = key == "none" ? chance : scores.GetValueOrDefault(key, double.NaN);
            bool within = scenario.Regression ? recommended <= 1.1 * best.Value : recommended >= 0.9 * best.Value;
            rows.Add((scenario, report, actual, best.Key, best.Value, recommended, within));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"({scenario.Key}) expected skill {report.Recommendation.ExpectedSkill:F3}, actual {actual:F3} ({best.Key}); recommended {report.Recommendation.Approach} → {recommended:G4} vs best {best.Value:G4} {(within ? "within 10 %" : "NOT within 10 %")}; {clock.Elapsed.TotalSeconds:F0} s"));
        }
        double rho = RankCorrelation.Spearman([.. rows.Select(r => r.R.Recommendation.ExpectedSkill)], [.. rows.Select(r => r.Actual)]);
        var c = CultureInfo.InvariantCulture;
        var md = new List<string>
        {
            "| scenario | N | metric | chance | best actual (strategy) | actual skill | expected skill (analysis) | recommended | its actual score | within 10 % | analysis s |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        };
        md.AddRange(rows.Select(r => string.Create(c,
            $"| ({r.S.Key}) {r.S.Description} | {r.S.N} | {r.R.Recommendation.Metric} | {chances[r.S.Key]:G3} | {r.BestScore:G3} ({r.Best}) | {r.Actual:F2} | {r.R.Recommendation.ExpectedSkill:F2} | {r.R.Recommendation.Approach} ({r.R.Recommendation.ConfidenceLevel}) | {r.RecommendedScore:G3} | {(r.Within ? "yes" : "**no**")} | {r.R.Seconds:F0} |")));
        md.Add("");
        md.Add(string.Create(c, $"Spearman's rank correlation of expected vs actual skill over {rows.Count} scenarios: **{rho:F2}**."));
        File.WriteAllLines(Path.Combine(work, "analysis-validation.md"), md);
        Console.WriteLine(string.Join(Environment.NewLine, md));
        return 0;
    }

    /// <summary>
    /// <c>analysis-timing</c>: the analysis of a 120-subject cohort stored at 2 mm (sites A and B), conformed at 2 mm to
    /// xai4mri's brain box (78 × 83 × 102) for an MRInet of that input: timed from a cold volume cache (loading
    /// included) and again warm.
    /// </summary>
    public static int Timing(string[] args)
    {
        string work = TransferStudy.Arg(args, "--work") ?? throw new ArgumentException("--work DIR is required");
        int subjects = int.Parse(TransferStudy.Arg(args, "--subjects") ?? "120", CultureInfo.InvariantCulture);
        string cohort = Path.Combine(work, $"timing-{subjects}-2mm");
        if (!File.Exists(Path.Combine(cohort, "participants.tsv")))
        {
            SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = cohort, Subjects = subjects, Seed = 41, Sites = [SiteProfile.SiteA, SiteProfile.SiteB], VoxelSize = 2 });
        }
        int[] shape = BrainBox.Xai4MriDefaultShape([2.0]);
        using var model = MriNetModel.CreateMriNet(shape, ModelTask.Regression(50, "age"), seed: 1, batchNorm: true,
            conventions: new InputConventions { VoxelSize = [2.0], Description = "timing model, 2 mm" });
        string cache = Path.Combine(work, $"timing-cache-{Guid.NewGuid():N}");
        try
        {
            foreach (string run in new[] { "cold cache (loading included)", "warm cache" })
            {
                var ml = new MLContext(seed: 1);
                var data = StudyTable.Load(ml, Path.Combine(cohort, "participants.tsv"), "{participant_id}/anat/{participant_id}_T1w.nii.gz", options: new StudyTableOptions { NumericColumns = ["age"] });
                var clock = Stopwatch.StartNew();
                var fitted = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { VoxelSize = [2.0], TargetShape = shape, CacheDirectory = cache })
                    .Append(ml.Transforms.AnalyzeTransfer("age", "Image", model, options: new TransferAnalysisOptions { Progress = new Lines(clock) })).Fit(data);
                var report = fitted.LastTransformer.Report;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{subjects} subjects, 2 mm, input {string.Join('x', shape)}, {run}: {clock.Elapsed.TotalSeconds:F0} s in all (analysis {report.Seconds:F0} s); {Environment.ProcessorCount} cores; recommendation {report.Recommendation.Approach}"));
                // The scores, to compare two builds value for value (a faster build must not change them).
                var t = report.Transferability;
                foreach (var (features, value) in t.LogMe)
                {
                    Console.WriteLine($"  LogME {features}: {F(value)}");
                }
                foreach (var p in t.Probes)
                {
                    Console.WriteLine($"  probe {p.Model} on {p.Features}: {F(p.Mean)} ± {F(p.StandardDeviation)}");
                }
                foreach (var p in report.LearningCurve)
                {
                    Console.WriteLine($"  curve {p.Features} N={p.N}: {F(p.Mean)} ± {F(p.StandardDeviation)}");
                }
            }
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
        return 0;
    }

    private sealed class Lines(Stopwatch clock) : IProgress<string>
    {
        public void Report(string value)
        {
            if (!value.StartsWith("features: ", StringComparison.Ordinal) || !char.IsDigit(value[10]) || value.EndsWith("0 images", StringComparison.Ordinal))
            {
                Console.WriteLine($"[{clock.Elapsed.TotalSeconds,5:F0} s] {value}");
            }
        }
    }

    private static double MeanAbsoluteDeviation(float[] values)
    {
        double mean = values.Average(v => (double)v);
        return values.Average(v => Math.Abs(v - mean));
    }

    private static string F(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
