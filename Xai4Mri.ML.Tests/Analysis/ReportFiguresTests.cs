using System.Buffers.Binary;
using SkiaSharp;
using Xai4Mri.ML.Analysis;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary>The report's PNG figures: the asked size, something drawn in the expected colours, atomic writes, and named errors for bad input.</summary>
[TestClass]
public sealed class ReportFiguresTests
{
    // matplotlib's tab10, which the figures use for classes, groups and feature sets.
    private static readonly (byte R, byte G, byte B) Blue = (0x1f, 0x77, 0xb4), Orange = (0xff, 0x7f, 0x0e), Green = (0x2c, 0xa0, 0x2c);

    [TestMethod]
    public void LabelDistributionOfARegressionTargetIsAHistogram()
    {
        using var scratch = TestPaths.Scratch();
        float[] ages = [.. Enumerable.Range(0, 60).Select(i => 20 + (i * 0.9f)), float.NaN];
        string path = scratch.File("age.png");
        ReportFigures.LabelDistribution(path, "Age", ages, null);
        var png = AssertPng(path, 800, 500, minColours: 30);
        Assert.IsGreaterThan(5000, Count(png, Blue), "histogram bars in tab10 blue");
        AssertOnlyFile(scratch, "age.png");
    }

    [TestMethod]
    public void LabelDistributionOfClassesIsABarChart()
    {
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("group.png");
        ReportFigures.LabelDistribution(path, "Group", null, [new ValueCount("control", 34), new ValueCount("patient", 26)], width: 640, height: 400);
        var png = AssertPng(path, 640, 400, minColours: 30);
        Assert.IsGreaterThan(5000, Count(png, Blue), "first class's bar");
        Assert.IsGreaterThan(3000, Count(png, Orange), "second class's bar");
    }

    [TestMethod]
    public void IntensityHistogramsDrawOneLinePerGroup()
    {
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("intensity.png");
        ReportFigures.IntensityHistograms(path, SiteHistograms(3));
        var png = AssertPng(path, 800, 500, minColours: 50);
        Assert.IsGreaterThan(300, Count(png, Blue));
        Assert.IsGreaterThan(300, Count(png, Orange));
        Assert.IsGreaterThan(300, Count(png, Green));
    }

    [TestMethod]
    public void EmbeddingOfARegressionTargetHasAColourScale()
    {
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("embedding-age.png");
        ReportFigures.Embedding(path, Embedding(classes: null), "Age", width: 700, height: 520);
        var png = AssertPng(path, 700, 520, minColours: 200);
        // Viridis's ends, dark purple and yellow, appear in the points and the colour bar.
        Assert.IsGreaterThan(50, Count(png, (0x44, 0x01, 0x54), tolerance: 20), "viridis low end");
        Assert.IsGreaterThan(50, Count(png, (0xfd, 0xe7, 0x25), tolerance: 20), "viridis high end");
    }

    [TestMethod]
    public void EmbeddingOfClassesHasOneColourPerClass()
    {
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("embedding-group.png");
        ReportFigures.Embedding(path, Embedding(classes: ["control", "patient", "other"]), "Group");
        var png = AssertPng(path, 800, 500, minColours: 50);
        Assert.IsGreaterThan(300, Count(png, Blue));
        Assert.IsGreaterThan(300, Count(png, Orange));
        Assert.IsGreaterThan(300, Count(png, Green));
    }

    [TestMethod]
    public void ProbeLearningCurveDrawsEachFeatureSetAndChance()
    {
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("probe.png");
        ReportFigures.ProbeLearningCurve(path, LearningCurve(), "MAE", chance: 12.5);
        var png = AssertPng(path, 800, 500, minColours: 50);
        Assert.IsGreaterThan(300, Count(png, Blue));
        Assert.IsGreaterThan(300, Count(png, Orange));
        Assert.IsGreaterThan(100, Count(png, (0x55, 0x55, 0x55), tolerance: 4), "the dashed chance line");
    }

    [TestMethod]
    public void OneDistinctValueStillDraws()
    {
        // A constant target gives a zero-width value range; the figures widen it instead of dividing by zero.
        using var scratch = TestPaths.Scratch();
        ReportFigures.LabelDistribution(scratch.File("one.png"), "Age", [42f, 42f, 42f], null);
        Assert.IsGreaterThan(5000, Count(AssertPng(scratch.File("one.png"), 800, 500, minColours: 30), Blue));
        var flat = Embedding(null) with { Labels = [.. Enumerable.Repeat(42f, 60)] };
        ReportFigures.Embedding(scratch.File("flat.png"), flat, "Age");
        AssertPng(scratch.File("flat.png"), 800, 500, minColours: 50);
        ReportFigures.ProbeLearningCurve(scratch.File("single.png"), [new(30, "raw", 5, double.NaN)], "MAE", 6);
        AssertPng(scratch.File("single.png"), 800, 500, minColours: 30);
    }

