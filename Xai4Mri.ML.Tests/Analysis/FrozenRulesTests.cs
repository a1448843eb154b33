using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary>
/// The recommendation rules frozen for the held-out validation (docs/analysis-validation.md, "Frozen rules"): every
/// constant against the documented table, and every branch of the strategy choice and the confidence mapping on
/// hand-made probe results, boundaries on both sides.
/// </summary>
[TestClass]
public sealed partial class FrozenRulesTests
{
    private const int Folds = 5;
    private static MriNetModel _model = null!;

    [ClassInitialize]
    public static void CreateModel(TestContext context) => _model = MriNetModel.CreateMriNet([16, 16, 16], ModelTask.Regression(40), seed: 1);

    [ClassCleanup]
    public static void DisposeModel() => _model.Dispose();

    /// <summary>
    /// The recommendation for probes of the given skills, whose fold sds make the standard error of their fold means
    /// <paramref name="se"/> (pretrained) and <paramref name="rawSe"/> (raw; default the same) in skill units.
    /// Regression: chance MAE 10; classes: chance 1/k.
    /// </summary>
    private static TransferRecommendation Run(double pretrainedSkill, double rawSkill, double se, int subjects = 60, int classes = 0, double? rawSe = null, DomainShiftReport? shift = null)
    {
        bool regression = classes == 0;
        double chance = regression ? 10 : 1.0 / classes;
        double scale = regression ? chance : 1 - chance;
        string metric = regression ? "MAE" : "balanced accuracy";
        var p = new ProbeScore("penultimate layer", "ridge", metric, Recommender.ScoreOfSkill(pretrainedSkill, chance, regression), se * Math.Sqrt(Folds) * scale, 64);
        var r = new ProbeScore("raw image (block means)", "FastTree", metric, Recommender.ScoreOfSkill(rawSkill, chance, regression), (rawSe ?? se) * Math.Sqrt(Folds) * scale, 64);
        var report = new TransferabilityReport(new Dictionary<string, double>(), [p, r], p, r, 0, chance);
        return Recommender.Recommend(new Recommender.Inputs(subjects, regression, Folds, report, shift, _model, 0.5, 0.1, 1L << 32));
    }

