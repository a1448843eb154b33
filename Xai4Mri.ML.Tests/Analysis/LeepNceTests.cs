using Xai4Mri.ML.Analysis;
using static Xai4Mri.ML.Tests.Analysis.ScoreFixtures;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary>LEEP, NCE and the age-regressor source distributions agree with NumPy / SciPy, meet the bounds of their definitions, and reject bad input.</summary>
[TestClass]
public sealed class LeepNceTests
{
    [TestMethod]
    public void LeepMatchesNumPyReference()
    {
        var cases = Cases("leep");
        CollectionAssert.AreEquivalent(new[] { "leep_softmax_50x6_3class", "leep_empty_source_class_50x7", "leep_single_member_class_50x6" }, cases.Keys.ToArray());
        foreach (var (name, c) in cases)
        {
            double leep = Leep.Score(Matrix(c.GetProperty("probabilities")), Ints(c.GetProperty("labels")), c.GetProperty("class_count").GetInt32());
            Close(c.GetProperty("expected").GetDouble(), leep, 1e-9, name);
        }
        // An unused source class changes nothing.
        Assert.AreEqual(cases["leep_softmax_50x6_3class"].GetProperty("expected").GetDouble(), cases["leep_empty_source_class_50x7"].GetProperty("expected").GetDouble(), 1e-12);
    }

    [TestMethod]
    public void NceMatchesNumPyReference()
    {
        var cases = Cases("nce");
        CollectionAssert.AreEquivalent(new[] { "nce_60_5source_3class", "nce_determined_12", "nce_single_member_class_60" }, cases.Keys.ToArray());
        foreach (var (name, c) in cases)
        {
            double nce = Nce.Score(Ints(c.GetProperty("source")), c.GetProperty("source_count").GetInt32(), Ints(c.GetProperty("labels")), c.GetProperty("class_count").GetInt32());
            Close(c.GetProperty("expected").GetDouble(), nce, 1e-9, name);
        }
        Assert.AreEqual(0, cases["nce_determined_12"].GetProperty("expected").GetDouble(), "a target the source determines has NCE 0");
    }

    [TestMethod]
    public void AgeRegressorSourceMatchesSciPy()
    {
        var c = ScoreFixtures.Root.GetProperty("regression_source");
        double[] predictions = Doubles(c.GetProperty("predictions"));
        int bins = c.GetProperty("bins").GetInt32();
        double[] edges = RegressionSource.EqualWidthEdges(c.GetProperty("low").GetDouble(), c.GetProperty("high").GetDouble(), bins);
        CollectionAssert.AreEqual(Doubles(c.GetProperty("expected_edges")), edges);
        int[] hard = RegressionSource.Hard(predictions, edges);
        CollectionAssert.AreEqual(Ints(c.GetProperty("expected_hard")), hard);
        double[,] soft = RegressionSource.Soft(predictions, edges, c.GetProperty("mean_absolute_error").GetDouble());
        double[,] expected = Matrix(c.GetProperty("expected_soft"));
        Assert.AreEqual(expected.GetLength(1), soft.GetLength(1));
        for (int i = 0; i < predictions.Length; i++)
        {
            double sum = 0;
            for (int b = 0; b < bins; b++)
            {
                Assert.AreEqual(expected[i, b], soft[i, b], 1e-13 + (1e-9 * expected[i, b]), $"P(bin {b} | prediction {predictions[i]})");
                sum += soft[i, b];
            }
            Assert.AreEqual(1, sum, 1e-12, $"row {i}");
        }
        Assert.AreEqual(1, soft[0, bins - 1], 1e-12, "a prediction of 150 lies in the open last bin");
        Assert.AreEqual(1, soft[1, 0], 1e-12, "a prediction of −40 lies in the open first bin");
        int[] target = Ints(c.GetProperty("target_labels"));
        int k = c.GetProperty("target_class_count").GetInt32();
        Close(c.GetProperty("expected_leep").GetDouble(), Leep.Score(soft, target, k), 1e-9, "LEEP of the age regressor");
        Close(c.GetProperty("expected_nce").GetDouble(), Nce.Score(hard, bins, target, k), 1e-9, "NCE of the age regressor");
    }

