using System.Text.Json;
using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Tests.Nifti;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary>PCA embeddings agree with a plain NumPy SVD, ignore feature scale and constant features, and reject bad input.</summary>
[TestClass]
public sealed class PcaTests
{
    private static readonly Lazy<Dictionary<string, Case>> Fixtures = new(LoadFixtures);

    public static IEnumerable<object[]> CaseNames() => Fixtures.Value.Keys.Select(name => new object[] { name });

    [TestMethod]
    [DynamicData(nameof(CaseNames))]
    public void MatchesNumPyReference(string name)
    {
        var c = Fixtures.Value[name];
        var e = Pca.Project(c.Features, c.Labels, c.ClassNames);

        Assert.AreEqual("PCA", e.Method);
        AssertClose(c.ExpectedX, e.X, $"{name} X");
        AssertClose(c.ExpectedY, e.Y, $"{name} Y");
        AssertClose(c.ExpectedRatio, e.ExplainedVarianceRatio, $"{name} ratios");
        CollectionAssert.AreEqual(c.Labels, e.Labels);
        Assert.AreNotSame(c.Labels, e.Labels, "the embedding keeps its own copy of the labels");
        if (c.ClassNames is null)
        {
            Assert.IsNull(e.ClassNames);
        }
        else
        {
            CollectionAssert.AreEqual(c.ClassNames.ToArray(), e.ClassNames!.ToArray());
        }
    }

    [TestMethod]
    public void FixturesCoverEveryShapeTheBriefNames()
    {
        // A dropped case would silently drop its comparison.
        CollectionAssert.AreEquivalent(
            new[] { "tall_40x7_one_constant", "wide_12x50", "classes_30x8", "smallest_3x5", "one_informative_10x4", "wide_60x1430" },
            Fixtures.Value.Keys.ToArray());
        Assert.AreEqual(6, Fixtures.Value["tall_40x7_one_constant"].KeptColumns, "the constant column is dropped");
        Assert.AreEqual(1430, Fixtures.Value["wide_60x1430"].Features[0].Length);
    }

    [TestMethod]
    public void ASingleInformativeFeatureGivesAnAllZeroSecondCoordinate()
    {
        var c = Fixtures.Value["one_informative_10x4"];
        var e = Pca.Project(c.Features, c.Labels, null);
        Assert.IsTrue(e.Y.All(y => y == 0), string.Join(", ", e.Y));
        AssertClose([1, 0], e.ExplainedVarianceRatio, "ratios", 1e-12);
        Assert.AreEqual(0, e.ExplainedVarianceRatio[1]);
        // The first coordinate is the standardised feature itself (its loading is +1).
        double[] f = [.. c.Features.Select(r => (double)r[2])];
        double mean = f.Average(), sd = Math.Sqrt(f.Select(v => (v - mean) * (v - mean)).Average());
        AssertClose([.. f.Select(v => (v - mean) / sd)], e.X, "X", 1e-12);
    }

    [TestMethod]
    public void RescalingOrShiftingAFeatureChangesNothing()
    {
        var c = Fixtures.Value["classes_30x8"];
        float[][] changed = [.. c.Features.Select(r => r.Select((v, j) => j == 3 ? (1000 * v) + 50 : j == 5 ? v / 64 : v).ToArray())];
        var a = Pca.Project(c.Features, c.Labels, c.ClassNames);
        var b = Pca.Project(changed, c.Labels, c.ClassNames);
        // float32 rounding of the rescaled values is the only difference.
        AssertClose(a.X, b.X, "X", 1e-4);
        AssertClose(a.Y, b.Y, "Y", 1e-4);
    }

    [TestMethod]
    public void PermutingRowsPermutesTheCoordinates()
    {
        var c = Fixtures.Value["tall_40x7_one_constant"];
        int n = c.Features.Length;
        int[] order = [.. Enumerable.Range(0, n).Select(i => ((i * 7) + 3) % n)];
        var a = Pca.Project(c.Features, c.Labels, null);
        var b = Pca.Project([.. order.Select(i => c.Features[i])], [.. order.Select(i => c.Labels[i])], null);
        AssertClose([.. order.Select(i => a.X[i])], b.X, "X", 1e-9);
        AssertClose([.. order.Select(i => a.Y[i])], b.Y, "Y", 1e-9);
        CollectionAssert.AreEqual(order.Select(i => c.Labels[i]).ToArray(), b.Labels);
    }

    [TestMethod]
    public void RatiosAreOrderedFractionsAndCoordinatesAreCentred()
    {
        foreach (var c in Fixtures.Value.Values)
        {
            var e = Pca.Project(c.Features, c.Labels, c.ClassNames);
            Assert.IsGreaterThanOrEqualTo(e.ExplainedVarianceRatio[1], e.ExplainedVarianceRatio[0], c.Name);
            Assert.IsGreaterThanOrEqualTo(0.0, e.ExplainedVarianceRatio[1], c.Name);
            Assert.IsLessThanOrEqualTo(1 + 1e-12, e.ExplainedVarianceRatio.Sum(), c.Name);
            Assert.AreEqual(0, e.X.Average(), 1e-9, c.Name);
            Assert.AreEqual(0, e.Y.Average(), 1e-9, c.Name);
        }
    }