    [TestMethod]
    public void TheConstantsAreTheDocumentedOnes()
    {
        string doc = File.ReadAllText(Path.Combine(TestPaths.Repository, "docs", "analysis-validation.md"));
        int start = doc.IndexOf("## Frozen rules", StringComparison.Ordinal);
        Assert.IsGreaterThanOrEqualTo(0, start, "docs/analysis-validation.md has a Frozen rules section");
        var documented = ConstantRow().Matches(doc[start..]).ToDictionary(m => m.Groups["name"].Value, m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
        var constants = typeof(Recommender).GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(f => f.IsLiteral).ToDictionary(f => f.Name, f => Convert.ToDouble(f.GetRawConstantValue(), CultureInfo.InvariantCulture));

        CollectionAssert.AreEquivalent(constants.Keys.ToArray(), documented.Keys.ToArray(), "every constant of Recommender is in the table, and only those");
        foreach (var (name, value) in constants)
        {
            Assert.AreEqual(documented[name], value, $"Recommender.{name}");
        }
        // The values themselves, so that the table cannot drift together with the code unnoticed.
        Assert.AreEqual(0.1, Recommender.SignalSkill);
        Assert.AreEqual(1.645, Recommender.SignalZ);
        Assert.AreEqual(0.05, Recommender.RawAdvantage);
        Assert.AreEqual(40, Recommender.FewSubjects);
        Assert.AreEqual(0.35, Recommender.FineTuneSkill);
        Assert.AreEqual(240, Recommender.TargetSteps);
    }

    [TestMethod]
    public void SkillIsTheShareOfTheChanceErrorRemoved()
    {
        Assert.AreEqual(0.25, Recommender.Skill(7.5, 10, regression: true), 1e-12);
        Assert.AreEqual(-0.1, Recommender.Skill(11, 10, regression: true), 1e-12, "worse than the mean is negative");
        Assert.AreEqual(0.2, Recommender.Skill(0.6, 0.5, regression: false), 1e-12);
        Assert.AreEqual(0.25, Recommender.Skill(0.5, 1.0 / 3, regression: false), 1e-12, "3 classes: (0.5 − 1/3) / (2/3)");
        Assert.AreEqual(0.5, Recommender.Skill(0.625, 0.25, regression: false), 1e-12, "4 classes: (0.625 − 0.25) / 0.75");
        Assert.AreEqual(7.5, Recommender.ScoreOfSkill(0.25, 10, regression: true), 1e-12);
        Assert.AreEqual(0.625, Recommender.ScoreOfSkill(0.5, 0.25, regression: false), 1e-12);
    }

    [TestMethod]
    public void SignalNeedsMoreThanATenthOfTheChanceErrorAndMoreThan1645StandardErrors()
    {
        // se 0.01: the 0.1 floor is the threshold.
        Assert.AreEqual(TransferApproach.TooLittleSignal, Run(0.1 - 1e-7, 0, 0.01).Approach);
        Assert.AreNotEqual(TransferApproach.TooLittleSignal, Run(0.1 + 1e-7, 0, 0.01).Approach);
        // se 0.1: 1.645 se = 0.1645 is the threshold.
        Assert.AreEqual(TransferApproach.TooLittleSignal, Run(0.1645 - 1e-7, 0, 0.1).Approach);
        Assert.AreNotEqual(TransferApproach.TooLittleSignal, Run(0.1645 + 1e-7, 0, 0.1).Approach);
        // Worse than chance, and the same rule for 2, 3 and 4 classes.
        Assert.AreEqual(TransferApproach.TooLittleSignal, Run(-0.2, -0.3, 0.01).Approach);
        foreach (int k in new[] { 2, 3, 4 })
        {
            Assert.AreEqual(TransferApproach.TooLittleSignal, Run(0.1 - 1e-7, 0, 0.01, classes: k).Approach, $"{k} classes");
            Assert.AreNotEqual(TransferApproach.TooLittleSignal, Run(0.1 + 1e-7, 0, 0.01, classes: k).Approach, $"{k} classes");
        }
        // Signal in the raw features alone counts: the best of both is tested (and then rule 2 applies).
        Assert.AreEqual(TransferApproach.TrainFromScratch, Run(0, 0.3, 0.01).Approach);
        // No training plan and no shift reason for "too little signal".
        var none = Run(0.05, 0, 0.01, shift: new DomainShiftReport("test", 64, 1.2, 0.4, 0.8, "large"));
        Assert.HasCount(1, none.Reasons);
    }

    [TestMethod]
    public void RawFeaturesMustWinByMoreThan005ForFromScratch()
    {
        Assert.AreEqual(TransferApproach.TrainFromScratch, Run(0.6, 0.65 + 1e-7, 0.01).Approach);
        Assert.AreEqual(TransferApproach.DualPhase, Run(0.6, 0.65 - 1e-7, 0.01).Approach);
        // Rule 2 comes before the subject count and the weak-signal rule.
        Assert.AreEqual(TransferApproach.TrainFromScratch, Run(0.1, 0.3, 0.01, subjects: 20).Approach);
        Assert.AreEqual(TransferApproach.TrainFromScratch, Run(0.6, 0.7, 0.01, classes: 3).Approach);
    }

    [TestMethod]
    public void FewerThan40SubjectsKeepTheNetworkFrozen()
    {
        Assert.AreEqual(TransferApproach.FrozenFeatures, Run(0.6, 0.2, 0.01, subjects: 39).Approach);
        Assert.AreEqual(TransferApproach.DualPhase, Run(0.6, 0.2, 0.01, subjects: 40).Approach);
        Assert.AreEqual(TransferApproach.TooLittleSignal, Run(0.05, 0, 0.01, subjects: 20).Approach, "rule 1 comes first");
    }

    [TestMethod]
    public void BelowAnExpectedSkillOf035TheNetworkStaysFrozen()
    {
        // Expected = skill − se = 0.37 − 0.02.
        var below = Run(0.37 - 1e-7, 0, 0.02);
        Assert.AreEqual(TransferApproach.FrozenFeatures, below.Approach);
        Assert.AreEqual(0.35 - 1e-7, below.ExpectedSkill, 1e-9);
        Assert.AreEqual(TransferApproach.DualPhase, Run(0.37 + 1e-7, 0, 0.02).Approach);
        Assert.AreEqual(TransferApproach.FrozenFeatures, Run(0.37 - 1e-7, 0, 0.02, classes: 4).Approach);
        Assert.AreEqual(TransferApproach.DualPhase, Run(0.37 + 1e-7, 0, 0.02, classes: 4).Approach);
    }

    [TestMethod]
    public void TheExpectedSkillUsesTheBestProbeAndItsStandardError()
    {
        // Raw strictly better (by less than 0.05) but noisier: it is the best probe, so its se counts: 0.52 − 0.2.
        var raw = Run(0.5, 0.52, 0.02, rawSe: 0.2);
        Assert.AreEqual(0.32, raw.ExpectedSkill, 1e-9);
        Assert.AreEqual(TransferApproach.FrozenFeatures, raw.Approach);
        Assert.AreEqual(10 * (1 - 0.32), raw.ExpectedScore, 1e-9);
        // A tie goes to the pretrained probe.
        var tie = Run(0.5, 0.5, 0.02, rawSe: 0.2);
        Assert.AreEqual(0.48, tie.ExpectedSkill, 1e-9);
        Assert.AreEqual(TransferApproach.DualPhase, tie.Approach);
        // Classes: the expected score is back in balanced accuracy (3 classes: 1/3 + 0.48 × 2/3).
        Assert.AreEqual((1.0 / 3) + (0.48 * 2 / 3), Run(0.5, 0.5, 0.02, classes: 3, rawSe: 0.2).ExpectedScore, 1e-9);
    }

    [TestMethod]
    public void ConfidenceIsTheNormalProbabilityOfTheDistanceToTheThreshold()
    {
        // se 0.05: threshold 0.1; Φ(2) = 0.97725, Φ(0.8) = 0.78814, Φ(0.3) = 0.61791 (standard normal tables).
        var high = Run(0.1 + (2 * 0.05), 0, 0.05);
        Assert.AreEqual(0.977249868, high.Confidence, 1e-6);
        Assert.AreEqual("high", high.ConfidenceLevel);
        var medium = Run(0.1 + (0.8 * 0.05), 0, 0.05);
        Assert.AreEqual(0.788144601, medium.Confidence, 1e-6);
        Assert.AreEqual("medium", medium.ConfidenceLevel);
        var low = Run(0.1 + (0.3 * 0.05), 0, 0.05);
        Assert.AreEqual(0.617911422, low.Confidence, 1e-6);
        Assert.AreEqual("low", low.ConfidenceLevel);
        // The distance counts on both sides: 2 se below the threshold is a confident "too little signal".
        var none = Run(0.1 - (2 * 0.05), 0, 0.05);
        Assert.AreEqual(TransferApproach.TooLittleSignal, none.Approach);
        Assert.AreEqual(0.977249868, none.Confidence, 1e-6);
        // Below 40 subjects times 0.8: 0.97725 × 0.8 = 0.7818, medium.
        var few = Run(0.1 + (2 * 0.05), 0, 0.05, subjects: 39);
        Assert.AreEqual(0.8 * 0.977249868, few.Confidence, 1e-6);
        Assert.AreEqual("medium", few.ConfidenceLevel);
        // The level boundaries: Φ(1.2816) = 0.9 and Φ(0.5244) = 0.7.
        Assert.AreEqual("high", Run(0.1 + (1.2817 * 0.05), 0, 0.05).ConfidenceLevel);
        Assert.AreEqual("medium", Run(0.1 + (1.2815 * 0.05), 0, 0.05).ConfidenceLevel);
        Assert.AreEqual("medium", Run(0.1 + (0.5245 * 0.05), 0, 0.05).ConfidenceLevel);
        Assert.AreEqual("low", Run(0.1 + (0.5243 * 0.05), 0, 0.05).ConfidenceLevel);
    }

    [TestMethod]
    public void OnlyFourApproachesAreEverAdvisedAndShiftNeverChangesTheChoice()
    {
        var shifts = new DomainShiftReport?[] { null, new("test", 64, 0.1, 0, 1, "none"), new("test", 64, 1.2, 0.4, 0.8, "large") };
        var seen = new HashSet<TransferApproach>();
        foreach (double pretrained in new[] { -0.1, 0.05, 0.2, 0.4, 0.7 })
        {
            foreach (double raw in new[] { -0.1, 0.05, 0.2, 0.4, 0.7 })
            {
                foreach (int subjects in new[] { 20, 60, 300 })
                {
                    var approaches = shifts.Select(s => Run(pretrained, raw, 0.03, subjects, shift: s).Approach).Distinct().ToList();
                    Assert.HasCount(1, approaches, $"pretrained {pretrained}, raw {raw}, N {subjects}: the shift changed the advice");
                    seen.Add(approaches[0]);
                }
            }
        }
        CollectionAssert.AreEquivalent(new[] { TransferApproach.TooLittleSignal, TransferApproach.TrainFromScratch, TransferApproach.FrozenFeatures, TransferApproach.DualPhase }, seen.ToArray());
    }

    [TestMethod]
    public void TheEpochBudgetIsClampedTo10To100()
    {
        // N = 2000: 1600 per fold, 10 % held out → 1440 train, batch 16, 90 steps: 240 / 90 → 3, clamped to 10 = 6 + 4.
        var large = Run(0.6, 0.2, 0.01, subjects: 2000);
        Assert.AreEqual(16, large.BatchSize);
        Assert.AreEqual(6, large.Epochs);
        Assert.AreEqual(4, large.FineTuneEpochs);
        // N = 5: 4 per fold, 25 % held out → 3 train, batch 2, 2 steps: 120, clamped to 100 (one phase: frozen features).
        var tiny = Run(0.6, 0.2, 0.01, subjects: 5);
        Assert.AreEqual(TransferApproach.FrozenFeatures, tiny.Approach);
        Assert.AreEqual(100, tiny.Epochs);
        Assert.AreEqual(0, tiny.FineTuneEpochs);
    }

    [GeneratedRegex(@"^\| `Recommender\.(?<name>\w+)` \| (?<value>[0-9.]+) \|", RegexOptions.Multiline)]
    private static partial Regex ConstantRow();
}
