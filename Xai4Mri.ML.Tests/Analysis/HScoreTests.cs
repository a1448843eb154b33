using System.Text.Json;
using Microsoft.ML;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.NetworkData;
using static Xai4Mri.ML.Tests.Analysis.ScoreFixtures;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary>The shrinkage H-score agrees with a direct D×D NumPy implementation, behaves as its definition says, and rejects bad input.</summary>
[TestClass]
public sealed class HScoreTests
{
    public static IEnumerable<object[]> CaseNames() => Cases("hscore").Keys.Select(name => new object[] { name });

    [TestMethod]
    [DynamicData(nameof(CaseNames))]
    public void MatchesNumPyReference(string name)
    {
        var c = Cases("hscore")[name];
        var (f, labels, k) = Inputs(c);
        double? fixedShrinkage = c.GetProperty("shrinkage").ValueKind == JsonValueKind.Null ? null : c.GetProperty("shrinkage").GetDouble();
        var (score, shrinkage) = HScore.Evaluate(f, labels, k, fixedShrinkage);
        Close(c.GetProperty("expected_shrinkage").GetDouble(), shrinkage, 1e-9, $"{name}: Ledoit-Wolf α");
        Close(c.GetProperty("expected").GetDouble(), score, 1e-6, name);
        double viaPublic = fixedShrinkage is { } s ? HScore.Classification(f, labels, k, s) : HScore.Classification(f, labels, k);
        Assert.AreEqual(score, viaPublic, name);
    }

    [TestMethod]
    public void FixturesCoverTheShapesTheBriefNames()
    {
        CollectionAssert.AreEquivalent(
            new[]
            {
                "hscore_3class_40x64", "hscore_noise_40x64", "hscore_degenerate_30x10", "hscore_tall_200x8",
                "hscore_unshrunk_200x8", "hscore_unshrunk_wide_30x50", "hscore_fixed_shrinkage_30x50",
            },
            Cases("hscore").Keys.ToArray());
        var degenerate = Inputs(Cases("hscore")["hscore_degenerate_30x10"]);
        Assert.AreEqual(1, degenerate.Labels.Count(l => l == 2), "one class has a single member");
        Assert.IsTrue(Enumerable.Range(0, 30).All(i => degenerate.Features[i, 3] == 2.5 && degenerate.Features[i, 7] == 0), "two constant columns");
    }

    [TestMethod]
    public void RegressionBinsTheTargetIntoQuantilesAndMatchesNumPy()
    {
        var c = Cases("hscore_regression")["hscore_regression_60x16_5bins"];
        var f = Matrix(c.GetProperty("features"));
        double[] targets = Doubles(c.GetProperty("targets"));
        CollectionAssert.AreEqual(Ints(c.GetProperty("expected_bins")), QuantileBins.Assign(targets, 5));
        Close(c.GetProperty("expected").GetDouble(), HScore.Regression(f, targets, 5), 1e-6, "regression H-score");
        float[][] rows = [.. Enumerable.Range(0, 60).Select(i => Enumerable.Range(0, 16).Select(j => (float)f[i, j]).ToArray())];
        double widened = HScore.Regression(Widen(rows), [.. targets.Select(t => (double)(float)t)]);
        Assert.AreEqual(widened, HScore.Regression(rows, [.. targets.Select(t => (float)t)]), "float overload widens");
    }

    [TestMethod]
    public void QuantileBinsMatchNumPyWithTies()
    {
        foreach (var (name, c) in Cases("quantile_bins"))
        {
            CollectionAssert.AreEqual(Ints(c.GetProperty("expected")), QuantileBins.Assign(Doubles(c.GetProperty("values")), c.GetProperty("bins").GetInt32()), name);
        }
    }

    [TestMethod]
    public void SignalScoresAboveNoiseOfTheSameShape()
    {
        double signal = Cases("hscore")["hscore_3class_40x64"].GetProperty("expected").GetDouble();
        double noise = Cases("hscore")["hscore_noise_40x64"].GetProperty("expected").GetDouble();
        var (f, labels, k) = Inputs(Cases("hscore")["hscore_3class_40x64"]);
        var (g, same, _) = Inputs(Cases("hscore")["hscore_noise_40x64"]);
        CollectionAssert.AreEqual(labels, same);
        Assert.IsGreaterThan(HScore.Classification(g, same, k) + 1, HScore.Classification(f, labels, k), $"reference: signal {signal}, noise {noise}");
    }

