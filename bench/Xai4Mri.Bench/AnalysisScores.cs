using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Xai4Mri.ML;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using static TorchSharp.torch;

namespace Xai4Mri.Bench;

/// <summary>
/// <c>analysis-scores</c>: the published transferability scores (LogME, H-score, LEEP, NCE) beside the analysis's
/// probes, on the held-out scenarios whose cohorts exist, ranked against the best actual skill of the fine-tuned
/// strategies (docs/analysis-validation.md). Scores are cached per scenario as JSON lines, so a rerun only adds the
/// scenarios that are new; the comparison uses the scenarios whose outcomes are complete in the results file.
/// </summary>
internal static partial class AnalysisScores
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // A score that cannot be computed (a single target class, a constant feature set) is NaN, kept in the line.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Source bins for LEEP and NCE unless --source-bins says otherwise (see docs/analysis-validation.md for why 5).</summary>
    internal const int DefaultSourceBins = 5;

    /// <summary>
    /// One scenario's scores. LogMe and HScore per feature set ("penultimate", "earlier", "raw"); the class scores use
    /// the target's classes, or for age its <see cref="HScore.DefaultRegressionBins"/> quantile bins
    /// (<see cref="TargetBins"/> kept, entropy <see cref="TargetEntropy"/> in nats). LEEP (soft) and NCE (hard) bin the
    /// source's age predictions into <see cref="SourceBins"/> equal-width bins over [SourceLow, SourceHigh].
    /// SourceAgeMae and SourceAgeCorrelation compare the source's predictions with the subjects' true ages (the
    /// cohort's participants.tsv): a check that the last layer gives years.
    /// </summary>
    internal sealed record ScoreLine(string Kind, string Scenario, int N, string Model, bool Regression, int Classes, int TargetBins, double TargetEntropy,
        Dictionary<string, double> LogMe, Dictionary<string, double> HScore, double HScoreShrinkage, double HScoreOriginal,
        int SourceBins, double SourceLow, double SourceHigh, double SourceMae, int[] SourceBinCounts, double Leep, double Nce,
        double SourceAgeMae, double SourceAgeCorrelation, string[] Problems, double Seconds);

    public static int Run(string[] args)
    {
        string work = TransferStudy.Arg(args, "--work") ?? throw new ArgumentException("--work DIR is required");
        string outFolder = TransferStudy.Arg(args, "--out") ?? Path.Combine(work, "analysis-scores");
        string manifest = TransferStudy.Arg(args, "--manifest") ?? Path.Combine("bench", "heldout-scenarios.json");
        string results = TransferStudy.Arg(args, "--results") ?? Path.Combine(work, "heldout-results.jsonl");
        string scoresFile = TransferStudy.Arg(args, "--scores") ?? Path.Combine(outFolder, "analysis-scores.jsonl");
        string summaryFile = TransferStudy.Arg(args, "--summary") ?? Path.Combine(outFolder, "analysis-scores.md");
        string pretrainedArg = TransferStudy.Arg(args, "--pretrained") ?? "pretrained-mrinet-bn";
        // The conformed images: our own folder by default, so that a held-out run still going is only read.
        string cache = TransferStudy.Arg(args, "--cache") ?? Path.Combine(outFolder, "cache");
        string[] strategies = (TransferStudy.Arg(args, "--strategies") ?? "scratch,features,probe,mono,dual").Split(',');
        int folds = Int(args, "--folds", 5);
        int epochs = Int(args, "--epochs", 12);
        int fineTune = Int(args, "--fine-tune", 8);
        int cap = Int(args, "--max-subjects", int.MaxValue);
        int sourceBins = Int(args, "--source-bins", DefaultSourceBins);
        int resamples = Int(args, "--resamples", 20_000);
        var scenarios = HeldOutScenario.Load(manifest);
        string[]? only = TransferStudy.Arg(args, "--scenarios")?.Split(',');
        var unknown = only?.Except(scenarios.Select(s => s.Id)).ToList();
        if (unknown is { Count: > 0 })
        {
            throw new ArgumentException($"--scenarios: {string.Join(", ", unknown)} not in {manifest}");
        }
        scenarios = [.. scenarios.Where(s => only is null || only.Contains(s.Id))];
        string modelPath = pretrainedArg.EndsWith(".x4m", StringComparison.Ordinal) ? pretrainedArg : Path.Combine(work, $"{pretrainedArg}.x4m");
        if (!File.Exists(modelPath))
        {
            Console.Error.WriteLine($"--pretrained: {modelPath} not found");
            return 2;
        }
        var (low, high, rangeFrom) = SourceRange(args, work);
        var (mae, maeFrom) = SourceMae(args, work, modelPath);
        if (sourceBins < 2 || resamples < 1 || !(high > low) || !double.IsFinite(low) || !double.IsFinite(high))
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"--source-bins must be at least 2, --resamples at least 1, and the source range finite with high above low (it is {low}..{high}, {rangeFrom})"));
            return 2;
        }
        if (double.IsNaN(mae))
        {
            Console.Error.WriteLine($"no validation MAE for {Path.GetFileName(modelPath)}: no '*.log' in {work} has the line transfer-pretrain writes for it; pass --source-mae YEARS");
            return 2;
        }
        if (!(mae > 0) || !double.IsFinite(mae))
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"the source's validation MAE must be positive and finite (it is {mae}, {maeFrom})"));
            return 2;
        }
        Directory.CreateDirectory(outFolder);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(scoresFile))!);
        string model = $"{Path.GetFileName(modelPath)}#{Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(modelPath)))[..12]}";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"source: {model}; LEEP/NCE over {sourceBins} equal-width age bins of [{low:G4}, {high:G4}] ({rangeFrom}), validation MAE {mae:G4} y ({maeFrom})"));
        set_num_threads(1);
        using (var pretrained = MriNetModel.Load(modelPath))
        {
            VerifySource(pretrained, work, cache);
            var done = Read(scoresFile).ToList();
            var ml = new MLContext(seed: 1);
            var clock = Stopwatch.StartNew();
            foreach (var s in scenarios)
            {
                int n = Math.Min(s.Subjects, cap);
                string folder = Path.Combine(work, "heldout", n == s.Subjects ? s.Id : $"{s.Id}-n{n}");
                if (done.Any(d => d.Scenario == s.Id && d.N == n && d.Model == model && d.SourceBins == sourceBins && d.SourceLow == low && d.SourceHigh == high && d.SourceMae == mae))
                {
                    continue;
                }
                // Only cohorts the held-out harness made: Prepare would generate a missing one.
                if (!File.Exists(Path.Combine(folder, $"labels-{folds}-folds.tsv")))
                {
                    continue;
                }
                var line = Score(ml, pretrained, s, folder, n, folds, model, sourceBins, low, high, mae, cache);
                File.AppendAllLines(scoresFile, [JsonSerializer.Serialize(line, Json)]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{clock.Elapsed:hh\\:mm\\:ss}] {s.Id} (N {n}): LogME {line.LogMe["penultimate"]:G4}, H {line.HScore["penultimate"]:G4}, LEEP {line.Leep:G4}, NCE {line.Nce:G4}; source vs true age MAE {line.SourceAgeMae:F1} y, r {line.SourceAgeCorrelation:F2}{(line.Problems.Length > 0 ? $"; {string.Join("; ", line.Problems)}" : "")}"));
            }
        }
        var scores = Read(scoresFile).ToList();
        var md = Summary(scores, [.. HeldOutValidation.Read(results)], scenarios, strategies, folds, epochs, fineTune, cap, model, sourceBins, low, high, mae, resamples, results);
        string temporary = summaryFile + ".tmp";
        File.WriteAllLines(temporary, md);
        File.Move(temporary, summaryFile, overwrite: true);
        Console.WriteLine(string.Join(Environment.NewLine, md));
        return 0;
    }

    /// <summary>The scores of one scenario's cohort, loaded as the held-out harness loads it.</summary>
    private static ScoreLine Score(MLContext ml, MriNetModel pretrained, HeldOutScenario s, string folder, int n, int folds, string model, int sourceBins, double low, double high, double mae, string cache)
    {
        var clock = Stopwatch.StartNew();
        var subjects = s.Prepare(folder, n, folds);
        var trueAges = TrueAges(Path.Combine(folder, "cohort", "participants.tsv")).ToDictionary();
        var view = HeldOutValidation.View(ml, subjects);
        var data = HeldOutValidation.Labelled(ml, s, subjects).Transform(view);
        var (features, predictions) = Extract(ml, pretrained, data, cache);
        var problems = new List<string>();
        double Try(string what, Func<double> score)
        {
            try
            {
                return score();
            }
            catch (ArgumentException e)
            {
                problems.Add($"{what}: {e.Message}");
                return double.NaN;
            }
        }
        bool regression = s.Regression;
        // The label's keys are the classes present (a capped smoke cohort can lack one): count those.
        int classes = regression ? 0 : features.Targets.Distinct().Count();
        var sets = new Dictionary<string, float[][]> { ["penultimate"] = features.Penultimate, ["earlier"] = features.Earlier, ["raw"] = features.Raw };
        var logMe = sets.ToDictionary(p => p.Key, p => Try($"LogME {p.Key}", () => regression
            ? LogMe.Regression(p.Value, features.Targets)
            : LogMe.Classification(p.Value, [.. features.Targets.Select(t => (int)t)], classes)));
        // The class scores' labels: the classes, or for age its quantile bins (the analysis's H-score adaptation).
        int[] labels = regression
            ? QuantileBins.TryAssign([.. features.Targets.Select(t => (double)t)], HScore.DefaultRegressionBins, out int[] binned) ? binned : []
            : [.. features.Targets.Select(t => (int)t)];
        int k = labels.Length == 0 ? 0 : regression ? labels.Max() + 1 : classes;
        if (labels.Length == 0)
        {
            problems.Add("the ages leave a single quantile bin: no H-score, LEEP or NCE");
        }
        var hScore = sets.ToDictionary(p => p.Key, p => labels.Length == 0 ? double.NaN : Try($"H-score {p.Key}", () => HScore.Classification(p.Value, labels, k)));
        double shrinkage = labels.Length == 0 ? double.NaN : Try("H-score shrinkage", () => HScore.Evaluate(ScoreInput.Matrix(features.Penultimate), labels, k, null).Shrinkage);
        double original = labels.Length == 0 ? double.NaN : Try("H-score (α = 0)", () => HScore.Classification(ScoreInput.Matrix(features.Penultimate), labels, k, 0));
        double[] edges = RegressionSource.EqualWidthEdges(low, high, sourceBins);
        int[] hard = RegressionSource.Hard(predictions, edges);
        double leep = labels.Length == 0 ? double.NaN : Try("LEEP", () => Leep.Score(RegressionSource.Soft(predictions, edges, mae), labels, k));
        double nce = labels.Length == 0 ? double.NaN : Try("NCE", () => Nce.Score(hard, sourceBins, labels, k));
        // Features come back in row order, the subjects' order.
        double[] truth = [.. subjects.Select(x => trueAges.TryGetValue(x.Id, out double a) ? a : double.NaN)];
        bool haveTruth = truth.All(double.IsFinite);
        return new ScoreLine("scores", s.Id, n, model, regression, s.Classes, k, labels.Length == 0 ? double.NaN : Entropy(labels, k), logMe, hScore, shrinkage, original,
            sourceBins, low, high, mae, [.. Enumerable.Range(0, sourceBins).Select(b => hard.Count(h => h == b))], leep, nce,
            haveTruth ? truth.Zip(predictions).Average(p => Math.Abs(p.First - p.Second)) : double.NaN,
            haveTruth ? Pearson(truth, predictions) : double.NaN, [.. problems], clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The analysis's features (<see cref="Transferability.Extract"/>, default options) and the source's predictions:
    /// its layers after the penultimate one run on the penultimate features, which is the whole network's output.
    /// </summary>
    private static (AnalysisFeatures Features, double[] Predictions) Extract(MLContext ml, MriNetModel pretrained, IDataView data, string cache)
    {
        var loaderOptions = NiftiLoaderOptions.For(pretrained);
        loaderOptions.VoxelSize ??= [4.0];
        loaderOptions.CacheDirectory = cache;
        var loaded = ml.Transforms.LoadNifti("Image", "Path", loaderOptions).Fit(data).Transform(data);
        var label = LabelColumn.Inspect(loaded.Schema, "Label");
        var features = Transferability.Extract(pretrained, loaded, new TransferabilityOptions(), label, null, CPU);
        return (features, Head(pretrained, features.Penultimate));
    }

    /// <summary>The layers after the penultimate one on penultimate activations: the network's output for each row.</summary>
    private static double[] Head(MriNetModel pretrained, float[][] penultimate)
    {
        int first = pretrained.Spec.PenultimateIndex + 1, last = pretrained.Spec.Layers.Count - 1;
        bool training = pretrained.Network.training;
        pretrained.Network.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var x = OwnedTensor.From([.. penultimate.SelectMany(r => r)], [penultimate.Length, penultimate[0].Length]);
            float[] output = pretrained.Network.Forward(x, first, last).reshape(-1).data<float>().ToArray();
            if (output.Length != penultimate.Length)
            {
                throw new InvalidOperationException($"the source model has {output.Length / penultimate.Length} outputs; analysis-scores needs a one-output (age) regressor");
            }
            return [.. output.Select(v => (double)v)];
        }
        finally
        {
            pretrained.Network.train(training);
        }
    }

    /// <summary>
    /// Checks that the source's predictions are years: on the first 8 subjects of WORK/source (the source cohort) the
    /// whole network's output beside the head-on-penultimate path this command uses, and both against the true ages.
    /// </summary>
    private static void VerifySource(MriNetModel pretrained, string work, string cache)
    {
        string table = Path.Combine(work, "source", "participants.tsv");
        if (!File.Exists(table))
        {
            Console.WriteLine($"source check skipped: {table} not found");
            return;
        }
        var ml = new MLContext(seed: 1);
        // The first 8 subjects of the table, in its order (participants.tsv starts with participant_id).
        var rows = TrueAges(table).Take(8)
            .Select(p => new SourceRow { Path = Path.GetFullPath(Path.Combine(work, "source", p.Key, "anat", $"{p.Key}_T1w.nii.gz")), Label = (float)p.Value }).ToList();
        if (rows.Count == 0)
        {
            Console.WriteLine($"source check skipped: {table} has no age column");
            return;
        }
        var data = ml.Data.LoadFromEnumerable(rows);
        var (_, predictions) = Extract(ml, pretrained, data, cache);
        // The whole network on the same images, for the largest difference from the composed path.
        var loaderOptions = NiftiLoaderOptions.For(pretrained);
        loaderOptions.VoxelSize ??= [4.0];
        loaderOptions.CacheDirectory = cache;
        var loaded = ml.Transforms.LoadNifti("Image", "Path", loaderOptions).Fit(data).Transform(data);
        int voxels = pretrained.InputShape.Aggregate(1, (a, b) => a * b);
        var whole = new List<double>();
        bool training = pretrained.Network.training;
        pretrained.Network.eval();
        try
        {
            using var _ = no_grad();
            foreach (var batch in ImageBatches.Read(loaded, "Image", null, 8, voxels))
            {
                using var scope = NewDisposeScope();
                var x = OwnedTensor.From(batch.Images, [batch.Count, .. pretrained.Spec.InputShape.Select(d => (long)d)]);
                whole.AddRange(pretrained.Network.forward(x).reshape(-1).data<float>().ToArray().Select(v => (double)v));
            }
        }
        finally
        {
            pretrained.Network.train(training);
        }
        double difference = whole.Zip(predictions).Max(p => Math.Abs(p.First - p.Second));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"source check on {rows.Count} source subjects (true age → prediction): {string.Join(", ", rows.Zip(predictions).Select(p => $"{p.First.Label:F1} → {p.Second:F1}"))}; MAE {rows.Zip(predictions).Average(p => Math.Abs(p.First.Label - p.Second)):F2} y; whole network vs head on penultimate features: max difference {difference:G3}"));
    }

    private sealed class SourceRow
    {
        public string Path { get; set; } = "";

        public float Label { get; set; }
    }

    /// <summary>The true (unshuffled) ages of a generated cohort, by participant, in the table's order.</summary>
    private static List<KeyValuePair<string, double>> TrueAges(string participants)
    {
        if (!File.Exists(participants))
        {
            return [];
        }
        var lines = File.ReadAllLines(participants);
        int age = Array.IndexOf(lines[0].Split('\t'), "age");
        return age < 0 ? [] : [.. lines.Skip(1).Select(l => l.Split('\t')).Select(f => KeyValuePair.Create(f[0], double.Parse(f[age], CultureInfo.InvariantCulture)))];
    }

    /// <summary>The source's training age range: --source-range LOW,HIGH, else WORK/source/participants.tsv's ages.</summary>
    private static (double Low, double High, string From) SourceRange(string[] args, string work)
    {
        if (TransferStudy.Arg(args, "--source-range") is { } given)
        {
            double[] v = [.. given.Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture))];
            return v.Length == 2 ? (v[0], v[1], "--source-range") : throw new ArgumentException("--source-range needs LOW,HIGH");
        }
        var ages = TrueAges(Path.Combine(work, "source", "participants.tsv")).Select(p => p.Value).ToList();
        return ages.Count >= 2
            ? (ages.Min(), ages.Max(), $"the ages of {ages.Count} subjects in WORK/source/participants.tsv")
            : throw new ArgumentException($"no source cohort at {Path.Combine(work, "source", "participants.tsv")}: pass --source-range LOW,HIGH");
    }

    /// <summary>
    /// The source's validation MAE: --source-mae, else the line "pretrained MRInet written to …/NAME.x4m: best epoch E,
    /// validation MAE M y" of transfer-pretrain in a log of WORK (the model file does not store it); NaN when neither.
    /// </summary>
    private static (double Mae, string From) SourceMae(string[] args, string work, string modelPath)
    {
        if (TransferStudy.Arg(args, "--source-mae") is { } given)
        {
            return (double.Parse(given, CultureInfo.InvariantCulture), "--source-mae");
        }
        foreach (string log in Directory.EnumerateFiles(work, "*.log").Order(StringComparer.Ordinal))
        {
            foreach (Match m in PretrainLine().Matches(File.ReadAllText(log)))
            {
                if (Path.GetFileName(m.Groups["model"].Value) == Path.GetFileName(modelPath))
                {
                    return (double.Parse(m.Groups["mae"].Value, CultureInfo.InvariantCulture), $"{Path.GetFileName(log)}, best epoch {m.Groups["epoch"].Value}");
                }
            }
        }
        return (double.NaN, "");
    }

    [GeneratedRegex(@"pretrained MRInet written to (?<model>\S+\.x4m): best epoch (?<epoch>\d+), validation MAE (?<mae>[0-9.]+) y")]
    private static partial Regex PretrainLine();

    private static double Entropy(int[] labels, int k) =>
        -Enumerable.Range(0, k).Select(c => labels.Count(l => l == c) / (double)labels.Length).Where(p => p > 0).Sum(p => p * Math.Log(p));

    private static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double ma = a.Average(), mb = b.Average();
        double sab = a.Zip(b).Sum(p => (p.First - ma) * (p.Second - mb));
        double saa = a.Sum(v => (v - ma) * (v - ma)), sbb = b.Sum(v => (v - mb) * (v - mb));
        return saa == 0 || sbb == 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }

    private static int Int(string[] args, string name, int fallback) => int.Parse(TransferStudy.Arg(args, name) ?? fallback.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>The cached score lines; a line cut short by a killed run is skipped (its scenario is scored again).</summary>
    private static IEnumerable<ScoreLine> Read(string file)
    {
        if (!File.Exists(file))
        {
            yield break;
        }
        foreach (string line in File.ReadLines(file))
        {
            ScoreLine? parsed;
            try
            {
                parsed = JsonSerializer.Deserialize<ScoreLine>(line, Json);
            }
            catch (JsonException)
            {
                continue;
            }
            if (parsed is not null)
            {
                yield return parsed;
            }
        }
    }

    /// <summary>A scenario with scores, analysis and complete outcomes.</summary>
    private sealed record Joined(HeldOutScenario S, ScoreLine Scores, HeldOutValidation.AnalysisLine Analysis, double ProbeSkill, double PretrainedProbeSkill, double ActualSkill, string Best);

    /// <summary>A score and how it is read off a joined scenario; Pooled: comparable between age and class scenarios.</summary>
    private sealed record Predictor(string Name, bool Pooled, Func<Joined, double> Value);

    private static readonly Predictor[] Predictors =
    [
        new("best probe skill (analysis)", true, j => j.ProbeSkill),
        new("best pretrained-feature probe skill (analysis)", true, j => j.PretrainedProbeSkill),
        new("expected skill (analysis)", true, j => j.Analysis.ExpectedSkill),
        new("LogME, penultimate", false, j => j.Scores.LogMe["penultimate"]),
        new("LogME, earlier (channel means)", false, j => j.Scores.LogMe["earlier"]),
        new("LogME, raw block means", false, j => j.Scores.LogMe["raw"]),
        new("H-score (Ledoit–Wolf), penultimate", false, j => j.Scores.HScore["penultimate"]),
        new("H-score (Ledoit–Wolf), raw block means", false, j => j.Scores.HScore["raw"]),
        new("H-score (α = 0, Bao et al.), penultimate", false, j => j.Scores.HScoreOriginal),
        new("H-score / (k − 1), penultimate", true, j => j.Scores.HScore["penultimate"] / (j.Scores.TargetBins - 1)),
        new("LEEP (soft source bins)", false, j => j.Scores.Leep),
        new("LEEP gain, 1 + LEEP / H(Y)", true, j => 1 + (j.Scores.Leep / j.Scores.TargetEntropy)),
        new("NCE (hard source bins)", false, j => j.Scores.Nce),
        new("NCE normalised, 1 + NCE / H(Y) = I(Y; Z) / H(Y)", true, j => 1 + (j.Scores.Nce / j.Scores.TargetEntropy)),
    ];

    /// <summary>The comparison: how many scenarios were usable, the per-scenario scores, and the rank correlations per group.</summary>
    internal static List<string> Summary(List<ScoreLine> scores, List<JsonElement> lines, IReadOnlyList<HeldOutScenario> scenarios, string[] strategies, int folds, int epochs, int fineTune, int cap,
        string model, int sourceBins, double low, double high, double mae, int resamples, string results)
    {
        var c = CultureInfo.InvariantCulture;
        var joined = new List<Joined>();
        int scored = 0, withAnalysis = 0;
        foreach (var s in scenarios)
        {
            int n = Math.Min(s.Subjects, cap);
            var line = scores.LastOrDefault(x => x.Scenario == s.Id && x.N == n && x.Model == model && x.SourceBins == sourceBins && x.SourceLow == low && x.SourceHigh == high && x.SourceMae == mae);
            if (line is null)
            {
                continue;
            }
            scored++;
            var analysis = lines.Where(e => e.GetProperty("kind").GetString() == "analysis").Select(e => e.Deserialize<HeldOutValidation.AnalysisLine>(Json)!).FirstOrDefault(a => a.Scenario == s.Id && a.N == n);
            if (analysis is null)
            {
                continue;
            }
            withAnalysis++;
            var outcomes = lines.Where(e => e.GetProperty("kind").GetString() == "outcome").Select(e => e.Deserialize<HeldOutValidation.OutcomeLine>(Json)!)
                .Where(o => o.Scenario == s.Id && o.N == n && o.Folds == folds && o.Epochs == epochs && o.FineTune == fineTune && o.Validation == HeldOutValidation.DefaultValidation).ToList();
            if (!strategies.All(st => Enumerable.Range(0, folds).All(f => outcomes.Any(o => o.Strategy == st && o.Fold == f))))
            {
                continue;
            }
            // The actual skill as the held-out summary defines it: the best strategy's mean score against the mean chance.
            double chance = outcomes.Average(o => o.Chance);
            var skills = strategies.ToDictionary(st => st, st => Recommender.Skill(outcomes.Where(o => o.Strategy == st).Average(o => o.Score), chance, s.Regression));
            var best = skills.MaxBy(p => p.Value);
            double pretrainedSkill = Recommender.Skill(ProbeMean(analysis.BestPretrained), analysis.Chance, s.Regression);
            double rawSkill = Recommender.Skill(ProbeMean(analysis.BestRaw), analysis.Chance, s.Regression);
            joined.Add(new Joined(s, line, analysis, Math.Max(pretrainedSkill, rawSkill), pretrainedSkill, best.Value, best.Key));
        }
        var md = new List<string>
        {
            string.Create(c, $"Transferability scores vs the fine-tuned result: {scenarios.Count} scenarios in the manifest, {scored} with a cohort and scores, {withAnalysis} of them with the analysis line, **{joined.Count} usable** (complete outcomes for {string.Join(", ", strategies)} × {folds} folds, {epochs} + {fineTune} epochs, in {Path.GetFileName(results)}){(cap < int.MaxValue ? $"; SMOKE: at most {cap} subjects" : "")}."),
            string.Create(c, $"Source {model}; LEEP / NCE: its age predictions in {sourceBins} equal-width bins of [{low:G4}, {high:G4}] y (outer bins open), soft with σ = MAE·√(π/2), MAE {mae:G4} y; age targets in {HScore.DefaultRegressionBins} quantile bins for H-score, LEEP and NCE. Actual skill: the best strategy's (1 − MAE / chance MAE, or (balanced accuracy − 1/k) / (1 − 1/k))."),
            "",
            "| scenario | N | label | actual skill (best) | probe skill | expected skill | LogME pen. | LogME raw | H pen. (α) | H raw | H α=0 | LEEP | NCE | H(Y) | source bins used | source vs true age MAE (r) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        };
        md.AddRange(joined.Select(j => string.Create(c,
            $"| {j.S.Id} | {j.Scores.N} | {(j.S.Regression ? "age" : $"{j.S.Classes} classes")} | {j.ActualSkill:F3} ({j.Best}) | {j.ProbeSkill:F3} | {j.Analysis.ExpectedSkill:F3} | {j.Scores.LogMe["penultimate"]:G4} | {j.Scores.LogMe["raw"]:G4} | {j.Scores.HScore["penultimate"]:G3} ({j.Scores.HScoreShrinkage:F2}) | {j.Scores.HScore["raw"]:G3} | {j.Scores.HScoreOriginal:G3} | {j.Scores.Leep:G4} | {j.Scores.Nce:G4} | {j.Scores.TargetEntropy:G3} | {string.Join("/", j.Scores.SourceBinCounts)} | {j.Scores.SourceAgeMae:F1} ({j.Scores.SourceAgeCorrelation:F2}) |")));
        md.Add("");
        foreach (var (group, members, pooledOnly) in new[]
        {
            ("age (regression) scenarios", joined.Where(j => j.S.Regression).ToList(), false),
            ("class scenarios", joined.Where(j => !j.S.Regression).ToList(), false),
            ("all scenarios pooled (scores comparable across label kinds only)", joined, true),
        })
        {
            md.Add(string.Create(c, $"**{group}** ({members.Count}): rank correlation of each score with the actual skill; p one-sided (permutation, exact up to 8 scenarios, else {resamples:N0} seeded pairings)."));
            md.Add("");
            md.Add("| score | scenarios | Spearman ρ (p) | Kendall τ-b (p) |");
            md.Add("|---|---|---|---|");
            var ranked = new List<(string Name, double Rho, double P)>();
            foreach (var predictor in Predictors.Where(p => !pooledOnly || p.Pooled))
            {
                var pairs = members.Select(j => (Score: predictor.Value(j), Actual: j.ActualSkill)).Where(p => double.IsFinite(p.Score) && double.IsFinite(p.Actual)).ToList();
                double[] a = [.. pairs.Select(p => p.Score)], b = [.. pairs.Select(p => p.Actual)];
                string why = pairs.Count < 3 ? "fewer than 3 scenarios" : a.Distinct().Count() < 2 ? "the score is constant" : b.Distinct().Count() < 2 ? "the actual skill is constant" : "";
                if (why.Length > 0)
                {
                    md.Add($"| {predictor.Name} | {pairs.Count} | – ({why}) | – |");
                    continue;
                }
                double rho = RankCorrelation.Spearman(a, b), tau = RankCorrelation.KendallTauB(a, b);
                double pRho = RankCorrelation.SpearmanPValue(a, b, resamples), pTau = RankCorrelation.KendallTauBPValue(a, b, resamples);
                ranked.Add((predictor.Name, rho, pRho));
                md.Add(string.Create(c, $"| {predictor.Name} | {pairs.Count} | {rho:F2} ({pRho:G2}) | {tau:F2} ({pTau:G2}) |"));
            }
            md.Add("");
            if (ranked.Count > 0)
            {
                var top = ranked.MaxBy(r => r.Rho);
                md.Add(string.Create(c, $"Best rank agreement: {top.Name}, ρ = {top.Rho:F2} (p = {top.P:G2}){(top.Rho <= 0 ? "; no score ranks these scenarios in the right direction" : top.P > 0.05 ? "; not distinguishable from an unrelated order at p ≤ 0.05 with this many scenarios" : "")}."));
                md.Add("");
            }
        }
        return md;
    }

    /// <summary>The mean of an analysis line's probe ("FastTree on penultimate layer: 16.22 ± 7.24").</summary>
    private static double ProbeMean(string probe)
    {
        int colon = probe.LastIndexOf(": ", StringComparison.Ordinal), plusMinus = probe.IndexOf(" ±", StringComparison.Ordinal);
        return colon >= 0 && plusMinus > colon ? double.Parse(probe[(colon + 2)..plusMinus], CultureInfo.InvariantCulture) : double.NaN;
    }
}
