using Xai4Mri.ML.Analysis;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.ML.Tests.Analysis;

/// <summary>The recommendation rules on crafted measurements, domain shift by hand, and balanced accuracy.</summary>
[TestClass]
public sealed class RecommenderTests
{
    private static readonly int[] Shape = [16, 16, 16];

    /// <summary>Probe results for a regression label with chance MAE 10: pretrained and raw at the given MAE, sd 0.5 over folds.</summary>
    private static TransferabilityReport Probes(double pretrained, double raw, double sd = 0.5)
    {
        var p = new ProbeScore("penultimate layer", "ridge", "MAE", pretrained, sd, 64);
        var r = new ProbeScore("raw image (block means)", "ridge", "MAE", raw, sd, 64);
        return new TransferabilityReport(new Dictionary<string, double>(), [p, r], p, r, (raw - pretrained) / raw, 10);
    }

    private static TransferRecommendation Recommend(MriNetModel model, TransferabilityReport probes, int subjects = 60, DomainShiftReport? shift = null) =>
        Recommender.Recommend(new Recommender.Inputs(subjects, true, 5, probes, shift, model, 0.5, 0.1, 1L << 32));

    [TestMethod]
    public void EachRuleChoosesItsStrategy()
    {
        using var model = MriNetModel.CreateMriNet(Shape, ModelTask.Regression(40), seed: 1);

        Assert.AreEqual(TransferApproach.TooLittleSignal, Recommend(model, Probes(9.2, 9.9)).Approach, "skill 0.08 < 0.1");
        Assert.AreEqual(TransferApproach.TooLittleSignal, Recommend(model, Probes(8.5, 9.9, sd: 3)).Approach, "skill 0.15 but fold sd 3 → 1.645 se = 0.22");
        Assert.AreEqual(TransferApproach.FrozenFeatures, Recommend(model, Probes(8.5, 9.9, sd: 1)).Approach, "skill 0.15 > 1.645 se = 0.074: weak signal");
        Assert.AreEqual(TransferApproach.TrainFromScratch, Recommend(model, Probes(8.0, 6.0)).Approach, "raw skill 0.4 vs pretrained 0.2");
        Assert.AreEqual(TransferApproach.FrozenFeatures, Recommend(model, Probes(6.0, 8.0), subjects: 30).Approach);
        var dual = Recommend(model, Probes(6.0, 8.0));
        Assert.AreEqual(TransferApproach.DualPhase, dual.Approach);
        // Every layer with weights except the dense ones stays frozen in phase 2, as xai4mri's dual-phase does.
        CollectionAssert.AreEqual(model.Spec.Layers.Where(l => l.Kind == LayerKind.Conv3d).Select(l => l.Name).ToArray(), dual.FrozenInPhaseTwo.ToArray());
        // Skill 0.4 less one standard error of the fold mean (0.5 / √5 MAE = 0.0224 skill).
        const double skill = 0.4 - (0.5 / 2.2360679774997898 / 10);
        Assert.AreEqual(skill, dual.ExpectedSkill, 1e-12);
        Assert.AreEqual(10 * (1 - skill), dual.ExpectedScore, 1e-12);
        Assert.AreEqual(10, dual.ChanceScore);
        // Skill 0.3 (0.28 expected) is signal, but too weak to fine-tune on: frozen features with the probe's learner.
        var weak = Recommend(model, Probes(7.0, 9.0));
        Assert.AreEqual(TransferApproach.FrozenFeatures, weak.Approach);
        StringAssert.Contains(weak.Reasons[0], "Use a linear model (ridge regression, or logistic regression for classes) on the frozen features.");
    }

    [TestMethod]
    public void SizesFollowTheSubjectCount()
    {
        using var model = MriNetModel.CreateMriNet(Shape, ModelTask.Regression(40), seed: 1);

        // N = 60, 5 folds: 48 per fold, 10/48 held out → 38 train, batch 4 (≤ 38/8), 10 steps, 24 epochs = 14 + 10.
        var small = Recommend(model, Probes(6.0, 8.0));
        Assert.AreEqual(10.0 / 48, small.ValidationFraction, 1e-12);
        Assert.AreEqual(4, small.BatchSize);
        Assert.AreEqual(14, small.Epochs);
        Assert.AreEqual(10, small.FineTuneEpochs);
        // 38 training images at 0.5 s each plus 10 validation images at 0.1 s.
        Assert.AreEqual((38 * 0.5) + (48 * (10.0 / 48) * 0.1), small.SecondsPerEpoch, 1e-9);

        // N = 120: 96 per fold, 10 of them held out → 86 train, batch 8, 11 steps, 22 epochs.
        var larger = Recommend(model, Probes(6.0, 8.0), subjects: 120);
        Assert.AreEqual(10.0 / 96, larger.ValidationFraction, 1e-12);
        Assert.AreEqual(8, larger.BatchSize);
        Assert.AreEqual(22, larger.Epochs + larger.FineTuneEpochs);

        // A memory budget below one step of 4 images keeps the batch at 2.
        var tight = Recommender.Recommend(new Recommender.Inputs(60, true, 5, Probes(6.0, 8.0), null, model, 0.5, 0.1, EpochTimer.TrainingBytes(model, 4) - 1));
        Assert.AreEqual(2, tight.BatchSize);
    }