    [TestMethod]
    public void EmbeddingSerialisesToJson()
    {
        var c = Fixtures.Value["classes_30x8"];
        var e = Pca.Project(c.Features, c.Labels, c.ClassNames);
        string json = JsonSerializer.Serialize(e);
        var back = JsonSerializer.Deserialize<FeatureEmbedding>(json)!;
        CollectionAssert.AreEqual(e.X, back.X);
        CollectionAssert.AreEqual(e.Y, back.Y);
        CollectionAssert.AreEqual(e.Labels, back.Labels);
        CollectionAssert.AreEqual(new[] { "control", "patient", "other" }, back.ClassNames!.ToArray());
        StringAssert.Contains(json, "\"ExplainedVarianceRatio\":[");
    }

    [TestMethod]
    public void RejectsFewerThanThreeRowsAndNoColumns()
    {
        Expect("features", "PCA needs at least 3 samples; features has 2 row(s)", () => Pca.Project([[1f], [2f]], [1, 2], null));
        Expect("features", "features has no columns", () => Pca.Project([[], [], []], [1, 2, 3], null));
    }

    [TestMethod]
    public void RejectsMismatchedLengthsAndRaggedRows()
    {
        Expect("labels", "features has 3 rows but labels has 2 values", () => Pca.Project([[1f], [2f], [3f]], [1, 2], null));
        Expect("features", "features[2] has 1 values but features[0] has 2", () => Pca.Project([[1f, 2f], [2f, 3f], [3f]], [1, 2, 3], null));
    }

    [TestMethod]
    public void RejectsNonFiniteValuesAndConstantFeatures()
    {
        Expect("features", "features[1][0] is NaN; PCA needs finite values", () => Pca.Project([[1f], [float.NaN], [3f]], [1, 2, 3], null));
        Expect("labels", "labels[2] is Infinity; every plotted subject needs a label", () => Pca.Project([[1f], [2f], [3f]], [1, 2, float.PositiveInfinity], null));
        Expect("features", "all 2 features are constant across the 3 rows", () => Pca.Project([[1f, 5f], [1f, 5f], [1f, 5f]], [1, 2, 3], null));
    }

    [TestMethod]
    public void RejectsClassLabelsThatAreNotIndices()
    {
        Expect("labels", "labels[1] is 2, not a class index in 0..1", () => Pca.Project([[1f], [2f], [3f]], [0, 2, 1], ["a", "b"]));
        Expect("labels", "labels[0] is 0.5, not a class index in 0..1", () => Pca.Project([[1f], [2f], [3f]], [0.5f, 0, 1], ["a", "b"]));
    }

    private static void Expect(string paramName, string messagePart, Action call)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(call);
        Assert.AreEqual(paramName, e.ParamName, e.Message);
        Assert.Contains(messagePart, e.Message);
    }

    private static void AssertClose(double[] expected, double[] actual, string what, double tolerance = 1e-6)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], tolerance, $"{what}[{i}]");
        }
    }

    /// <summary>The wide case's feature formula, as make_pca_fixture.py's wide_feature (exact integer arithmetic).</summary>
    private static float WideFeature(int i, int j)
    {
        int a = (((i * 37) + 11) % 23) - 11;
        int b = (((i * 53) + 5) % 17) - 8;
        int u = (((j * 29) + 3) % 13) - 6;
        int w = (((j * 41) + 7) % 11) - 5;
        int noise = (((i * 7919) + (j * 104729) + (i * j * 31)) % 61) - 30;
        return ((a * u) + (b * w) + noise) / 8f;
    }

    private static Dictionary<string, Case> LoadFixtures()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("pca/pca_expected.json")));
        var cases = new Dictionary<string, Case>();
        foreach (var e in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            string name = e.GetProperty("name").GetString()!;
            int rows = e.GetProperty("rows").GetInt32(), columns = e.GetProperty("columns").GetInt32();
            // Stored features are float32 values written as doubles, so the cast is exact.
            float[][] features = e.TryGetProperty("features", out var f)
                ? [.. f.EnumerateArray().Select(r => r.Doubles().Select(v => (float)v).ToArray())]
                : [.. Enumerable.Range(0, rows).Select(i => Enumerable.Range(0, columns).Select(j => WideFeature(i, j)).ToArray())];
            var classNames = e.GetProperty("class_names");
            cases.Add(name, new Case(
                name,
                features,
                [.. e.GetProperty("labels").Doubles().Select(v => (float)v)],
                classNames.ValueKind == JsonValueKind.Null ? null : [.. classNames.EnumerateArray().Select(x => x.GetString()!)],
                e.GetProperty("kept_columns").GetInt32(),
                e.GetProperty("expected_x").Doubles(),
                e.GetProperty("expected_y").Doubles(),
                e.GetProperty("expected_ratio").Doubles()));
        }
        return cases;
    }

    private sealed record Case(string Name, float[][] Features, float[] Labels, string[]? ClassNames, int KeptColumns, double[] ExpectedX, double[] ExpectedY, double[] ExpectedRatio);
}
