using System.Globalization;
using MathNet.Numerics.Distributions;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Training;

namespace Xai4Mri.ML.Analysis;

/// <summary>
/// Turns the analysis's measurements into a <see cref="TransferRecommendation"/>. The rules and their thresholds
/// are written out in docs/analysis.md and were checked against real fine-tuning in docs/analysis-validation.md.
/// </summary>
internal static class Recommender
{
    /// <summary>Below this skill (share of the chance error removed) a probe is not taken as signal.</summary>
    internal const double SignalSkill = 0.1;

    /// <summary>Standard errors the best probe must also lie above chance: a one-sided 5 % test (z = 1.645).</summary>
    internal const double SignalZ = 1.645;

    /// <summary>Raw image features must beat the pretrained ones by this much skill before training from scratch is advised.</summary>
    internal const double RawAdvantage = 0.05;

    /// <summary>Below this many subjects even the dense layers have too few samples per parameter: keep the network frozen.</summary>
    internal const int FewSubjects = 40;

    /// <summary>
    /// Below this expected skill the frozen features predict only weakly, and fine-tuning millions of weights on that
    /// little signal overfits: keep the network frozen and fit a small model on its features.
    /// </summary>
    internal const double FineTuneSkill = 0.35;

    /// <summary>
    /// Optimiser steps a run should take whatever N is: the 20 epochs of 12 steps that our transfer experiment used
    /// at N = 60 (docs/transfer-results.md); epochs are scaled to keep it.
    /// </summary>
    internal const int TargetSteps = 240;

    /// <summary>What the recommender needs to know.</summary>
    internal sealed record Inputs(
        int Subjects,
        bool Regression,
        int Folds,
        TransferabilityReport Transferability,
        DomainShiftReport? Shift,
        MriNetModel Model,
        double TrainSecondsPerImage,
        double ForwardSecondsPerImage,
        long MemoryBudgetBytes);

    /// <summary>Skill of a score: 0 at chance, 1 perfect.</summary>
    internal static double Skill(double score, double chance, bool regression) =>
        regression ? 1 - (score / chance) : (score - chance) / (1 - chance);

