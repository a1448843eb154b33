using Xai4Mri.ML.Analysis;
using static Xai4Mri.ML.Tests.Analysis.ScoreFixtures;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary>Rank correlations, regret and calibration agree with SciPy / NumPy on fixtures with ties, and reject bad input.</summary>
[TestClass]
public sealed class ValidationStatisticsTests
{
    [TestMethod]
    public void RankCorrelationsMatchSciPyWithTies()
    {
        var cases = Cases("rank");
        CollectionAssert.AreEquivalent(
            new[] { "ties_both_12", "ties_one_side_10", "integer_ties_40", "six_scenarios_exact", "six_scenarios_rounded", "reversed_no_ties_7", "ties_both_8" },
            cases.Keys.ToArray());
        foreach (var (name, c) in cases)
        {
            double[] a = Doubles(c.GetProperty("a")), b = Doubles(c.GetProperty("b"));
            CollectionAssert.AreEqual(Doubles(c.GetProperty("expected_ranks_a")), RankCorrelation.AverageRanks(a), name);
            Close(c.GetProperty("expected_spearman").GetDouble(), RankCorrelation.Spearman(a, b), 1e-12, $"{name}: Spearman");
            Close(c.GetProperty("expected_kendall_tau_b").GetDouble(), RankCorrelation.KendallTauB(a, b), 1e-12, $"{name}: Kendall tau-b");
        }
    }

    [TestMethod]
    public void ExactPermutationPValuesMatchSciPy()
    {
        var cases = Cases("rank").Where(c => c.Value.TryGetProperty("expected_spearman_p_greater", out _)).ToList();
        Assert.HasCount(4, cases);
        foreach (var (name, c) in cases)
        {
            double[] a = Doubles(c.GetProperty("a")), b = Doubles(c.GetProperty("b"));
            Close(c.GetProperty("expected_spearman_p_greater").GetDouble(), RankCorrelation.SpearmanPValue(a, b), 1e-12, $"{name}: Spearman p");
            Close(c.GetProperty("expected_kendall_tau_b_p_greater").GetDouble(), RankCorrelation.KendallTauBPValue(a, b), 1e-12, $"{name}: Kendall p");
        }
    }

    [TestMethod]
    public void RandomPermutationPValueIsCloseToTheExactOneAndSeeded()
    {
        // 8 values: 40,320 pairings; 4,000 random ones estimate the exact p within a few binomial standard errors.
        var c = Cases("rank")["ties_both_8"];
        double[] a = Doubles(c.GetProperty("a")), b = Doubles(c.GetProperty("b"));
        double exact = c.GetProperty("expected_spearman_p_greater").GetDouble();
        double sampled = RankCorrelation.SpearmanPValue(a, b, resamples: 4000, seed: 3);
        Assert.AreEqual(exact, sampled, 4 * Math.Sqrt(exact * (1 - exact) / 4000) + (1.0 / 4001), $"exact {exact}, sampled {sampled}");
        Assert.AreEqual(sampled, RankCorrelation.SpearmanPValue(a, b, resamples: 4000, seed: 3), "same seed, same value");
        Assert.IsGreaterThan(0, sampled, "never 0: the observed pairing counts");
    }

    [TestMethod]
    public void RoundingBeforeRankingChangesTheResult()
    {
        // Six scenarios whose actual skills 0.5112 and 0.5104 round to the same 0.51: ranked as measured ρ = 33/35.
        var cases = Cases("rank");
        double exact = RankCorrelation.Spearman(Doubles(cases["six_scenarios_exact"].GetProperty("a")), Doubles(cases["six_scenarios_exact"].GetProperty("b")));
        double rounded = RankCorrelation.Spearman(Doubles(cases["six_scenarios_rounded"].GetProperty("a")), Doubles(cases["six_scenarios_rounded"].GetProperty("b")));
        Assert.AreEqual(33.0 / 35, exact, 1e-12);
        Assert.IsGreaterThan(exact + 0.04, rounded, "the rounding tie inflates ρ");
    }

    [TestMethod]
    public void RegretMatchesNumPyReference()
    {
        foreach (var (name, c) in Cases("regret"))
        {
            var r = Regret.Of(c.GetProperty("recommended").GetDouble(), c.GetProperty("best").GetDouble(), c.GetProperty("chance").GetDouble(), c.GetProperty("lower_is_better").GetBoolean());
            Close(c.GetProperty("expected_raw").GetDouble(), r.Raw, 1e-12, $"{name}: raw");
            Close(c.GetProperty("expected_skill").GetDouble(), r.Skill, 1e-9, $"{name}: in skill units");
            var fraction = c.GetProperty("expected_fraction");
            if (fraction.ValueKind == System.Text.Json.JsonValueKind.Null)
            {
                Assert.IsTrue(double.IsNaN(r.Fraction), $"{name}: the best is no better than chance, the fraction is undefined");
            }
            else
            {
                Close(fraction.GetDouble(), r.Fraction, 1e-12, $"{name}: fraction");
            }
        }
        var recommendedChance = Cases("regret")["balanced_accuracy_recommended_chance"];
        Assert.AreEqual(1, Regret.Of(0.5, 0.59, 0.5, lowerIsBetter: false).Fraction, 1e-12, "recommending chance costs the whole gap");
        Assert.AreEqual(0, Regret.Of(5.85, 5.85, 16.3, lowerIsBetter: true).Raw, recommendedChance.GetProperty("name").GetString());
    }