    [TestMethod]
    public void TrainerOptionsCarryTheRecommendation()
    {
        using var model = MriNetModel.CreateMriNet(Shape, ModelTask.Regression(40), seed: 1);
        var dual = Recommend(model, Probes(6.0, 8.0));

        var options = dual.ToTrainerOptions("age", model);
        Assert.AreEqual("age", options.LabelColumnName);
        Assert.AreSame(model, options.PretrainedModel);
        Assert.AreEqual(TransferStrategy.DualPhase, options.Strategy);
        Assert.AreEqual(dual.Epochs, options.Epochs);
        Assert.AreEqual(dual.FineTuneEpochs, options.FineTuneEpochs);
        Assert.AreEqual(dual.BatchSize, options.BatchSize);
        Assert.AreEqual(dual.ValidationFraction, options.ValidationFraction);

        var scratch = Recommend(model, Probes(8.0, 6.0)).ToTrainerOptions("age", model);
        Assert.IsNull(scratch.PretrainedModel, "from scratch trains a fresh MRInet");
        Assert.AreEqual(TransferStrategy.MonoPhase, scratch.Strategy);
        Assert.AreEqual(1e-3, scratch.LearningRate);

        var frozen = Assert.ThrowsExactly<InvalidOperationException>(() => Recommend(model, Probes(6.0, 8.0), subjects: 30).ToTrainerOptions("age", model));
        StringAssert.Contains(frozen.Message, "MriNetFeaturize");
    }

    [TestMethod]
    public void TheShiftReasonFitsTheStrategyAndFrozenAdviceHasNoTrainingPlan()
    {
        using var model = MriNetModel.CreateMriNet(Shape, ModelTask.Regression(40), seed: 1);
        var large = new DomainShiftReport("test", 64, 1.2, 0.4, 0.8, "large");

        var dual = Recommend(model, Probes(6.0, 8.0), shift: large);
        StringAssert.Contains(dual.Reasons[1], "mean |d| 1.20");
        StringAssert.Contains(dual.Reasons[1], "the convolutional layers must adapt, which the recommended strategy does by training them");
        StringAssert.Contains(dual.Reasons[2], "38 subjects train per fold");

        var frozen = Recommend(model, Probes(7.0, 9.0), shift: large);
        Assert.AreEqual(TransferApproach.FrozenFeatures, frozen.Approach);
        StringAssert.Contains(frozen.Reasons[1], "with more subjects, fine-tuning becomes the better choice");
        Assert.HasCount(2, frozen.Reasons, "no epochs or batches for advice that trains no network");

        var close = Recommend(model, Probes(6.0, 8.0), shift: new DomainShiftReport("test", 64, 0.1, 0, 1, "none"));
        StringAssert.Contains(close.Reasons[1], "lie close to the source's (mean |d| 0.10, level none)");
    }

    [TestMethod]
    public void DomainShiftByHand()
    {
        // Source: means 0, 0, 0; sds 1, 2, 0 (the third feature never varies on the source and is left out).
        var source = new FeatureStatistics(3, "dense", 100, [0, 0, 0], [1, 2, 0], "source");
        // Target rows: feature means 0.5, 2 and 5; sds 0.5, 1 and 0.
        float[][] target = [[0, 1, 5], [1, 3, 5]];

        var shift = DomainShift.Measure(source, target, "test");

        Assert.AreEqual(2, shift.ActiveFeatures);
        Assert.AreEqual((0.5 + 1.0) / 2, shift.MeanAbsoluteShift, 1e-12);
        Assert.AreEqual(0, shift.LargeShiftFraction, "|d| = 1 is not more than one sd");
        Assert.AreEqual((0.5 + 0.5) / 2, shift.MedianScaleRatio, 1e-12);
        Assert.AreEqual("moderate", shift.Level);
        Assert.IsTrue(shift.IsSubstantial);

        var wrong = Assert.ThrowsExactly<ArgumentException>(() => DomainShift.Measure(source, [[1f, 2f]], "test"));
        StringAssert.Contains(wrong.Message, "source statistics describe 3 features, the new data gives 2");
    }

    [TestMethod]
    public void BalancedAccuracyIsTheMeanRecallOverClasses()
    {
        // A majority vote on 3:1 classes: plain accuracy 0.75, balanced 0.5.
        Assert.AreEqual(0.5, Transferability.BalancedAccuracy([0, 0, 0, 1], [0, 0, 0, 0]), 1e-12);
        // Class 0: 2 of 3 right; class 1: 1 of 1.
        Assert.AreEqual(((2.0 / 3) + 1) / 2, Transferability.BalancedAccuracy([0, 0, 0, 1], [0, 1, 0, 1]), 1e-12);
    }
}