    public static TransferRecommendation Recommend(Inputs x)
    {
        var c = CultureInfo.InvariantCulture;
        var t = x.Transferability;
        double chance = t.ChanceLevel;
        double scale = x.Regression ? chance : 1 - chance;
        double skillPretrained = Skill(t.BestPretrained.Mean, chance, x.Regression);
        double skillRaw = Skill(t.BestRaw.Mean, chance, x.Regression);
        var best = skillPretrained >= skillRaw ? t.BestPretrained : t.BestRaw;
        double skill = Math.Max(skillPretrained, skillRaw);
        // The standard error of the best probe's mean over folds, in skill units.
        double se = Math.Max(1e-9, best.StandardDeviation / Math.Sqrt(x.Folds) / scale);
        double threshold = Math.Max(SignalSkill, SignalZ * se);
        bool signal = skill > threshold;
        // The best of six probes is biased upwards, the more so the noisier the folds: expect one standard error less.
        double expected = skill - se;
        var reasons = new List<string>();
        string metric = best.Metric;
        string Score(ProbeScore p) => string.Create(c, $"{p.Model} on {p.Features}: {metric} {p.Mean:G3} ± {p.StandardDeviation:G2}");
        string chanceText = string.Create(c, $"{chance:G3} without features");

        TransferApproach strategy;
        if (!signal)
        {
            strategy = TransferApproach.TooLittleSignal;
            reasons.Add(string.Create(c, $"No probe beats chance clearly: best {Score(best)} vs {chanceText} (skill {skill:F3}, needs > {threshold:F3}). Check the labels (are they matched to the right images?) or collect more subjects before training."));
        }
        else if (skillRaw > skillPretrained + RawAdvantage)
        {
            strategy = TransferApproach.TrainFromScratch;
            reasons.Add(string.Create(c, $"Raw image features predict the label better than the pretrained network's ({Score(t.BestRaw)} vs {Score(t.BestPretrained)}): what the source task taught the network does not cover what this label depends on. Train a fresh network (or check that the loader settings match the model)."));
        }
        else if (x.Subjects < FewSubjects)
        {
            strategy = TransferApproach.FrozenFeatures;
            reasons.Add(string.Create(c, $"Only {x.Subjects} subjects: too few to fine-tune even the dense layers without overfitting; the frozen features already give {Score(t.BestPretrained)} vs {chanceText}. Use {Learner(t.BestPretrained)} on them."));
        }
        else if (expected < FineTuneSkill)
        {
            strategy = TransferApproach.FrozenFeatures;
            reasons.Add(string.Create(c, $"The frozen features predict the label only weakly ({Score(t.BestPretrained)} vs {chanceText}; expected skill {expected:F2} < {FineTuneSkill}): fine-tuning the whole network on so little signal overfits. Use {Learner(t.BestPretrained)} on the frozen features."));
        }
        else
        {
            strategy = TransferApproach.DualPhase;
            reasons.Add(string.Create(c, $"The pretrained features carry the signal ({Score(t.BestPretrained)} vs {chanceText}; raw features {t.BestRaw.Mean:G3}): fine-tune all layers, then only the dense ones (dual-phase), which was best or within a few percent of best in our experiments at N = 60–120."));
        }
        if (x.Shift is { } shift && strategy != TransferApproach.TooLittleSignal)
        {
            string far = string.Create(c, $"The new data's features lie far from the source's (mean |d| {shift.MeanAbsoluteShift:F2}, {shift.LargeShiftFraction:P0} of features shifted by more than one source sd)");
            reasons.Add(!shift.IsSubstantial
                ? string.Create(c, $"The new data's features lie close to the source's (mean |d| {shift.MeanAbsoluteShift:F2}, level {shift.Level}).")
                : strategy == TransferApproach.FrozenFeatures
                    ? $"{far}: frozen features fit this data less well than the source's, but with this little signal the convolutional layers cannot be retrained safely; with more subjects, fine-tuning becomes the better choice."
                    : $"{far}: the convolutional layers must adapt, which the recommended strategy does by training them.");
        }

        // Sizes: the subjects that train in one cross-validation fold, the share held out for early stopping, the batch.
        double pool = x.Subjects * (x.Folds - 1) / (double)x.Folds;
        double validation = Math.Clamp(10 / Math.Max(1, pool), 0.1, 0.25);
        int training = Math.Max(1, (int)Math.Round(pool * (1 - validation)));
        int batch = 2;
        foreach (int b in new[] { 4, 8, 16 })
        {
            if (b <= training / 8.0 && EpochTimer.TrainingBytes(x.Model, b) <= x.MemoryBudgetBytes)
            {
                batch = b;
            }
        }
        int steps = (int)Math.Ceiling(training / (double)batch);
        int total = Math.Clamp((int)Math.Round(TargetSteps / (double)steps), 10, 100);
        bool twoPhases = strategy is TransferApproach.DualPhase or TransferApproach.LinearProbeThenFineTune;
        int epochs = twoPhases ? (int)Math.Round(total * 0.6) : total;
        int fineTune = twoPhases ? total - epochs : 0;
        double rate = strategy == TransferApproach.TrainFromScratch ? TrainingDefaults.FromScratchLearningRate : x.Model.LearningRate ?? TrainingDefaults.LearningRate;
        double secondsPerEpoch = (training * x.TrainSecondsPerImage) + (pool * validation * x.ForwardSecondsPerImage);
        if (strategy is not (TransferApproach.FrozenFeatures or TransferApproach.TooLittleSignal))
        {
            reasons.Add(string.Create(c, $"{training} subjects train per fold ({validation:P0} of {pool:F0} held out for early stopping): batch {batch}, {steps} steps per epoch, {total} epochs ≈ {TargetSteps} steps in all; about {secondsPerEpoch:F1} s per epoch here."));
        }

        var frozen = strategy == TransferApproach.DualPhase
            ? x.Model.Spec.Layers.Where(l => l.HasWeights && l.Kind != LayerKind.Dense).Select(l => l.Name).ToList()
            : [];
        double confidence = Normal.CDF(0, 1, Math.Abs(skill - threshold) / se);
        if (x.Subjects < FewSubjects)
        {
            // Fold scores of a handful of subjects each understate their own spread.
            confidence *= 0.8;
        }
        string level = confidence >= 0.9 ? "high" : confidence >= 0.7 ? "medium" : "low";
        return new TransferRecommendation(strategy, frozen, rate, rate, epochs, fineTune, batch, validation, x.Folds, secondsPerEpoch,
            EpochTimer.TrainingBytes(x.Model, batch), metric, ScoreOfSkill(expected, chance, x.Regression), chance, expected, confidence, level, reasons);
    }

    /// <summary>The score a skill stands for (the inverse of <see cref="Skill"/>).</summary>
    internal static double ScoreOfSkill(double skill, double chance, bool regression) =>
        regression ? chance * (1 - skill) : chance + (skill * (1 - chance));

    private static string Learner(ProbeScore probe) => probe.Model == "ridge"
        ? "a linear model (ridge regression, or logistic regression for classes)"
        : "FastTree";
}