    [TestMethod]
    public void TheSameInputRendersTheSameBytesAndOverwrites()
    {
        using var scratch = TestPaths.Scratch();
        ReportFigures.ProbeLearningCurve(scratch.File("a.png"), LearningCurve(), "MAE", chance: double.NaN);
        ReportFigures.ProbeLearningCurve(scratch.File("b.png"), LearningCurve(), "MAE", chance: 12.5);
        CollectionAssert.AreNotEqual(File.ReadAllBytes(scratch.File("a.png")), File.ReadAllBytes(scratch.File("b.png")));
        ReportFigures.ProbeLearningCurve(scratch.File("a.png"), LearningCurve(), "MAE", chance: 12.5);
        CollectionAssert.AreEqual(File.ReadAllBytes(scratch.File("b.png")), File.ReadAllBytes(scratch.File("a.png")));
    }

    [TestMethod]
    public void LabelDistributionRejectsBadInput()
    {
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("x.png");
        Expect("classes", "give either values", () => ReportFigures.LabelDistribution(path, "Age", [1f], [new ValueCount("a", 1)]));
        Expect("values", "give either values", () => ReportFigures.LabelDistribution(path, "Age", null, null));
        Expect("values", "values has no label to plot (0 values", () => ReportFigures.LabelDistribution(path, "Age", [], null));
        Expect("values", "values has no label to plot (2 values, all NaN", () => ReportFigures.LabelDistribution(path, "Age", [float.NaN, float.NaN], null));
        Expect("values", "values[1] is -Infinity", () => ReportFigures.LabelDistribution(path, "Age", [1f, float.NegativeInfinity], null));
        Expect("classes", "classes is empty", () => ReportFigures.LabelDistribution(path, "Group", null, []));
        Expect("classes", "classes[1] needs a name and a count of at least 0", () => ReportFigures.LabelDistribution(path, "Group", null, [new ValueCount("a", 1), new ValueCount("b", -1)]));
        Expect("labelName", "", () => ReportFigures.LabelDistribution(path, " ", [1f], null));
        AssertNothingWritten(scratch);
    }

    [TestMethod]
    public void IntensityHistogramsRejectBadInput()
    {
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("x.png");
        Expect("histograms", "histograms is empty", () => ReportFigures.IntensityHistograms(path, []));
        Expect("histograms", "histograms[0] ('A') has 2 bin centres but 3 densities", () => ReportFigures.IntensityHistograms(path, [new("A", [1, 2], [0.5, 0.5, 0])]));
        Expect("histograms", "histograms[1] ('B') is not on the bins of histograms[0]", () => ReportFigures.IntensityHistograms(path, [new("A", [1, 2], [0.5, 0.5]), new("B", [1, 3], [0.5, 0.5])]));
        Expect("histograms", "histograms[0] ('A') has no bins", () => ReportFigures.IntensityHistograms(path, [new("A", [], [])]));
        Expect("histograms", "histograms[0] ('A') has a value that is not finite", () => ReportFigures.IntensityHistograms(path, [new("A", [1, 2], [double.NaN, 1])]));
        AssertNothingWritten(scratch);
    }

    [TestMethod]
    public void EmbeddingRejectsBadInput()
    {
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("x.png");
        Expect("embedding", "embedding has no points", () => ReportFigures.Embedding(path, new("PCA", [], [], [], null, [0.5, 0.2]), "Age"));
        Expect("embedding", "embedding has 3 X, 2 Y and 3 label values", () => ReportFigures.Embedding(path, new("PCA", [1, 2, 3], [1, 2], [1, 2, 3], null, [0.5, 0.2]), "Age"));
        Expect("embedding", "embedding has 3 X, 3 Y and 2 label values", () => ReportFigures.Embedding(path, new("PCA", [1, 2, 3], [1, 2, 3], [1, 2], null, [0.5, 0.2]), "Age"));
        Expect("embedding", "embedding has 1 explained-variance ratios", () => ReportFigures.Embedding(path, new("PCA", [1], [1], [1], null, [0.5]), "Age"));
        Expect("embedding", "embedding label 1 is 3, not a class index in 0..1", () => ReportFigures.Embedding(path, new("PCA", [1, 2], [1, 2], [0, 3], ["a", "b"], [0.5, 0.2]), "Group"));
        Expect("embedding", "embedding point 0 has a coordinate or label that is not finite", () => ReportFigures.Embedding(path, new("PCA", [double.NaN], [1], [1], null, [0.5, 0.2]), "Age"));
        AssertNothingWritten(scratch);
    }