    [TestMethod]
    public void BothAreAtMostZeroAndAtLeastTheEntropyOfTheLabelsBelowIt()
    {
        // LEEP and NCE are log-likelihoods of classifiers at least as good as predicting the label frequencies:
        // −H(Y) ≤ score ≤ 0.
        var c = ScoreFixtures.Root.GetProperty("regression_source");
        int[] target = Ints(c.GetProperty("target_labels"));
        double entropy = -target.GroupBy(t => t).Sum(g => g.Count() / (double)target.Length * Math.Log(g.Count() / (double)target.Length));
        double[] predictions = Doubles(c.GetProperty("predictions"));
        double[] edges = RegressionSource.EqualWidthEdges(20, 80, 6);
        double leep = Leep.Score(RegressionSource.Soft(predictions, edges, 6), target, 2);
        double nce = Nce.Score(RegressionSource.Hard(predictions, edges), 6, target, 2);
        Assert.IsTrue(-entropy - 1e-12 <= leep && leep <= 0, $"LEEP {leep}, −H(Y) {-entropy}");
        Assert.IsTrue(-entropy - 1e-12 <= nce && nce <= 0, $"NCE {nce}, −H(Y) {-entropy}");
        // One source class for everyone carries no information: both are exactly −H(Y).
        var flat = new double[target.Length, 1];
        for (int i = 0; i < target.Length; i++)
        {
            flat[i, 0] = 1;
        }
        Assert.AreEqual(-entropy, Leep.Score(flat, target, 2), 1e-12);
        Assert.AreEqual(-entropy, Nce.Score(new int[target.Length], 1, target, 2), 1e-12);
    }

    [TestMethod]
    public void LeepRejectsBadInput()
    {
        double[,] p = { { 0.5, 0.5 }, { 0.2, 0.8 }, { 1, 0 } };
        Expect<ArgumentException>("labels", "sourceProbabilities has 3 rows but labels has 2 values", () => Leep.Score(p, [0, 1], 2));
        Expect<ArgumentOutOfRangeException>("classCount", "classCount is 1; a score over classes needs at least 2", () => Leep.Score(p, [0, 0, 0], 1));
        Expect<ArgumentException>("labels", "class 1 has no samples", () => Leep.Score(p, [0, 0, 0], 2));
        Expect<ArgumentException>("sourceProbabilities", "sourceProbabilities[1,0] is NaN", () => Leep.Score(new double[,] { { 0.5, 0.5 }, { double.NaN, 1 } }, [0, 1], 2));
        Expect<ArgumentException>("sourceProbabilities", "sourceProbabilities[0,1] is -0.1", () => Leep.Score(new double[,] { { 1.1, -0.1 }, { 0, 1 } }, [0, 1], 2));
        Expect<ArgumentException>("sourceProbabilities", "sourceProbabilities row 1 sums to 0.9", () => Leep.Score(new double[,] { { 0.5, 0.5 }, { 0.4, 0.5 } }, [0, 1], 2));
        Expect<ArgumentException>("sourceProbabilities", "has no columns", () => Leep.Score(new double[2, 0], [0, 1], 2));
    }

    [TestMethod]
    public void NceRejectsBadInput()
    {
        Expect<ArgumentException>("labels", "sourceLabels has 3 values but labels has 2", () => Nce.Score([0, 1, 1], 2, [0, 1], 2));
        Expect<ArgumentOutOfRangeException>("classCount", "classCount is 1", () => Nce.Score([0, 1], 2, [0, 0], 1));
        Expect<ArgumentException>("labels", "class 1 has no samples", () => Nce.Score([0, 1], 2, [0, 0], 2));
        Expect<ArgumentException>("sourceLabels", "sourceLabels[1] is 2, outside 0..1", () => Nce.Score([0, 2], 2, [0, 1], 2));
        Expect<ArgumentOutOfRangeException>("sourceClassCount", "sourceClassCount is 0", () => Nce.Score([0, 0], 0, [0, 1], 2));
    }

    [TestMethod]
    public void RegressionSourceRejectsBadInput()
    {
        Expect<ArgumentException>("predictions", "predictions[1] is NaN; binning needs finite values", () => RegressionSource.Hard([1, double.NaN], [0.5]));
        Expect<ArgumentException>("edges", "edges[1] is 2, not above edges[0] = 2", () => RegressionSource.Hard([1], [2, 2]));
        Expect<ArgumentException>("edges", "edges is empty", () => RegressionSource.Soft([1], [], 1));
        Expect<ArgumentOutOfRangeException>("meanAbsoluteError", "meanAbsoluteError is 0; it must be positive", () => RegressionSource.Soft([1], [0.5], 0));
        Expect<ArgumentOutOfRangeException>("bins", "bins is 1", () => RegressionSource.EqualWidthEdges(20, 80, 1));
        Expect<ArgumentException>("high", "the range 80..20 must be finite with high above low", () => RegressionSource.EqualWidthEdges(80, 20, 4));
    }
}