    [TestMethod]
    public void UnshrunkScoreSaturatesAtClassesMinusOneOnceDReachesN()
    {
        // Why the shrinkage: with D ≥ N − 1 the pseudo-inverse separates any labels perfectly.
        var (f, labels, k) = Inputs(Cases("hscore")["hscore_unshrunk_wide_30x50"]);
        Assert.AreEqual(k - 1, HScore.Classification(f, labels, k, 0), 1e-9);
        int[] shuffled = [.. labels.Select((_, i) => labels[(i * 7) % labels.Length])];
        Assert.AreEqual(k - 1, HScore.Classification(f, shuffled, k, 0), 1e-9, "labels that mean nothing score the same");
        Assert.IsLessThan(HScore.Classification(f, labels, k), HScore.Classification(f, shuffled, k), "shrinkage tells them apart");
    }

    [TestMethod]
    public void InvariantToRowOrderClassNamesAndFeatureOffsets()
    {
        var (f, labels, k) = Inputs(Cases("hscore")["hscore_3class_40x64"]);
        double score = HScore.Classification(f, labels, k);
        int n = labels.Length;
        int[] order = [.. Enumerable.Range(0, n).Select(i => ((i * 7) + 3) % n)];
        var permuted = new double[n, f.GetLength(1)];
        var shifted = new double[n, f.GetLength(1)];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < f.GetLength(1); j++)
            {
                permuted[i, j] = f[order[i], j];
                shifted[i, j] = f[i, j] + 100 - j;
            }
        }
        Assert.AreEqual(score, HScore.Classification(permuted, [.. order.Select(i => labels[i])], k), 1e-10, "row order");
        Assert.AreEqual(score, HScore.Classification(f, [.. labels.Select(l => (l + 1) % k)], k), 1e-10, "class names");
        Assert.AreEqual(score, HScore.Classification(shifted, labels, k), 1e-8, "a constant added to each column");
    }

    [TestMethod]
    public void LiesBetweenZeroAndClassesMinusOne()
    {
        foreach (var (name, c) in Cases("hscore"))
        {
            var (f, labels, k) = Inputs(c);
            double h = HScore.Classification(f, labels, k);
            Assert.IsTrue(h >= 0 && h <= k - 1 + 1e-9, $"{name}: {h}");
        }
    }

    [TestMethod]
    public void TransferabilityReportCarriesTheScorePerFeatureSet()
    {
        // 40 subjects: penultimate features follow the label, raw ones are noise, the earlier set is constant.
        var random = new Random(3);
        float[] age = [.. Enumerable.Range(0, 40).Select(i => 20f + i)];
        float[][] penultimate = [.. age.Select(a => Enumerable.Range(0, 12).Select(j => (float)(((a - 40) / 10 * ((j % 3) - 1)) + random.NextDouble())).ToArray())];
        float[][] raw = [.. age.Select(_ => Enumerable.Range(0, 30).Select(_ => (float)random.NextDouble()).ToArray())];
        float[][] constant = [.. age.Select(_ => new[] { 0f })];
        var ml = new MLContext(seed: 1);
        var options = new TransferabilityOptions { Folds = 2, Seed = 1 };

        var report = Transferability.Compute(ml, new AnalysisFeatures(penultimate, constant, raw, age, [], [], 0), new LabelColumn("age", LabelKind.Regression, []), options);
        Assert.AreEqual(HScore.DefaultRegressionBins, report.HScoreBins);
        CollectionAssert.AreEquivalent(new[] { Transferability.PenultimateName, Transferability.RawName }, report.HScore.Keys.ToArray(), "the constant set has none");
        Assert.AreEqual(HScore.Regression(penultimate, age), report.HScore[Transferability.PenultimateName]);
        Assert.IsGreaterThan(report.HScore[Transferability.RawName], report.HScore[Transferability.PenultimateName]);

        float[] group = [.. age.Select(a => a < 40 ? 0f : 1f)];
        var classes = Transferability.Compute(ml, new AnalysisFeatures(penultimate, constant, raw, group, [], [], 0), new LabelColumn("group", LabelKind.BinaryClassification, ["young", "old"]), options);
        Assert.AreEqual(0, classes.HScoreBins);
        Assert.AreEqual(HScore.Classification(penultimate, [.. group.Select(g => (int)g)], 2), classes.HScore[Transferability.PenultimateName]);
    }

    [TestMethod]
    public void RejectsBadInput()
    {
        double[,] f = { { 1, 2 }, { 3, 4 }, { 5, 7 }, { 2, 2 } };
        Expect<ArgumentException>("labels", "features has 4 rows but labels has 3 values", () => HScore.Classification(f, [0, 1, 0], 2));
        Expect<ArgumentException>("features", "features[1,0] is NaN; H-score needs finite values", () => HScore.Classification(new double[,] { { 1, 2 }, { double.NaN, 4 } }, [0, 1], 2));
        Expect<ArgumentOutOfRangeException>("classCount", "classCount is 1; a score over classes needs at least 2", () => HScore.Classification(f, [0, 0, 0, 0], 1));
        Expect<ArgumentException>("labels", "class 1 has no samples", () => HScore.Classification(f, [0, 0, 0, 0], 2));
        Expect<ArgumentException>("labels", "labels[3] is 2, outside 0..1", () => HScore.Classification(f, [0, 1, 0, 2], 2));
        Expect<ArgumentException>("features", "H-score needs at least 2 samples; features has 1 row(s)", () => HScore.Classification(new double[,] { { 1, 2 } }, [0], 2));
        Expect<ArgumentException>("features", "every feature column is constant", () => HScore.Classification(new double[,] { { 1, 2 }, { 1, 2 }, { 1, 2 } }, [0, 1, 1], 2));
        // 0.1 three times has a computed mean that is not 0.1 in the last bit: still constant.
        Expect<ArgumentException>("features", "every feature column is constant", () => HScore.Classification(new double[,] { { 0.1 }, { 0.1 }, { 0.1 } }, [0, 1, 1], 2));
        Expect<ArgumentOutOfRangeException>("shrinkage", "shrinkage is 1.5; it must lie in [0, 1]", () => HScore.Classification(f, [0, 1, 0, 1], 2, 1.5));
        Expect<ArgumentOutOfRangeException>("shrinkage", "shrinkage is NaN", () => HScore.Classification(f, [0, 1, 0, 1], 2, double.NaN));
        Expect<ArgumentException>("features", "features[1] has 1 values but features[0] has 2", () => HScore.Classification([[1f, 2f], [3f], [5f, 6f]], [0, 1, 0], 2));
        Expect<ArgumentException>("targets", "targets[2] is Infinity; quantile binning needs finite values", () => HScore.Regression(f, [1, 2, double.PositiveInfinity, 4]));
        Expect<ArgumentException>("targets", "targets leave a single bin (4 value(s), all equal)", () => HScore.Regression(f, [3, 3, 3, 3]));
        Expect<ArgumentException>("targets", "features has 4 rows but targets has 2 values", () => HScore.Regression(f, [3, 4]));
        Expect<ArgumentException>("values", "one value at every quantile edge", () => QuantileBins.Assign([1, 1, 1, 1, 1, 1, 1, 1, 1, 9], 5));
        Expect<ArgumentOutOfRangeException>("bins", "bins is 1; binning needs at least 2", () => QuantileBins.Assign([1, 2], 1));
    }

    private static (double[,] Features, int[] Labels, int ClassCount) Inputs(JsonElement c) =>
        (Matrix(c.GetProperty("features")), Ints(c.GetProperty("labels")), c.GetProperty("class_count").GetInt32());

    private static double[,] Widen(float[][] rows)
    {
        var m = new double[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < rows[0].Length; j++)
            {
                m[i, j] = rows[i][j];
            }
        }
        return m;
    }
}
