using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;

namespace Xai4Mri.Bench;

/// <summary>
/// <c>analysis-heldout</c>: the held-out test of the frozen recommendation rules (docs/analysis-validation.md). For
/// every scenario of bench/heldout-scenarios.json: its own cohort, every strategy cross-validated by subject with the
/// development set's budget, and the analysis with default options; one JSON line per (scenario, strategy, fold) and
/// per analysis, appended as each finishes, so that a rerun skips what is there; then the summary.
/// </summary>
internal static class HeldOutValidation
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// One fold of one strategy: its score and the chance score on the same test fold. <paramref name="Validation"/>
    /// is the trainer's validation fraction (lines written before it was recorded ran with the default, 0.1).
    /// </summary>
    internal sealed record OutcomeLine(string Kind, string Scenario, int N, int Folds, int Epochs, int FineTune, string Strategy, int Fold, string Metric, double Score, double Chance, double Seconds,
        double Validation = DefaultValidation);

    /// <summary>The documented run's validation fraction (the trainer's default); other fractions are extra steps with their own keys.</summary>
    internal const double DefaultValidation = 0.1;

    /// <summary>The analysis of one scenario: what the frozen rules said.</summary>
    internal sealed record AnalysisLine(string Kind, string Scenario, int N, string Metric, double Chance, double ExpectedSkill, double ExpectedScore,
        string Approach, double Confidence, string Level, string BestPretrained, string BestRaw, string Shift, double Seconds);

    public static int Run(string[] args)
    {
        string work = TransferStudy.Arg(args, "--work") ?? throw new ArgumentException("--work DIR is required");
        string manifest = TransferStudy.Arg(args, "--manifest") ?? Path.Combine("bench", "heldout-scenarios.json");
        string results = TransferStudy.Arg(args, "--results") ?? Path.Combine(work, "heldout-results.jsonl");
        string summary = TransferStudy.Arg(args, "--summary") ?? Path.Combine(work, "heldout-summary.md");
        string pretrainedArg = TransferStudy.Arg(args, "--pretrained") ?? "pretrained-mrinet-bn";
        string[] strategies = (TransferStudy.Arg(args, "--strategies") ?? "scratch,features,probe,mono,dual").Split(',');
        int folds = Int(args, "--folds", 5);
        int epochs = Int(args, "--epochs", 12);
        int fineTune = Int(args, "--fine-tune", 8);
        double validation = double.Parse(TransferStudy.Arg(args, "--validation-fraction") ?? DefaultValidation.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (validation is < 0 or >= 1)
        {
            throw new ArgumentException($"--validation-fraction: {validation} is not in [0, 1)");
        }
        if (validation != DefaultValidation && strategies.Contains("features"))
        {
            // The frozen-feature probe has no validation split: its steps would only repeat the documented ones.
            strategies = [.. strategies.Where(st => st != "features")];
        }
        // Smoke runs only: every scenario cut to at most this many subjects (its own cohort folder, its own result keys).
        int cap = Int(args, "--max-subjects", int.MaxValue);
        var all = HeldOutScenario.Load(manifest);
        string[]? only = TransferStudy.Arg(args, "--scenarios")?.Split(',');
        var unknown = only?.Except(all.Select(s => s.Id)).ToList();
        if (unknown is { Count: > 0 })
        {
            throw new ArgumentException($"--scenarios: {string.Join(", ", unknown)} not in {manifest}");
        }
        var scenarios = all.Where(s => only is null || only.Contains(s.Id)).ToList();
        string modelPath = pretrainedArg.EndsWith(".x4m", StringComparison.Ordinal) ? pretrainedArg : Path.Combine(work, $"{pretrainedArg}.x4m");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(results))!);
        EndLastLine(results);
        var done = Read(results).Select(Key).ToHashSet();
        if (!args.Contains("--summary-only"))
        {
            using var pretrained = MriNetModel.Load(modelPath);
            RunAll(work, results, scenarios, strategies, folds, epochs, fineTune, cap, validation, pretrained, done);
        }
        var md = validation == DefaultValidation
            ? Summary(Read(results).ToList(), scenarios, strategies, folds, epochs, fineTune, cap, manifest, modelPath)
            : ValidationComparison(Read(results).ToList(), scenarios, strategies, folds, epochs, fineTune, cap, validation);
        string temporary = summary + ".tmp";
        File.WriteAllLines(temporary, md);
        File.Move(temporary, summary, overwrite: true);
        Console.WriteLine(string.Join(Environment.NewLine, md));
        return 0;
    }

    private static void RunAll(string work, string results, List<HeldOutScenario> scenarios, string[] strategies, int folds, int epochs, int fineTune, int cap, double validation, MriNetModel pretrained, HashSet<string> done)
    {
        var clock = Stopwatch.StartNew();
        // Work left, in subject-units per kind of step: a strategy-fold and an analysis cost about N each (seconds per
        // subject measured as the run goes, per strategy and for the analysis).
        var units = scenarios.SelectMany(s => strategies.SelectMany(st => Enumerable.Range(0, folds).Select(f => (S: s, Step: st, Fold: f)))
            .Append((S: s, Step: "analysis", Fold: -1))).ToList();
        var pending = units.Where(u => !done.Contains(UnitKey(u.S, u.Step, u.Fold, Math.Min(u.S.Subjects, cap), folds, epochs, fineTune, validation))).ToList();
        var rate = new Dictionary<string, (double Seconds, double Subjects)>();
        Console.WriteLine($"{scenarios.Count} scenarios, {units.Count} steps, {units.Count - pending.Count} already in {results}; {pending.Count} to run");
        foreach (var group in pending.GroupBy(u => u.S))
        {
            var s = group.Key;
            int n = Math.Min(s.Subjects, cap);
            var started = clock.Elapsed;
            var subjects = s.Prepare(Path.Combine(work, "heldout", n == s.Subjects ? s.Id : $"{s.Id}-n{n}"), n, folds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed:hh\\:mm\\:ss}] {s.Id}: {n} subjects ready ({(clock.Elapsed - started).TotalSeconds:F0} s)"));
            var ml = new MLContext(seed: 1);
            var loaderOptions = NiftiLoaderOptions.For(pretrained);
            loaderOptions.VoxelSize ??= [4.0];
            loaderOptions.CacheDirectory = Path.Combine(work, "cache");
            var loader = ml.Transforms.LoadNifti("Image", "Path", loaderOptions);
            var labelled = Labelled(ml, s, subjects);
            foreach (var unit in group)
            {
                var stepStarted = clock.Elapsed;
                string line;
                if (unit.Step == "analysis")
                {
                    var data = labelled.Transform(View(ml, subjects));
                    var fitted = loader.Append(ml.Transforms.AnalyzeTransfer("Label", "Image", pretrained)).Fit(data);
                    var report = fitted.LastTransformer.Report;
                    var r = report.Recommendation;
                    var t = report.Transferability;
                    line = JsonSerializer.Serialize(new AnalysisLine("analysis", s.Id, n, r.Metric, r.ChanceScore, r.ExpectedSkill, r.ExpectedScore, r.Approach.ToString(), r.Confidence, r.ConfidenceLevel,
                        Probe(t.BestPretrained), Probe(t.BestRaw), report.DomainShift?.Level ?? "unknown", report.Seconds), Json);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  analysis: {r.Approach} ({r.ConfidenceLevel}, {r.Confidence:F2}), expected skill {r.ExpectedSkill:F3}"));
                }
                else
                {
                    var train = labelled.Transform(View(ml, [.. subjects.Where(x => x.Fold != unit.Fold)]));
                    var test = labelled.Transform(View(ml, [.. subjects.Where(x => x.Fold == unit.Fold)]));
                    var pipeline = loader.Append(TransferStudy.Strategy(ml, unit.Step, "Label", s.Regression, pretrained, epochs, fineTune, validation: validation, multiclass: s.Classes > 2));
                    var scored = pipeline.Fit(train).Transform(test);
                    var (score, chance) = Score(scored, s, subjects, unit.Fold);
                    line = JsonSerializer.Serialize(new OutcomeLine("outcome", s.Id, n, folds, epochs, fineTune, unit.Step, unit.Fold, s.Regression ? "MAE" : "balanced accuracy", score, chance, (clock.Elapsed - stepStarted).TotalSeconds, validation), Json);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {unit.Step} fold {unit.Fold + 1}/{folds}: {(s.Regression ? "MAE" : "balanced accuracy")} {score:G4} (chance {chance:G4})"));
                }
                File.AppendAllLines(results, [line]);
                double seconds = (clock.Elapsed - stepStarted).TotalSeconds;
                string kind = unit.Step;
                rate[kind] = rate.TryGetValue(kind, out var had) ? (had.Seconds + seconds, had.Subjects + n) : (seconds, n);
                pending.Remove(unit);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed:hh\\:mm\\:ss}] {s.Id} {unit.Step}{(unit.Fold >= 0 ? $" fold {unit.Fold + 1}" : "")} done in {seconds:F0} s; {pending.Count} steps left, about {Left(pending, rate, cap) / 3600:F1} h"));
            }
        }
        Console.WriteLine($"all steps done in {clock.Elapsed.TotalMinutes:F1} min");
    }

    /// <summary>Seconds the pending steps should take at the rates measured so far (unmeasured kinds at the mean rate).</summary>
    private static double Left(IEnumerable<(HeldOutScenario S, string Step, int Fold)> pending, Dictionary<string, (double Seconds, double Subjects)> rate, int cap)
    {
        double mean = rate.Values.Sum(r => r.Seconds) / Math.Max(1, rate.Values.Sum(r => r.Subjects));
        return pending.Sum(u => Math.Min(u.S.Subjects, cap) * (rate.TryGetValue(u.Step, out var r) ? r.Seconds / r.Subjects : mean));
    }

    /// <summary>The label as the trainers want it: Single age, Boolean for two classes (the second in name order is true), a key for more.</summary>
    internal static ITransformer Labelled(MLContext ml, HeldOutScenario s, IReadOnlyList<HeldOutScenario.Subject> subjects)
    {
        var all = View(ml, subjects);
        return s.Regression
            ? ml.Transforms.CopyColumns("Label", nameof(Row.Age)).Fit(all)
            : s.Classes == 2
                ? ml.Transforms.CopyColumns("Label", nameof(Row.Second)).Fit(all)
                : ml.Transforms.Conversion.MapValueToKey("Label", nameof(Row.ClassName), keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(all);
    }

    internal sealed class Row
    {
        [ColumnName("participant_id")]
        public string Id { get; set; } = "";

        // The analysis's intensity histograms are per "site" when the data has that column.
        [ColumnName("site")]
        public string Site { get; set; } = "";

        public string Path { get; set; } = "";

        public float Age { get; set; }

        public string ClassName { get; set; } = "";

        public bool Second { get; set; }
    }

    internal static IDataView View(MLContext ml, IReadOnlyList<HeldOutScenario.Subject> subjects)
    {
        var names = subjects.Select(x => x.ClassName).Distinct().Order(StringComparer.Ordinal).ToList();
        return ml.Data.LoadFromEnumerable(subjects.Select(x => new Row { Id = x.Id, Site = x.Site, Path = Path.GetFullPath(x.Path), Age = x.Age, ClassName = x.ClassName, Second = names.Count == 2 && x.ClassName == names[1] }).ToList());
    }

    /// <summary>
    /// The held-out fold's MAE (and the MAE of the training folds' mean on it) or balanced accuracy over the classes
    /// present (and 1/k).
    /// </summary>
    private static (double Score, double Chance) Score(IDataView scored, HeldOutScenario s, IReadOnlyList<HeldOutScenario.Subject> subjects, int fold)
    {
        if (s.Regression)
        {
            float[] truth = [.. scored.GetColumn<float>("Label")];
            float[] predicted = [.. scored.GetColumn<float>("Score")];
            double mean = subjects.Where(x => x.Fold != fold).Average(x => (double)x.Age);
            return (truth.Zip(predicted).Average(p => Math.Abs(p.First - p.Second)), truth.Average(t => Math.Abs(t - mean)));
        }
        int[] t, p;
        if (s.Classes == 2)
        {
            t = [.. scored.GetColumn<bool>("Label").Select(v => v ? 1 : 0)];
            p = [.. scored.GetColumn<bool>("PredictedLabel").Select(v => v ? 1 : 0)];
        }
        else
        {
            t = [.. scored.GetColumn<uint>("Label").Select(v => (int)v)];
            p = [.. scored.GetColumn<uint>("PredictedLabel").Select(v => (int)v)];
        }
        return (Transferability.BalancedAccuracy(t, p), 1.0 / s.Classes);
    }

    private static string Probe(ProbeScore p) => string.Create(CultureInfo.InvariantCulture, $"{p.Model} on {p.Features}: {p.Mean:G4} ± {p.StandardDeviation:G3}");

    private static int Int(string[] args, string name, int fallback) => int.Parse(TransferStudy.Arg(args, name) ?? fallback.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string UnitKey(HeldOutScenario s, string step, int fold, int n, int folds, int epochs, int fineTune, double validation) =>
        step == "analysis" ? $"analysis|{s.Id}|{n}" : $"outcome|{s.Id}|{n}|{folds}|{epochs}|{fineTune}|{step}|{fold}{ValidationKey(validation)}";

    // The default fraction adds nothing, so the keys of lines written before the fraction was recorded still match.
    private static string ValidationKey(double validation) =>
        validation == DefaultValidation ? "" : string.Create(CultureInfo.InvariantCulture, $"|v{validation}");

    /// <summary>Ends a line that a killed run left unfinished, so that the next line appended starts on its own.</summary>
    private static void EndLastLine(string results)
    {
        if (!File.Exists(results) || new FileInfo(results).Length == 0)
        {
            return;
        }
        using var file = new FileStream(results, FileMode.Open, FileAccess.ReadWrite);
        file.Seek(-1, SeekOrigin.End);
        if (file.ReadByte() != '\n')
        {
            file.WriteByte((byte)'\n');
        }
    }

    /// <summary>The lines of the results file; a line cut short by a killed run is skipped (its step runs again).</summary>
    internal static IEnumerable<JsonElement> Read(string results)
    {
        if (!File.Exists(results))
        {
            yield break;
        }
        foreach (string line in File.ReadLines(results))
        {
            JsonElement element;
            try
            {
                element = JsonDocument.Parse(line).RootElement.Clone();
            }
            catch (JsonException)
            {
                continue;
            }
            yield return element;
        }
    }

    private static string Key(JsonElement e) => e.GetProperty("kind").GetString() == "analysis"
        ? $"analysis|{e.GetProperty("scenario").GetString()}|{e.GetProperty("n").GetInt32()}"
        : string.Join('|', "outcome", e.GetProperty("scenario").GetString(), e.GetProperty("n").GetInt32(), e.GetProperty("folds").GetInt32(), e.GetProperty("epochs").GetInt32(),
            e.GetProperty("fineTune").GetInt32(), e.GetProperty("strategy").GetString(), e.GetProperty("fold").GetInt32())
          + ValidationKey(e.TryGetProperty("validation", out var v) ? v.GetDouble() : DefaultValidation);

    /// <summary>One scenario's outcomes and analysis, where both are complete.</summary>
    private sealed record Judged(HeldOutScenario S, int N, string Metric, double Chance, Dictionary<string, (double Mean, double Sd, double Skill, double[] FoldSkills)> Strategies,
        string Best, double BestSkill, bool ActualSignal, AnalysisLine Analysis, double RecommendedSkill, double Regret);

    /// <summary>The summary: the per-scenario table, then rank correlation, regret, the no-signal calls and calibration.</summary>
    internal static List<string> Summary(List<JsonElement> lines, List<HeldOutScenario> scenarios, string[] strategies, int folds, int epochs, int fineTune, int cap, string manifest, string modelPath)
    {
        var c = CultureInfo.InvariantCulture;
        var judged = new List<Judged>();
        var incomplete = new List<string>();
        foreach (var s in scenarios)
        {
            int n = Math.Min(s.Subjects, cap);
            var outcomes = lines.Where(e => e.GetProperty("kind").GetString() == "outcome").Select(e => e.Deserialize<OutcomeLine>(Json)!)
                .Where(o => o.Scenario == s.Id && o.N == n && o.Folds == folds && o.Epochs == epochs && o.FineTune == fineTune && o.Validation == DefaultValidation).ToList();
            var analysis = lines.Where(e => e.GetProperty("kind").GetString() == "analysis").Select(e => e.Deserialize<AnalysisLine>(Json)!).FirstOrDefault(a => a.Scenario == s.Id && a.N == n);
            bool complete = analysis is not null && strategies.All(st => Enumerable.Range(0, folds).All(f => outcomes.Any(o => o.Strategy == st && o.Fold == f)));
            if (!complete)
            {
                incomplete.Add(s.Id);
                continue;
            }
            double chance = outcomes.Average(o => o.Chance);
            var perStrategy = strategies.ToDictionary(st => st, st =>
            {
                var fs = outcomes.Where(o => o.Strategy == st).OrderBy(o => o.Fold).ToList();
                double mean = fs.Average(o => o.Score);
                return (Mean: mean, Sd: TransferStudy.Sd([.. fs.Select(o => o.Score)]), Skill: Recommender.Skill(mean, chance, s.Regression), FoldSkills: fs.Select(o => Recommender.Skill(o.Score, o.Chance, s.Regression)).ToArray());
            });
            var best = perStrategy.MaxBy(p => p.Value.Skill);
            string recommendedKey = analysis!.Approach switch
            {
                nameof(TransferApproach.FrozenFeatures) => "features",
                nameof(TransferApproach.DualPhase) => "dual",
                nameof(TransferApproach.TrainFromScratch) => "scratch",
                nameof(TransferApproach.MonoPhase) => "mono",
                nameof(TransferApproach.LinearProbeThenFineTune) => "probe",
                _ => "none",
            };
            // "Too little signal" advises not training: the chance level, skill 0.
            double recommended = recommendedKey == "none" ? 0 : perStrategy.TryGetValue(recommendedKey, out var r) ? r.Skill : double.NaN;
            judged.Add(new Judged(s, n, analysis.Metric, chance, perStrategy, best.Key, best.Value.Skill, HeldOutStatistics.ActualSignal(best.Value.Skill, best.Value.FoldSkills), analysis,
                recommended, HeldOutStatistics.Regret(perStrategy.Values.Select(v => v.Skill), recommended)));
        }
        var md = new List<string>
        {
            string.Create(c, $"Held-out run: {judged.Count} of {scenarios.Count} scenarios complete ({manifest}; model {Path.GetFileName(modelPath)}; {folds} folds by subject, {epochs} + {fineTune} epochs{(cap < int.MaxValue ? $"; SMOKE: at most {cap} subjects" : "")})."),
            incomplete.Count == 0 ? "" : $"Not yet complete (left out below): {string.Join(", ", incomplete)}.",
            "",
            $"| scenario | signal | N | metric | chance | {string.Join(" | ", strategies)} | best (strategy) | actual skill | expected skill | recommended (confidence) | its skill | regret |",
            $"|---|---|---|---|---|{string.Concat(strategies.Select(_ => "---|"))}---|---|---|---|---|---|",
        };
        md.AddRange(judged.Select(j => string.Create(c,
            $"| {j.S.Id} | {j.S.Signal} | {j.N} | {j.Metric} | {j.Chance:G3} | {string.Join(" | ", strategies.Select(st => (st == j.Best ? "**" : "") + string.Create(c, $"{j.Strategies[st].Mean:G3} ± {j.Strategies[st].Sd:G2}") + (st == j.Best ? "**" : "")))} | {j.Strategies[j.Best].Mean:G3} ({j.Best}) | {j.BestSkill:F2} | {j.Analysis.ExpectedSkill:F2} | {j.Analysis.Approach} ({j.Analysis.Level}, {j.Analysis.Confidence:F2}) | {j.RecommendedSkill:F2} | {j.Regret:F2} |")));
        md.Add("");
        if (judged.Count >= 3)
        {
            double[] expected = [.. judged.Select(j => j.Analysis.ExpectedSkill)];
            double[] actual = [.. judged.Select(j => j.BestSkill)];
            md.Add(string.Create(c, $"Rank correlation of expected vs actual skill over {judged.Count} scenarios: Spearman ρ = **{RankCorrelation.Spearman(expected, actual):F2}** (one-sided permutation p = {RankCorrelation.SpearmanPValue(expected, actual):G2}), Kendall τ-b = **{RankCorrelation.KendallTauB(expected, actual):F2}** (p = {RankCorrelation.KendallTauBPValue(expected, actual):G2})."));
        }
        if (judged.Count > 0)
        {
            // A recommended strategy left out of the run (a smoke run's --strategies) has no outcome: its regret is NaN.
            var scored = judged.Where(j => double.IsFinite(j.Regret)).ToList();
            var regrets = scored.Select(j => j.Regret).Order().ToList();
            string unscored = scored.Count < judged.Count ? $"; {judged.Count - scored.Count} recommended a strategy that was not run" : "";
            md.Add(regrets.Count == 0 ? $"Regret: no scenario's recommended strategy was run{unscored}." : string.Create(c, $"Regret of the recommended strategy (best actual skill, not training counted as skill 0, less the recommended one's): mean {regrets.Average():F3}, median {regrets[regrets.Count / 2]:F3}, max {regrets[^1]:F3} ({scored.MaxBy(j => j.Regret)!.S.Id}); zero in {regrets.Count(x => x <= 1e-12)} of {regrets.Count}; within 0.05 skill in {regrets.Count(x => x <= 0.05)}{unscored}."));
            var calls = judged.Select(j => (Called: j.Analysis.Approach == nameof(TransferApproach.TooLittleSignal), j)).ToList();
            int flagged = calls.Count(x => x.Called);
            md.Add(string.Create(c, $"'Too little signal': called in {flagged} of {judged.Count}; right (the outcomes show no signal: best strategy's skill ≤ max(0.1, 1.645 se of its folds)) in {calls.Count(x => x.Called && !x.j.ActualSignal)} of {flagged} (rate {HeldOutStatistics.RightRate([.. calls.Select(x => (x.Called, !x.j.ActualSignal))]):F2}); right by design (signal 'none') in {calls.Count(x => x.Called && x.j.S.Signal == "none")} of {flagged}. Of the {judged.Count(j => !j.ActualSignal)} scenarios whose outcomes show no signal, {calls.Count(x => x.Called && !x.j.ActualSignal)} were flagged; of the {judged.Count(j => j.S.Signal == "none")} designed without signal, {calls.Count(x => x.Called && x.j.S.Signal == "none")}."));
            md.Add("");
            double[] confidence = [.. judged.Select(j => j.Analysis.Confidence)];
            bool[] right = [.. judged.Select(j => (j.Analysis.Approach == nameof(TransferApproach.TooLittleSignal)) != j.ActualSignal)];
            // The recommender's levels: low < 0.7 <= medium < 0.9 <= high.
            var bins = Calibration.Reliability(confidence, right, [0.7, 0.9]);
            double brier = Calibration.Brier(confidence, right);
            string[] names = ["low (< 0.7)", "medium (0.7–0.9)", "high (≥ 0.9)"];
            md.Add("Calibration of the stated confidence (that the signal / no-signal call is right, judged by the outcomes):");
            md.Add("");
            md.Add("| confidence | scenarios | mean stated confidence | share right |");
            md.Add("|---|---|---|---|");
            md.AddRange(bins.Select((b, i) => b.Count == 0 ? $"| {names[i]} | 0 | – | – |" : string.Create(c, $"| {names[i]} | {b.Count} | {b.MeanConfidence:F2} | {b.FractionRight:F2} |")));
            md.Add("");
            md.Add(string.Create(c, $"Brier score {brier:F3} (0 perfect; always stating 0.5 gives 0.25)."));
        }
        return md;
    }

    /// <summary>
    /// Issue 17 item 3: each strategy's cross-validated score with <paramref name="validation"/> of the training
    /// subjects held out for early stopping against the documented run's 10 %, per scenario where both are complete,
    /// then how often each wins and the mean difference in skill.
    /// </summary>
    internal static List<string> ValidationComparison(List<JsonElement> lines, List<HeldOutScenario> scenarios, string[] strategies, int folds, int epochs, int fineTune, int cap, double validation)
    {
        var c = CultureInfo.InvariantCulture;
        var outcomes = lines.Where(e => e.GetProperty("kind").GetString() == "outcome").Select(e => e.Deserialize<OutcomeLine>(Json)!)
            .Where(o => o.Folds == folds && o.Epochs == epochs && o.FineTune == fineTune).ToList();
        string label = validation == 0 ? "fixed budget (no validation split)" : string.Create(c, $"validation {validation:P0}");
        var md = new List<string>
        {
            string.Create(c, $"Validation split against {label}: {folds} folds by subject, {epochs} + {fineTune} epochs; mean score over folds (MAE lower is better, balanced accuracy higher)."),
            "",
            $"| scenario | N | metric | strategy | validation 10 % | {label} | skill gain over 10 % |",
            "|---|---|---|---|---|---|---|",
        };
        var differences = new List<(string Strategy, int N, double Difference)>();
        foreach (var s in scenarios)
        {
            int n = Math.Min(s.Subjects, cap);
            foreach (string st in strategies)
            {
                var baseline = outcomes.Where(o => o.Scenario == s.Id && o.N == n && o.Strategy == st && o.Validation == DefaultValidation).ToList();
                var other = outcomes.Where(o => o.Scenario == s.Id && o.N == n && o.Strategy == st && o.Validation == validation).ToList();
                if (baseline.Select(o => o.Fold).Distinct().Count() < folds || other.Select(o => o.Fold).Distinct().Count() < folds)
                {
                    continue;
                }
                double chance = baseline.Average(o => o.Chance);
                double a = baseline.Average(o => o.Score);
                double b = other.Average(o => o.Score);
                double difference = Recommender.Skill(b, chance, s.Regression) - Recommender.Skill(a, chance, s.Regression);
                differences.Add((st, n, difference));
                md.Add(string.Create(c, $"| {s.Id} | {n} | {baseline[0].Metric} | {st} | {a:G3} | {b:G3} | {difference:+0.000;-0.000;0.000} |"));
            }
        }
        md.Add("");
        if (differences.Count == 0)
        {
            md.Add("No scenario and strategy is complete with both fractions yet.");
            return md;
        }
        foreach (var group in differences.GroupBy(d => d.N <= 120 ? "N ≤ 120" : "N > 120"))
        {
            var d = group.Select(x => x.Difference).ToList();
            md.Add(string.Create(c, $"{group.Key}: {label} better in {d.Count(x => x > 0)} of {d.Count} scenario-strategies, mean skill difference {d.Average():+0.000;-0.000;0.000} (median {d.Order().ElementAt(d.Count / 2):+0.000;-0.000;0.000})."));
        }
        return md;
    }
}