    [TestMethod]
    public void ProbeLearningCurveRejectsBadInput()
    {
        using var scratch = TestPaths.Scratch();
        string path = scratch.File("x.png");
        Expect("points", "points is empty", () => ReportFigures.ProbeLearningCurve(path, [], "MAE", 1));
        Expect("points", "points[1] repeats N = 20 for 'raw'", () => ReportFigures.ProbeLearningCurve(path, [new(20, "raw", 5, 1), new(20, "raw", 6, 1)], "MAE", 1));
        Expect("points", "points[0] has N = 0", () => ReportFigures.ProbeLearningCurve(path, [new(0, "raw", 5, 1)], "MAE", 1));
        Expect("points", "points[0] ('raw', N = 20) has mean NaN", () => ReportFigures.ProbeLearningCurve(path, [new(20, "raw", double.NaN, 1)], "MAE", 1));
        Expect("points", "points[0] ('raw', N = 20) has standard deviation -1", () => ReportFigures.ProbeLearningCurve(path, [new(20, "raw", 5, -1)], "MAE", 1));
        Expect("chance", "chance is Infinity", () => ReportFigures.ProbeLearningCurve(path, [new(20, "raw", 5, 1)], "MAE", double.PositiveInfinity));
        AssertNothingWritten(scratch);
    }

    [TestMethod]
    public void BadPathsAndSizesAreRejectedBeforeDrawing()
    {
        using var scratch = TestPaths.Scratch();
        var missing = Assert.ThrowsExactly<DirectoryNotFoundException>(() => ReportFigures.LabelDistribution(Path.Combine(scratch.Path, "no-such-folder", "a.png"), "Age", [1f], null));
        StringAssert.Contains(missing.Message, "no-such-folder");
        Assert.ThrowsExactly<ArgumentException>(() => ReportFigures.IntensityHistograms(scratch.Path, SiteHistograms(1)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ReportFigures.ProbeLearningCurve(scratch.File("a.png"), LearningCurve(), "MAE", 1, width: 100));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ReportFigures.Embedding(scratch.File("a.png"), Embedding(null), "Age", height: 20));
        AssertNothingWritten(scratch);
    }

    private static IReadOnlyList<IntensityHistogram> SiteHistograms(int sites)
    {
        var rng = new Random(2);
        return IntensityHistograms.Compute(Enumerable.Range(0, sites * 2).Select(i =>
            ($"site {(char)('A' + (i % sites))}", Enumerable.Range(0, 4000).Select(_ => (float)(80 + (25 * (i % sites)) + (12 * Gauss(rng)))).ToArray())));
    }

    private static FeatureEmbedding Embedding(IReadOnlyList<string>? classes)
    {
        var rng = new Random(4);
        int n = 60;
        float[] labels = classes is null ? [.. Enumerable.Range(0, n).Select(i => 20 + i)] : [.. Enumerable.Range(0, n).Select(i => (float)(i % classes.Count))];
        double[] x = [.. Enumerable.Range(0, n).Select(i => (classes is null ? (i - 30) / 10.0 : 2.5 * (i % classes.Count)) + Gauss(rng))];
        double[] y = [.. Enumerable.Range(0, n).Select(i => 0.5 * Gauss(rng))];
        return new FeatureEmbedding("PCA", x, y, labels, classes, [0.4317, 0.0812]);
    }

    private static LearningCurvePoint[] LearningCurve() =>
    [
        new(20, "penultimate layer", 9.5, 1.6), new(40, "penultimate layer", 8.1, 1.1), new(60, "penultimate layer", 7.2, 0.8),
        new(60, "raw image (block means)", 10.4, 0.9), new(20, "raw image (block means)", 11.9, 2.0), new(40, "raw image (block means)", 11.0, 1.3),
    ];

    private static double Gauss(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Checks the PNG signature, the IHDR size and that the image is not blank; returns the decoded bitmap's pixels.</summary>
    private static SKColor[] AssertPng(string path, int width, int height, int minColours)
    {
        byte[] png = File.ReadAllBytes(path);
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.AreEqual("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.AreEqual(width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), "IHDR width");
        Assert.AreEqual(height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)), "IHDR height");
        using var bitmap = SKBitmap.Decode(png);
        var pixels = bitmap.Pixels;
        int colours = pixels.Select(p => (uint)p).Distinct().Count();
        Assert.IsGreaterThanOrEqualTo(minColours, colours, "anti-aliased text, lines and fills give many colours; a blank image has one");
        return pixels;
    }

    private static int Count(SKColor[] pixels, (byte R, byte G, byte B) colour, int tolerance = 8) =>
        pixels.Count(p => Math.Abs(p.Red - colour.R) <= tolerance && Math.Abs(p.Green - colour.G) <= tolerance && Math.Abs(p.Blue - colour.B) <= tolerance);

    private static void Expect(string paramName, string messagePart, Action call)
    {
        var e = Assert.ThrowsExactly<ArgumentException>(call);
        Assert.AreEqual(paramName, e.ParamName, e.Message);
        Assert.Contains(messagePart, e.Message);
    }

    private static void AssertOnlyFile(ScratchFolder scratch, string name) =>
        CollectionAssert.AreEqual(new[] { name }, Directory.GetFiles(scratch.Path).Select(Path.GetFileName).ToArray(), "no temporary file is left behind");

    private static void AssertNothingWritten(ScratchFolder scratch) => Assert.IsEmpty(Directory.GetFiles(scratch.Path));
}