    [TestMethod]
    public void WithinTenPercentFollowsTheValidationTable()
    {
        // docs/analysis-validation.md: (f) dual-phase 7.72 against the best 7.54 is within 10 %; (c) dual-phase would not be.
        Assert.IsTrue(Regret.IsWithin(7.72, 7.54, lowerIsBetter: true));
        Assert.IsTrue(Regret.IsWithin(8.294, 7.54, lowerIsBetter: true), "8.294 = 1.1 × 7.54 exactly at the edge");
        Assert.IsFalse(Regret.IsWithin(8.3, 7.54, lowerIsBetter: true));
        Assert.IsFalse(Regret.IsWithin(0.526, 0.604, lowerIsBetter: false));
        Assert.IsTrue(Regret.IsWithin(0.55, 0.604, lowerIsBetter: false));
    }

    [TestMethod]
    public void CalibrationMatchesNumPyReference()
    {
        var c = ScoreFixtures.Root.GetProperty("calibration");
        double[] confidence = Doubles(c.GetProperty("confidence"));
        bool[] right = [.. c.GetProperty("right").EnumerateArray().Select(e => e.GetBoolean())];
        int bins = c.GetProperty("bins").GetInt32();
        CompareTables(c.GetProperty("expected_table"), Calibration.Reliability(confidence, right, bins), confidence.Length);
        double[] levels = Doubles(c.GetProperty("level_edges"));
        CompareTables(c.GetProperty("expected_level_table"), Calibration.Reliability(confidence, right, levels), confidence.Length);
        Close(c.GetProperty("expected_brier").GetDouble(), Calibration.Brier(confidence, right), 1e-12, "Brier");
        Close(c.GetProperty("expected_ece").GetDouble(), Calibration.ExpectedCalibrationError(confidence, right, bins), 1e-12, "ECE");
        Close(c.GetProperty("expected_level_ece").GetDouble(), Calibration.ExpectedCalibrationError(confidence, right, levels), 1e-12, "ECE over the levels");
    }

    private static void CompareTables(System.Text.Json.JsonElement expectedTable, IReadOnlyList<ReliabilityBin> table, int calls)
    {
        var expected = expectedTable.EnumerateArray().ToArray();
        Assert.HasCount(expected.Length, table);
        for (int b = 0; b < expected.Length; b++)
        {
            Assert.AreEqual(expected[b].GetProperty("lower").GetDouble(), table[b].Lower, $"bin {b} lower");
            Assert.AreEqual(expected[b].GetProperty("upper").GetDouble(), table[b].Upper, $"bin {b} upper");
            Assert.AreEqual(expected[b].GetProperty("count").GetInt32(), table[b].Count, $"bin {b} count");
            Close(expected[b].GetProperty("mean_confidence").GetDouble(), table[b].MeanConfidence, 1e-12, $"bin {b} mean confidence");
            Close(expected[b].GetProperty("fraction_right").GetDouble(), table[b].FractionRight, 1e-12, $"bin {b} fraction right");
        }
        Assert.AreEqual(calls, table.Sum(r => r.Count), "every call in one bin (0 and 1 included)");
    }

    [TestMethod]
    public void EmptyBinsAreNaNAndAConstantHalfHasBrierAQuarter()
    {
        var table = Calibration.Reliability([0.95, 0.92], [true, false], 10);
        Assert.AreEqual(0, table[3].Count);
        Assert.IsTrue(double.IsNaN(table[3].MeanConfidence) && double.IsNaN(table[3].FractionRight));
        Assert.AreEqual(0.25, Calibration.Brier([0.5, 0.5, 0.5], [true, false, true]), 1e-15);
    }

    [TestMethod]
    public void RejectBadInput()
    {
        Expect<ArgumentException>("b", "a has 3 values but b has 2", () => RankCorrelation.Spearman([1, 2, 3], [1, 2]));
        Expect<ArgumentException>("a", "needs at least 2 pairs; got 1", () => RankCorrelation.KendallTauB([1], [1]));
        Expect<ArgumentException>("b", "b[1] is NaN; a rank correlation needs finite values", () => RankCorrelation.Spearman([1, 2, 3], [1, double.NaN, 3]));
        Expect<ArgumentException>("a", "a has all values equal (2); a rank correlation is undefined", () => RankCorrelation.KendallTauB([2, 2, 2], [1, 2, 3]));
        Expect<ArgumentOutOfRangeException>("resamples", "resamples is 0", () => RankCorrelation.SpearmanPValue([1, 2, 3], [1, 2, 3], resamples: 0));
        Expect<ArgumentException>("best", "recommended 5 beats best 6", () => Regret.Of(5, 6, 10, lowerIsBetter: true));
        Expect<ArgumentException>("scores (recommended, best, chance)", "scores (recommended, best, chance)[2] is NaN", () => Regret.Of(5, 5, double.NaN, lowerIsBetter: true));
        Expect<ArgumentOutOfRangeException>("tolerance", "tolerance is 1; it must lie in [0, 1)", () => Regret.IsWithin(5, 5, lowerIsBetter: true, tolerance: 1));
        Expect<ArgumentException>("right", "confidence has 2 values but right has 1", () => Calibration.Brier([0.5, 0.5], [true]));
        Expect<ArgumentException>("confidence", "confidence[0] is 1.2; a confidence must lie in [0, 1]", () => Calibration.Reliability([1.2], [true], 5));
        Expect<ArgumentException>("confidence", "confidence is empty", () => Calibration.Brier([], []));
        Expect<ArgumentOutOfRangeException>("bins", "bins is 0", () => Calibration.Reliability([0.5], [true], 0));
        Expect<ArgumentException>("edges", "edges[1] is 0.7; edges must increase strictly inside (0, 1)", () => Calibration.Reliability([0.5], [true], [0.7, 0.7]));
        Expect<ArgumentException>("edges", "edges[0] is 1", () => Calibration.Reliability([0.5], [true], [1.0]));
    }
}
