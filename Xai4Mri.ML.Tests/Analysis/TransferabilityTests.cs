using Microsoft.ML;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Tests.Transfer;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary>Transferability: block-mean raw features, the leave-one-out ridge probe, and the report on tiny volumes.</summary>
[TestClass]
public sealed class TransferabilityTests
{
    [TestMethod]
    public void BlockMeansAverageEachCubeAndThePartialOnesAtTheEdge()
    {
        // 3x2x2 volume, values = flat index; blocks of 2: z cells {0,1} and {2}, one y cell, one x cell.
        float[] image = [.. Enumerable.Range(0, 12).Select(i => (float)i)];
        float[] means = Transferability.BlockMeans(image, [3, 2, 2], 2);
        CollectionAssert.AreEqual(new[] { (0f + 1 + 2 + 3 + 4 + 5 + 6 + 7) / 8, (8f + 9 + 10 + 11) / 4 }, means);
    }

    [TestMethod]
    public void RidgeRecoversALinearTargetAndSeparableClasses()
    {
        var random = new Random(3);
        float[][] x = [.. Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, 5).Select(_ => (float)random.NextDouble()).ToArray())];
        float[] y = [.. x.Select(r => (2 * r[0]) - r[1] + 3)];
        int[] fold = [.. Enumerable.Range(0, 40).Select(i => i % 5)];

        double mae = Transferability.Ridge(x, y, fold, 0, regression: true, classes: 0);
        Assert.IsLessThan(0.01, mae, $"noise-free linear target, MAE {mae}");

        float[] classes = [.. x.Select(r => r[0] > 0.5f ? 1f : 0f)];
        double accuracy = Transferability.Ridge(x, classes, fold, 1, regression: false, classes: 2);
        Assert.IsGreaterThanOrEqualTo(0.875, accuracy, "a threshold on one feature is (nearly) linearly separable");
    }

    [TestMethod]
    public void ReportComparesPretrainedAndRawFeaturesAgainstChance()
    {
        var ml = new MLContext(seed: 1);
        var rows = TransferData.Rows(30);
        var data = TransferData.Load(ml, rows);
        using var model = MriNetModel.CreateMriNet(TransferData.Shape, ModelTask.Regression(40), seed: 2);
        var lines = new List<string>();

        var report = Transferability.Compute(ml, model, data, "Age", new TransferabilityOptions { Folds = 3, Seed = 1, Progress = new Progress<string>(lines.Add) });

        CollectionAssert.AreEquivalent(new[] { "penultimate layer", "earlier layer (channel means)", "raw image (block means)" }, report.LogMe.Keys.ToArray());
        Assert.HasCount(6, report.Probes);
        Assert.IsTrue(report.Probes.All(p => p.Metric == "MAE" && double.IsFinite(p.Mean)));
        Assert.AreEqual(64, report.Probes.First(p => p.Features == "penultimate layer").FeatureCount);
        Assert.AreEqual(4 * 4 * 4, report.Probes.First(p => p.Features.StartsWith("raw", StringComparison.Ordinal)).FeatureCount);
        // Age is the cube size here, which block means of the raw voxels show directly.
        Assert.IsLessThan(0.5 * report.ChanceLevel, report.BestRaw.Mean, $"raw {report.BestRaw.Mean} vs chance {report.ChanceLevel}");
        Assert.AreEqual((report.BestRaw.Mean - report.BestPretrained.Mean) / report.BestRaw.Mean, report.Gain, 1e-12);
        Assert.IsTrue(report.ChanceLevel > 5 && report.ChanceLevel < 20, $"MAE of the mean {report.ChanceLevel}");
    }

    [TestMethod]
    public void RidgeMatchesTheNumPyReferenceOnRealPenultimateFeatures()
    {
        // 60 subjects × 64 penultimate features of the validation's site-D scenario, and the probe re-implemented in NumPy (Fixtures/ridge).
        var lines = File.ReadAllLines(TestPaths.Fixture("ridge/features.csv"));
        float[][] rows = [.. lines.Select(l => l.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray())];
        float[][] x = [.. rows.Select(r => r[..^1])];
        float[] y = [.. rows.Select(r => r[^1])];
        using var expected = System.Text.Json.JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("ridge/ridge_expected.json")));
        int[] full = [.. Enumerable.Range(0, 60).Select(i => i % 5)];
        int[] subset = [.. Enumerable.Range(0, 60).Select(i => i % 3 == 0 && i % 5 != 0 ? -1 : i % 5)];

        var perFold = expected.RootElement.GetProperty("full").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int f = 0; f < 5; f++)
        {
            Assert.AreEqual(perFold[f], Transferability.Ridge(x, y, full, f, regression: true, classes: 0), 1e-6 * perFold[f], $"fold {f}");
        }
        double subsetExpected = expected.RootElement.GetProperty("subset_fold0").GetDouble();
        Assert.AreEqual(subsetExpected, Transferability.Ridge(x, y, subset, 0, regression: true, classes: 0), 1e-6 * subsetExpected);
    }

    [TestMethod]
    public void RidgeWithFewerSubjectsThanFeaturesStillChoosesAUsefulPenalty()
    {
        // 30 subjects (24 train per fold), 120 features, a target on 3 of them: a tiny penalty interpolates the
        // training rows and predicts held-out ones badly; leave-one-out must see that.
        var random = new Random(11);
        float[][] x = [.. Enumerable.Range(0, 30).Select(_ => Enumerable.Range(0, 120).Select(_ => (float)random.NextDouble()).ToArray())];
        float[] y = [.. x.Select(r => 10 * (r[0] + r[1] + r[2]))];
        int[] fold = [.. Enumerable.Range(0, 30).Select(i => i % 5)];
        double mean = y.Average(v => (double)v);
        double chance = y.Average(v => Math.Abs(v - mean));

        double mae = Enumerable.Range(0, 5).Average(f => Transferability.Ridge(x, y, fold, f, regression: true, classes: 0));

        Assert.IsLessThan(0.9 * chance, mae, $"ridge MAE {mae} vs mean predictor {chance}");
    }

    [TestMethod]
    public void LearningCurveOfALinearTargetImprovesWithMoreSubjects()
    {
        // 80 subjects, 40 features of which 4 carry a linear target plus noise: the held-out error must fall with N.
        var random = new Random(5);
        float[][] x = [.. Enumerable.Range(0, 80).Select(_ => Enumerable.Range(0, 40).Select(_ => (float)random.NextDouble()).ToArray())];
        float[] y = [.. x.Select(r => (10 * (r[0] + r[1] - r[2] + r[3])) + (float)random.NextDouble())];
        var features = new AnalysisFeatures(x, x, x, y, [], [], 0);
        var label = new LabelColumn("y", LabelKind.Regression, []);

        var curve = Transferability.LearningCurve(features, label, new TransferabilityOptions { Folds = 5, Seed = 1 });

        var penultimate = curve.Where(p => p.Features == "penultimate layer").ToList();
        CollectionAssert.AreEqual(new[] { 16, 32, 48, 64 }, penultimate.Select(p => p.N).ToArray());
        for (int i = 1; i < penultimate.Count; i++)
        {
            Assert.IsLessThan(penultimate[i - 1].Mean, penultimate[i].Mean, string.Join("; ", penultimate));
        }
    }

    [TestMethod]
    public void ClassProbesScoreBalancedAccuracyAgainstOneOverK()
    {
        var ml = new MLContext(seed: 1);
        // Three classes (young, middle, old) that follow the cube size, 10 rows each.
        var data = TransferData.WithGroupKey(ml, TransferData.Rows(30));
        using var model = MriNetModel.CreateMriNet(TransferData.Shape, ModelTask.Classification(["a", "b", "c"]), seed: 2);

        var report = Transferability.Compute(ml, model, data, "Label", new TransferabilityOptions { Folds = 3, Seed = 1 });

        Assert.IsTrue(report.Probes.All(p => p.Metric == "balanced accuracy" && p.Mean >= 0 && p.Mean <= 1));
        Assert.AreEqual(1.0 / 3, report.ChanceLevel, 1e-12);
        // The raw block means show the cube size, so both probes on them separate the classes well above chance.
        Assert.IsTrue(report.Probes.Where(p => p.Features.StartsWith("raw", StringComparison.Ordinal)).All(p => p.Mean > 0.8), string.Join("; ", report.Probes));
        Assert.AreEqual(report.BestPretrained.Mean - report.BestRaw.Mean, report.Gain, 1e-12);
    }

    [TestMethod]
    public void TooFewRowsOrBadOptionsAreRejected()
    {
        var ml = new MLContext(seed: 1);
        var data = TransferData.Load(ml, TransferData.Rows(6));
        using var model = MriNetModel.CreateMriNet(TransferData.Shape, ModelTask.Regression(40), seed: 2);

        var few = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Transferability.Compute(ml, model, data, "Age"));
        StringAssert.Contains(few.Message, "6 labelled rows are too few for 5-fold probes (need at least 10)");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Transferability.Compute(ml, model, data, "Age", new TransferabilityOptions { Folds = 1 }));
        var label = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Transferability.Compute(ml, model, data, "Nope"));
        StringAssert.Contains(label.Message, "label column 'Nope' not found");
    }

    [TestMethod]
    public void FastTreeProbeScoresStayThoseRecordedWithMLNet501()
    {
        // The held-out benchmark compares FastTree probe scores across runs, so a new ML.NET must not change them:
        // these are the per-fold scores on the real penultimate features of Fixtures/ridge as ML.NET 5.0.1 gave them
        // (6.0.0 gives the same, bit for bit).
        var lines = File.ReadAllLines(TestPaths.Fixture("ridge/features.csv"));
        float[][] rows = [.. lines.Select(l => l.Split(',').Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray())];
        float[][] x = [.. rows.Select(r => r[..^1])];
        float[] age = [.. rows.Select(r => r[^1])];
        float[] tercile = [.. age.Select(a => a < 40 ? 0f : a < 60 ? 1f : 2f)];
        int[] fold = [.. Enumerable.Range(0, 60).Select(i => i % 5)];

        double[] mae = [.. Enumerable.Range(0, 5).Select(f => Transferability.Tree(new MLContext(seed: 1), x, age, fold, f, regression: true, seed: 1))];
        double[] accuracy = [.. Enumerable.Range(0, 5).Select(f => Transferability.Tree(new MLContext(seed: 1), x, tercile, fold, f, regression: false, seed: 1))];

        string Show(double[] values) => string.Join(", ", values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        CollectionAssert.AreEqual(new double[] { 10.08913246790568, 9.246678829193115, 9.273491541544596, 11.048146565755209, 11.67786455154419 }, mae, Show(mae));
        CollectionAssert.AreEqual(new double[] { 0.9333333333333332, 0.4666666666666666, 0.611111111111111, 0.5555555555555555, 0.4666666666666666 }, accuracy, Show(accuracy));
    }
}
