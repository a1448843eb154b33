using System.Text.Json;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Tests.Nifti;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary>LogME agrees with an independent NumPy implementation, ranks informative features first, and rejects bad input.</summary>
[TestClass]
public sealed class LogMeTests
{
    private static readonly Lazy<Dictionary<string, Case>> Fixtures = new(LoadFixtures);

    public static IEnumerable<object[]> CaseNames() => Fixtures.Value.Keys.Select(name => new object[] { name });

    [TestMethod]
    [DynamicData(nameof(CaseNames))]
    public void MatchesNumPyReference(string name)
    {
        var c = Fixtures.Value[name];
        Assert.AreEqual(c.Expected, Score(c), 1e-6, name);
    }

    [TestMethod]
    public void FixturesCoverEveryShapeTheBriefNames()
    {
        // The reference file must not silently shrink: a dropped case would drop its comparison.
        CollectionAssert.AreEquivalent(
            new[]
            {
                "regression_signal_40x8", "regression_noise_features_40x8", "regression_noise_60x16",
                "regression_wide_30x50", "regression_rank5_40x8", "classification_3class_45x10",
            },
            Fixtures.Value.Keys.ToArray());
    }

    [TestMethod]
    public void InformativeRegressionFeaturesScoreHigherThanNoiseOfTheSameShape()
    {
        var signal = Fixtures.Value["regression_signal_40x8"];
        var noise = Fixtures.Value["regression_noise_features_40x8"];
        CollectionAssert.AreEqual(signal.Targets, noise.Targets);
        double informative = Score(signal), uninformative = Score(noise);
        Assert.IsGreaterThan(uninformative + 1, informative, $"signal {informative}, noise {uninformative}");
    }

    [TestMethod]
    public void InformativeClassificationFeaturesScoreHigherThanNoiseOfTheSameShape()
    {
        var rng = new Random(7);
        const int n = 60, d = 12, classes = 4;
        int[] labels = Enumerable.Range(0, n).Select(i => i % classes).ToArray();
        double[,] means = Gaussian(rng, classes, d, 2.0);
        double[,] informative = Gaussian(rng, n, d, 1.0);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                informative[i, j] += means[labels[i], j];
            }
        }
        double good = LogMe.Classification(informative, labels, classes);
        double bad = LogMe.Classification(Gaussian(rng, n, d, 1.0), labels, classes);
        Assert.IsGreaterThan(bad + 0.5, good, $"informative {good}, noise {bad}");
    }

    [TestMethod]
    public void PermutingRowsLeavesTheValueUnchanged()
    {
        foreach (var c in Fixtures.Value.Values)
        {
            int n = c.Features.GetLength(0);
            int[] order = Enumerable.Range(0, n).Select(i => (i * 7 + 3) % n).ToArray();
            CollectionAssert.AreEquivalent(Enumerable.Range(0, n).ToArray(), order, "7 must be coprime with every N");
            var permuted = new Case(
                c.Kind,
                Rows(c.Features, order),
                c.Targets is null ? null : order.Select(i => c.Targets[i]).ToArray(),
                c.Labels is null ? null : order.Select(i => c.Labels[i]).ToArray(),
                c.ClassCount,
                c.Expected);
            Assert.AreEqual(Score(c), Score(permuted), 1e-12, c.Kind);
        }
    }

    [TestMethod]
    public void RotatingTheFeatureSpaceLeavesTheValueUnchanged()
    {
        // The prior N(0, α⁻¹I) is isotropic, so any orthogonal Q (F → F Q) keeps the evidence; here a column
        // permutation, a sign flip and a Givens rotation.
        foreach (var c in Fixtures.Value.Values)
        {
            double[,] f = c.Features;
            int n = f.GetLength(0), d = f.GetLength(1);
            var rotated = new double[n, d];
            double cos = Math.Cos(0.7), sin = Math.Sin(0.7);
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    rotated[i, j] = f[i, (j + 1) % d];
                }
                rotated[i, 2] = -rotated[i, 2];
                (rotated[i, 0], rotated[i, 1]) = ((cos * rotated[i, 0]) - (sin * rotated[i, 1]), (sin * rotated[i, 0]) + (cos * rotated[i, 1]));
            }
            Assert.AreEqual(Score(c), Score(c with { Features = rotated }), 1e-9, c.Kind);
        }
    }

    [TestMethod]
    public void RenamingClassesLeavesTheValueUnchanged()
    {
        var c = Fixtures.Value["classification_3class_45x10"];
        int[] renamed = c.Labels!.Select(l => (l + 1) % 3).ToArray();
        Assert.AreEqual(Score(c), LogMe.Classification(c.Features, renamed, 3), 1e-12);
    }

    [TestMethod]
    public void ScalingTheTargetShiftsTheValueByMinusLogScale()
    {
        // y → c y gives α, β → α/c², β/c² and the evidence per sample falls by log c; only the 1e-5 regulariser
        // in the α, β updates breaks this exactly.
        var c = Fixtures.Value["regression_signal_40x8"];
        double scaled = LogMe.Regression(c.Features, c.Targets!.Select(v => 10 * v).ToArray());
        Assert.AreEqual(Score(c) - Math.Log(10), scaled, 1e-9);
    }

    [TestMethod]
    public void SinglePrecisionOverloadsWidenAndAgree()
    {
        foreach (var c in Fixtures.Value.Values)
        {
            int n = c.Features.GetLength(0), d = c.Features.GetLength(1);
            float[][] rows = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, d).Select(j => (float)c.Features[i, j]).ToArray()).ToArray();
            var widened = new double[n, d];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    widened[i, j] = rows[i][j];
                }
            }
            if (c.Kind == "regression")
            {
                float[] targets = c.Targets!.Select(v => (float)v).ToArray();
                Assert.AreEqual(LogMe.Regression(widened, targets.Select(v => (double)v).ToArray()), LogMe.Regression(rows, targets));
            }
            else
            {
                Assert.AreEqual(LogMe.Classification(widened, c.Labels!, c.ClassCount), LogMe.Classification(rows, c.Labels!, c.ClassCount));
            }
        }
    }

    [TestMethod]
    public void RejectsMismatchedRowCounts()
    {
        Expect("targets", "features has 3 rows but targets has 4 values", () => LogMe.Regression(new double[3, 2] { { 1, 2 }, { 3, 4 }, { 5, 6 } }, [1, 2, 3, 4]));
        Expect("labels", "features has 3 rows but labels has 2 values", () => LogMe.Classification(new double[3, 2] { { 1, 2 }, { 3, 4 }, { 5, 6 } }, [0, 1], 2));
    }

    [TestMethod]
    public void RejectsFewerThanTwoSamplesAndNoColumns()
    {
        Expect("features", "LogME needs at least 2 samples; features has 1 row(s)", () => LogMe.Regression(new double[1, 2] { { 1, 2 } }, [1]));
        Expect("features", "LogME needs at least 2 samples; features has 0 row(s)", () => LogMe.Classification(new double[0, 2], [], 2));
        Expect("features", "features has no columns", () => LogMe.Regression(new double[3, 0], [1, 2, 3]));
    }

    [TestMethod]
    public void RejectsNonFiniteValues()
    {
        Expect("features", "features[1,0] is NaN; LogME needs finite values", () => LogMe.Regression(new double[2, 2] { { 1, 2 }, { double.NaN, 4 } }, [1, 2]));
        Expect("features", "features[0,1] is -Infinity; LogME needs finite values", () => LogMe.Classification(new double[2, 2] { { 1, double.NegativeInfinity }, { 3, 4 } }, [0, 1], 2));
        Expect("targets", "targets[1] is Infinity; LogME needs finite values", () => LogMe.Regression(new double[2, 2] { { 1, 2 }, { 3, 4 } }, [1, double.PositiveInfinity]));
        Expect("targets", "targets[0] is NaN; LogME needs finite values", () => LogMe.Regression([[1f, 2f], [3f, 4f]], [float.NaN, 1f]));
    }

    [TestMethod]
    public void RejectsAllZeroFeaturesOrTargets()
    {
        Expect("features", "features are all zero", () => LogMe.Regression(new double[2, 2], [1, 2]));
        Expect("targets", "targets are all zero", () => LogMe.Regression(new double[2, 2] { { 1, 2 }, { 3, 4 } }, [0, 0]));
    }

    [TestMethod]
    public void RejectsBadLabelsAndClassCounts()
    {
        double[,] f = { { 1, 2 }, { 3, 4 }, { 5, 7 } };
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LogMe.Classification(f, [0, 0, 0], 1));
        Assert.AreEqual("classCount", e.ParamName);
        Assert.Contains("classCount is 1; classification needs at least 2 classes", e.Message);
        Expect("labels", "labels[2] is 2, outside 0..1", () => LogMe.Classification(f, [0, 1, 2], 2));
        Expect("labels", "labels[0] is -1, outside 0..2", () => LogMe.Classification(f, [-1, 1, 2], 3));
        Expect("labels", "class 1 has no samples", () => LogMe.Classification(f, [0, 2, 0], 3));
    }

    [TestMethod]
    public void RejectsRaggedSinglePrecisionRows()
    {
        Expect("features", "features[1] has 1 values but features[0] has 2", () => LogMe.Classification([[1f, 2f], [3f], [5f, 6f]], [0, 1, 0], 2));
    }

    private static void Expect(string paramName, string messagePart, Action call)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(call);
        Assert.AreEqual(paramName, e.ParamName, e.Message);
        Assert.Contains(messagePart, e.Message);
    }

    private static double Score(Case c) => c.Kind == "regression"
        ? LogMe.Regression(c.Features, c.Targets!)
        : LogMe.Classification(c.Features, c.Labels!, c.ClassCount);

    private static double[,] Rows(double[,] f, int[] order)
    {
        var r = new double[order.Length, f.GetLength(1)];
        for (int i = 0; i < order.Length; i++)
        {
            for (int j = 0; j < f.GetLength(1); j++)
            {
                r[i, j] = f[order[i], j];
            }
        }
        return r;
    }

    // Box–Muller on a seeded Random: deterministic across runs and platforms.
    private static double[,] Gaussian(Random rng, int rows, int columns, double scale)
    {
        var g = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                g[i, j] = scale * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            }
        }
        return g;
    }

    private static Dictionary<string, Case> LoadFixtures()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("logme/logme_expected.json")));
        var cases = new Dictionary<string, Case>();
        foreach (var e in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var rows = e.GetProperty("features").EnumerateArray().Select(r => r.Doubles()).ToArray();
            var f = new double[rows.Length, rows[0].Length];
            for (int i = 0; i < rows.Length; i++)
            {
                for (int j = 0; j < rows[i].Length; j++)
                {
                    f[i, j] = rows[i][j];
                }
            }
            string kind = e.GetProperty("kind").GetString()!;
            cases.Add(e.GetProperty("name").GetString()!, kind == "regression"
                ? new Case(kind, f, e.GetProperty("targets").Doubles(), null, 0, e.GetProperty("expected").GetDouble())
                : new Case(kind, f, null, e.GetProperty("labels").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
                    e.GetProperty("class_count").GetInt32(), e.GetProperty("expected").GetDouble()));
        }
        return cases;
    }

    private sealed record Case(string Kind, double[,] Features, double[]? Targets, int[]? Labels, int ClassCount, double Expected);
}
